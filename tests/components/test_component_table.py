"""Table component alone under mocks."""

import pytest

from components.table import Table, TableArgs


def build(stack, **kwargs):
    stack.run(lambda: Table("tbl", TableArgs(**kwargs)).table_arn)
    return stack.one("aws:dynamodb/table:Table").inputs


def test_on_demand_with_string_keys(stack):
    table = build(stack)
    assert table["billingMode"] == "PAY_PER_REQUEST"
    assert (table["hashKey"], table["rangeKey"]) == ("PK", "SK")
    assert table["attributes"] == [{"name": "PK", "type": "S"}, {"name": "SK", "type": "S"}]
    assert "readCapacity" not in table and "writeCapacity" not in table


def test_ttl_and_encryption(stack):
    table = build(stack, ttl_attribute="expiresAt")
    assert table["ttl"] == {"attributeName": "expiresAt", "enabled": True}
    assert table["serverSideEncryption"] == {"enabled": True}


@pytest.mark.parametrize("protected", [False, True])
def test_recovery_and_protection_from_args(stack, protected):
    table = build(stack, point_in_time_recovery=protected, deletion_protection=protected)
    assert table["pointInTimeRecovery"] == {"enabled": protected}
    assert table["deletionProtectionEnabled"] is protected

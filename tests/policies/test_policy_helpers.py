"""Direct unit tests of the pack's helpers (no gRPC)."""

import pytest
from pulumi_policy.proxy import unknown_checking_proxy

from costguard.analyzer import PolicyPackError, reconcile_config
from policies import prices
from policies.cost_compute import parse_cpu, parse_memory
from policies.security import wildcard_grants
from policies.support import UNKNOWN, as_json, as_number, get, is_unknown, matches_type, money, plain

SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def test_plain_unwraps_the_sdk_proxy_and_marks_unknowns():
    proxied = unknown_checking_proxy({"a": {"b": [1, SENTINEL]}, "c": SENTINEL})
    data = plain(proxied)
    assert data == {"a": {"b": [1, UNKNOWN]}, "c": UNKNOWN}
    assert type(data) is dict and type(data["a"]["b"]) is list
    assert is_unknown(data["c"]) and is_unknown(SENTINEL) and not is_unknown("x")


def test_get_walks_paths_and_stops_at_unknowns():
    props = {"a": {"b": [{"c": 3}]}, "u": UNKNOWN}
    assert get(props, "a", "b", 0, "c") == 3
    assert get(props, "a", "x", default=7) == 7
    assert get(props, "u", "deeper") is UNKNOWN
    assert get(props, "a", "b", 5) is None


@pytest.mark.parametrize(
    "value,expected",
    [("256", 256), (512, 512), ("0.25 vCPU", 256), ("1 vcpu", 1024), (UNKNOWN, None), ("x", None)],
)
def test_parse_cpu(value, expected):
    assert parse_cpu(value) == expected


@pytest.mark.parametrize("value,expected", [("512", 512), ("0.5 GB", 512), ("2GB", 2048), (None, None)])
def test_parse_memory(value, expected):
    assert parse_memory(value) == expected


def test_as_number_and_as_json():
    assert as_number("5") == 5 and as_number(True) is None and as_number(UNKNOWN) is None
    assert as_json('{"a": 1}') == {"a": 1} and as_json("{nope") is None and as_json({"a": 1}) == {"a": 1}


def test_matches_type_supports_prefixes():
    assert matches_type("aws:rds/instance:Instance", ["aws:rds/*"])
    assert not matches_type("aws:rdsx/instance:Instance", ["aws:rds/instance:Instance"])


def test_wildcard_grants():
    doc = {"Statement": [{"Effect": "Allow", "Action": ["s3:*", "ec2:Describe*"], "Resource": "*"}]}
    assert wildcard_grants(doc, set()) == ['"s3:*"']
    assert wildcard_grants(doc, {"s3"}) == []
    assert wildcard_grants({"Statement": {"Action": "*", "Resource": ["*"]}}, set()) == ['"*" on "*"']


def test_prices_are_hourly_times_730():
    assert prices.monthly("nat_gateway") == 32.85  # 0.045 x 730
    assert prices.monthly("load_balancer") == 16.43  # 0.0225 x 730 = 16.425
    assert prices.monthly("interface_endpoint_az", 3) == 21.90
    assert prices.monthly("waf_web_acl") == 5.00
    # 0.25 vCPU x 0.04048 + 0.5 GB x 0.004445 = 0.0123425 $/h x 730 = 9.01
    assert prices.fargate_monthly(256, 512, arm=False) == 9.01
    assert prices.fargate_monthly(256, 512, arm=True) == round((0.25 * 0.03238 + 0.5 * 0.00356) * 730, 2)


def test_money_keeps_sub_dollar_digits():
    assert money(32.85) == "$32.85" and money(1234) == "$1,234.00"
    assert money(0.045) == "$0.045" and money(0.3) == "$0.30"


POLICIES = [
    {
        "name": "a",
        "enforcementLevel": "mandatory",
        "configSchema": {"properties": {"max": {"type": "integer", "default": 30}}, "required": []},
    },
    {"name": "b", "enforcementLevel": "advisory", "configSchema": {"properties": {}, "required": []}},
]


def test_reconcile_fills_defaults_then_applies_config():
    assert reconcile_config(POLICIES, {}) == {"a": ("mandatory", {"max": 30}), "b": ("advisory", {})}
    assert reconcile_config(POLICIES, {"a": {"max": 7}, "b": "disabled"}) == {
        "a": ("mandatory", {"max": 7}),
        "b": ("disabled", {}),
    }
    assert reconcile_config(POLICIES, {"all": "advisory"})["a"] == ("advisory", {"max": 30})


def test_reconcile_rejects_schema_violations():
    with pytest.raises(PolicyPackError, match="a: max: 'x' is not of type 'integer'"):
        reconcile_config(POLICIES, {"a": {"max": "x"}})

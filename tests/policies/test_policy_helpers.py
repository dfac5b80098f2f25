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


def test_prices_are_hourly_times_730_in_us_east_1():
    q = prices.quotes("us-east-1")
    assert q.region == "us-east-1"
    assert q.monthly("nat_gateway_hour") == 32.85  # 0.045 x 730
    assert q.monthly("alb_hour") == 16.43  # 0.0225 x 730 = 16.425
    assert q.monthly("vpc_endpoint_az_hour", 3) == 21.90  # 0.01 x 730 x 3
    assert q.monthly("waf_web_acl_month") == 5.00
    assert q.unit("nat_gateway_gb") == 0.045
    # 0.25 vCPU x 0.04048 + 0.5 GB x 0.004445 = 0.0123425 $/h x 730 = 9.01
    assert q.fargate_monthly(256, 512, arm=False) == 9.01
    # 0.25 x 0.03238 + 0.5 x 0.00356 = 0.009875 $/h x 730 = 7.21
    assert q.fargate_monthly(256, 512, arm=True) == 7.21


def test_prices_follow_the_region():
    q = prices.quotes("eu-west-1")
    assert q.region == "eu-west-1"
    assert q.monthly("nat_gateway_hour") == 35.04  # 0.048 x 730
    assert q.monthly("alb_hour") == 18.40  # 0.0252 x 730 = 18.396
    assert q.monthly("vpc_endpoint_az_hour") == 8.03  # 0.011 x 730


def test_a_region_the_book_lacks_is_quoted_in_us_east_1():
    assert prices.quotes("ap-south-1").region == "us-east-1"


def test_http_api_requests_are_priced_over_their_tiers():
    q = prices.quotes("us-east-1")
    # 1000 req/s x 2,628,000 s = 2,628 M requests: 300 M x $1.00 + 2,328 M x $0.90 = $2,395.20
    assert q.cost("apigw_http_requests", 2628) == 2395.20
    assert q.cost("apigw_http_requests", 131.4) == 131.40


def test_hourly_or_monthly_only():
    with pytest.raises(ValueError, match="per GB"):
        prices.quotes("us-east-1").monthly("nat_gateway_gb")


@pytest.mark.parametrize(
    "config,region",
    [
        ('{"aws:region": "eu-west-1"}', "eu-west-1"),
        ('{"aws-native:region": "eu-west-1"}', "eu-west-1"),
        ("{}", "us-east-1"),
        ("not json", "us-east-1"),
        ("[1]", "us-east-1"),
    ],
)
def test_stack_region_comes_from_pulumi_config(monkeypatch, config, region):
    monkeypatch.setenv("PULUMI_CONFIG", config)
    assert prices.stack_region() == region


def test_no_stack_config_means_us_east_1(monkeypatch):
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    assert prices.stack_region() == "us-east-1" and prices.quotes().region == "us-east-1"


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

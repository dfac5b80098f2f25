"""Log retention and API Gateway policies, through the Analyzer protocol."""

import pytest

from costguard.graph import UNKNOWN

RETENTION = "cost-log-retention"
THROTTLE = "cost-api-throttling"
REST = "cost-api-rest-v1"
LOG_TYPES = ["aws:cloudwatch/logGroup:LogGroup", "aws-native:logs:LogGroup"]
STAGE_TYPES = ["aws:apigatewayv2/stage:Stage", "aws-native:apigatewayv2:Stage"]


@pytest.mark.parametrize("type_", LOG_TYPES)
@pytest.mark.parametrize("props", [{}, {"retentionInDays": 0}])
def test_log_group_that_never_expires_is_rejected(pack, type_, props):
    (v,) = pack.violations(type_, props, RETENTION)
    assert "never expires" in v.message and "$0.03/GB-month" in v.message and "maxRetentionDays" in v.message


@pytest.mark.parametrize("type_", LOG_TYPES)
def test_retention_over_the_limit_is_rejected_and_within_passes(pack, type_):
    (v,) = pack.violations(type_, {"retentionInDays": 365}, RETENTION)
    assert "365 days is above the maximum 30" in v.message
    assert pack.violations(type_, {"retentionInDays": 14}, RETENTION) == []
    assert pack.violations(type_, {"retentionInDays": 30}, RETENTION) == []
    assert pack.violations(type_, {"retentionInDays": UNKNOWN}, RETENTION) == []


def test_retention_limit_is_configurable(pack):
    pack.configure({RETENTION: {"maxRetentionDays": 400}})
    assert pack.violations(LOG_TYPES[0], {"retentionInDays": 365}, RETENTION) == []
    pack.configure({RETENTION: {"maxRetentionDays": 7}})
    assert pack.violations(LOG_TYPES[0], {"retentionInDays": 14}, RETENTION) != []


@pytest.mark.parametrize("type_", STAGE_TYPES)
def test_stage_without_throttling_is_rejected(pack, type_):
    (v,) = pack.violations(type_, {"name": "$default"}, THROTTLE)
    assert "not throttled" in v.message and "$1.00 per million" in v.message
    assert "'maxRateLimit'" in v.message and "'maxBurstLimit'" in v.message and "at most 2000" in v.message


@pytest.mark.parametrize("type_", STAGE_TYPES)
def test_throttled_stage_passes_and_limits_are_configurable(pack, type_):
    props = {"defaultRouteSettings": {"throttlingRateLimit": 50, "throttlingBurstLimit": 100}}
    assert pack.violations(type_, props, THROTTLE) == []
    pack.configure({THROTTLE: {"maxRateLimit": 10}})
    (v,) = pack.violations(type_, props, THROTTLE)
    # 50 req/s x 2,628,000 s/month = 131.4 M requests x $1.00 = $131.40
    assert "above the maximum 10/s" in v.message and "$131.40" in v.message


def test_unknown_throttling_does_not_crash(pack):
    assert pack.violations(STAGE_TYPES[0], {"defaultRouteSettings": UNKNOWN}, THROTTLE) == []
    props = {"defaultRouteSettings": {"throttlingRateLimit": UNKNOWN, "throttlingBurstLimit": 10}}
    assert pack.violations(STAGE_TYPES[0], props, THROTTLE) == []


@pytest.mark.parametrize("type_", ["aws:apigateway/restApi:RestApi", "aws-native:apigateway:RestApi"])
def test_rest_api_gets_an_advisory(pack, type_):
    (v,) = pack.violations(type_, {"name": "api"}, REST)
    assert v.enforcement_level == "advisory" and "3.5x" in v.message and "$3.50" in v.message

"""Cost policies for API Gateway: HTTP API stages are throttled; REST APIs cost 3.5x per request."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, PolicyConfigSchema

from policies import prices
from policies.support import UNKNOWN, as_number, config_value, get, money, resource_policy, types

HTTP_STAGE_TYPES = types("aws:apigatewayv2/stage:Stage", "aws-native:apigatewayv2:Stage")
REST_API_TYPES = types("aws:apigateway/restApi:RestApi", "aws-native:apigateway:RestApi")

_SECONDS_PER_MONTH = 730 * 3600


def check_stage_throttling(props: dict, config: Any, type_: str) -> list[str]:
    max_rate = float(config_value(config, "maxRateLimit", 1000))
    max_burst = float(config_value(config, "maxBurstLimit", 2000))
    settings = props.get("defaultRouteSettings")
    if settings is UNKNOWN:
        return []
    rate_raw = get(settings or {}, "throttlingRateLimit")
    burst_raw = get(settings or {}, "throttlingBurstLimit")
    if rate_raw is UNKNOWN or burst_raw is UNKNOWN:
        return []
    rate, burst = as_number(rate_raw), as_number(burst_raw)
    q = prices.quotes()
    if rate is None or burst is None or rate <= 0 or burst <= 0:
        cost = (
            f"bills {money(q.unit('apigw_http_requests'))} per million in {q.region} with no ceiling. Set "
            f"defaultRouteSettings throttlingRateLimit (at most {max_rate:g}/s caps the bill near "
            f"{money(_sustained(q, max_rate))}/month)"
            if q
            else f"bills per request with no ceiling. Set defaultRouteSettings throttlingRateLimit (at most "
            f"{max_rate:g}/s)"
        )
        return [
            f"The stage's default route is not throttled: a flood of requests {cost} and "
            f"throttlingBurstLimit (at most {max_burst:g}). Those ceilings are this policy's 'maxRateLimit' "
            "and 'maxBurstLimit'; its enforcementLevel 'advisory' lets an unthrottled stage through."
        ]
    if rate > max_rate or burst > max_burst:
        cost = f" bills {money(_sustained(q, rate))}/month in {q.region}" if q else " bills every request"
        return [
            f"Throttling {rate:g}/s (burst {burst:g}) is above the maximum {max_rate:g}/s (burst "
            f"{max_burst:g}); sustained, {rate:g}/s{cost}. Lower the limits, or raise "
            "'maxRateLimit'/'maxBurstLimit' in this policy's config."
        ]
    return []


def _sustained(q: prices.Quotes, rate: float) -> float:
    """HTTP API requests at `rate` per second all month, over the price tiers."""
    return q.cost("apigw_http_requests", rate * _SECONDS_PER_MONTH / 1e6)


api_throttling = resource_policy(
    "cost-api-throttling",
    "API Gateway HTTP API stages throttle their default route, within the configured limits.",
    EnforcementLevel.MANDATORY,
    HTTP_STAGE_TYPES,
    check_stage_throttling,
    PolicyConfigSchema(
        properties={
            "maxRateLimit": {"type": "number", "exclusiveMinimum": 0, "default": 1000,
                             "description": "Highest allowed steady-state requests per second."},
            "maxBurstLimit": {"type": "integer", "minimum": 1, "default": 2000,
                              "description": "Highest allowed burst."},
        }
    ),
)  # fmt: skip


def check_rest_api(props: dict, config: Any, type_: str) -> list[str]:
    q = prices.quotes()
    if q:
        rest, http = q.unit("apigw_rest_requests"), q.unit("apigw_http_requests")
        cost = (
            f"bills {money(rest)} per million requests in {q.region}, {rest / http:.1f}x an HTTP API's "
            f"{money(http)}"
        )
    else:
        cost = "bills about 3.5x an HTTP API per request"
    return [
        f"A REST API (v1) {cost}. Use an API Gateway HTTP API (aws.apigatewayv2.Api) unless you need a "
        "REST-only feature, or set this policy's enforcementLevel to 'disabled'."
    ]


rest_api = resource_policy(
    "cost-api-rest-v1",
    "Prefer HTTP APIs over REST APIs (v1), which cost 3.5x as much per request.",
    EnforcementLevel.ADVISORY,
    REST_API_TYPES,
    check_rest_api,
)

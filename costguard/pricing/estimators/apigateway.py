"""API Gateway HTTP and REST APIs: requests (tiered), and the data their responses send out."""

from __future__ import annotations

import math

from costguard.pricing.estimators import prices
from costguard.pricing.model import CostComponent
from costguard.pricing.values import first


def _requests(label, requests, price, billing_multiplier=1):
    components = []
    millions = requests * billing_multiplier / 1_000_000
    for tier, quantity, unit_price in price.tiered(millions):
        name = f"{label} ({tier})" if tier else label
        components.append(
            CostComponent(
                name,
                price.unit,
                quantity,
                unit_price,
                quantity * unit_price,
                "usage",
                price.key,
                price.verified,
            )
        )
    return components


def _transfer_out(requests, ctx):
    gb = requests * ctx.usage["response_size_kb"] / (1024 * 1024)
    return CostComponent.of("Data transfer out (responses)", gb, ctx.book["data_transfer_out_gb"], "usage")


@prices("aws:apigatewayv2/api:Api", "aws-native:apigatewayv2:Api")
def http_api(resource, props, ctx):
    protocol = str(first(props, "protocolType") or "HTTP").upper()
    if protocol != "HTTP":
        ctx.note(f"{protocol} APIs (messages, connection minutes) are not in the price book")
        return None
    requests = ctx.usage["api_requests_per_month"]
    # HTTP API requests are metered in 512 KB increments.
    increments = max(1, math.ceil(ctx.usage["response_size_kb"] / 512))
    return [
        *_requests("Requests", requests, ctx.book["apigw_http_requests"], increments),
        _transfer_out(requests, ctx),
    ]


@prices("aws:apigateway/restApi:RestApi", "aws-native:apigateway:RestApi")
def rest_api(resource, props, ctx):
    requests = ctx.usage["api_requests_per_month"]
    return [*_requests("Requests", requests, ctx.book["apigw_rest_requests"]), _transfer_out(requests, ctx)]

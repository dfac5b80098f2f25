"""HTTP API: API Gateway HTTP API in front of the Fargate tasks, through a VPC link and Cloud Map.

Creates the HTTP API (CORS origins from config), a VPC link on the public subnets with the link
security group, an HTTP_PROXY integration over that VPC link whose target is the Cloud Map service
(API Gateway resolves its SRV records to task IP:port), a `$default` route that forwards every
method and path, the `$default` stage with auto-deploy and default-route throttling (rate and
burst from config), and JSON access logs to a log group with finite retention.

The access log format deliberately leaves out `$context.identity.sourceIp` and
`$context.identity.userAgent`: this API receives people's locations, so no log line may tie a
report to a person.

**Cost**: $1.11 per million requests in eu-west-1 (first 300M; billed per 512 KB). At 1M
requests/month ~$1.11; idle $0. The VPC link for HTTP APIs has no line item in the price list
(free). Access logs: ~300 bytes per request, so 1M requests ~0.3 GB -> ~$0.17 ingestion at
$0.57/GB plus $0.03/GB-month storage. No custom domain, no WAF ($5/month + rules) by default.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

# One JSON object per request. No source IP, no user agent (see module docstring).
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "requestTime": "$context.requestTime",
        "httpMethod": "$context.httpMethod",
        "routeKey": "$context.routeKey",
        "path": "$context.path",
        "protocol": "$context.protocol",
        "status": "$context.status",
        "responseLength": "$context.responseLength",
        "responseLatency": "$context.responseLatency",
        "integrationLatency": "$context.integrationLatency",
        "integrationStatus": "$context.integrationStatus",
        "integrationError": "$context.integrationErrorMessage",
    },
    separators=(",", ":"),
)


@dataclass
class HttpApiArgs:
    subnet_ids: pulumi.Input[Sequence[str]]
    link_security_group_id: pulumi.Input[str]
    discovery_service_arn: pulumi.Input[str]
    throttle_rate_limit: float = 20
    throttle_burst_limit: int = 40
    log_retention_days: int = 7
    cors_allow_origins: Sequence[str] = field(default_factory=tuple)


class HttpApi(pulumi.ComponentResource):
    api_id: pulumi.Output[str]
    url: pulumi.Output[str]
    access_log_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: HttpApiArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("safety-heatmap:index:HttpApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        cors = None
        if args.cors_allow_origins:
            cors = {
                "allow_origins": list(args.cors_allow_origins),
                "allow_methods": ["GET", "POST", "OPTIONS"],
                "allow_headers": ["content-type"],
                "max_age": 3600,
            }
        api = aws.apigatewayv2.Api(f"{name}-api", protocol_type="HTTP", cors_configuration=cors, opts=child)

        link = aws.apigatewayv2.VpcLink(
            f"{name}-link",
            subnet_ids=args.subnet_ids,
            security_group_ids=[args.link_security_group_id],
            opts=child,
        )
        integration = aws.apigatewayv2.Integration(
            f"{name}-service",
            api_id=api.id,
            integration_type="HTTP_PROXY",
            integration_method="ANY",
            connection_type="VPC_LINK",
            connection_id=link.id,
            # For a private integration to Cloud Map the URI is the Cloud Map service's ARN.
            integration_uri=args.discovery_service_arn,
            payload_format_version="1.0",
            timeout_milliseconds=29_000,
            opts=child,
        )
        aws.apigatewayv2.Route(
            f"{name}-default",
            api_id=api.id,
            route_key="$default",
            target=pulumi.Output.concat("integrations/", integration.id),
            opts=child,
        )

        log_group = aws.cloudwatch.LogGroup(
            f"{name}-access-logs", retention_in_days=args.log_retention_days, opts=child
        )
        aws.apigatewayv2.Stage(
            f"{name}-stage",
            api_id=api.id,
            name="$default",
            auto_deploy=True,
            default_route_settings={
                "throttling_rate_limit": args.throttle_rate_limit,
                "throttling_burst_limit": args.throttle_burst_limit,
            },
            access_log_settings={"destination_arn": log_group.arn, "format": ACCESS_LOG_FORMAT},
            opts=child,
        )

        self.api_id = api.id
        # The $default stage is served at the API's root endpoint.
        self.url = api.api_endpoint
        self.access_log_group_name = log_group.name
        self.register_outputs(
            {"apiId": self.api_id, "url": self.url, "accessLogGroupName": self.access_log_group_name}
        )

"""HTTP API component alone under mocks."""

import json

from components.http_api import HttpApi, HttpApiArgs

DISCOVERY_ARN = "arn:aws:servicediscovery:eu-west-1:123456789012:service/srv-abc"


def build(stack, **overrides):
    values = dict(
        subnet_ids=["subnet-a", "subnet-b"],
        link_security_group_id="sg-link",
        discovery_service_arn=DISCOVERY_ARN,
    )
    values.update(overrides)
    stack.run(lambda: HttpApi("web", HttpApiArgs(**values)).url)


def test_vpc_link_on_public_subnets_with_link_group(stack):
    build(stack)
    link = stack.one("aws:apigatewayv2/vpcLink:VpcLink").inputs
    assert link["subnetIds"] == ["subnet-a", "subnet-b"]
    assert link["securityGroupIds"] == ["sg-link"]


def test_private_integration_to_cloud_map(stack):
    build(stack)
    integration = stack.one("aws:apigatewayv2/integration:Integration").inputs
    assert integration["integrationType"] == "HTTP_PROXY"
    assert integration["connectionType"] == "VPC_LINK"
    assert integration["connectionId"] == "web-link-id"
    assert integration["integrationUri"] == DISCOVERY_ARN
    assert integration["integrationMethod"] == "ANY"


def test_default_route_forwards_everything(stack):
    build(stack)
    route = stack.one("aws:apigatewayv2/route:Route").inputs
    assert route["routeKey"] == "$default"
    assert route["target"] == "integrations/web-service-id"


def test_stage_throttling_and_auto_deploy(stack):
    build(stack, throttle_rate_limit=50, throttle_burst_limit=100)
    stage = stack.one("aws:apigatewayv2/stage:Stage").inputs
    assert stage["name"] == "$default" and stage["autoDeploy"] is True
    assert stage["defaultRouteSettings"] == {"throttlingRateLimit": 50, "throttlingBurstLimit": 100}


def test_access_logs_json_without_personal_data(stack):
    build(stack, log_retention_days=14)
    stage = stack.one("aws:apigatewayv2/stage:Stage").inputs
    log_group = stack.one("aws:cloudwatch/logGroup:LogGroup")
    assert log_group.inputs["retentionInDays"] == 14
    assert stage["accessLogSettings"]["destinationArn"] == log_group.outputs["arn"]
    fields = json.loads(stage["accessLogSettings"]["format"])
    assert fields["requestId"] == "$context.requestId" and fields["status"] == "$context.status"
    text = stage["accessLogSettings"]["format"]
    assert "sourceIp" not in text and "userAgent" not in text and "$context.identity" not in text


def test_cors_from_args(stack):
    build(stack, cors_allow_origins=("https://heatmap.example.org",))
    cors = stack.one("aws:apigatewayv2/api:Api").inputs["corsConfiguration"]
    assert cors["allowOrigins"] == ["https://heatmap.example.org"]


def test_no_cors_when_no_origins(stack):
    build(stack)
    api = stack.one("aws:apigatewayv2/api:Api").inputs
    assert api["protocolType"] == "HTTP"
    assert "corsConfiguration" not in api

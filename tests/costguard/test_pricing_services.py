"""API Gateway, CloudWatch, ECR, DynamoDB, Cloud Map, Route 53, SNS, Budgets, WAF, Secrets Manager, KMS."""

import pytest

from costguard.graph import Graph, Resource
from costguard.pricing import estimate

GB_PER_KB = 1 / (1024 * 1024)


def priced(region, *resources):
    graph = Graph("p", "dev", list(resources), {"aws:region": region})
    return {r.name: r for r in estimate(graph).resources}


def one(region, type_, **inputs):
    return priced(region, Resource("urn:x", type_, "x", inputs=inputs))["x"]


def lines(cost):
    return {c.name: pytest.approx(c.monthly) for c in cost.after}


def monthly(cost):
    return {c.name: c.monthly for c in cost.after}


def test_http_api_default_million_requests():
    cost = one("us-east-1", "aws:apigatewayv2/api:Api", protocolType="HTTP")
    # 1M requests x $1.00/million; 1M x 4 KB = 3.8147 GB out x $0.09
    got = monthly(cost)
    assert got["Requests (first 300 million)"] == pytest.approx(1.00)
    assert got["Data transfer out (responses)"] == pytest.approx(1e6 * 4 * GB_PER_KB * 0.09)
    assert all(c.kind == "usage" for c in cost.after)


def test_http_api_tiers_and_512_kb_increments(tmp_path):
    from costguard.pricing import Usage

    path = tmp_path / "u.yml"
    path.write_text("api_requests_per_month: 200000000\nresponse_size_kb: 600\n")
    graph = Graph(
        "p",
        "dev",
        [Resource("u", "aws:apigatewayv2/api:Api", "api", inputs={"protocolType": "HTTP"})],
        {"aws:region": "us-east-1"},
    )
    cost = estimate(graph, usage=Usage.load(path)).resources[0]
    got = monthly(cost)
    # 600 KB responses bill as 2 requests each: 400M billed; 300M x 1.00 + 100M x 0.90 = 390
    assert got["Requests (first 300 million)"] == pytest.approx(300.0)
    assert got["Requests (over 300 million)"] == pytest.approx(90.0)


def test_websocket_api_is_not_priced():
    assert one("us-east-1", "aws:apigatewayv2/api:Api", protocolType="WEBSOCKET").status == "not priced"


def test_rest_api():
    cost = one("us-east-1", "aws:apigateway/restApi:RestApi")
    assert monthly(cost)["Requests"] == pytest.approx(3.50)


def test_alarms_standard_high_resolution_and_metric_math():
    assert monthly(one("us-east-1", "aws:cloudwatch/metricAlarm:MetricAlarm", period=300)) == {
        "Alarm metrics (standard)": pytest.approx(0.10)
    }
    assert monthly(one("us-east-1", "aws:cloudwatch/metricAlarm:MetricAlarm", period=10)) == {
        "Alarm metrics (high resolution)": pytest.approx(0.30)
    }
    queries = [
        {"id": "a", "metric": {"metricName": "m1", "period": 60}},
        {"id": "b", "metric": {"metricName": "m2", "period": 60}},
        {"id": "e", "expression": "a+b", "returnData": True},
    ]
    cost = one("us-east-1", "aws:cloudwatch/metricAlarm:MetricAlarm", metricQueries=queries)
    assert cost.after[0].quantity == 2 and cost.monthly_after == pytest.approx(0.20)


def test_log_group_with_retention_stores_retention_days_of_logs():
    cost = one("eu-west-1", "aws:cloudwatch/logGroup:LogGroup", retentionInDays=14)
    # 0.5 GB x $0.57 ingestion; stored 0.5 x 14 / (730/24) GB x $0.03
    got = monthly(cost)
    assert got["Log ingestion"] == pytest.approx(0.285)
    assert got["Log storage"] == pytest.approx(0.5 * 14 / (730 / 24) * 0.03)


def test_log_group_without_retention_piles_up_a_year():
    cost = one("us-east-1", "aws:cloudwatch/logGroup:LogGroup")
    assert monthly(cost)["Log storage"] == pytest.approx(0.5 * 12 * 0.03)
    assert any("never expire" in n for n in cost.notes)


def test_dashboard_and_ecr():
    assert one("us-east-1", "aws:cloudwatch/dashboard:Dashboard").monthly_after == pytest.approx(3.00)
    assert one("us-east-1", "aws:ecr/repository:Repository").monthly_after == pytest.approx(0.5 * 0.10)


def test_dynamodb_on_demand():
    cost = one("eu-west-1", "aws:dynamodb/table:Table", billingMode="PAY_PER_REQUEST")
    # 1M RRU x 0.1415 + 0.2M WRU x 0.705 + 1 GB x 0.283
    assert monthly(cost) == {
        "Read request units": pytest.approx(0.1415),
        "Write request units": pytest.approx(0.141),
        "Storage": pytest.approx(0.283),
    }


def test_dynamodb_provisioned_with_gsi():
    cost = one(
        "us-east-1",
        "aws:dynamodb/table:Table",
        billingMode="PROVISIONED",
        readCapacity=5,
        writeCapacity=5,
        globalSecondaryIndexes=[{"name": "g", "readCapacity": 5, "writeCapacity": 1}],
    )
    got = monthly(cost)
    assert got["Provisioned reads"] == pytest.approx(10 * 730 * 0.00013)  # 0.949
    assert got["Provisioned writes"] == pytest.approx(6 * 730 * 0.00065)  # 2.847


def test_cloud_map_private_namespace_is_a_hosted_zone_and_http_namespace_is_free():
    assert (
        one("us-east-1", "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace").monthly_after == 0.50
    )
    assert one("us-east-1", "aws:servicediscovery/httpNamespace:HttpNamespace").status == "free"
    assert one("us-east-1", "aws:route53/zone:Zone").monthly_after == 0.50


def test_cloud_map_instances_follow_the_registered_service_tasks():
    arn = "arn:aws:servicediscovery:us-east-1:1:service/srv-1"
    discovery = Resource("urn:d", "aws:servicediscovery/service:Service", "disc", outputs={"arn": arn})
    td = Resource(
        "urn:td",
        "aws:ecs/taskDefinition:TaskDefinition",
        "td",
        inputs={"family": "f", "cpu": "256", "memory": "512"},
    )
    svc = Resource(
        "urn:s",
        "aws:ecs/service:Service",
        "svc",
        inputs={
            "desiredCount": 3,
            "launchType": "FARGATE",
            "taskDefinition": "f",
            "serviceRegistries": {"registryArn": arn},
        },
    )
    got = priced("us-east-1", discovery, td, svc)["disc"]
    assert got.after[0].quantity == pytest.approx(3) and got.monthly_after == pytest.approx(0.30)


def test_sns_email_subscription_and_free_sqs():
    cost = one("us-east-1", "aws:sns/topicSubscription:TopicSubscription", protocol="email")
    assert cost.monthly_after == pytest.approx(100 / 100_000 * 2.00)
    assert one("us-east-1", "aws:sns/topicSubscription:TopicSubscription", protocol="sqs").status == "free"


def test_budgets_free_but_actions_are_not():
    assert one("us-east-1", "aws:budgets/budget:Budget").status == "free"
    assert one("us-east-1", "aws:budgets/budgetAction:BudgetAction").monthly_after == pytest.approx(
        730 / 24 * 0.10
    )


def test_waf_secrets_kms():
    waf = one("us-east-1", "aws:wafv2/webAcl:WebAcl", rules=[{"name": "a"}, {"name": "b"}])
    assert monthly(waf) == {"Web ACL": 5.0, "Rules": 2.0, "Requests": pytest.approx(0.60)}
    secret = one("us-east-1", "aws:secretsmanager/secret:Secret")
    assert monthly(secret) == {"Secret": 0.40, "API calls": pytest.approx(0.05)}
    key = one("us-east-1", "aws:kms/key:Key")
    assert monthly(key) == {"Customer managed key": 1.00, "Requests": pytest.approx(0.03)}


@pytest.mark.parametrize(
    "type_",
    [
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:iam/role:Role",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ecs/cluster:Cluster",
        "aws:apigatewayv2/vpcLink:VpcLink",
        "aws:apigatewayv2/stage:Stage",
        "aws:appautoscaling/policy:Policy",
        "aws:sns/topic:Topic",
        "pulumi:providers:aws",
        "aws:alb/targetGroup:TargetGroup",
    ],
)
def test_known_free_types(type_):
    assert one("us-east-1", type_).status == "free"


def test_components_are_free_and_unknown_types_not_priced():
    res = priced(
        "us-east-1",
        Resource("urn:c", "my:pkg:Thing", "c", custom=False),
        Resource("urn:b1", "aws:s3/bucket:Bucket", "b1"),
        Resource("urn:b2", "aws:s3/bucket:Bucket", "b2"),
    )
    assert res["c"].status == "free"
    assert res["b1"].status == res["b2"].status == "not priced"


@pytest.mark.parametrize(
    "type_", ["random:index/randomString:RandomString", "docker-build:index:Image", "command:local:Command"]
)
def test_providers_that_bill_nothing_on_aws_are_free(type_):
    assert one("us-east-1", type_).status == "free"


def test_secret_replicas_are_billed_as_secrets():
    cost = one("us-east-1", "aws:secretsmanager/secret:Secret", replicas=[{"region": "eu-west-1"}])
    assert monthly(cost)["Secret (2 copies)"] == pytest.approx(0.80)


POLICY = "aws:appautoscaling/policy:Policy"


def test_target_tracking_policy_pays_for_its_high_and_low_alarms():
    cost = one(
        "us-east-1",
        POLICY,
        policyType="TargetTrackingScaling",
        targetTrackingScalingPolicyConfiguration={
            "predefinedMetricSpecification": {"predefinedMetricType": "ECSServiceAverageCPUUtilization"},
            "targetValue": 60,
        },
    )
    # AWS creates two standard alarms (AlarmHigh, AlarmLow) on one metric: 2 x $0.10.
    assert cost.status == "priced" and lines(cost) == {"Alarm metrics (target tracking)": 0.20}
    assert cost.after[0].quantity == 2 and cost.after[0].price_key == "cw_alarm_standard"


def test_target_tracking_on_metric_math_pays_per_metric_of_each_alarm():
    metric = {"metricStat": {"metric": {"metricName": "m", "namespace": "n"}, "stat": "Sum"}}
    cost = one(
        "eu-west-1",
        "aws-native:applicationautoscaling:ScalingPolicy",
        policyType="TargetTrackingScaling",
        targetTrackingScalingPolicyConfiguration={
            "customizedMetricSpecification": {
                "metrics": [{"id": "a", **metric}, {"id": "b", **metric}, {"id": "e", "expression": "a/b"}]
            },
            "disableScaleIn": True,
        },
    )
    assert lines(cost) == {"Alarm metrics (target tracking)": 2 * 2 * 0.10}
    assert any("disableScaleIn" in n for n in cost.notes)


@pytest.mark.parametrize("inputs", [{}, {"policyType": "StepScaling"}, {"policyType": "PredictiveScaling"}])
def test_other_scaling_policies_create_no_alarms(inputs):
    cost = one("us-east-1", POLICY, **inputs)
    assert cost.status == "free" and cost.after == []

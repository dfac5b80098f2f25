"""Service component alone under mocks."""

import json

import pytest

from components.service import TABLE_ACTIONS, Service, ServiceArgs

TABLE_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/heatmap"
REPO_ARN = "arn:aws:ecr:eu-west-1:123456789012:repository/heatmap"
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/heatmap@sha256:" + "cd" * 32


def build(stack, **overrides):
    values = dict(
        image_uri=IMAGE,
        repository_arn=REPO_ARN,
        table_name="heatmap",
        table_arn=TABLE_ARN,
        vpc_id="vpc-1",
        subnet_ids=["subnet-a", "subnet-b"],
        security_group_id="sg-service",
        region="eu-west-1",
    )
    values.update(overrides)
    stack.run(lambda: Service("svc", ServiceArgs(**values)).service_name)


def policies(stack):
    return {p.name: json.loads(p.inputs["policy"]) for p in stack.of_type("aws:iam/rolePolicy:RolePolicy")}


def test_task_role_touches_only_the_table_items(stack):
    build(stack)
    task = policies(stack)["svc-task"]
    assert task["Statement"] == [
        {
            "Sid": "HeatmapTableItems",
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"],
            "Resource": [TABLE_ARN, TABLE_ARN + "/index/*"],
        }
    ]
    assert list(TABLE_ACTIONS) == task["Statement"][0]["Action"]
    assert not stack.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")


def test_execution_role_pulls_this_repo_and_writes_this_log_group(stack):
    build(stack)
    statements = {s["Sid"]: s for s in policies(stack)["svc-execution"]["Statement"]}
    assert statements["EcrLogin"]["Resource"] == "*"
    assert statements["EcrLogin"]["Action"] == "ecr:GetAuthorizationToken"
    assert statements["PullImage"]["Resource"] == REPO_ARN
    log_group_arn = stack.one("aws:cloudwatch/logGroup:LogGroup").outputs["arn"]
    assert statements["WriteLogs"]["Resource"] == log_group_arn + ":*"
    for role in stack.of_type("aws:iam/role:Role"):
        principal = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"]
        assert principal == {"Service": "ecs-tasks.amazonaws.com"}


def test_task_definition(stack):
    build(stack, cpu=512, memory=1024)
    task = stack.one("aws:ecs/taskDefinition:TaskDefinition").inputs
    assert (task["cpu"], task["memory"]) == ("512", "1024")
    assert task["runtimePlatform"] == {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"}
    assert task["requiresCompatibilities"] == ["FARGATE"] and task["networkMode"] == "awsvpc"
    [container] = json.loads(task["containerDefinitions"])
    assert container["image"] == IMAGE
    assert container["portMappings"] == [{"containerPort": 8080, "protocol": "tcp", "name": "http"}]
    env = {e["name"]: e["value"] for e in container["environment"]}
    assert env["TABLE_NAME"] == "heatmap" and env["AWS_REGION"] == "eu-west-1"
    assert container["stopTimeout"] == 120
    assert container["healthCheck"]["command"][:3] == ["CMD", "python", "-c"]
    assert "http://127.0.0.1:8080/live" in container["healthCheck"]["command"][3]
    assert (
        container["logConfiguration"]["options"]["awslogs-group"]
        == stack.one("aws:cloudwatch/logGroup:LogGroup").outputs["name"]
    )


def test_log_retention(stack):
    build(stack, log_retention_days=30)
    assert stack.one("aws:cloudwatch/logGroup:LogGroup").inputs["retentionInDays"] == 30


def test_cloud_map_uses_srv_records(stack):
    build(stack)
    namespace = stack.one("aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace")
    assert namespace.inputs["vpc"] == "vpc-1"
    discovery = stack.one("aws:servicediscovery/service:Service").inputs
    assert discovery["dnsConfig"]["dnsRecords"] == [{"type": "SRV", "ttl": 10}]
    assert discovery["dnsConfig"]["namespaceId"] == "svc-namespace-id"
    assert discovery["dnsConfig"]["routingPolicy"] == "MULTIVALUE"
    assert discovery["healthCheckCustomConfig"] == {}


def test_ecs_service(stack):
    build(stack)
    service = stack.one("aws:ecs/service:Service").inputs
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service["networkConfiguration"] == {
        "subnets": ["subnet-a", "subnet-b"],
        "securityGroups": ["sg-service"],
        "assignPublicIp": True,
    }
    discovery_arn = stack.one("aws:servicediscovery/service:Service").outputs["arn"]
    assert service["serviceRegistries"] == {
        "registryArn": discovery_arn,
        "containerName": "api",
        "containerPort": 8080,
    }
    assert "launchType" not in service


def test_container_insights_off_by_default(stack):
    build(stack)
    assert stack.one("aws:ecs/cluster:Cluster").inputs["settings"] == [
        {"name": "containerInsights", "value": "disabled"}
    ]


def test_spot_only_strategy(stack):
    build(stack)
    providers = stack.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs
    assert providers["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    expected = [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    assert providers["defaultCapacityProviderStrategies"] == expected
    assert stack.one("aws:ecs/service:Service").inputs["capacityProviderStrategies"] == expected


def test_on_demand_base_plus_spot(stack):
    build(
        stack, on_demand_base=1, on_demand_weight=0, spot_weight=1, min_tasks=1, desired_tasks=2, max_tasks=4
    )
    assert stack.one("aws:ecs/service:Service").inputs["capacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE", "base": 1, "weight": 0},
        {"capacityProvider": "FARGATE_SPOT", "weight": 1},
    ]


def test_autoscaling_target_and_cpu_tracking(stack):
    build(stack, min_tasks=1, desired_tasks=2, max_tasks=4, cpu_target_percent=55)
    target = stack.one("aws:appautoscaling/target:Target").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (1, 4)
    assert target["scalableDimension"] == "ecs:service:DesiredCount"
    policy = stack.one("aws:appautoscaling/policy:Policy").inputs
    config = policy["targetTrackingScalingPolicyConfiguration"]
    assert policy["policyType"] == "TargetTrackingScaling"
    assert config["targetValue"] == 55
    assert config["predefinedMetricSpecification"] == {
        "predefinedMetricType": "ECSServiceAverageCPUUtilization"
    }
    assert not stack.of_type("aws:appautoscaling/scheduledAction:ScheduledAction")


@pytest.mark.parametrize(("min_tasks", "desired", "floor"), [(0, 1, 1), (2, 2, 2), (0, 0, 0)])
def test_awake_floor_never_strands_at_zero(stack, min_tasks, desired, floor):
    build(stack, min_tasks=min_tasks, desired_tasks=desired, max_tasks=2)
    assert stack.one("aws:appautoscaling/target:Target").inputs["minCapacity"] == floor


def test_sleep_and_wake_schedules(stack):
    build(
        stack,
        sleep_schedule="cron(0 20 ? * * *)",
        wake_schedule="cron(0 7 ? * MON-FRI *)",
        schedule_timezone="Europe/Dublin",
    )
    actions = {a.name: a.inputs for a in stack.of_type("aws:appautoscaling/scheduledAction:ScheduledAction")}
    assert actions["svc-sleep"]["schedule"] == "cron(0 20 ? * * *)"
    assert actions["svc-sleep"]["scalableTargetAction"] == {"minCapacity": 0, "maxCapacity": 0}
    assert actions["svc-wake"]["schedule"] == "cron(0 7 ? * MON-FRI *)"
    assert actions["svc-wake"]["scalableTargetAction"] == {"minCapacity": 1, "maxCapacity": 2}
    assert {a["timezone"] for a in actions.values()} == {"Europe/Dublin"}


def test_scaling_policy_and_scheduled_actions_are_created_one_after_another(stack, monkeypatch):
    # Application Auto Scaling rejects concurrent changes to one scalable target
    # (ConcurrentUpdateException, hashicorp/terraform-provider-aws#17915): the policy, then sleep,
    # then wake, each depending on the one before.
    import pulumi_aws as aws

    created: dict[str, object] = {}
    waits: dict[str, list] = {}

    def recording(cls):
        class Recording(cls):
            def __init__(self, resource_name, *args, opts=None, **kwargs):
                waits[resource_name] = list((opts.depends_on or []) if opts else [])
                super().__init__(resource_name, *args, opts=opts, **kwargs)
                created[resource_name] = self

        return Recording

    monkeypatch.setattr(aws.appautoscaling, "Policy", recording(aws.appautoscaling.Policy))
    monkeypatch.setattr(aws.appautoscaling, "ScheduledAction", recording(aws.appautoscaling.ScheduledAction))
    build(stack, sleep_schedule="cron(0 20 ? * * *)", wake_schedule="cron(0 7 ? * * *)")
    assert created["svc-sleep"] is not None
    assert waits["svc-sleep"] == [created["svc-cpu-target"]]
    assert waits["svc-wake"] == [created["svc-sleep"]]

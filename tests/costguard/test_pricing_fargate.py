import pytest

from costguard.graph import Graph, Resource
from costguard.pricing import Usage, estimate

CLUSTER_ARN = "arn:aws:ecs:eu-west-1:123456789012:cluster/c1"


def task_def(cpu="256", memory="512", arch="ARM64", **extra):
    inputs = {
        "family": "api",
        "cpu": cpu,
        "memory": memory,
        "runtimePlatform": {"cpuArchitecture": arch},
        **extra,
    }
    return Resource("urn:td", "aws:ecs/taskDefinition:TaskDefinition", "td", inputs=inputs)


def service(**inputs):
    base = {
        "name": "svc",
        "cluster": CLUSTER_ARN,
        "taskDefinition": "arn:aws:ecs:eu-west-1:123456789012:task-definition/api:7",
        "desiredCount": 1,
    }
    return Resource("urn:svc", "aws:ecs/service:Service", "svc", inputs={**base, **inputs})


def price(region, *resources, usage=None):
    graph = Graph("p", "dev", list(resources), {"aws:region": region})
    result = estimate(graph, usage=usage)
    return {r.name: r for r in result.resources}["svc"]


def by_name(cost):
    return {c.name: c for c in cost.after}


def test_arm_spot_quarter_vcpu_with_public_ip_eu_west_1():
    cost = price(
        "eu-west-1",
        task_def(),
        service(
            capacityProviderStrategies=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
            networkConfiguration={"assignPublicIp": True, "subnets": ["s"]},
        ),
    )
    # (0.25 vCPU x 0.00979124 + 0.5 GB x 0.00107649) x 730 h + public IPv4 0.005 x 730
    expected = (0.25 * 0.00979124 + 0.5 * 0.00107649) * 730 + 0.005 * 730
    assert cost.monthly_after == pytest.approx(expected)  # = 5.82982015
    assert cost.monthly_after == pytest.approx(5.82982015)
    assert set(by_name(cost)) == {
        "vCPU (ARM64, Spot)",
        "Memory (ARM64, Spot)",
        "Public IPv4 (per running task)",
    }


def test_x86_on_demand_with_public_ip_us_east_1_matches_sst_anchor():
    cost = price(
        "us-east-1",
        task_def(arch="X86_64"),
        service(launchType="FARGATE", networkConfiguration={"assignPublicIp": True}),
    )
    # (0.25 x 0.04048 + 0.5 x 0.004445) x 730 = 9.010025; + 3.65 IPv4 = 12.660025 (SST: "about $12")
    assert cost.monthly_after == pytest.approx(12.660025)
    assert by_name(cost)["vCPU (x86_64, on demand)"].quantity == pytest.approx(0.25 * 730)


def test_no_public_ip_no_ipv4_line_and_cpu_in_vcpu_notation():
    cost = price(
        "us-east-1", task_def(cpu="1 vCPU", memory="2 GB"), service(launchType="FARGATE", desiredCount=2)
    )
    # 2 tasks x 730 h x (1 x 0.03238 + 2 x 0.00356) = 1460 x 0.0395 = 57.67
    assert cost.monthly_after == pytest.approx(57.67)
    assert "Public IPv4 (per running task)" not in by_name(cost)


def test_base_and_weights_split_on_demand_and_spot():
    strategy = [
        {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
        {"capacityProvider": "FARGATE_SPOT", "weight": 3},
    ]
    cost = price("us-east-1", task_def(), service(desiredCount=5, capacityProviderStrategies=strategy))
    # 5 tasks: base 1 on demand, the other 4 split 1:3 -> 2 on demand, 3 Spot.
    lines = by_name(cost)
    assert lines["vCPU (ARM64, on demand)"].quantity == pytest.approx(2 * 0.25 * 730)
    assert lines["vCPU (ARM64, Spot)"].quantity == pytest.approx(3 * 0.25 * 730)
    expected = 730 * (2 * (0.25 * 0.03238 + 0.5 * 0.00356) + 3 * (0.25 * 0.01030969 + 0.5 * 0.00113349))
    assert cost.monthly_after == pytest.approx(expected)


def test_cluster_default_strategy_applies_without_launch_type():
    providers = Resource(
        "urn:cp",
        "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
        "cp",
        inputs={
            "clusterName": "c1",
            "defaultCapacityProviderStrategies": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
        },
    )
    cost = price("eu-west-1", task_def(), providers, service())
    assert set(by_name(cost)) == {"vCPU (ARM64, Spot)", "Memory (ARM64, Spot)"}
    assert cost.monthly_after == pytest.approx((0.25 * 0.00979124 + 0.5 * 0.00107649) * 730)


def test_autoscaling_min_raises_desired_count():
    target = Resource(
        "urn:t",
        "aws:appautoscaling/target:Target",
        "t",
        inputs={
            "resourceId": "service/c1/svc",
            "minCapacity": 2,
            "maxCapacity": 4,
            "serviceNamespace": "ecs",
        },
    )
    cost = price("us-east-1", task_def(), target, service(launchType="FARGATE", desiredCount=1))
    # clamp(1, 2, 4) = 2 tasks x 730 h x (0.25 x 0.03238 + 0.5 x 0.00356) = 1460 x 0.009875 = 14.4175
    assert cost.monthly_after == pytest.approx(14.4175)


def test_scheduled_scale_to_zero_nights_and_weekends():
    target = Resource(
        "urn:t",
        "aws:appautoscaling/target:Target",
        "t",
        inputs={
            "resourceId": "service/c1/svc",
            "minCapacity": 1,
            "maxCapacity": 2,
            "serviceNamespace": "ecs",
        },
    )

    def action(name, cron, lo, hi):
        return Resource(
            f"urn:{name}",
            "aws:appautoscaling/scheduledAction:ScheduledAction",
            name,
            inputs={
                "resourceId": "service/c1/svc",
                "schedule": cron,
                "timezone": "Europe/Paris",
                "scalableTargetAction": {"minCapacity": str(lo), "maxCapacity": str(hi)},
            },
        )

    cost = price(
        "us-east-1",
        task_def(),
        target,
        action("sleep", "cron(0 20 ? * MON-FRI *)", 0, 0),
        action("wake", "cron(0 8 ? * MON-FRI *)", 1, 2),
        service(launchType="FARGATE", networkConfiguration={"assignPublicIp": True}),
    )
    # Awake 08:00-20:00 Monday to Friday: 60 h of 168 h a week -> 730 x 60/168 task-hours.
    hours = 730 * 60 / 168
    assert by_name(cost)["Public IPv4 (per running task)"].quantity == pytest.approx(hours)
    assert cost.monthly_after == pytest.approx(hours * (0.25 * 0.03238 + 0.5 * 0.00356 + 0.005))
    assert any("64% of the week at zero" in n for n in cost.notes)


def test_ephemeral_storage_above_20_gb():
    cost = price("us-east-1", task_def(ephemeralStorage={"sizeInGib": 30}), service(launchType="FARGATE"))
    # (30 - 20) GB x 730 h x 0.000111 = 0.8103
    assert by_name(cost)["Ephemeral storage above 20 GB"].monthly == pytest.approx(0.8103)


def test_usage_file_can_set_the_task_count(tmp_path):
    path = tmp_path / "usage.yml"
    path.write_text("resources:\n  svc: {fargate_task_count: 3}\n")
    cost = price("us-east-1", task_def(), service(launchType="FARGATE"), usage=Usage.load(path))
    assert by_name(cost)["vCPU (ARM64, on demand)"].quantity == pytest.approx(3 * 0.25 * 730)


def test_task_definition_found_through_dependencies_when_arn_unknown():
    from costguard.graph import UNKNOWN

    svc = service(launchType="FARGATE", taskDefinition=UNKNOWN)
    svc.dependencies = ["urn:td"]
    other = Resource(
        "urn:other",
        "aws:ecs/taskDefinition:TaskDefinition",
        "other",
        inputs={"cpu": "4096", "memory": "8192"},
    )
    cost = price("us-east-1", other, task_def(), svc)
    assert by_name(cost)["vCPU (ARM64, on demand)"].quantity == pytest.approx(0.25 * 730)


def test_ec2_launch_type_is_free_here_and_windows_is_not_priced():
    assert price("us-east-1", task_def(), service(launchType="EC2")).status == "free"
    windows = task_def(
        runtimePlatform={"operatingSystemFamily": "WINDOWS_SERVER_2022_CORE", "cpuArchitecture": "X86_64"}
    )
    cost = price("us-east-1", windows, service(launchType="FARGATE"))
    assert cost.status == "not priced"


def test_aws_native_service():
    svc = Resource(
        "urn:svc",
        "aws-native:ecs:Service",
        "svc",
        inputs={
            "serviceName": "svc",
            "desiredCount": 1,
            "launchType": "FARGATE",
            "taskDefinition": "api",
            "networkConfiguration": {"awsvpcConfiguration": {"assignPublicIp": "ENABLED"}},
        },
    )
    cost = price("us-east-1", task_def(), svc)
    assert cost.monthly_after == pytest.approx(730 * (0.25 * 0.03238 + 0.5 * 0.00356 + 0.005))


def _scaling_target():
    inputs = {"resourceId": "service/c1/svc", "minCapacity": 1, "maxCapacity": 2, "serviceNamespace": "ecs"}
    return Resource("urn:t", "aws:appautoscaling/target:Target", "t", inputs=inputs)


def _action(name, cron, lo, hi, **extra):
    inputs = {
        "resourceId": "service/c1/svc",
        "schedule": cron,
        "timezone": "Europe/Paris",
        "scalableTargetAction": {"minCapacity": str(lo), "maxCapacity": str(hi)},
        **extra,
    }
    return Resource(f"urn:{name}", "aws:appautoscaling/scheduledAction:ScheduledAction", name, inputs=inputs)


ONE_TASK_ALL_MONTH = 730 * (0.25 * 0.03238 + 0.5 * 0.00356 + 0.005)


@pytest.mark.parametrize(
    "sleep, wake, reason",
    [
        (
            ("cron(0 20 ? * * 2020)",),
            ("cron(0 8 ? * * 2020)",),
            "cron(0 20 ? * * 2020) fires only in 2020: it can never fire again",
        ),
        (
            ("cron(0 20 ? * MON-FRI *)", {"endTime": "2020-06-01T00:00:00Z"}),
            ("cron(0 8 ? * MON-FRI *)", {"endTime": "2020-06-01T00:00:00Z"}),
            "ended at 2020-06-01T00:00:00+00:00 (its endTime): it can never fire again",
        ),
    ],
)
def test_schedules_that_can_never_fire_again_do_not_lower_the_price(sleep, wake, reason):
    cost = price(
        "us-east-1",
        task_def(),
        _scaling_target(),
        _action("sleep", sleep[0], 0, 0, **(sleep[1] if len(sleep) > 1 else {})),
        _action("wake", wake[0], 1, 2, **(wake[1] if len(wake) > 1 else {})),
        service(launchType="FARGATE", networkConfiguration={"assignPublicIp": True}),
    )
    # One task all month, as without the actions: min 1, max 2, desiredCount 1.
    assert cost.monthly_after == pytest.approx(ONE_TASK_ALL_MONTH)
    assert any(reason in n for n in cost.notes), cost.notes
    assert not any("of the week at zero" in n for n in cost.notes), cost.notes


def test_an_end_time_still_ahead_and_an_unreadable_one_keep_the_schedule():
    cost = price(
        "us-east-1",
        task_def(),
        _scaling_target(),
        _action("sleep", "cron(0 20 ? * MON-FRI *)", 0, 0, endTime="2199-01-01T00:00:00Z"),
        _action("wake", "cron(0 8 ? * MON-FRI *)", 1, 2, endTime="soon", startTime="2020-01-01T00:00:00"),
        service(launchType="FARGATE", networkConfiguration={"assignPublicIp": True}),
    )
    hours = 730 * 60 / 168  # awake 08:00-20:00 on weekdays, as in test_scheduled_scale_to_zero...
    assert by_name(cost)["Public IPv4 (per running task)"].quantity == pytest.approx(hours)
    assert "scheduled action endTime 'soon' is not a date and time: ignored" in cost.notes

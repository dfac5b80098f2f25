"""Compute and storage cost policies, through the Analyzer protocol."""

import json

import pytest

from costguard.graph import UNKNOWN

SIZE = "cost-fargate-task-size"
COUNT = "cost-ecs-task-count"
INSIGHTS = "cost-container-insights"
ECR = "cost-ecr-lifecycle"
DYNAMO = "cost-dynamodb-capacity"

TASK_TYPES = ["aws:ecs/taskDefinition:TaskDefinition", "aws-native:ecs:TaskDefinition"]


@pytest.mark.parametrize("type_", TASK_TYPES)
def test_task_above_the_maximum_size_is_rejected_with_its_monthly_cost(pack, type_):
    props = {"cpu": "1024", "memory": "2048", "requiresCompatibilities": ["FARGATE"]}
    (v,) = pack.violations(type_, props, SIZE)
    # x86 on-demand: (1 vCPU x 0.04048 + 2 GB x 0.004445) x 730 = 36.04; at 512/1024: 18.02
    assert "$36.04" in v.message and "$18.02" in v.message and "maxCpu" in v.message


@pytest.mark.parametrize("compat", [["EC2"], ["EXTERNAL"], ["EC2", "EXTERNAL"]])
def test_a_task_for_ec2_only_is_not_quoted_fargate_prices(pack, compat):
    props = {"cpu": "1024", "memory": "2048", "requiresCompatibilities": compat}
    (v,) = pack.violations(TASK_TYPES[0], props, SIZE)
    message = v.message.splitlines()[-1]  # after the policy's description
    assert "1024 CPU / 2048 MiB is above the maximum" in message
    assert "Fargate" not in message and "$" not in message and "instance-hour" in message
    both = {**props, "requiresCompatibilities": ["EC2", "FARGATE"]}
    (v,) = pack.violations(TASK_TYPES[0], both, SIZE)
    assert "$36.04" in v.message


def test_arm_task_is_priced_at_arm_rates(pack):
    props = {"cpu": "1024", "memory": "2048", "runtimePlatform": {"cpuArchitecture": "ARM64"}}
    (v,) = pack.violations(TASK_TYPES[0], props, SIZE)
    # (1 x 0.03238 + 2 x 0.00356) x 730 = 28.84
    assert "$28.84" in v.message and "ARM" in v.message


@pytest.mark.parametrize("type_", TASK_TYPES)
@pytest.mark.parametrize(
    "cpu,memory", [("256", "512"), ("512", "1024"), ("0.25 vCPU", "0.5 GB"), (256, 2048 // 2)]
)
def test_small_valid_tasks_pass(pack, type_, cpu, memory):
    props = {"cpu": cpu, "memory": memory, "requiresCompatibilities": ["FARGATE"]}
    assert pack.violations(type_, props, SIZE) == []


@pytest.mark.parametrize(
    "type_", ["aws:ecs/expressGatewayService:ExpressGatewayService", "aws-native:ecs:ExpressGatewayService"]
)
def test_express_service_defaults_to_1_vcpu_2_gb_and_is_checked(pack, type_):
    (v,) = pack.violations(type_, {"primaryContainer": {"image": "x"}}, SIZE)
    assert "1024 CPU / 2048 MiB" in v.message
    assert pack.violations(type_, {"cpu": "256", "memory": "512"}, SIZE) == []


def test_a_pair_fargate_does_not_accept_is_rejected(pack):
    pack.configure({SIZE: {"maxCpu": 4096, "maxMemory": 8192}})
    (v,) = pack.violations(
        TASK_TYPES[0], {"cpu": "256", "memory": "4096", "requiresCompatibilities": ["FARGATE"]}, SIZE
    )
    assert "Fargate does not accept 256 CPU with 4096 MiB" in v.message
    # The same pair is fine on EC2 (no Fargate compatibility), within the raised maximums.
    assert pack.violations(TASK_TYPES[0], {"cpu": "256", "memory": "4096"}, SIZE) == []


def test_raising_the_maximum_lets_a_bigger_task_pass(pack):
    props = {"cpu": "1024", "memory": "2048", "requiresCompatibilities": ["FARGATE"]}
    pack.configure({SIZE: {"maxCpu": 1024, "maxMemory": 2048}})
    assert pack.violations(TASK_TYPES[0], props, SIZE) == []


def test_unknown_task_size_does_not_crash_or_guess(pack):
    assert pack.violations(TASK_TYPES[0], {"cpu": UNKNOWN, "memory": "512"}, None) == []


SCALABLE_TARGET_TYPES = [
    "aws:appautoscaling/target:Target",
    "aws-native:applicationautoscaling:ScalableTarget",
]
ECS_TARGET = {"serviceNamespace": "ecs", "scalableDimension": "ecs:service:DesiredCount"}
COUNT_CASES = [
    ("aws:ecs/service:Service", "desiredCount", {}),
    ("aws-native:ecs:Service", "desiredCount", {}),
    *[(type_, "maxCapacity", ECS_TARGET) for type_ in SCALABLE_TARGET_TYPES],
]


@pytest.mark.parametrize("type_,key,base", COUNT_CASES)
def test_task_count_above_the_maximum_is_rejected(pack, type_, key, base):
    (v,) = pack.violations(type_, {**base, key: 5}, COUNT)
    # smallest x86 task (0.25 x 0.04048 + 0.5 x 0.004445) x 730 = 9.01, plus IPv4 3.65 = 12.66
    assert "5 is above the maximum 4" in v.message and "$12.66" in v.message
    assert pack.violations(type_, {**base, key: 4}, COUNT) == []
    assert pack.violations(type_, {**base, key: UNKNOWN}, COUNT) == []


@pytest.mark.parametrize("type_", SCALABLE_TARGET_TYPES)
@pytest.mark.parametrize(
    "target",
    [
        {"serviceNamespace": "dynamodb", "scalableDimension": "dynamodb:table:ReadCapacityUnits"},
        {"serviceNamespace": "lambda", "scalableDimension": "lambda:function:ProvisionedConcurrency"},
        {"serviceNamespace": UNKNOWN, "scalableDimension": UNKNOWN},
        {},  # namespace not given at all: not known to be ECS
    ],
)
def test_auto_scaling_targets_that_are_not_ecs_are_not_counted_as_tasks(pack, type_, target):
    assert pack.violations(type_, {**target, "maxCapacity": 100}, COUNT) == []


@pytest.mark.parametrize("type_", SCALABLE_TARGET_TYPES)
def test_an_ecs_target_is_known_by_its_dimension_when_the_namespace_is_unknown(pack, type_):
    props = {"serviceNamespace": UNKNOWN, "scalableDimension": "ecs:service:DesiredCount", "maxCapacity": 9}
    (v,) = pack.violations(type_, props, COUNT)
    assert "auto scaling max capacity 9" in v.message


def test_task_count_maximum_is_configurable(pack):
    pack.configure({COUNT: {"maxTasks": 10}})
    assert pack.violations("aws:ecs/service:Service", {"desiredCount": 5}, COUNT) == []
    pack.configure({COUNT: {"maxTasks": 1}})
    assert pack.violations("aws:ecs/service:Service", {"desiredCount": 2}, COUNT) != []


@pytest.mark.parametrize(
    "type_,key", [("aws:ecs/cluster:Cluster", "settings"), ("aws-native:ecs:Cluster", "clusterSettings")]
)
def test_container_insights_is_an_advisory(pack, type_, key):
    (v,) = pack.violations(type_, {key: [{"name": "containerInsights", "value": "enabled"}]}, INSIGHTS)
    assert v.enforcement_level == "advisory" and "$0.30/metric-month" in v.message
    assert pack.violations(type_, {key: [{"name": "containerInsights", "value": "disabled"}]}, INSIGHTS) == []
    assert pack.violations(type_, {}, INSIGHTS) == []


def _repo(pack, name, **props):
    return pack.resource("aws:ecr/repository:Repository", {"name": name, **props}, name=name)


def test_repository_without_lifecycle_policy_is_rejected(pack):
    repo = _repo(pack, "app")
    (v,) = pack.stack_violations([repo], ECR)
    assert v.urn == repo.urn and "$0.10/GB-month" in v.message


def test_lifecycle_policy_by_name_or_dependency_covers_the_repository(pack):
    by_name = _repo(pack, "app")
    by_dep = _repo(pack, "web")
    policies = [
        pack.resource("aws:ecr/lifecyclePolicy:LifecyclePolicy", {"repository": "app", "policy": "{}"}),
        pack.resource(
            "aws:ecr/lifecyclePolicy:LifecyclePolicy",
            {"repository": UNKNOWN, "policy": "{}"},
            dependencies=[by_dep.urn],
        ),
    ]
    assert pack.stack_violations([by_name, by_dep, *policies], ECR) == []


def test_native_repository_with_inline_lifecycle_policy_passes(pack):
    repo = pack.resource("aws-native:ecr:Repository", {"lifecyclePolicy": {"lifecyclePolicyText": "{}"}})
    bare = pack.resource("aws-native:ecr:Repository", {"repositoryName": "bare"})
    (v,) = pack.stack_violations([repo, bare], ECR)
    assert v.urn == bare.urn


@pytest.mark.parametrize(
    "inline", [UNKNOWN, {"lifecyclePolicyText": UNKNOWN}, {"lifecyclePolicyText": UNKNOWN, "registryId": "1"}]
)
def test_native_inline_lifecycle_policy_unknown_in_the_preview_counts_as_present(pack, inline):
    repo = pack.resource("aws-native:ecr:Repository", {"repositoryName": "app", "lifecyclePolicy": inline})
    assert pack.stack_violations([repo], ECR) == []
    empty = pack.resource("aws-native:ecr:Repository", {"lifecyclePolicy": {"lifecyclePolicyText": ""}})
    (v,) = pack.stack_violations([empty], ECR)
    assert v.urn == empty.urn


def test_a_lifecycle_policy_for_an_unknown_repository_excuses_one_repository(pack):
    repos = [_repo(pack, "a"), _repo(pack, "b")]
    unattributed = pack.resource("aws:ecr/lifecyclePolicy:LifecyclePolicy", {"repository": UNKNOWN})
    assert len(pack.stack_violations([*repos, unattributed], ECR)) == 1


def test_provisioned_dynamodb_capacity_above_the_limit_is_an_advisory(pack):
    props = {"billingMode": "PROVISIONED", "readCapacity": 10, "writeCapacity": 5}
    (v,) = pack.violations("aws:dynamodb/table:Table", props, DYNAMO)
    assert (
        v.enforcement_level == "advisory" and "10 RCU (max 5)" in v.message and "PAY_PER_REQUEST" in v.message
    )
    native = {"provisionedThroughput": {"readCapacityUnits": 1, "writeCapacityUnits": 20}}
    (v,) = pack.violations("aws-native:dynamodb:Table", native, DYNAMO)
    assert "20 WCU (max 5)" in v.message
    assert pack.violations("aws:dynamodb/table:Table", {"billingMode": "PAY_PER_REQUEST"}, DYNAMO) == []
    pack.configure({DYNAMO: {"maxReadCapacity": 10}})
    assert pack.violations("aws:dynamodb/table:Table", props, DYNAMO) == []


def test_container_definitions_json_is_accepted(pack):
    props = {"cpu": "256", "memory": "512", "containerDefinitions": json.dumps([{"name": "a"}])}
    assert pack.violations(TASK_TYPES[0], props) == []

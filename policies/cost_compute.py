"""Cost policies for compute and storage: Fargate task size, task counts, Container Insights, ECR, "
"DynamoDB."""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, StackValidationPolicy

from policies import prices
from policies.support import (
    UNKNOWN,
    as_list,
    as_number,
    config_value,
    get,
    is_unknown,
    money,
    plain,
    resource_policy,
    types,
)

TASK_DEFINITION_TYPES = types("aws:ecs/taskDefinition:TaskDefinition", "aws-native:ecs:TaskDefinition")
# ECS Express Mode services carry their own task size, 1 vCPU / 2 GB when not set (AWS ECS developer guide,
# "Resources created by Amazon ECS Express Mode services").
EXPRESS_SERVICE_TYPES = types(
    "aws:ecs/expressGatewayService:ExpressGatewayService", "aws-native:ecs:ExpressGatewayService"
)
EXPRESS_DEFAULT_SIZE = ("1024", "2048")
SERVICE_TYPES = types("aws:ecs/service:Service", "aws-native:ecs:Service")
SCALABLE_TARGET_TYPES = types(
    "aws:appautoscaling/target:Target", "aws-native:applicationautoscaling:ScalableTarget"
)
CLUSTER_TYPES = types("aws:ecs/cluster:Cluster", "aws-native:ecs:Cluster")
ECR_REPOSITORY_TYPES = types("aws:ecr/repository:Repository", "aws-native:ecr:Repository")
ECR_LIFECYCLE_TYPES = types("aws:ecr/lifecyclePolicy:LifecyclePolicy")
DYNAMODB_TABLE_TYPES = types("aws:dynamodb/table:Table", "aws-native:dynamodb:Table")

# CPU units -> memory sizes (MiB) Fargate accepts with it (AWS ECS developer guide, "Task CPU and memory").
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

_SIZE = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(vcpu|gb|mb|mib|gib)?\s*$", re.IGNORECASE)


def parse_cpu(value: Any) -> float | None:
    """Task CPU as units: "256", 256, "0.25 vCPU" -> 256. None when missing, unknown or unreadable."""
    return _parse_size(value, "vcpu")


def parse_memory(value: Any) -> float | None:
    """Task memory in MiB: "512", "0.5 GB" -> 512."""
    return _parse_size(value, "gb")


def _parse_size(value: Any, big_unit: str) -> float | None:
    if value is None or value is UNKNOWN or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    match = _SIZE.match(str(value))
    if not match:
        return None
    number, unit = float(match.group(1)), (match.group(2) or "").lower()
    return number * 1024 if unit in (big_unit, "gib") else number


def fargate_config_problem(max_cpu: float, max_memory: float) -> str | None:
    """What is inconsistent about a maxCpu/maxMemory pair for Fargate, or None.

    Inconsistent: no Fargate size fits under both (only possible when the schema's minimums are
    bypassed), or one maximum cannot be reached by any Fargate size that the other allows (maxCpu 4096
    with maxMemory 1024: Fargate gives 4096 CPU at least 8192 MiB, so the real CPU limit is 512).
    """
    fits = [
        (cpu, mem)
        for cpu, mems in FARGATE_SIZES.items()
        for mem in mems
        if cpu <= max_cpu and mem <= max_memory
    ]
    if not fits:
        return (
            f"no Fargate task fits maxCpu {max_cpu:g} with maxMemory {max_memory:g}: the smallest size "
            "Fargate accepts is 256 CPU / 512 MiB"
        )
    top_cpu = max(cpu for cpu in FARGATE_SIZES if cpu <= max_cpu)
    if FARGATE_SIZES[top_cpu][0] > max_memory:
        usable = max(cpu for cpu, _ in fits)
        return (
            f"maxCpu {max_cpu:g} cannot be reached on Fargate within maxMemory {max_memory:g}: Fargate gives "
            f"{top_cpu} CPU at least {FARGATE_SIZES[top_cpu][0]} MiB, so no Fargate task can pass above "
            f"{usable} CPU; raise maxMemory to {FARGATE_SIZES[top_cpu][0]} or lower maxCpu to {usable}"
        )
    top_memory = max(mem for mems in FARGATE_SIZES.values() for mem in mems if mem <= max_memory)
    needs = min(cpu for cpu, mems in FARGATE_SIZES.items() if top_memory in mems)
    if needs > max_cpu:
        usable = max(mem for _, mem in fits)
        return (
            f"maxMemory {max_memory:g} cannot be reached on Fargate within maxCpu {max_cpu:g}: Fargate needs "
            f"{needs} CPU for {top_memory} MiB, so no Fargate task can pass above {usable} MiB; raise maxCpu "
            f"to {needs} or lower maxMemory to {usable}"
        )
    return None


def check_task_size(props: dict, config: Any, type_: str) -> list[str]:
    max_cpu = float(config_value(config, "maxCpu", 512))
    max_memory = float(config_value(config, "maxMemory", 1024))
    if type_ in EXPRESS_SERVICE_TYPES:
        props = {"cpu": EXPRESS_DEFAULT_SIZE[0], "memory": EXPRESS_DEFAULT_SIZE[1], **props}
        props.setdefault("requiresCompatibilities", ["FARGATE"])
    cpu, memory = parse_cpu(props.get("cpu")), parse_memory(props.get("memory"))
    compat = [str(c).upper() for c in as_list(props.get("requiresCompatibilities")) if not is_unknown(c)]
    arch = get(props, "runtimePlatform", "cpuArchitecture")
    arm = isinstance(arch, str) and arch.upper() == "ARM64"
    # A task definition for EC2 (or external) capacity only is billed by its instances, not per task:
    # no Fargate price applies. Without requiresCompatibilities the price quoted is Fargate's.
    ec2_only = bool(compat) and "FARGATE" not in compat
    messages = []
    if cpu is not None and memory is not None and (cpu > max_cpu or memory > max_memory):
        q = prices.quotes()
        if ec2_only:
            cost = (
                f"on {'/'.join(compat)} capacity it needs instances with that much room, billed per "
                "instance-hour whether the task uses it or not"
            )
        elif q:
            cost = (
                f"one task running all month costs "
                f"{money(q.fargate_monthly(cpu, memory, arm))} on Fargate{' ARM' if arm else ' x86'} "
                f"on-demand in {q.region}, against "
                f"{money(q.fargate_monthly(min(cpu, max_cpu), min(memory, max_memory), arm))} at the "
                "maximum size"
            )
        else:
            cost = "Fargate bills every vCPU and GB of a task for every hour it runs"
        messages.append(
            f"Task size {cpu:g} CPU / {memory:g} MiB is above the maximum {max_cpu:g} / {max_memory:g}: "
            f"{cost}. Use a smaller task{'' if ec2_only else ' (ARM64 and Fargate Spot are cheaper still)'}, "
            "or raise 'maxCpu'/'maxMemory' in this policy's config."
        )
    elif cpu is not None and cpu > max_cpu:
        messages.append(
            f"Task CPU {cpu:g} units is above the maximum {max_cpu:g}; raise 'maxCpu' to allow it."
        )
    elif memory is not None and memory > max_memory:
        messages.append(f"Task memory {memory:g} MiB is above the maximum {max_memory:g}; raise 'maxMemory'.")
    if "FARGATE" in compat and cpu is not None and memory is not None:
        allowed = FARGATE_SIZES.get(int(cpu)) if cpu.is_integer() else None
        if allowed is None or int(memory) not in allowed or not memory.is_integer():
            messages.append(
                f"Fargate does not accept {cpu:g} CPU with {memory:g} MiB; valid pairs start at 256 CPU with "
                "512/1024/2048 MiB and 512 CPU with 1024-4096 MiB (ECS developer guide, task CPU and memory)."
            )
    return messages


fargate_task_size = resource_policy(
    "cost-fargate-task-size",
    "Task definitions stay within the configured CPU and memory, in a pair that Fargate accepts.",
    EnforcementLevel.MANDATORY,
    TASK_DEFINITION_TYPES | EXPRESS_SERVICE_TYPES,
    check_task_size,
    PolicyConfigSchema(
        properties={
            "maxCpu": {
                "type": "integer",
                "minimum": 256,
                "default": 512,
                "description": "Max task CPU units.",
            },
            "maxMemory": {"type": "integer", "minimum": 512, "default": 1024, "description": "Max task MiB."},
        }
    ),
)


def is_ecs_scalable_target(props: dict) -> bool:
    """An Application Auto Scaling target that scales an ECS service.

    The same resource type scales DynamoDB tables, Aurora replicas, Lambda concurrency, ...; its
    `serviceNamespace` says which ("ecs") and its `scalableDimension` starts with the namespace
    ("ecs:service:DesiredCount"), in both providers (Application Auto Scaling API,
    RegisterScalableTarget).
    A target whose namespace and dimension are both unknown or missing is not judged.
    """
    namespace, dimension = props.get("serviceNamespace"), props.get("scalableDimension")
    if isinstance(namespace, str) and not is_unknown(namespace):
        return namespace.lower() == "ecs"
    return isinstance(dimension, str) and not is_unknown(dimension) and dimension.lower().startswith("ecs:")


def check_task_count(props: dict, config: Any, type_: str) -> list[str]:
    max_tasks = float(config_value(config, "maxTasks", 4))
    if type_ in SERVICE_TYPES:
        key, what = "desiredCount", "desired count"
    elif is_ecs_scalable_target(props):
        key, what = "maxCapacity", "auto scaling max capacity"
    else:
        return []  # a DynamoDB, RDS, Lambda... target, or one whose namespace is not known
    count = as_number(props.get(key))
    if count is None or count <= max_tasks:
        return []
    # What each extra task costs at the smallest common size (0.25 vCPU / 0.5 GB, x86) with its public IPv4.
    q = prices.quotes()
    cost = (
        f"costs at least {money(q.fargate_monthly(256, 512, arm=False) + q.monthly('public_ipv4'))}/month "
        f"in {q.region} (0.25 vCPU / 0.5 GB x86 plus its public IPv4)"
        if q
        else "bills every hour it runs, plus its public IPv4"
    )
    return [
        f"ECS {what} {count:g} is above the maximum {max_tasks:g}: each extra always-on task {cost}. "
        "Scale with demand under the maximum, or raise 'maxTasks' in this policy's config."
    ]


ecs_task_count = resource_policy(
    "cost-ecs-task-count",
    "ECS services and their auto scaling targets run at most the configured number of tasks.",
    EnforcementLevel.MANDATORY,
    SERVICE_TYPES | SCALABLE_TARGET_TYPES,
    check_task_count,
    PolicyConfigSchema(
        properties={
            "maxTasks": {
                "type": "integer",
                "minimum": 0,
                "default": 4,
                "description": "Max tasks per service.",
            }
        }
    ),
)


def check_container_insights(props: dict, config: Any, type_: str) -> list[str]:
    settings = as_list(props.get("settings") if "settings" in props else props.get("clusterSettings"))
    for setting in settings:
        if not isinstance(setting, dict) or setting.get("name") != "containerInsights":
            continue
        value = setting.get("value")
        if isinstance(value, str) and value.lower() in ("enabled", "enhanced"):
            q = prices.quotes()
            cost = (
                f" at {money(q.monthly('cw_custom_metric'))}/metric-month and extra log ingestion at "
                f"{money(q.unit('logs_ingestion_gb'))}/GB in {q.region}"
                if q
                else " and extra log ingestion, both billed"
            )
            return [
                f"Container Insights ({value}) publishes custom metrics{cost}. The free ECS service "
                "metrics (CPU, memory) and a few alarms cover a small service; set containerInsights to "
                "'disabled', or this policy's enforcementLevel to 'disabled'."
            ]
    return []


container_insights = resource_policy(
    "cost-container-insights",
    "ECS clusters without Container Insights, which bills per metric and per GB of logs.",
    EnforcementLevel.ADVISORY,
    CLUSTER_TYPES,
    check_container_insights,
)


def _repo_name(props: dict) -> Any:
    return props.get("repositoryName") if "repositoryName" in props else props.get("name")


def _ecr_lifecycle(args: Any, report_violation: Any) -> None:
    repos = [r for r in args.resources if r.resource_type in ECR_REPOSITORY_TYPES]
    if not repos:
        return
    policies = [r for r in args.resources if r.resource_type in ECR_LIFECYCLE_TYPES]
    covered_names, covered_urns, unattributed = set(), set(), 0
    for policy in policies:
        props = plain(policy.props)
        target = props.get("repository")
        deps = {d.urn for d in policy.dependencies}
        for dep_list in policy.property_dependencies.values():
            deps |= {d.urn for d in dep_list}
        if isinstance(target, str) and not is_unknown(target):
            covered_names.add(target)
        covered_urns |= deps
        if (target is None or is_unknown(target)) and not deps:
            unattributed += 1
    uncovered = []
    for repo in repos:
        props = plain(repo.props)
        # A native inline policy (or its text) that is unknown during the preview is there: it only
        # has no value yet, so the repository counts as covered.
        inline = get(props, "lifecyclePolicy", "lifecyclePolicyText")
        name = _repo_name(props)
        if (
            inline
            or is_unknown(inline)
            or repo.urn in covered_urns
            or (isinstance(name, str) and name in covered_names)
        ):
            continue
        uncovered.append(repo)
    # A lifecycle policy whose repository is not known yet may belong to any repository: decide only
    # from what is known, so such policies excuse that many repositories.
    q = prices.quotes()
    storage = f" at {money(q.unit('ecr_storage_gb_month'))}/GB-month in {q.region}" if q else ""
    for repo in uncovered[unattributed:]:
        report_violation(
            f"ECR repository {repo.name} has no lifecycle policy: every pushed image is kept and stored"
            f"{storage} forever. Add an aws.ecr.LifecyclePolicy that "
            "keeps "
            "the last few images and expires untagged ones, or set this policy's enforcementLevel to "
            "'advisory'.",
            repo.urn,
        )


ecr_lifecycle = StackValidationPolicy(
    name="cost-ecr-lifecycle",
    description="Every ECR repository has a lifecycle policy, so old images do not pile up storage charges.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_ecr_lifecycle,
)


def check_dynamodb_capacity(props: dict, config: Any, type_: str) -> list[str]:
    max_read = float(config_value(config, "maxReadCapacity", 5))
    max_write = float(config_value(config, "maxWriteCapacity", 5))
    if type_ == "aws-native:dynamodb:Table":
        mode = props.get("billingMode")
        read = as_number(get(props, "provisionedThroughput", "readCapacityUnits"))
        write = as_number(get(props, "provisionedThroughput", "writeCapacityUnits"))
    else:
        mode = props.get("billingMode")
        read, write = as_number(props.get("readCapacity")), as_number(props.get("writeCapacity"))
    if isinstance(mode, str) and mode.upper() == "PAY_PER_REQUEST":
        return []
    over = []
    if read is not None and read > max_read:
        over.append(f"{read:g} RCU (max {max_read:g})")
    if write is not None and write > max_write:
        over.append(f"{write:g} WCU (max {max_write:g})")
    if not over:
        return []
    q = prices.quotes()
    writes = (
        f"{money(q.unit('dynamodb_write_request_units'))} per million writes in {q.region}"
        if q
        else "per request"
    )
    return [
        f"Provisioned capacity {' and '.join(over)} bills every hour whether used or not. On-demand "
        f"(billingMode PAY_PER_REQUEST) bills {writes} and nothing when idle; or raise "
        "'maxReadCapacity'/'maxWriteCapacity' in this policy's config."
    ]


dynamodb_capacity = resource_policy(
    "cost-dynamodb-capacity",
    "DynamoDB tables on provisioned capacity stay within the configured read and write units.",
    EnforcementLevel.ADVISORY,
    DYNAMODB_TABLE_TYPES,
    check_dynamodb_capacity,
    PolicyConfigSchema(
        properties={
            "maxReadCapacity": {"type": "number", "minimum": 0, "default": 5, "description": "Max RCU."},
            "maxWriteCapacity": {"type": "number", "minimum": 0, "default": 5, "description": "Max WCU."},
        }
    ),
)

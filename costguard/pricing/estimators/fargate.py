"""ECS services on Fargate: vCPU-hours and GB-hours of the running tasks, public IPv4, ephemeral storage.

The task size and CPU architecture come from the service's task definition; the running task-hours
from desiredCount, the Application Auto Scaling target's min/max and its scheduled actions; the
on-demand / Spot split from the service's capacity provider strategy, or the cluster's default one.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from costguard.graph import Resource, is_unknown
from costguard.pricing.context import Context
from costguard.pricing.estimators import prices
from costguard.pricing.model import CostComponent
from costguard.pricing.pricebook import HOURS_PER_MONTH
from costguard.pricing.schedule import ScheduledCapacity, average_tasks, usable_actions
from costguard.pricing.values import as_list, count, first, flag, known, mapping, text

ECS_SERVICE_TYPES = ("aws:ecs/service:Service", "aws-native:ecs:Service")
TASK_DEFINITION_TYPES = ("aws:ecs/taskDefinition:TaskDefinition", "aws-native:ecs:TaskDefinition")
CLUSTER_TYPES = ("aws:ecs/cluster:Cluster", "aws-native:ecs:Cluster")
CLUSTER_PROVIDERS_TYPES = (
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
    "aws-native:ecs:ClusterCapacityProviderAssociations",
)
SCALABLE_TARGET_TYPES = (
    "aws:appautoscaling/target:Target",
    "aws-native:applicationautoscaling:ScalableTarget",
)
SCHEDULED_ACTION_TYPES = ("aws:appautoscaling/scheduledAction:ScheduledAction",)
FREE_EPHEMERAL_GB = 20
# The sane ranges of the counts read here; anything else is read as absent, with a note.
# Amazon ECS service quotas: "Tasks per service" 5,000 (a service's desired count, and so the
# capacities Application Auto Scaling sets on it).
MAX_TASKS = 5_000
# Fargate task ephemeral storage: 21-200 GiB (a task definition's ephemeralStorage.sizeInGiB).
MAX_EPHEMERAL_GB = 200
# ECS CapacityProviderStrategyItem: base 0-100,000, weight 0-1,000.
MAX_BASE, MAX_WEIGHT = 100_000, 1_000


@prices(*ECS_SERVICE_TYPES)
def ecs_service(resource: Resource, props: dict[str, Any], ctx: Context):
    split = capacity_split(resource, props, ctx)
    if split is None:
        ctx.note("not on Fargate (EC2 or external capacity): its instances are priced as their own resources")
        return []
    task_def = _task_definition(resource, props, ctx)
    if task_def is None:
        ctx.note("task definition not found in the graph: Fargate tasks not priced")
        return None
    td_props = ctx.index.props_of(task_def)
    platform = mapping(first(td_props, "runtimePlatform"))
    os_family = str(platform.get("operatingSystemFamily") or "LINUX").upper()
    if os_family != "LINUX":
        ctx.note(f"{os_family} Fargate tasks are not in the price book")
        return None
    arch = str(platform.get("cpuArchitecture") or "X86_64").upper()
    arm = arch == "ARM64"
    vcpu = _vcpu(first(td_props, "cpu"))
    memory_gb = _memory_gb(first(td_props, "memory"))
    if vcpu is None or memory_gb is None:
        ctx.note("task definition cpu/memory unknown: Fargate tasks not priced")
        return None

    task_hours = running_task_hours(resource, props, ctx)
    for note in ctx.cache.get(("notes", resource.urn), ()):
        ctx.note(note)
    spot_hours = ctx.cache.get(("spot_hours", resource.urn), 0.0)
    on_demand_hours = task_hours - spot_hours
    suffix = "arm" if arm else "x86"
    label = "ARM64" if arm else "x86_64"
    components: list[CostComponent] = []
    for hours, kind, prefix in (
        (on_demand_hours, "on demand", "fargate"),
        (spot_hours, "Spot", "fargate_spot"),
    ):
        shown = hours > 0 or (
            kind == "on demand" and spot_hours <= 0
        )  # a service at 0 tasks still shows its rate
        if not shown:
            continue
        components.append(
            CostComponent.of(f"vCPU ({label}, {kind})", vcpu * hours, ctx.book[f"{prefix}_vcpu_{suffix}"])
        )
        components.append(
            CostComponent.of(
                f"Memory ({label}, {kind})", memory_gb * hours, ctx.book[f"{prefix}_gb_{suffix}"]
            )
        )
    if _assigns_public_ip(props):
        components.append(
            CostComponent.of("Public IPv4 (per running task)", task_hours, ctx.book["public_ipv4"])
        )
    ephemeral = mapping(first(td_props, "ephemeralStorage"))
    size = count(
        first(ephemeral, "sizeInGib", "sizeInGiB"),
        MAX_EPHEMERAL_GB,
        "task definition ephemeralStorage.sizeInGiB",
        ctx.note,
        f"read as absent ({FREE_EPHEMERAL_GB} GB, free)",
    )
    if size and size > FREE_EPHEMERAL_GB:
        components.append(
            CostComponent.of(
                f"Ephemeral storage above {FREE_EPHEMERAL_GB} GB",
                (size - FREE_EPHEMERAL_GB) * task_hours,
                ctx.book["fargate_ephemeral_storage"],
            )
        )
    transfer = ctx.usage["data_transfer_out_gb_per_month"]
    if transfer:
        components.append(
            CostComponent.of("Data transfer out", transfer, ctx.book["data_transfer_out_gb"], "usage")
        )
    return components


# --- running tasks ---------------------------------------------------------------------------------
def running_task_hours(service: Resource, props: dict[str, Any], ctx: Context) -> float:
    """Task-hours a month. Memoized per side in ctx.cache, with the Spot share ("spot_hours", urn)
    and the notes about the service ("notes", urn), which only the service's own line shows."""
    key = ("task_hours", service.urn)
    if key in ctx.cache:
        return ctx.cache[key]
    notes: list[str] = []
    split = capacity_split(service, props, ctx, notes) or (lambda n: (n, 0.0))
    override = ctx.usage_for(service.name)["fargate_task_count"]
    if override >= 0:
        segments = [(1.0, override)]
    else:
        segments = _task_segments(service, props, ctx, notes)
    ctx.cache[("notes", service.urn)] = notes
    task_hours = spot_hours = 0.0
    for fraction, tasks in segments:
        _on_demand, spot = split(tasks)
        task_hours += fraction * HOURS_PER_MONTH * tasks
        spot_hours += fraction * HOURS_PER_MONTH * spot
    ctx.cache[key] = task_hours
    ctx.cache[("spot_hours", service.urn)] = spot_hours
    return task_hours


def _task_segments(
    service: Resource, props: dict[str, Any], ctx: Context, notes: list[str]
) -> list[tuple[float, float]]:
    value = props.get("desiredCount")
    desired: float | None = count(value, MAX_TASKS, "desiredCount", notes.append, "1 task assumed")
    if desired is None:
        # Unset: pulumi-aws's default of 0 tasks. Unknown (or no count): 1 task, as a guess.
        desired = 0.0 if value is None else 1.0
        if is_unknown(value):
            notes.append("desiredCount unknown: 1 task assumed")
    target = _scalable_target(service, props, ctx)
    if target is None:
        return [(1.0, desired)]
    t_res, t_props = target
    lo = count(first(t_props, "minCapacity"), MAX_TASKS, "scalable target minCapacity", notes.append)
    hi = count(first(t_props, "maxCapacity"), MAX_TASKS, "scalable target maxCapacity", notes.append)
    actions = usable_actions(_scheduled_actions(t_res, t_props, ctx, notes), notes)
    segments = average_tasks(desired, lo, hi, actions, notes)
    if actions:
        asleep = sum(f for f, n in segments if n == 0)
        notes.append(f"scheduled scaling: {asleep:.0%} of the week at zero tasks")
    return segments


def _scalable_target(service: Resource, props: dict[str, Any], ctx: Context):
    by_id, by_dependency = ctx.memo("scalable_targets", lambda: _index_targets(ctx))
    name = first(props, "name", "serviceName")
    cluster = _last_segment(first(props, "cluster"), "cluster/")
    if known(name):
        for cluster_name, target in by_id.get(str(name), ()):
            if cluster is None or cluster_name == cluster:
                return target
    targets = by_dependency.get(service.urn)
    return targets[0] if targets else None


def _index_targets(ctx: Context):
    """ECS scalable targets by service name (resourceId service/<cluster>/<service>), or by dependency."""
    by_id: dict[str, list] = {}
    by_dependency: dict[str, list] = {}
    for res, t_props in ctx.index.of_type(*SCALABLE_TARGET_TYPES):
        if str(t_props.get("serviceNamespace") or "ecs") != "ecs":
            continue
        resource_id = t_props.get("resourceId")
        parts = str(resource_id).split("/") if known(resource_id) else []
        if len(parts) == 3 and parts[0] == "service":
            by_id.setdefault(parts[2], []).append((parts[1], (res, t_props)))
        else:
            for dep in res.dependencies:
                by_dependency.setdefault(dep, []).append((res, t_props))
    return by_id, by_dependency


def _scheduled_actions(
    target: Resource, t_props: dict[str, Any], ctx: Context, notes: list[str]
) -> list[ScheduledCapacity]:
    by_id, by_dependency = ctx.memo("scheduled_actions", lambda: _index_actions(ctx))
    resource_id = text(t_props.get("resourceId"))
    actions = []
    # aws-native declares the actions inline on the scalable target.
    for inline in as_list(t_props.get("scheduledActions")):
        if isinstance(inline, dict):
            actions.append(_scheduled(inline, notes))
    linked = list(by_id.get(resource_id, ())) if resource_id else []
    linked += by_dependency.get(target.urn, ())
    for a_props in linked:
        actions.append(_scheduled(a_props, notes))
    return actions


def _index_actions(ctx: Context):
    by_id: dict[str, list] = {}
    by_dependency: dict[str, list] = {}
    for res, a_props in ctx.index.of_type(*SCHEDULED_ACTION_TYPES):
        rid = text(a_props.get("resourceId"))
        if rid:
            by_id.setdefault(rid, []).append(a_props)
        else:
            for dep in res.dependencies:
                by_dependency.setdefault(dep, []).append(a_props)
    return by_id, by_dependency


def _scheduled(props: dict[str, Any], notes: list[str]) -> ScheduledCapacity:
    bounds = mapping(props.get("scalableTargetAction"))
    timezone = props.get("timezone")
    if known(timezone) and not isinstance(timezone, str):
        notes.append(f"scheduled action timezone {timezone!r} is not a zone name: UTC assumed")
    return ScheduledCapacity(
        schedule=str(props.get("schedule") or ""),
        timezone=text(timezone),
        min_capacity=count(
            bounds.get("minCapacity"), MAX_TASKS, "scheduled action minCapacity", notes.append
        ),
        max_capacity=count(
            bounds.get("maxCapacity"), MAX_TASKS, "scheduled action maxCapacity", notes.append
        ),
        start_time=_timestamp(props.get("startTime"), "startTime", notes),
        end_time=_timestamp(props.get("endTime"), "endTime", notes),
    )


def _timestamp(value: Any, key: str, notes: list[str]) -> datetime | None:
    """A scheduled action's startTime/endTime (RFC 3339; without an offset, UTC), else None: a value
    that is no date and time is read as absent, with a note."""
    if not known(value) or value == "":
        return None
    if isinstance(value, str):
        try:
            stamp = datetime.fromisoformat(value.strip())
        except ValueError:
            stamp = None
        if stamp is not None:
            return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)
    notes.append(f"scheduled action {key} {value!r} is not a date and time: ignored")
    return None


# --- on demand / Spot ------------------------------------------------------------------------------
def capacity_split(service: Resource, props: dict[str, Any], ctx: Context, notes: list[str] | None = None):
    """A function tasks -> (on-demand tasks, Spot tasks), or None when the service is not on Fargate."""
    notes = notes if notes is not None else []
    strategy = as_list(first(props, "capacityProviderStrategies", "capacityProviderStrategy"))
    if not strategy:
        launch_type = str(first(props, "launchType") or "").upper()
        if launch_type == "FARGATE":
            return lambda n: (n, 0.0)
        if launch_type in ("EC2", "EXTERNAL"):
            return None
        strategy = _cluster_default_strategy(service, props, ctx)
        if not strategy:
            # Neither a launch type nor a strategy: ECS uses the EC2 launch type. Preview-time gaps
            # (unknown values) are more likely, so assume Fargate on demand and say so.
            notes.append("no launchType or capacity provider strategy found: Fargate on demand assumed")
            return lambda n: (n, 0.0)
    entries = []
    for item in strategy:
        if not isinstance(item, dict):
            continue
        provider = str(item.get("capacityProvider") or "").upper()
        weight = count(
            item.get("weight"), MAX_WEIGHT, f"{provider or 'capacity provider'} weight", notes.append
        )
        base = count(item.get("base"), MAX_BASE, f"{provider or 'capacity provider'} base", notes.append)
        entries.append((provider, float(weight or 0), float(base or 0)))
    if not any(p in ("FARGATE", "FARGATE_SPOT") for p, _, _ in entries):
        return None
    if any(p not in ("FARGATE", "FARGATE_SPOT") for p, _, _ in entries):
        notes.append("capacity providers other than FARGATE/FARGATE_SPOT are priced as on-demand Fargate")

    def split(tasks: float) -> tuple[float, float]:
        # The base is placed first, then the rest is split by weight.
        # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-capacity-providers.html
        spot = on_demand = 0.0
        remaining = tasks
        for provider, _, base in entries:
            placed = min(base, remaining)
            remaining -= placed
            if provider == "FARGATE_SPOT":
                spot += placed
            else:
                on_demand += placed
        total_weight = sum(w for _, w, _ in entries)
        if remaining > 0 and total_weight > 0:
            spot_weight = sum(w for p, w, _ in entries if p == "FARGATE_SPOT")
            spot += remaining * spot_weight / total_weight
            on_demand += remaining * (total_weight - spot_weight) / total_weight
        elif remaining > 0:
            on_demand += remaining
        return on_demand, spot

    return split


def _cluster_default_strategy(service: Resource, props: dict[str, Any], ctx: Context) -> list:
    by_name, by_urn = ctx.memo("cluster_strategies", lambda: _index_cluster_strategies(ctx))
    cluster_name = _last_segment(first(props, "cluster"), "cluster/")
    if cluster_name in by_name:
        return by_name[cluster_name]
    for dep in service.dependencies:  # the service and the strategy both depend on the cluster
        if dep in by_urn:
            return by_urn[dep]
    return []


def _index_cluster_strategies(ctx: Context):
    """Default strategies by cluster name, and by the URN of the cluster they belong to."""
    by_name: dict[str, list] = {}
    by_urn: dict[str, list] = {}
    for res, c_props in ctx.index.of_type(*CLUSTER_TYPES):  # pre-v5 clusters carried the strategy
        strategy = as_list(
            first(c_props, "defaultCapacityProviderStrategies", "defaultCapacityProviderStrategy")
        )
        if strategy:
            name = first(c_props, "name", "clusterName")
            if known(name):
                by_name[str(name)] = strategy
            by_urn[res.urn] = strategy
    for res, c_props in ctx.index.of_type(*CLUSTER_PROVIDERS_TYPES):
        strategy = as_list(
            first(c_props, "defaultCapacityProviderStrategies", "defaultCapacityProviderStrategy")
        )
        name = _last_segment(first(c_props, "clusterName", "cluster"), "cluster/")
        if name is not None:
            by_name[name] = strategy
        for dep in res.dependencies:
            by_urn[dep] = strategy
    return by_name, by_urn


# --- task definition ------------------------------------------------------------------------------
def _task_definition(service: Resource, props: dict[str, Any], ctx: Context) -> Resource | None:
    by_ref, by_urn, only = ctx.memo("task_definitions", lambda: _index_task_definitions(ctx))
    ref = first(props, "taskDefinition")
    if known(ref):
        ref = str(ref)
        family = (_last_segment(ref, "task-definition/") or ref).split(":")[0]
        found = by_ref.get(ref) or by_ref.get(family)
        if found is not None:
            return found
    for dep in service.dependencies:
        if dep in by_urn:
            return by_urn[dep]
    return only


def _index_task_definitions(ctx: Context):
    by_ref: dict[str, Resource] = {}
    by_urn: dict[str, Resource] = {}
    candidates = ctx.index.of_type(*TASK_DEFINITION_TYPES)
    for res, td_props in candidates:
        for key in ("arn", "taskDefinitionArn", "family"):
            if known(td_props.get(key)):
                by_ref.setdefault(str(td_props[key]), res)
        by_urn[res.urn] = res
    only = candidates[0][0] if len(candidates) == 1 else None
    return by_ref, by_urn, only


def _assigns_public_ip(props: dict[str, Any]) -> bool:
    network = first(props, "networkConfiguration") or {}
    if not isinstance(network, dict):
        return False
    vpc = network.get("awsvpcConfiguration")  # aws-native nests it
    return flag((vpc or network).get("assignPublicIp") if isinstance(vpc or network, dict) else None)


def _last_segment(value: Any, marker: str) -> str | None:
    if not known(value) or not isinstance(value, str):
        return None
    return value.split(marker, 1)[1] if marker in value else value


_UNIT = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-zA-Z]*)\s*$")


def _vcpu(value: Any) -> float | None:
    """ECS cpu: CPU units ("256" = 0.25 vCPU) or "0.25 vCPU"."""
    if not known(value):
        return None
    match = _UNIT.match(str(value))
    if not match:
        return None
    amount, unit = float(match.group(1)), match.group(2).lower()
    return amount if unit == "vcpu" else amount / 1024


def _memory_gb(value: Any) -> float | None:
    """ECS memory: MiB ("512" = 0.5 GB) or "0.5 GB"."""
    if not known(value):
        return None
    match = _UNIT.match(str(value))
    if not match:
        return None
    amount, unit = float(match.group(1)), match.group(2).lower()
    return amount if unit in ("gb", "gib") else amount / 1024

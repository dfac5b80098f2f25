"""The stack's estimated monthly cost stays within a budget (priced by costguard's price book)."""

from __future__ import annotations

import os
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, StackValidationPolicy

from policies import prices
from policies.support import config_value, money, plain

DEFAULT_BUDGET_USD = 25.0


def stack_region(config: Any) -> str:
    """The region to price: this policy's 'region' config, else the stack's aws:region, else us-east-1."""
    region = config_value(config, "region", "")
    return str(region) if region else prices.stack_region()


def monthly_budget_usd(config: Any) -> float:
    """This policy's 'monthlyBudgetUsd', else the stack's `<project>:monthlyBudgetUsd` (what
    `costguard plan` uses too), else DEFAULT_BUDGET_USD."""
    value = config_value(config, "monthlyBudgetUsd", None)
    if value is not None:
        return float(value)
    project = os.environ.get("PULUMI_PROJECT", "")
    try:
        return float(prices.stack_config().get(f"{project}:monthlyBudgetUsd"))
    except (TypeError, ValueError):
        return DEFAULT_BUDGET_USD


def _graph_of(resources: list[Any]) -> Any:
    from costguard.graph import Graph, Resource

    project = os.environ.get("PULUMI_PROJECT", "project")
    stack = os.environ.get("PULUMI_STACK", "stack")
    return Graph(
        project=project,
        stack=stack,
        resources=[
            Resource(
                urn=r.urn,
                type=r.resource_type,
                name=r.name,
                inputs=plain(r.props),
                parent=r.parent.urn if r.parent is not None else None,
                dependencies=[d.urn for d in r.dependencies],
            )
            for r in resources
        ],
    )


def _monthly_budget(args: Any, report_violation: Any) -> None:
    try:
        from costguard.pricing import PricingError, Usage, UsageError, estimate, supported_regions
    except ModuleNotFoundError as err:
        if err.name not in ("costguard", "costguard.pricing"):
            raise  # pricing exists but is broken: say so rather than pass silently
        # Pricing is not next to this pack: nothing to judge with, so skip cleanly.
        args.not_applicable("costguard.pricing is not importable; the monthly cost cannot be estimated")
        return
    config = args.get_config()
    budget = monthly_budget_usd(config)
    region = stack_region(config)
    overrides = config_value(config, "usage", {})
    try:
        # The same usage profile as `costguard plan --usage usage.yml`: defaults, then these overrides
        # for every stack, this stack (PULUMI_STACK, which the engine sets: analyzer_plugin.go
        # constructEnv) or one resource.
        if not isinstance(overrides, dict):
            raise UsageError(f"it must be an object, got {type(overrides).__name__}")
        usage = Usage(overrides=overrides, source="policy config usage")
        report = estimate(_graph_of(args.resources), region=region, usage=usage)
    except UsageError as err:
        report_violation(
            f"The 'usage' in this policy's config is invalid ({str(err).removeprefix('usage file: ')}); "
            "fix it to the shape of a costguard usage file (costguard/pricing/usage.default.yaml)."
        )
        return
    except PricingError as err:
        # The region comes from config (this policy's 'region' or the stack's aws:region): a config
        # mistake, so it is reported, not skipped (a skipped mandatory budget protects nothing).
        source = "this policy's 'region'" if config_value(config, "region", "") else "the stack's aws:region"
        supported = supported_regions()
        why = (
            f"costguard's price book has no prices for it (supported: {', '.join(supported)})"
            if region not in supported
            else str(err)
        )
        report_violation(
            f"The stack's monthly cost cannot be estimated in {region!r} ({source}): {why}. Set 'region' "
            "in this policy's config to the supported region whose prices are closest, or set this "
            "policy's enforcementLevel to 'disabled'."
        )
        return
    total = float(report.total_monthly)
    if total > budget:
        report_violation(
            f"The stack's estimated cost is {money(total)}/month in {region}, over the budget of "
            f"{money(budget)}. "
            "Run `costguard plan` for the cost of each resource and remove the costly ones, give the "
            "policy your usage figures (its 'usage' config, `costguard pack-config`), or raise the "
            "budget: `pulumi config set monthlyBudgetUsd N` (the stack's) or this policy's "
            "'monthlyBudgetUsd'."
        )


def _region_schema() -> dict:
    """'region': one of the price book's regions (costguard.pricing.supported_regions), or "" for the stack's.

    An enum, so the engine rejects 'mars-1' before anything runs (it validates `properties`).
    """
    schema: dict[str, Any] = {
        "type": "string",
        "default": "",
        "description": "Region to price; empty means the stack's aws:region (else us-east-1).",
    }
    try:
        from costguard.pricing import supported_regions

        schema["enum"] = ["", *supported_regions()]
    except ImportError:
        pass  # no costguard here: the policy is skipped anyway
    return schema


def _usage_schema() -> dict:
    """The usage file's shape as JSON Schema, so the engine rejects an unknown key before any run."""
    schema: dict[str, Any] = {
        "type": "object",
        "default": {},
        "description": "Usage overrides in the shape of a costguard usage file (usage.yml): usage keys at "
        "the top, per stack under 'stacks', per resource under 'resources'. Empty: the documented defaults.",
    }
    try:
        from costguard.pricing.usage import usage_keys

        keys = sorted(usage_keys())
    except ImportError:
        return schema  # no costguard here: the policy is skipped anyway
    values = {key: {"type": "number"} for key in keys}
    per_resource = {
        "type": ["object", "null"],
        "additionalProperties": {
            "type": ["object", "null"],
            "properties": values,
            "additionalProperties": False,
        },
    }
    per_stack = {"type": ["object", "null"], "properties": {**values, "resources": per_resource}}
    schema["properties"] = {
        **values,
        "version": {"type": ["integer", "string"]},
        "stacks": {
            "type": ["object", "null"],
            "additionalProperties": {**per_stack, "additionalProperties": False},
        },
        "resources": per_resource,
    }
    schema["additionalProperties"] = False
    return schema


monthly_budget = StackValidationPolicy(
    name="cost-monthly-budget",
    description="The stack's estimated monthly cost (costguard price book) is at most 'monthlyBudgetUsd'.",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=PolicyConfigSchema(
        properties={
            "monthlyBudgetUsd": {
                "type": "number",
                "exclusiveMinimum": 0,
                # No schema default: unset means the stack's own <project>:monthlyBudgetUsd, else $25.
                "description": "Highest allowed estimated monthly cost in USD; unset: the stack config's "
                "<project>:monthlyBudgetUsd, else 25.",
            },
            "usage": _usage_schema(),
            "region": _region_schema(),
        }
    ),
    validate=_monthly_budget,
)

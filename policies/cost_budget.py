"""The stack's estimated monthly cost stays within a budget (priced by costguard's price book)."""

from __future__ import annotations

import json
import os
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, StackValidationPolicy

from policies.support import config_value, money, plain

DEFAULT_REGION = "us-east-1"


def stack_region(config: Any) -> str:
    """The region to price: this policy's 'region' config, else the stack's aws:region, else us-east-1."""
    region = config_value(config, "region", "")
    if region:
        return str(region)
    # The engine passes the stack's config as JSON in PULUMI_CONFIG (analyzer_plugin.go constructEnv).
    try:
        stack_config = json.loads(os.environ.get("PULUMI_CONFIG") or "{}")
    except ValueError:
        stack_config = {}
    region = stack_config.get("aws:region") or stack_config.get("aws-native:region")
    return region if isinstance(region, str) and region else DEFAULT_REGION


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
        from costguard.pricing import estimate
    except ModuleNotFoundError as err:
        if err.name not in ("costguard", "costguard.pricing"):
            raise  # pricing exists but is broken: say so rather than pass silently
        # Pricing is not next to this pack: nothing to judge with, so skip cleanly.
        args.not_applicable("costguard.pricing is not importable; the monthly cost cannot be estimated")
        return
    config = args.get_config()
    budget = float(config_value(config, "monthlyBudgetUsd", 25))
    region = stack_region(config)
    report = estimate(_graph_of(args.resources), region=region, usage=None)
    total = float(report.total_monthly)
    if total > budget:
        report_violation(
            f"The stack's estimated cost is {money(total)}/month in {region}, over the budget of "
            f"{money(budget)}. "
            "Run `make plan` for the cost of each resource and remove the costly ones, or raise "
            "'monthlyBudgetUsd' in this policy's config."
        )


monthly_budget = StackValidationPolicy(
    name="cost-monthly-budget",
    description="The stack's estimated monthly cost (costguard price book) is at most 'monthlyBudgetUsd'.",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=PolicyConfigSchema(
        properties={
            "monthlyBudgetUsd": {
                "type": "number",
                "exclusiveMinimum": 0,
                "default": 25,
                "description": "Highest allowed estimated monthly cost in USD.",
            },
            "region": {
                "type": "string",
                "default": "",
                "description": "Region to price; empty means the stack's aws:region (else us-east-1).",
            },
        }
    ),
    validate=_monthly_budget,
)

"""`costguard plan`: the offline plan of a stack.

program under Pulumi's mocks (capture) -> the real policy pack over the Analyzer gRPC
protocol (analyzer) -> the monthly cost of the graph (pricing) -> one report.
No Pulumi CLI and no AWS credentials are involved at any step.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from costguard.analyzer import Violation, run_pack
from costguard.capture import capture
from costguard.graph import Graph
from costguard.pricing import CostEstimate, Usage, estimate

# A stack config key with this name (in the program's own namespace) is the stack's monthly
# budget when --budget is not given: `pulumi config set monthlyBudgetUsd 10`.
BUDGET_KEY = "monthlyBudgetUsd"


@dataclass
class Plan:
    graph: Graph
    violations: list[Violation]
    estimate: CostEstimate
    budget: float | None

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement_level == "mandatory"]

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.estimate.total_monthly > self.budget + 1e-9

    @property
    def exit_code(self) -> int:
        return 1 if self.mandatory or self.over_budget else 0


def stack_budget(graph: Graph) -> float | None:
    value = graph.config.get(f"{graph.project}:{BUDGET_KEY}")
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def pack_config(path: Path | None, budget: float | None, region: str | None) -> dict[str, Any]:
    """The policy pack's config: the user's file, plus the budget and region the plan uses."""
    config: dict[str, Any] = json.loads(path.read_text()) if path else {}
    if budget is not None or region:
        budget_policy = dict(config.get("cost-monthly-budget") or {})
        if budget is not None:
            budget_policy.setdefault("monthlyBudgetUsd", budget)
        if region:
            budget_policy.setdefault("region", region)
        config["cost-monthly-budget"] = budget_policy
    return config


def make_plan(
    program: Path,
    stack: str,
    policy_pack: Path | None,
    *,
    usage_file: Path | None = None,
    budget: float | None = None,
    policy_config: Path | None = None,
    timeout: float = 60.0,
) -> Plan:
    graph = capture(program, stack, timeout=timeout)
    usage = Usage.load(usage_file)
    cost = estimate(graph, usage=usage)
    if budget is None:
        budget = stack_budget(graph)
    violations: list[Violation] = []
    if policy_pack is not None:
        violations = run_pack(policy_pack, graph, config=pack_config(policy_config, budget, graph.region))
    return Plan(graph=graph, violations=violations, estimate=cost, budget=budget)


def run_plan(args: argparse.Namespace) -> int:
    """The `plan` command: 0 clean, 1 mandatory violation or over budget (usage errors raise)."""
    from costguard.cli import write_report
    from costguard.report import render

    pack = None if args.policy_pack in ("", "none") else Path(args.policy_pack)
    plan = make_plan(
        Path(args.program),
        args.stack,
        pack,
        usage_file=Path(args.usage) if args.usage else None,
        budget=args.budget,
    )
    title = f"costguard plan: {plan.graph.project}/{plan.graph.stack}"
    write_report(
        render(plan.estimate, args.format, violations=plan.violations, budget=plan.budget, title=title),
        args.output,
    )
    return plan.exit_code

"""`costguard plan`: the offline plan of a stack.

program under Pulumi's mocks (capture) -> the real policy pack over the Analyzer gRPC
protocol (analyzer) -> the monthly cost of the graph (pricing) -> one report.
No Pulumi CLI and no AWS credentials are involved at any step.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from costguard.analyzer import PackRun, Violation, analyze_graph
from costguard.capture import capture
from costguard.graph import Graph
from costguard.pricing import CostEstimate, Usage, estimate

# The usage file `plan` reads when --usage is not given, next to the program's Pulumi.yaml
# (the same convention as `costguard review`'s documentation: `usage.yml`).
USAGE_FILE = "usage.yml"

# A stack config key with this name (in the program's own namespace) is the stack's monthly
# budget when --budget is not given: `pulumi config set monthlyBudgetUsd 10`.
BUDGET_KEY = "monthlyBudgetUsd"


@dataclass
class Plan:
    graph: Graph
    pack: PackRun | None  # None when the plan ran without a policy pack
    estimate: CostEstimate
    budget: float | None

    @property
    def violations(self) -> list[Violation]:
        return self.pack.violations if self.pack else []

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


def pack_config(budget: float | None, usage: Usage, region: str | None) -> dict[str, Any]:
    """The policy pack's config: its budget policy judges with the plan's budget, usage and region."""
    budget_policy: dict[str, Any] = {"region": region} if region else {}
    if budget is not None:
        budget_policy["monthlyBudgetUsd"] = budget
    if usage.data:
        budget_policy["usage"] = usage.data
    return {"cost-monthly-budget": budget_policy} if budget_policy else {}


def make_plan(
    program: Path,
    stack: str,
    policy_pack: Path | None,
    *,
    usage_file: Path | None = None,
    budget: float | None = None,
    region: str | None = None,
    timeout: float = 60.0,
) -> Plan:
    graph = capture(program, stack, timeout=timeout)
    if usage_file is None and (program / USAGE_FILE).is_file():
        usage_file = program / USAGE_FILE
    usage = Usage.load(usage_file)
    cost = estimate(graph, region=region, usage=usage)
    if budget is None:
        budget = stack_budget(graph)
    pack = None
    if policy_pack is not None:
        pack = analyze_graph(policy_pack, graph, config=pack_config(budget, usage, region))
    return Plan(graph=graph, pack=pack, estimate=cost, budget=budget)


def policy_summary(pack: PackRun | None) -> str:
    if pack is None:
        return "not checked (--policy-pack none)"
    mandatory = sum(1 for v in pack.violations if v.enforcement_level == "mandatory")
    verdict = (
        f"{len(pack.violations)} violation(s), {mandatory} mandatory" if pack.violations else "no violations"
    )
    return f"pack '{pack.pack_name}', {pack.policy_count} policies: {verdict}"


def run_plan(args: argparse.Namespace) -> int:
    """The `plan` command: 0 clean, 1 mandatory violation or over budget (usage errors raise)."""
    from costguard.cli import UsageProblem, write_report
    from costguard.report import render

    pack = None if args.policy_pack in ("", "none") else Path(args.policy_pack)
    if pack is not None and not (pack / "PulumiPolicy.yaml").is_file():
        raise UsageProblem(
            f"{pack} is not a policy pack (no PulumiPolicy.yaml): pass --policy-pack DIR or none"
        )
    plan = make_plan(
        Path(args.program),
        args.stack,
        pack,
        usage_file=Path(args.usage) if args.usage else None,
        budget=args.budget,
        region=args.region,
    )
    title = f"costguard plan: {plan.graph.project}/{plan.graph.stack}"
    write_report(
        render(
            plan.estimate,
            args.format,
            violations=plan.violations,
            budget=plan.budget,
            title=title,
            policies=policy_summary(plan.pack),
        ),
        args.output,
    )
    return plan.exit_code

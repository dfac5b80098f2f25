"""`costguard plan`: the offline plan of a stack.

program under Pulumi's mocks (capture) -> the real policy pack over the Analyzer gRPC
protocol (analyzer) -> the monthly cost of the graph (pricing) -> one report.
No Pulumi CLI and no AWS credentials are involved at any step.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from costguard.analyzer import PackRun, Violation, analyze_graph
from costguard.capture import capture
from costguard.graph import Graph
from costguard.pricing import CostEstimate, Usage, estimate
from costguard.pricing.values import DECIMAL

# The usage file `plan` reads when --usage is not given, next to the program's Pulumi.yaml
# (the same convention as `costguard review`'s documentation: `usage.yml`).
USAGE_FILE = "usage.yml"

# A stack config key with this name (in the program's own namespace) is the stack's monthly
# budget when --budget is not given: `pulumi config set monthlyBudgetUsd 10`.
BUDGET_KEY = "monthlyBudgetUsd"
# The policy that judges the stack's monthly cost, and the budget `plan` hands it when neither
# --budget nor the stack's config sets one: the same $25 the pack's cost-monthly-budget falls back
# to by itself (policies/cost_budget.py), passed explicitly so the report can say which budget the
# pack used.
BUDGET_POLICY = "cost-monthly-budget"
DEFAULT_BUDGET_USD = 25.0
# When --policy-pack is not given: this directory next to the program, if it holds a pack.
POLICY_PACK_DIR = "policies"


class PlanError(Exception):
    """A user-facing problem with the plan's inputs (e.g. the stack's budget); one line."""


@dataclass
class Plan:
    graph: Graph
    pack: PackRun | None  # None when the plan ran without a policy pack
    estimate: CostEstimate
    budget: float | None
    # Where the budget came from ("--budget", the stack's config, the default), or why there is none.
    budget_source: str = ""

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
    """The stack's `<project>:monthlyBudgetUsd`; None when unset; a PlanError when it is no budget
    (the policy pack would silently fall back to its default)."""
    key = f"{graph.project}:{BUDGET_KEY}"
    value = graph.config.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or isinstance(value, str) and not DECIMAL.fullmatch(value.strip()):
        budget = math.nan  # "1_000" is no number, though Python's float() takes it
    else:
        try:
            budget = float(value)
        except (TypeError, ValueError, OverflowError):
            budget = math.nan
    if not math.isfinite(budget) or budget <= 0:
        raise PlanError(
            f"stack config {key} is {value!r}: set a number of USD per month above 0 "
            f"(`pulumi config set {BUDGET_KEY} 10`) or pass --budget"
        )
    return budget


def pack_config(budget: float | None, usage: Usage, region: str | None) -> dict[str, Any]:
    """The policy pack's config: its budget policy judges with the plan's budget, usage and region."""
    budget_policy: dict[str, Any] = {"region": region} if region else {}
    if budget is not None:
        budget_policy["monthlyBudgetUsd"] = budget
    if usage.data:
        budget_policy["usage"] = usage.data
    return {BUDGET_POLICY: budget_policy} if budget_policy else {}


def default_policy_pack(program: Path) -> Path | None:
    """`policies/` next to the program when it is a policy pack (what --policy-pack defaults to)."""
    candidate = Path(program) / POLICY_PACK_DIR
    return candidate if (candidate / "PulumiPolicy.yaml").is_file() else None


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
    key = f"{graph.project}:{BUDGET_KEY}"
    if budget is not None:
        source = "budget from --budget"
    else:
        budget = stack_budget(graph)
        source = f"budget from the stack's {key}" if budget is not None else ""
    chosen = {"budget": budget, "source": source}

    def configure(info: dict) -> dict:
        """Configure the policies the pack has; its budget policy gets the plan's budget, or the
        default, so that the report can name the budget the pack judged with."""
        names = {p["name"] for p in info.get("policies", [])}
        if BUDGET_POLICY in names:
            if chosen["budget"] is None:
                chosen["budget"] = DEFAULT_BUDGET_USD
                chosen["source"] = f"the default budget (no --budget, no {key} in the stack config)"
            elif chosen["budget"] <= 0:
                raise PlanError(
                    f"--budget {chosen['budget']:g}: the policy pack's {BUDGET_POLICY} wants a budget above 0"
                )
            chosen["source"] += f", also the policy pack's {BUDGET_POLICY} budget"
        config = pack_config(chosen["budget"] if BUDGET_POLICY in names else None, usage, cost.region)
        return {name: value for name, value in config.items() if name in names}

    pack = None
    if policy_pack is not None:
        pack = analyze_graph(policy_pack, graph, config=configure)
    if chosen["budget"] is None:
        chosen["source"] = f"not checked: no --budget, no {key} in the stack config" + (
            "" if policy_pack is None else f", and the policy pack has no {BUDGET_POLICY}"
        )
    return Plan(
        graph=graph, pack=pack, estimate=cost, budget=chosen["budget"], budget_source=chosen["source"]
    )


def policy_summary(pack: PackRun | None, skipped: str = "not checked (--policy-pack none)") -> str:
    if pack is None:
        return skipped
    mandatory = sum(1 for v in pack.violations if v.enforcement_level == "mandatory")
    verdict = (
        f"{len(pack.violations)} violation(s), {mandatory} mandatory" if pack.violations else "no violations"
    )
    return f"pack '{pack.pack_name}', {pack.policy_count} policies: {verdict}"


def run_plan(args: argparse.Namespace) -> int:
    """The `plan` command: 0 clean, 1 mandatory violation or over budget (usage errors raise)."""
    from costguard.cli import UsageProblem, write_report
    from costguard.report import render

    program = Path(args.program)
    skipped = "not checked (--policy-pack none)"
    if args.policy_pack is None:  # the default: policies/ next to the program, when there is one
        pack = default_policy_pack(program)
        if pack is None:
            skipped = f"not checked: no policy pack in {program / POLICY_PACK_DIR} (pass --policy-pack DIR)"
    elif args.policy_pack in ("", "none"):
        pack = None
    else:
        pack = Path(args.policy_pack)
        if not (pack / "PulumiPolicy.yaml").is_file():
            raise UsageProblem(
                f"{pack} is not a policy pack (no PulumiPolicy.yaml): pass --policy-pack DIR or none"
            )
    plan = make_plan(
        program,
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
            budget_source=plan.budget_source,
            title=title,
            policies=policy_summary(plan.pack, skipped),
        ),
        args.output,
    )
    return plan.exit_code

"""Render a cost estimate (plus optional policy violations and a budget check) as table, markdown or JSON.

`render(estimate, fmt, violations=..., budget=..., title=...)` is shared by `costguard review`
and `costguard plan`. A violation is any object with `policy_name`, `message`,
`enforcement_level` and `urn` attributes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from costguard.pricing.model import CostComponent, CostEstimate, ResourceCost
from costguard.pricing.usage import usage_keys

FORMATS = ("table", "markdown", "json")
# Marks a resource costguard added for an opaque awsx component (mocks never register its children).
SYNTHESIZED = "†"
SYNTHESIZED_LEGEND = (
    f"{SYNTHESIZED} synthesized: a child that awsx creates by default, added by costguard because "
    "Pulumi's mocks never register it"
)


@dataclass(frozen=True)
class BudgetCheck:
    limit: float
    total: float
    source: str = ""  # where the limit came from (plan: --budget, the stack's config, the default)

    @property
    def over(self) -> bool:
        return self.total > self.limit + 1e-9

    @property
    def message(self) -> str:
        total, limit = money(self.total), money(self.limit)
        source = f" — {self.source}" if self.source else ""
        if self.over:
            return f"OVER BUDGET: {total}/month is {money(self.total - self.limit)} over {limit}{source}"
        return f"within budget: {total}/month of {limit} ({money(self.limit - self.total)} left){source}"


def budget_check(estimate: CostEstimate, budget: float | None, source: str = "") -> BudgetCheck | None:
    return None if budget is None else BudgetCheck(limit=budget, total=estimate.total_monthly, source=source)


def render(
    estimate: CostEstimate,
    fmt: str = "table",
    *,
    violations: Sequence[Any] = (),
    budget: float | None = None,
    title: str = "costguard review",
    policies: str | None = None,
    budget_source: str = "",
) -> str:
    """`policies`: one line on which policy pack ran and its verdict (plan); None when none ran (review).
    `budget_source`: where the budget came from, or (no budget) why there is none (plan)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    check = budget_check(estimate, budget, budget_source)
    no_budget = budget_source if check is None else ""
    if fmt == "json":
        return _json(estimate, violations, check, title, policies, no_budget)
    if fmt == "markdown":
        return _markdown(estimate, violations, check, title, policies, no_budget)
    return _table(estimate, violations, check, title, policies, no_budget)


# --- number formatting ----------------------------------------------------------------------------
def money(value: float) -> str:
    value = 0.0 if abs(value) < 0.005 else value
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def signed(value: float) -> str:
    value = 0.0 if abs(value) < 0.005 else value
    return f"+{money(value)}" if value >= 0 else money(value)


def unit_price(value: float) -> str:
    text = f"{value:,.8f}".rstrip("0")
    whole, _, decimals = text.partition(".")
    return f"${whole}.{decimals.ljust(2, '0')}"


def quantity(value: float) -> str:
    if abs(value) >= 1e15:  # past what digits help with (e.g. a usage file's 1e30)
        return f"{value:.6g}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def _assumption_value(value: float, key: str) -> str:
    if value == -1 and usage_keys()[key].default == -1:
        return "derived"
    return quantity(value)


def _shown(estimate: CostEstimate) -> list[ResourceCost]:
    """Priced and not-priced resources, most expensive first; free ones are only counted."""
    rows = [r for r in estimate.resources if r.status != "free"]
    return sorted(rows, key=lambda r: (r.status != "priced", -max(r.monthly_after, r.monthly_before), r.name))


def _free(estimate: CostEstimate) -> str:
    """The free resources by type ("aws:ec2/subnet:Subnet x2, ..."): listed, never silently dropped."""
    counts: dict[str, int] = {}
    for r in estimate.resources:
        if r.status == "free":
            counts[r.type] = counts.get(r.type, 0) + 1
    return ", ".join(f"{t} x{n}" for t, n in sorted(counts.items()))


def _summary(estimate: CostEstimate) -> str:
    counts = estimate.status_counts()
    return (
        f"{len(estimate.resources)} resources: {counts['priced']} priced, {counts['free']} free, "
        f"{counts['not priced']} not priced"
    )


def _label(r: ResourceCost) -> str:
    return f"{r.name} {SYNTHESIZED}" if r.synthesized else r.name


def _region(estimate: CostEstimate) -> str:
    return f"{estimate.region} ({estimate.region_source})" if estimate.region_source else estimate.region


def _coverage(estimate: CostEstimate) -> str | None:
    """What the totals leave out: a preview without --show-sames lists only the changed resources."""
    n = estimate.omitted_unchanged
    if not n:
        return None
    return (
        f"These totals cover only the resources this preview changes: {n} unchanged resource"
        f"{'s are' if n != 1 else ' is'} not in the file (run `pulumi preview --json --show-sames` "
        "to price the whole stack)."
    )


def _violation_lines(violations: Iterable[Any]) -> list[tuple[str, str, str, str]]:
    out = []
    for v in violations:
        out.append(
            (
                str(getattr(v, "enforcement_level", "")),
                str(getattr(v, "policy_name", "")),
                " ".join(str(getattr(v, "message", "")).split()),
                str(getattr(v, "urn", "") or ""),
            )
        )
    order = {"mandatory": 0, "remediate": 1, "advisory": 2}
    return sorted(out, key=lambda v: (order.get(v[0], 3), v[1], v[3]))


def _component_line(c: CostComponent) -> str:
    flag = "" if c.verified else " (unverified price)"
    return f"{quantity(c.quantity)} {c.unit} x {unit_price(c.unit_price)}{flag}"


# --- table ------------------------------------------------------------------------------------------
def _table(estimate: CostEstimate, violations, check, title, policies, no_budget="") -> str:
    lines = [
        f"{title} — project {estimate.project or '?'}, stack {estimate.stack or '?'}, "
        f"region {_region(estimate)}",
        _summary(estimate),
        "",
    ]
    rows = _shown(estimate)
    # Columns fit their content up to a cap; a longer cell is printed whole and pushes the rest of
    # its line to the right: text is never cut.
    name_w = min(
        max(
            [len("RESOURCE")]
            + [len(_label(r)) for r in rows]
            + [len(c.name) + 2 for r in rows for c in r.after or r.before]
        ),
        48,
    )
    type_w = min(
        max(
            [len("TYPE")]
            + [len(r.type) for r in rows]
            + [len(_component_line(c)) - 9 for r in rows for c in r.after or r.before]
        ),
        64,
    )
    header = (
        f"{'RESOURCE':<{name_w}}  {'TYPE':<{type_w}}  {'OP':<7}  {'BEFORE':>10}  {'AFTER':>10}  {'DELTA':>11}"
    )
    lines += [header, "-" * len(header)]
    for r in rows:
        if r.status == "not priced":
            lines.append(f"{_label(r):<{name_w}}  {r.type:<{type_w}}  {r.op:<7}  {'not priced':>10}")
            continue
        lines.append(
            f"{_label(r):<{name_w}}  {r.type:<{type_w}}  {r.op:<7}  "
            f"{money(r.monthly_before):>10}  {money(r.monthly_after):>10}  {signed(r.delta):>11}"
        )
        for c in r.after or r.before:
            detail = _component_line(c)
            lines.append(
                f"  {c.name:<{name_w - 2}}  {detail:<{type_w + 9}}  {'':>10}  {money(c.monthly):>10}"
            )
        for note in r.notes:
            lines.append(f"  note: {note}")
    lines.append("-" * len(header))
    lines.append(
        f"{'TOTAL':<{name_w}}  {'':<{type_w}}  {'':<7}  {money(estimate.past_total_monthly):>10}  "
        f"{money(estimate.total_monthly):>10}  {signed(estimate.diff):>11}"
    )
    if any(r.synthesized for r in rows):
        lines.append(SYNTHESIZED_LEGEND)
    lines += [
        "",
        f"Monthly cost: {money(estimate.total_monthly)} (was {money(estimate.past_total_monthly)}, "
        f"{signed(estimate.diff)}) — fixed {money(estimate.fixed_monthly)}, "
        f"usage-based {money(estimate.usage_monthly)}",
    ]
    if _coverage(estimate):
        lines.append(_coverage(estimate))
    if estimate.not_priced:
        lines.append("Not priced: " + ", ".join(f"{t} x{n}" for t, n in estimate.not_priced.items()))
    if _free(estimate):
        lines.append(f"Free: {_free(estimate)}")
    if check is not None:
        lines.append(f"Budget: {check.message}")
    elif no_budget:
        lines.append(f"Budget: {no_budget}")
    if policies:
        lines.append(f"Policies: {policies}")
    viols = _violation_lines(violations)
    if viols:
        lines += ["", f"Policy violations ({len(viols)}):"]
        for level, name, message, urn in viols:
            lines.append(f"  [{level}] {name}: {message}" + (f" ({urn})" if urn else ""))
    lines += ["", "Assumptions (usage profile; override with --usage FILE):"]
    lines += _assumption_lines(estimate, "  ")
    for note in estimate.notes:
        lines.append(f"Note: {note}")
    return "\n".join(lines) + "\n"


def _assumption_lines(estimate: CostEstimate, indent: str) -> list[str]:
    if not estimate.assumptions:
        return [f"{indent}(none: nothing usage-based was priced)"]
    out = []
    for a in estimate.assumptions:
        scope = f" for {a.scope}" if a.scope else ""
        value = _assumption_value(a.value, a.key)
        unit = "" if value == "derived" else f" {a.unit}"
        out.append(f"{indent}{a.key} = {value}{unit}{scope} ({a.source})")
    return out


# --- markdown ---------------------------------------------------------------------------------------
def _md(text: str) -> str:
    return text.replace("|", "\\|")


def _markdown(estimate: CostEstimate, violations, check, title, policies, no_budget="") -> str:
    lines = [
        f"## {title}: {signed(estimate.diff)}/month",
        "",
        f"**{money(estimate.total_monthly)}/month** (was {money(estimate.past_total_monthly)}) · "
        f"fixed {money(estimate.fixed_monthly)}, usage-based {money(estimate.usage_monthly)} · "
        f"project `{estimate.project}`, stack `{estimate.stack}`, region `{_region(estimate)}` · "
        f"{_summary(estimate)}",
        "",
    ]
    if _coverage(estimate):
        lines += [f"**Partial:** {_md(_coverage(estimate))}", ""]
    if check is not None:
        lines += [f"**Budget:** {check.message}", ""]
    elif no_budget:
        lines += [f"**Budget:** {no_budget}", ""]
    if policies:
        lines += [f"**Policies:** {policies}", ""]
    viols = _violation_lines(violations)
    if viols:
        lines += [
            f"### Policy violations ({len(viols)})",
            "",
            "| Level | Policy | Message | Resource |",
            "|---|---|---|---|",
        ]
        for level, name, message, urn in viols:
            lines.append(f"| {level} | `{name}` | {_md(message)} | {f'`{urn}`' if urn else ''} |")
        lines.append("")
    rows = [r for r in _shown(estimate) if r.status == "priced"]
    if rows:
        lines += _markdown_costs(estimate, rows)
    else:
        lines += ["No resource in this change has a price.", ""]
    if estimate.not_priced:
        lines += ["**Not priced:** " + ", ".join(f"`{t}` ×{n}" for t, n in estimate.not_priced.items()), ""]
    if _free(estimate):
        lines += ["<details><summary>Free resources</summary>", "", _free(estimate), "", "</details>", ""]
    lines += ["<details><summary>Assumptions</summary>", ""]
    lines += [line.replace("  ", "- ", 1) for line in _assumption_lines(estimate, "  ")]
    lines += [f"- {_md(note)}" for note in estimate.notes]
    lines += ["", "</details>", ""]
    return "\n".join(lines)


def _markdown_costs(estimate: CostEstimate, rows: list[ResourceCost]) -> list[str]:
    lines = ["| Resource | Type | Change | Before | After | Delta |", "|---|---|---|---:|---:|---:|"]
    for r in rows:
        mark = f" {SYNTHESIZED}" if r.synthesized else ""
        lines.append(
            f"| `{_md(r.name)}`{mark} | `{r.type}` | {r.op} | {money(r.monthly_before)} "
            f"| {money(r.monthly_after)} | {signed(r.delta)} |"
        )
    lines.append(
        f"| **Total** | | | **{money(estimate.past_total_monthly)}** | **{money(estimate.total_monthly)}** "
        f"| **{signed(estimate.diff)}** |"
    )
    if any(r.synthesized for r in rows):
        lines += ["", _md(SYNTHESIZED_LEGEND)]
    lines += ["", "<details><summary>Cost components</summary>", ""]
    lines += [
        "| Resource | Component | Quantity | Unit price | Monthly | Kind |",
        "|---|---|---:|---:|---:|---|",
    ]
    for r in rows:
        for c in r.after or r.before:
            flag = " (unverified)" if not c.verified else ""
            lines.append(
                f"| `{_md(r.name)}` | {_md(c.name)} | {quantity(c.quantity)} {c.unit} "
                f"| {unit_price(c.unit_price)}{flag} "
                f"| {money(c.monthly)} | {c.kind} |"
            )
    notes = [(r.name, n) for r in _shown(estimate) for n in r.notes]
    if notes:
        lines += ["", *(f"- `{_md(name)}`: {_md(note)}" for name, note in notes)]
    lines += ["", "</details>", ""]
    return lines


# --- json -------------------------------------------------------------------------------------------
def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_round(v) for v in value]
    return value


def _json(estimate: CostEstimate, violations, check, title, policies, no_budget="") -> str:
    data = estimate.to_dict()
    data["title"] = title
    if policies:
        data["policies"] = policies
    data["budget"] = (
        None
        if check is None
        else {"limit": check.limit, "total": check.total, "over": check.over, "source": check.source}
    )
    if no_budget:
        data["budget_note"] = no_budget
    data["violations"] = [
        {"enforcement_level": level, "policy_name": name, "message": message, "urn": urn}
        for level, name, message, urn in _violation_lines(violations)
    ]
    # allow_nan=False: the engine keeps every figure finite; never emit NaN/Infinity, which is not JSON.
    return json.dumps(_round(data), indent=2, sort_keys=True, allow_nan=False) + "\n"

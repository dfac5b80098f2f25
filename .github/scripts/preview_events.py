"""Helpers for the preview and deploy workflows: why a `pulumi preview`/`up` failed, and the stack's budget.

`render EVENTS` turns a Pulumi engine event log (`pulumi preview --event-log FILE`) into markdown: every
policy violation (pack, policy, enforcement level, resource, message) and every error diagnostic. The
`--json` output of `pulumi preview` carries no policy events (pulumi/pulumi#18851: the JSON display in
pkg/backend/display/json.go keeps steps and diagnostics only), so without this a pull request would show a
failed preview and not say which policy stopped it.

The event log is one JSON object per line, each an `apitype.EngineEvent` (pulumi/pulumi,
sdk/go/common/apitype/events.go): `policyEvent` has resourceUrn, message, policyName, policyPackName,
policyPackVersion and enforcementLevel ("warning", "mandatory", "remediate" or "none"); `diagnosticEvent`
has urn, message and severity ("info", "info#err", "warning", "error"). The CLI registers `--event-log`
only when PULUMI_DEBUG_COMMANDS is true (pkg/cmd/pulumi/operations/preview.go), as the Automation API
sets it for the same flag.

`budget --stack NAME` prints the stack's `monthlyBudgetUsd` (stack file over the project default), for
`costguard review --budget`.

Deliberately independent of costguard's review: it reads the engine's events, not the preview's steps.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

# Pulumi's colour markup (`<{%fg 1%}>` ... `<{%reset%}>`) and ANSI escapes, whichever the CLI wrote.
_COLOR_TAG = re.compile(r"<\{%[^%]*%\}>")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
LEVEL_ORDER = {"mandatory": 0, "remediate": 1, "warning": 2, "advisory": 2, "none": 3}
MAX_MESSAGE = 600


@dataclass(frozen=True)
class Violation:
    level: str
    pack: str
    policy: str
    resource: str
    message: str


@dataclass(frozen=True)
class Diagnostic:
    resource: str
    message: str


def plain(text: str) -> str:
    return _ANSI.sub("", _COLOR_TAG.sub("", text or "")).strip()


def resource_of(urn: str) -> str:
    """`type name` of a URN (urn:pulumi:stack::project::parent$type::name), or `stack` for none."""
    if not urn:
        return "stack"
    parts = urn.split("::")
    if len(parts) < 4:
        return urn
    return f"{parts[2].split('$')[-1]} {parts[3]}"


def read_events(path: Path) -> list[dict]:
    events = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short when the CLI was killed
        if isinstance(event, dict):
            events.append(event)
    return events


def violations(events: list[dict]) -> list[Violation]:
    found: dict[tuple, Violation] = {}
    for event in events:
        policy = event.get("policyEvent")
        if not isinstance(policy, dict):
            continue
        version = policy.get("policyPackVersion") or policy.get("policyPackVersionTag") or ""
        item = Violation(
            level=policy.get("enforcementLevel") or "advisory",
            pack=f"{policy.get('policyPackName', '?')}@{version}"
            if version
            else policy.get("policyPackName", "?"),
            policy=policy.get("policyName", "?"),
            resource=resource_of(policy.get("resourceUrn", "")),
            message=plain(policy.get("message", "")),
        )
        found.setdefault((item.policy, item.resource, item.message), item)
    return sorted(found.values(), key=lambda v: (LEVEL_ORDER.get(v.level, 9), v.policy, v.resource))


def errors(events: list[dict]) -> list[Diagnostic]:
    found: dict[tuple, Diagnostic] = {}
    for event in events:
        diagnostic = event.get("diagnosticEvent")
        if not isinstance(diagnostic, dict) or diagnostic.get("severity") != "error":
            continue
        item = Diagnostic(resource_of(diagnostic.get("urn", "")), plain(diagnostic.get("message", "")))
        if item.message:
            found.setdefault((item.resource, item.message), item)
    return list(found.values())


def _cell(text: str) -> str:
    text = text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"
    return text.replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def render(events: list[dict] | None, title: str = "Policy violations and errors") -> str:
    """Markdown for the job summary and the pull-request comment."""
    lines = [f"#### {title}", ""]
    if events is None:
        lines.append("No engine event log: the command stopped before the engine ran (see the job log).")
        return "\n".join(lines) + "\n"
    found = violations(events)
    failed = errors(events)
    if not found and not failed:
        lines.append("No policy violations and no errors.")
        return "\n".join(lines) + "\n"
    if found:
        mandatory = sum(1 for v in found if v.level == "mandatory")
        lines.append(f"{len(found)} policy violation(s), {mandatory} mandatory:")
        lines.append("")
        lines.append("| level | policy | resource | message |")
        lines.append("| --- | --- | --- | --- |")
        for v in found:
            policy = f"`{_cell(v.policy)}` ({_cell(v.pack)})"
            lines.append(f"| {v.level} | {policy} | `{_cell(v.resource)}` | {_cell(v.message)} |")
        lines.append("")
    if failed:
        lines.append(f"{len(failed)} error(s):")
        lines.append("")
        for d in failed:
            lines.append(f"- `{_cell(d.resource)}`: {_cell(d.message)}")
        lines.append("")
    return "\n".join(lines) + "\n"


def stack_budget(program_dir: Path, stack: str) -> float:
    """The stack's monthlyBudgetUsd, as the program reads it (Pulumi.<stack>.yaml over Pulumi.yaml)."""
    sys.path.insert(0, str(program_dir))
    from costguard.stackconfig import load_stack_config

    config = load_stack_config(program_dir, stack)
    value = config.config.get(f"{config.project}:monthlyBudgetUsd")
    if value is None:
        raise SystemExit(f"{config.project}:monthlyBudgetUsd is not set for stack {stack}")
    return float(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="preview_events", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    render_cmd = commands.add_parser(
        "render", help="markdown of the policy violations and errors in an event log"
    )
    render_cmd.add_argument("events", type=Path)
    render_cmd.add_argument("--output", type=Path, help="write here instead of stdout")
    render_cmd.add_argument("--title", default="Policy violations and errors")
    budget_cmd = commands.add_parser("budget", help="print the stack's monthlyBudgetUsd")
    budget_cmd.add_argument("--stack", required=True)
    budget_cmd.add_argument("--program", type=Path, default=Path("."))
    args = parser.parse_args(argv)

    if args.command == "budget":
        print(f"{stack_budget(args.program.resolve(), args.stack):g}")
        return 0
    events = read_events(args.events) if args.events.is_file() else None
    text = render(events, args.title)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`python -m costguard`: review a preview's cost, or plan a stack offline.

Exit codes: 0 OK, 1 over budget (or, for plan, a mandatory policy violation), 2 usage error.
Every user mistake is reported as one line on stderr, never as a traceback.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import sys
import traceback
from pathlib import Path

from costguard.analyzer import PolicyPackError
from costguard.output import write_stdout
from costguard.plan import PlanError
from costguard.preview import PreviewError
from costguard.pricing import PricingError, Usage, estimate
from costguard.pricing.values import DECIMAL
from costguard.report import FORMATS, budget_check, render
from costguard.stackconfig import CaptureError

EXIT_OK, EXIT_OVER, EXIT_USAGE = 0, 1, 2


class UsageProblem(Exception):
    """A command-line mistake (argparse); one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line instead of usage + message
        raise UsageProblem(f"{self.prog}: {message} (see --help)")


def _budget(text: str) -> float:
    """--budget: a finite number of USD per month above 0 (a budget of 0 leaves nothing to spend, and
    the policy pack's cost-monthly-budget refuses it, so `plan` and `review` both do)."""
    stripped = text.strip()
    if stripped.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise argparse.ArgumentTypeError(f"--budget wants a finite number of USD per month, got {text}")
    if not DECIMAL.fullmatch(stripped):
        raise argparse.ArgumentTypeError(
            f"--budget wants a number of USD per month, got {text!r}"
            + (f" (write {stripped.replace('_', '')}, without underscores)" if "_" in text else "")
        )
    value = float(stripped)
    if not math.isfinite(value):  # 1e400
        raise argparse.ArgumentTypeError(f"--budget wants a finite number of USD per month, got {text}")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"--budget must be above 0 (USD per month), got {text}")
    return value


def _nonempty(flag: str, what: str):
    """An option whose value may not be empty (`--region ""` would otherwise mean "not given")."""

    def parse(text: str) -> str:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"{flag} wants {what}, got an empty value")
        return text

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="costguard", description="Cost and policy guardrails for Pulumi stacks on AWS.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    review = commands.add_parser(
        "review", help="price a `pulumi preview --json` (or `pulumi stack export`) file"
    )
    review.add_argument(
        "preview", metavar="PREVIEW.json", help="output of `pulumi preview --json` (- for stdin)"
    )
    _common(review)
    review.add_argument(
        "--region",
        type=_nonempty("--region", "a region such as eu-west-1"),
        help="AWS region of the prices (default: aws:region from the preview)",
    )
    review.add_argument(
        "--stack",
        type=_nonempty("--stack", "a stack name"),
        help="stack name for per-stack usage overrides (default: the preview's)",
    )
    review.set_defaults(run=run_review)

    # `plan` is implemented in costguard/plan.py (run_plan(args) -> exit code).
    plan = commands.add_parser(
        "plan", help="plan a stack offline: program under mocks -> policy pack -> cost"
    )
    plan.add_argument(
        "--program",
        default=".",
        metavar="DIR",
        type=_nonempty("--program", "a directory"),
        help="the Pulumi program directory (default .)",
    )
    plan.add_argument(
        "--stack",
        default="dev",
        type=_nonempty("--stack", "a stack name"),
        help="stack name, reads Pulumi.<stack>.yaml (default dev)",
    )
    plan.add_argument(
        "--policy-pack",
        metavar="DIR",
        help="policy pack directory (default: policies/ in the program directory, when it is one; "
        "none: skip policies)",
    )
    _common(plan)
    plan.add_argument(
        "--region",
        type=_nonempty("--region", "a region such as eu-west-1"),
        help="AWS region of the prices (default: the stack's aws:region)",
    )
    plan.set_defaults(run=_run_plan)

    pack_config = commands.add_parser(
        "pack-config",
        help="write a --policy-pack-config file so `pulumi preview --policy-pack` prices like `plan`",
    )
    pack_config.add_argument(
        "--usage", metavar="FILE", help="usage profile YAML (default: usage.yml here, when it exists)"
    )
    pack_config.add_argument("--output", metavar="FILE", help="write the JSON here instead of stdout")
    pack_config.set_defaults(run=_run_pack_config)
    return parser


def _common(command: argparse.ArgumentParser) -> None:
    command.add_argument("--format", choices=FORMATS, default="table", help="report format (default table)")
    command.add_argument(
        "--budget", type=_budget, metavar="USD", help="fail (exit 1) above this monthly cost"
    )
    command.add_argument(
        "--usage",
        metavar="FILE",
        type=_nonempty("--usage", "a file"),
        help="usage profile YAML overriding the documented defaults",
    )
    command.add_argument(
        "--output",
        metavar="FILE",
        type=_nonempty("--output", "a file"),
        help="write the report here instead of stdout",
    )


def run_review(args: argparse.Namespace) -> int:
    # A review builds many small objects that live until it ends: the cyclic GC's passes over that
    # growing heap would make the time grow faster than the number of steps, so pause it meanwhile.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _review(args)
    finally:
        if was_enabled:
            gc.enable()


def _review(args: argparse.Namespace) -> int:
    from costguard import preview

    if args.preview == "-":  # pulumi preview --json | python -m costguard review -
        graph = preview.parse(_read_stdin(), "stdin")
    else:
        graph = preview.load(args.preview)
    if args.stack:
        graph.stack = args.stack
    usage = Usage.load(args.usage)
    cost = estimate(graph, region=args.region, usage=usage)
    write_report(render(cost, args.format, budget=args.budget, title="costguard review"), args.output)
    check = budget_check(cost, args.budget)
    return EXIT_OVER if check is not None and check.over else EXIT_OK


def _read_stdin() -> str:
    from costguard.preview import HINT, PreviewError

    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PreviewError(f"stdin is not UTF-8 text — {HINT}") from None


def write_report(text: str, output: str | None) -> None:
    if output is None:
        write_stdout(text)  # a reader that stops early (| head) is no error: the exit code stands
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as err:
        raise UsageProblem(f"cannot write {output}: {err.strerror}") from None


def _run_plan(args: argparse.Namespace) -> int:
    from costguard.plan import run_plan

    return run_plan(args)


def _run_pack_config(args: argparse.Namespace) -> int:
    from costguard.plan import USAGE_FILE, pack_config

    path = args.usage or (USAGE_FILE if Path(USAGE_FILE).is_file() else None)
    config = pack_config(None, Usage.load(path), None)
    write_report(json.dumps(config, indent=2, sort_keys=True) + "\n", args.output)
    return EXIT_OK


def debug() -> bool:
    return os.environ.get("COSTGUARD_DEBUG", "") not in ("", "0")


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.run(args)
    except (UsageProblem, PreviewError, PricingError, CaptureError, PolicyPackError, PlanError) as err:
        message = " ".join(str(err).split())  # one line, whatever the message held
        print(message if message.startswith("costguard") else f"costguard: {message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("costguard: interrupted", file=sys.stderr)
        return EXIT_USAGE
    except Exception as err:  # noqa: BLE001 - the last resort: one line, never a traceback
        if debug():
            traceback.print_exc()
        detail = " ".join(str(err).split())[:300]
        print(
            f"costguard: internal error: {type(err).__name__}{': ' + detail if detail else ''} "
            "(set COSTGUARD_DEBUG=1 for the traceback; please report it)",
            file=sys.stderr,
        )
        return EXIT_USAGE

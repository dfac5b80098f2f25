"""The offline plan of the dev stack, and what the same API costs built the conventional way."""

import os
import time
from pathlib import Path

from costguard.plan import make_plan

ROOT = Path(__file__).resolve().parent.parent
CONVENTIONAL = Path(__file__).resolve().parent / "programs" / "conventional"
USAGE = ROOT / "usage.yml"  # both layouts are priced with the same usage figures
TARGET_SECONDS = 5.0
TARGET_RATIO = 5.0


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the capture and the policy pack)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run() -> None:
    started, cpu = time.perf_counter(), _cpu()
    ours = make_plan(ROOT, "dev", ROOT / "policies", usage_file=USAGE)
    wall, cpu = time.perf_counter() - started, _cpu() - cpu
    verdict = "OK" if wall <= TARGET_SECONDS else "OVER TARGET"
    print(
        f"   plan of the dev stack: {wall:.2f} s wall, {cpu:.2f} s CPU (with the capture and pack "
        f"processes); target <= {TARGET_SECONDS:g} s wall on 2 cores: {verdict}; "
        f"{len(ours.graph.resources)} resources, {len(ours.violations)} violations"
    )

    # Priced by the same code in the same run, with the same usage file; the policy pack is left
    # out on purpose (it would only reject the conventional layout).
    conventional = make_plan(CONVENTIONAL, "dev", None, usage_file=USAGE)
    a, b = ours.estimate.total_monthly, conventional.estimate.total_monthly
    print(f"   usage figures for both: {USAGE.name}")
    print(f"   dev stack (this layout):                       ${a:8.2f}/month")
    print(f"   conventional (awsx VPC + ALB + on-demand x86): ${b:8.2f}/month")
    if a > 0:
        ratio = b / a
        verdict = "OK" if ratio >= TARGET_RATIO else "UNDER TARGET"
        print(f"   this layout is {ratio:.1f}x cheaper (target >= {TARGET_RATIO:g}x): {verdict}")
    else:
        print("   this layout costs $0")

"""The offline plan of the dev stack, and what the same API costs built the conventional way."""

import time
from pathlib import Path

from costguard.plan import make_plan

ROOT = Path(__file__).resolve().parent.parent
CONVENTIONAL = Path(__file__).resolve().parent / "programs" / "conventional"


def run() -> None:
    started = time.perf_counter()
    ours = make_plan(ROOT, "dev", ROOT / "policies")
    wall = time.perf_counter() - started
    print(
        f"   plan of the dev stack: {wall:.2f} s wall (target <= 5 s on 2 cores), "
        f"{len(ours.graph.resources)} resources, {len(ours.violations)} violations"
    )

    # Priced by the same code in the same run; the policy pack is left out on purpose.
    conventional = make_plan(CONVENTIONAL, "dev", None)
    a, b = ours.estimate.total_monthly, conventional.estimate.total_monthly
    print(f"   dev stack (this layout):                       ${a:8.2f}/month")
    print(f"   conventional (awsx VPC + ALB + on-demand x86): ${b:8.2f}/month")
    print(f"   this layout is {b / a:.1f}x cheaper (target >= 5x)" if a > 0 else "   this layout costs $0")

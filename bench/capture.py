"""Capture of this project's dev stack under mocks (target <= 3 s wall on 2 cores)."""

import statistics
import time
from pathlib import Path

from costguard.capture import CaptureError, capture

TARGET_S = 3.0


def run() -> None:
    if not Path("Pulumi.yaml").is_file():
        print(
            "   capture: skipped: no Pulumi.yaml in the current directory (the stack program is not here yet)"
        )
        return
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        try:
            graph = capture(Path("."), "dev")
        except CaptureError as exc:
            print(f"   capture: failed: {exc}")
            return
        timings.append(time.perf_counter() - started)
    synthesized = sum(r.synthesized for r in graph.resources)
    median = statistics.median(timings)
    verdict = "ok" if median <= TARGET_S else "OVER TARGET"
    print(
        f"   capture dev stack: {len(graph.resources)} resources ({synthesized} synthesized), "
        f"wall median {median:.2f} s of {len(timings)} runs "
        f"(first {timings[0]:.2f} s, best {min(timings):.2f} s) - target <= {TARGET_S:g} s: {verdict}"
    )

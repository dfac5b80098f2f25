"""costguard review: time to read, price and render synthetic previews of 1,000 / 5,000 / 10,000 steps."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from costguard.cli import main

TEMPLATE = (
    Path(__file__).resolve().parent.parent
    / "tests"
    / "fixtures"
    / "pulumi-preview"
    / "heatmap-dev-synthetic.json"
)
SIZES = (1_000, 5_000, 10_000)
TARGET_SECONDS = 2.0


def synthetic_preview(steps: int) -> dict:
    """`steps` steps made of copies of the dev-stack-like template, each copy with its own URNs and names."""
    template = json.loads(TEMPLATE.read_text())
    text = json.dumps(template["steps"])
    out: list[dict] = []
    copy = 0
    while len(out) < steps:
        # Suffix every URN name, resource name and ARN-ish id so copies do not match each other.
        renamed = text.replace("::api", f"::c{copy}-api").replace("::net", f"::c{copy}-net")
        renamed = renamed.replace("::gateway", f"::c{copy}-gateway").replace(
            "api-cluster-3f2a1b0", f"c{copy}-cluster"
        )
        renamed = renamed.replace("api-svc-9c1d2e3", f"c{copy}-svc").replace("srv-1", f"srv-{copy}")
        renamed = renamed.replace("task-definition/api-task", f"task-definition/c{copy}-task")
        renamed = renamed.replace('"family": "api-task"', f'"family": "c{copy}-task"')
        for step in json.loads(renamed):
            if step["urn"].endswith("pulumi:pulumi:Stack::safety-heatmap-dev") and out:
                continue  # one stack resource only
            out.append(step)
        copy += 1
    return {"config": template["config"], "steps": out[:steps], "duration": 0, "changeSummary": {}}


def time_review(path: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one `costguard review`; CPU time is less disturbed by a busy machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    code = main(["review", path, "--format", "json", "--output", os.devnull])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if code not in (0, 1):
        raise SystemExit(f"review failed with exit code {code}")
    return wall, cpu


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for size in SIZES:
            path = os.path.join(tmp, f"preview-{size}.json")
            Path(path).write_text(json.dumps(synthetic_preview(size)))
            runs = [time_review(path) for _ in range(5)]
            wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)  # best of 5
            rows.append((size, wall, cpu))
            print(
                f"   review {size:>6,} steps: {wall:6.3f} s wall, {cpu:6.3f} s CPU"
                f"  ({cpu / size * 1e6:6.1f} us CPU/step)",
                flush=True,
            )
    (small, _, small_cpu), (size, wall, cpu) = rows[0], rows[-1]
    verdict = "OK" if wall <= TARGET_SECONDS else "OVER TARGET"
    growth = (cpu / size) / (small_cpu / small)
    print(
        f"   target <= {TARGET_SECONDS:.1f} s at {size:,} steps: {verdict} ({wall:.3f} s); "
        f"CPU per step at {size:,} / at {small:,} steps = {growth:.2f} (1.0 = linear)"
    )

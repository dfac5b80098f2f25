"""Safety Heatmap API: heatmap/get server time over 5,000 cells, and the app's resident memory."""

from __future__ import annotations

import logging
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import boto3
import httpx
from moto.server import ThreadedMotoServer

from app import keys
from bench._city import EAST, NORTH, SOUTH, VIEW, WEST, city_cells

ROOT = Path(__file__).resolve().parent.parent
HEATMAP = "/api/safetyheatmap/heatmap/get"
REPORT = "/api/safetyheatmap/report/add"
MOTO_HEATMAPS = 5  # moto takes ~2 s to answer the Queries of one city viewport; DynamoDB takes milliseconds
MEMORY_HEATMAPS = 300
TOTAL_REQUESTS = 1_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _timed_heatmaps(http: httpx.Client, count: int) -> tuple[list[float], list[float], int]:
    """Server-side (store, processing) milliseconds per request, from the Server-Timing header."""
    store_ms, app_ms, points = [], [], 0
    for _ in range(count):
        response = http.post(HEATMAP, json=VIEW)
        response.raise_for_status()
        points = len(response.json()["points"])
        parts = dict(p.strip().split(";dur=") for p in response.headers["server-timing"].split(","))
        store_ms.append(float(parts["store"]))
        app_ms.append(float(parts["app"]))
    return store_ms, app_ms, points


def _reports(http: httpx.Client, count: int) -> None:
    rng = random.Random(1)
    for _ in range(count):
        body = {"lat": rng.uniform(SOUTH, NORTH), "lng": rng.uniform(WEST, EAST)}
        http.post(REPORT, json=body).raise_for_status()


class _Server:
    """An app subprocess on 127.0.0.1, stopped with SIGTERM like ECS stops a task."""

    def __init__(self, command: list[str], env: dict[str, str], port: int):
        self.process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
        self.http = httpx.Client(
            base_url=f"http://127.0.0.1:{port}", timeout=60, headers={"accept-encoding": "gzip"}
        )

    def __enter__(self) -> _Server:
        deadline = time.monotonic() + 30
        while True:
            try:
                if self.http.get("/health").status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("the app did not start")
            time.sleep(0.05)

    def __exit__(self, *exc) -> None:
        self.http.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def rss_mb(self) -> float:
        return _rss_mb(self.process.pid)


def _load_table(client, table: str) -> None:
    items = [
        {
            keys.PK: {"S": keys.partition_key(len(cell.cell), keys.prefix_of(cell.cell))},
            keys.SK: {"S": cell.cell},
            keys.REPORTS: {"N": str(cell.reports)},
            keys.LAST_REPORT_AT: {"N": str(cell.last_report_at)},
            keys.EXPIRES_AT: {"N": str(cell.last_report_at + keys.TTL_SECONDS)},
        }
        for cell in city_cells()
    ]
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        client.batch_write_item(RequestItems={table: batch})


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "AWS_SESSION_TOKEN")}
    return env | {
        "PYTHONPATH": str(ROOT),
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "LOG_LEVEL": "WARNING",
    }


def _on_moto() -> None:
    """The container's command over DynamoDB (moto): the store's share of a request, and memory at
    start and after 1,000 requests (as for the in-memory store, but with boto3 doing the calls)."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-call access lines
    moto_port, api_port, table = _free_port(), _free_port(), "bench-heatmap"
    endpoint = f"http://127.0.0.1:{moto_port}"
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    try:
        client = boto3.client(
            "dynamodb",
            region_name="us-east-1",
            endpoint_url=endpoint,
            aws_access_key_id="b",
            aws_secret_access_key="b",
        )
        keys.create_table(client, table)
        _load_table(client, table)
        env = _base_env() | {"HOST": "127.0.0.1", "PORT": str(api_port), "TABLE_NAME": table}
        env["DYNAMODB_ENDPOINT"] = endpoint
        with _Server([sys.executable, "-m", "app"], env, api_port) as server:
            rss_start = server.rss_mb()
            store_ms, app_ms, points = _timed_heatmaps(server.http, MOTO_HEATMAPS)
            # The rest of the 1,000 as reports (three UpdateItems each), so the memory figure is
            # the container command's on the real store client, not the in-memory store's.
            _reports(server.http, TOTAL_REQUESTS - MOTO_HEATMAPS)
            rss_end = server.rss_mb()
    finally:
        moto.stop()
    print(f"   on moto (python -m app): {points} points; {MOTO_HEATMAPS} heatmap requests (gzip)")
    print(
        f"      store (moto + botocore parsing) p50 {statistics.median(store_ms):7.1f} ms; "
        f"processing p50 {statistics.median(app_ms):5.1f} ms"
    )
    print(
        f"      RSS after start {rss_start:.0f} MB, after {TOTAL_REQUESTS} requests "
        f"({MOTO_HEATMAPS} heatmaps, {TOTAL_REQUESTS - MOTO_HEATMAPS} reports) {rss_end:.0f} MB"
        "   (target <= 150 MB)"
    )


def _on_memory() -> None:
    """The same app over an in-memory store: processing time alone, and memory over 1,000 requests."""
    port = _free_port()
    with _Server([sys.executable, "-m", "bench._memory_app", str(port)], _base_env(), port) as server:
        rss_start = server.rss_mb()
        store_ms, app_ms, points = _timed_heatmaps(server.http, MEMORY_HEATMAPS)
        _reports(server.http, TOTAL_REQUESTS - MEMORY_HEATMAPS)
        rss_end = server.rss_mb()
    print(f"   in-memory store: {points} points; {MEMORY_HEATMAPS} heatmap requests (gzip)")
    print(
        f"      processing (excl. store) p50 {statistics.median(app_ms):5.1f} ms  "
        f"p99 {_percentile(app_ms, 0.99):5.1f} ms   (target p99 <= 50 ms)"
    )
    print(f"      store (in-memory)        p50 {statistics.median(store_ms):5.1f} ms")
    print(
        f"      RSS after start {rss_start:.0f} MB, after {TOTAL_REQUESTS} requests {rss_end:.0f} MB"
        "   (target <= 150 MB)"
    )


def run() -> None:
    _on_memory()
    _on_moto()


if __name__ == "__main__":
    run()

"""GET /live, the container health check: up whenever the process serves HTTP, whatever DynamoDB does.
GET /health stays the deep check (tests in test_app_runtime)."""

import asyncio
import json
import re
import subprocess
import sys
import threading
import time

import httpx
import pytest
from conftest import ROOT
from heatmap_testkit import free_port

from app.deps import get_store


class CountingStore:
    """Unreachable, and counts the calls made to it; `block` makes each call wait first."""

    def __init__(self, block: threading.Event | None = None):
        self.calls = 0
        self.block = block

    def ping(self):
        self.calls += 1
        if self.block is not None:
            self.block.wait(10)
        return False


def test_live_answers_without_calling_the_store(client, api):
    store = CountingStore()
    api.app.dependency_overrides[get_store] = lambda: store
    assert client.get("/health").status_code == 503  # the deep check sees the outage
    response = client.get("/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert store.calls == 1  # /health's ping only


def test_live_answers_while_every_worker_thread_waits_on_the_store(api):
    # A DynamoDB that hangs: /health requests fill the thread pool (40 threads) and wait.
    release = threading.Event()
    store = CountingStore(release)
    api.app.dependency_overrides[get_store] = lambda: store

    async def scenario():
        async with httpx.AsyncClient(base_url=api.url, timeout=30) as http:
            stuck = [asyncio.ensure_future(http.get("/health")) for _ in range(60)]
            deadline = time.monotonic() + 10
            while store.calls < 40 and time.monotonic() < deadline:  # anyio's default: 40 threads
                await asyncio.sleep(0.05)
            assert store.calls >= 40, store.calls
            started = time.monotonic()
            live = await http.get("/live")
            elapsed = time.monotonic() - started
            release.set()
            await asyncio.gather(*stuck)
            return live, elapsed

    try:
        live, elapsed = asyncio.run(scenario())
    finally:
        release.set()
    assert live.status_code == 200 and elapsed < 1


def dockerfile_probe() -> str:
    """The Python code of the Dockerfile's HEALTHCHECK."""
    text = (ROOT / "Dockerfile").read_text()
    match = re.search(r"^HEALTHCHECK .*?\\\n\s*CMD (\[.*\])$", text, re.MULTILINE)
    command = json.loads(match.group(1))
    assert command[:2] == ["python", "-c"]
    return command[2]


@pytest.mark.parametrize("table_reachable", [True, False])
def test_the_dockerfile_health_check_passes_whether_or_not_dynamodb_answers(client, api, table_reachable):
    if not table_reachable:
        api.use_table("no-such-table")
        assert client.get("/health").status_code == 503
    port = api.url.rsplit(":", 1)[1]
    probe = dockerfile_probe().replace("127.0.0.1:8080", f"127.0.0.1:{port}")
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=30).returncode == 0


def test_the_dockerfile_health_check_fails_when_nothing_serves():
    probe = dockerfile_probe().replace("127.0.0.1:8080", f"127.0.0.1:{free_port()}")
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=30).returncode != 0


def test_live_is_documented(client):
    operation = client.get("/openapi.json").json()["paths"]["/live"]["get"]
    assert "DynamoDB" in operation["description"]

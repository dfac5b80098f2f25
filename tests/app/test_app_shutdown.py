"""SIGTERM on real server processes: the request in flight completes, the process exits 0."""

import os
import pathlib
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest
from heatmap_testkit import free_port, new_table

from app.heatmap import cells_of_report
from app.store import DynamoCellStore

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parent.parent


def wait_until(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def server_env(dynamodb, moto_endpoint):
    table = new_table(dynamodb)
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "AWS_SESSION_TOKEN")}
    env |= {
        "PYTHONPATH": str(ROOT),
        "TABLE_NAME": table,
        "DYNAMODB_ENDPOINT": moto_endpoint,
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
    }
    return env


class Process:
    def __init__(self, command, env, port):
        self.url = f"http://127.0.0.1:{port}"
        pipe = subprocess.PIPE
        self.popen = subprocess.Popen(command, env=env, stdout=pipe, stderr=pipe, text=True)

    def __enter__(self):
        def healthy():
            try:
                return httpx.get(f"{self.url}/health", timeout=1).status_code == 200
            except httpx.TransportError:
                assert self.popen.poll() is None, self.popen.communicate()
                return False

        wait_until(healthy, 30, "the server to start")
        return self

    def __exit__(self, *exc):
        if self.popen.poll() is None:
            self.popen.kill()
        _, self.stderr = self.popen.communicate(timeout=10)


def test_sigterm_finishes_the_request_in_flight_and_exits_0(server_env, dynamodb, tmp_path):
    port, marker = free_port(), tmp_path / "in-store"
    command = [sys.executable, str(HERE / "slow_server.py"), str(port), "2", str(marker)]
    with Process(command, server_env, port) as server:
        result = {}

        def report():
            url, body = f"{server.url}/api/safetyheatmap/report/add", {"lat": 52.4042, "lng": -2.7013}
            result["response"] = httpx.post(url, json=body, timeout=30)

        in_flight = threading.Thread(target=report)
        in_flight.start()
        wait_until(marker.exists, 10, "the report to reach the store")
        server.popen.send_signal(signal.SIGTERM)

        def refusing():
            try:
                httpx.get(f"{server.url}/health", timeout=0.5)
                return False
            except httpx.ConnectError:
                return True

        wait_until(refusing, 1.5, "the server to stop accepting connections")
        assert in_flight.is_alive(), "the slow request should still be running"

        in_flight.join(timeout=20)
        assert result["response"].status_code == 201
        assert server.popen.wait(timeout=20) == 0

    finest = cells_of_report(52.4042, -2.7013)[0]
    (cell,) = DynamoCellStore(dynamodb, server_env["TABLE_NAME"]).cells_between(8, finest[:5], finest, finest)
    assert cell.reports == 1
    # The JSON request log is there; uvicorn's access log, which prints the client's address, is not.
    assert '"route": "/api/safetyheatmap/report/add", "status": 201' in server.stderr
    assert "HTTP/1.1" not in server.stderr


def test_the_container_command_exits_0_on_sigterm(server_env):
    port = free_port()
    env = server_env | {"HOST": "127.0.0.1", "PORT": str(port)}
    with Process([sys.executable, "-m", "app"], env, port) as server:
        server.popen.send_signal(signal.SIGTERM)
        assert server.popen.wait(timeout=20) == 0
    assert "Finished server process" in server.stderr

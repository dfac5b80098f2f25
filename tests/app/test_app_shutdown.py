"""SIGTERM on real server processes: the request in flight completes, the process exits 0."""

import pathlib
import signal
import sys
import threading

import httpx
from heatmap_testkit import Process, free_port, wait_until

from app.heatmap import cells_of_report
from app.store import DynamoCellStore

HERE = pathlib.Path(__file__).parent


def test_sigterm_finishes_the_request_in_flight_and_exits_0(server_env, dynamodb, tmp_path):
    port, marker = free_port(), tmp_path / "in-store"
    # The store call takes 5 s: room for a loaded CI machine to stop accepting before the request ends.
    command = [sys.executable, str(HERE / "slow_server.py"), str(port), "5", str(marker)]
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

        wait_until(refusing, 4, "the server to stop accepting connections")
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

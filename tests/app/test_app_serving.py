"""How uvicorn serves the app: keep-alive connections, and requests whose body never completes."""

import json
import pathlib
import signal
import sys
import time

import pytest
from heatmap_testkit import Process, RawHttp, ServerThread, free_port, new_table, request_bytes, wait_until

from app.config import Settings
from app.main import create_app
from app.serve import KEEP_ALIVE_SECONDS, server
from app.store import DynamoCellStore

HERE = pathlib.Path(__file__).parent
REPORT = "/api/safetyheatmap/report/add"
BODY = b'{"lat": 52.4042, "lng": -2.7013, "note": "........................"}'
BODY_TIMEOUT = 1.5

UVICORN_DEFAULT_KEEP_ALIVE = 5
# VPC links run on AWS Hyperplane, whose NLB/NAT/endpoint flows have a fixed 350 s idle timeout.
PROXY_IDLE_TIMEOUT = 350


def test_keep_alive_outlasts_the_proxys_idle_timeout():
    # The proxy in front must close an idle connection before the app does (app/serve.py).
    assert KEEP_ALIVE_SECONDS > PROXY_IDLE_TIMEOUT
    assert server(object(), "127.0.0.1", 1).config.timeout_keep_alive == KEEP_ALIVE_SECONDS


def test_an_idle_keep_alive_connection_is_still_open_after_uvicorns_default(live_server):
    # With uvicorn's 5 s default, the server closes this connection while the client (a proxy
    # reusing its pool) may be sending on it: the connection resets of the concurrent-report test.
    with RawHttp(live_server.url) as http:
        http.send(request_bytes("GET", "/health"))
        assert http.response()[0] == 200
        time.sleep(UVICORN_DEFAULT_KEEP_ALIVE + 1)
        assert not http.closed_by_server()
        http.send(request_bytes("GET", "/health"))
        assert http.response()[0] == 200


@pytest.fixture
def quick_timeout_api(dynamodb):
    table = new_table(dynamodb)
    settings = Settings(table_name=table, body_timeout_seconds=BODY_TIMEOUT)
    with ServerThread(create_app(settings, DynamoCellStore(dynamodb, table))) as url:
        yield url


def timed_out(status, headers, body) -> None:
    assert status == 408
    assert headers["content-type"] == "application/json" and headers["connection"] == "close"
    assert json.loads(body) == {
        "detail": [
            {
                "loc": ["body"],
                "field": "body",
                "msg": f"the request body did not arrive within {BODY_TIMEOUT:g} seconds",
                "type": "body_timeout",
            }
        ]
    }


def test_a_body_that_stops_half_way_is_a_json_408(quick_timeout_api):
    with RawHttp(quick_timeout_api) as http:
        started = time.monotonic()
        http.send(request_bytes("POST", REPORT, BODY, {"Content-Type": "application/json"})[:-10])
        timed_out(*http.response())
        assert BODY_TIMEOUT <= time.monotonic() - started < BODY_TIMEOUT + 2
        wait_until(http.closed_by_server, 2, "the server to close the connection")


def test_a_trickled_body_cannot_extend_the_deadline(quick_timeout_api):
    request = request_bytes("POST", REPORT, BODY, {"Content-Type": "application/json"})
    head, body = request[: -len(BODY)], request[-len(BODY) :]
    with RawHttp(quick_timeout_api) as http:
        started = time.monotonic()
        http.send(head)
        for byte in body[:-1]:  # one byte every 0.1 s: ~7 s for the body, and never its last byte
            if http.readable(0.1):  # the server has answered: stop sending into a closing socket
                break
            http.send(bytes([byte]))
        timed_out(*http.response())
        assert time.monotonic() - started < BODY_TIMEOUT + 2


def test_a_body_that_arrives_in_pieces_in_time_is_served(quick_timeout_api):
    request = request_bytes("POST", REPORT, BODY, {"Content-Type": "application/json"})
    with RawHttp(quick_timeout_api) as http:
        http.send(request[:-10])
        time.sleep(BODY_TIMEOUT / 2)
        http.send(request[-10:])
        assert http.response()[0] == 201


def test_sigterm_with_a_client_stuck_mid_body_ends_in_a_408_and_exit_0(server_env, tmp_path):
    port = free_port()
    command = [sys.executable, str(HERE / "slow_server.py"), str(port), "0", str(tmp_path / "m"), "2"]
    with Process(command, server_env, port) as server, RawHttp(server.url) as http:
        http.send(request_bytes("POST", REPORT, BODY, {"Content-Type": "application/json"})[:-10])
        time.sleep(0.3)  # the request is in (uvicorn has its head), its body is not complete
        server.popen.send_signal(signal.SIGTERM)
        stopping = time.monotonic()
        status, headers, body = http.response()
        assert status == 408 and headers["content-type"] == "application/json"
        assert server.popen.wait(timeout=20) == 0
        # The body timeout (2 s here, 10 s by default), not uvicorn's 30 s graceful-shutdown cap.
        assert time.monotonic() - stopping < 6
    lines = [json.loads(line) for line in server.stderr.splitlines()]  # every line is JSON
    assert [line["status"] for line in lines if line["logger"] == "app.request"] == [200, 408]
    assert not [line for line in lines if line["level"] == "ERROR"]
    assert "Traceback" not in server.stderr

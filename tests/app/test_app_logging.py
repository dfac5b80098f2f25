"""Every log line is JSON, uvicorn's included, at the LOG_LEVEL the app is given; none carries a
client address, coordinates or a body."""

import json
import logging
import signal
import socket
import sys

import httpx
import pytest
from heatmap_testkit import Process, free_port

from app.config import ConfigError, Settings
from app.logs import JsonFormatter, configure

REPORT = "/api/safetyheatmap/report/add"


def json_lines(stderr: str) -> list[dict]:
    lines = stderr.splitlines()
    assert lines, "the server logged nothing"
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            raise AssertionError(f"not a JSON line: {line!r}\n--- stderr ---\n{stderr}") from None
    for record in parsed:
        assert {"time", "level", "logger", "message"} <= set(record), record
    return parsed


def exercise(url: str) -> int:
    """A report, a bad report, a request uvicorn cannot parse; returns the client's source port."""
    with httpx.Client(base_url=url, timeout=10) as http:
        assert http.post(REPORT, json={"lat": 52.4042, "lng": -2.7013}).status_code == 201
        assert http.post(REPORT, json={"lat": 91.2345, "lng": -2.7013}).status_code == 422
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 400")
        return sock.getsockname()[1]


def run_container_command(env, log_level: str | None) -> tuple[list[dict], int]:
    port = free_port()
    env = env | {"HOST": "127.0.0.1", "PORT": str(port)}
    if log_level is not None:
        env["LOG_LEVEL"] = log_level
    with Process([sys.executable, "-m", "app"], env, port) as server:
        client_port = exercise(server.url)
        server.popen.send_signal(signal.SIGTERM)
        assert server.popen.wait(timeout=20) == 0
    return json_lines(server.stderr), client_port


def test_every_line_of_the_container_command_is_json(server_env):
    records, client_port = run_container_command(server_env, None)
    messages = [r["message"] for r in records]
    for expected in ("Started server process", "Application startup complete.", "Uvicorn running on"):
        assert any(m.startswith(expected) for m in messages), (expected, messages)
    assert any(m.startswith("Finished server process") for m in messages), messages
    (invalid,) = [r for r in records if r["message"] == "Invalid HTTP request received."]
    assert (invalid["level"], invalid["logger"]) == ("WARNING", "uvicorn.error")
    assert [r["status"] for r in records if r["logger"] == "app.request"] == [200, 201, 422]
    text = json.dumps(records)
    assert "color_message" not in text and "Traceback" not in text
    # Neither the client's address (uvicorn writes it as host:port) nor the reported values.
    for secret in (f":{client_port}", str(client_port), "52.4042", "91.2345", "2.7013"):
        assert secret not in text


def test_log_level_reaches_uvicorn(server_env):
    records, _ = run_container_command(server_env, "WARNING")
    # uvicorn's INFO lines (startup, shutdown) and the INFO request lines are gone; its warning stays.
    assert [(r["logger"], r["message"]) for r in records] == [
        ("uvicorn.error", "Invalid HTTP request received.")
    ]


def test_an_exception_is_logged_as_its_class_and_frames_never_its_message():
    def fail():
        raise ValueError("point out of range: lat 91.2345, lng -2.7013")

    try:
        fail()
    except ValueError:
        record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    record.color_message = "\x1b[31mboom\x1b[0m"
    line = json.loads(JsonFormatter().format(record))
    assert line["error"] == "ValueError"
    assert line["frames"][-1].endswith(" fail") and line["frames"][-1].startswith("app/test_app_logging.py:")
    assert "91.2345" not in json.dumps(line) and "color_message" not in line


def test_configure_routes_every_logger_through_one_json_handler():
    configure("INFO")
    configure("DEBUG")  # a second app in the process replaces the handler, never adds one
    root = logging.getLogger()
    assert len([h for h in root.handlers if isinstance(h.formatter, JsonFormatter)]) == 1
    assert root.level == logging.WARNING  # libraries (botocore at DEBUG logs request parameters)
    assert logging.getLogger("app").level == logging.DEBUG
    assert logging.getLogger("uvicorn").propagate and logging.getLogger("app").propagate
    configure("INFO")


def test_trace_is_not_a_log_level_the_app_takes():
    import uvicorn  # noqa: F401  (it registers TRACE with logging; at TRACE it logs client addresses)

    assert "TRACE" in logging.getLevelNamesMapping()
    with pytest.raises(ConfigError, match="LOG_LEVEL='TRACE' is not a log level"):
        Settings.from_env({"LOG_LEVEL": "trace"})

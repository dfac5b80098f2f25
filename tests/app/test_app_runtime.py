"""Runtime behaviour: compression, caching, CORS, health, config, and the JSON request log."""

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from heatmap_testkit import ServerThread

from app import geohash
from app.config import ConfigError, Settings
from app.deps import get_store
from app.logs import JsonFormatter
from app.main import create_app
from app.store import DynamoCellStore

REPORT = "/api/safetyheatmap/report/add"
HEATMAP = "/api/safetyheatmap/heatmap/get"
VIEW = {
    "size": "M",
    "range": {"topleft": {"lat": 52.45, "lng": -2.75}, "bottomright": {"lat": 52.40, "lng": -2.65}},
}


def test_heatmap_is_gzipped_when_accepted_and_cacheable(client, api):
    api.put_cells({geohash.encode(52.41 + i * 0.0015, -2.7, 7) for i in range(20)})
    zipped = client.post(HEATMAP, json=VIEW, headers={"accept-encoding": "gzip"})
    assert zipped.status_code == 200 and len(zipped.json()["points"]) == 20
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["cache-control"] == "public, max-age=30"
    plain = client.post(HEATMAP, json=VIEW, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers

    # `age` is "now - last report" in whole seconds, and the two requests may fall in different
    # seconds: the same points, each age within 1 s of the other response's.
    def without_age(body):
        return sorted(
            (json.dumps({k: v for k, v in p.items() if k != "age"}), p["age"]) for p in body["points"]
        )

    plain_points, zipped_points = without_age(plain.json()), without_age(zipped.json())
    assert [p for p, _ in plain_points] == [p for p, _ in zipped_points]
    assert all(
        0 <= plain_age - zipped_age <= 1
        for (_, plain_age), (_, zipped_age) in zip(plain_points, zipped_points, strict=True)
    )
    assert {k: v for k, v in plain.json().items() if k != "points"} == {
        k: v for k, v in zipped.json().items() if k != "points"
    }


def test_server_timing_reports_store_and_processing_apart(client):
    timing = client.post(HEATMAP, json=VIEW).headers["server-timing"]
    store, processing = (part.strip() for part in timing.split(","))
    assert store.startswith("store;dur=") and float(store.split("=")[1]) > 0
    assert processing.startswith("app;dur=") and float(processing.split("=")[1]) > 0


def test_reports_are_not_cacheable(client):
    assert "cache-control" not in client.post(REPORT, json={"lat": 1.0, "lng": 1.0}).headers


def test_health_reports_the_table_and_its_round_trip(client, api):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"status", "table", "store_ms"}
    assert (body["status"], body["table"]) == ("ok", "reachable")
    assert isinstance(body["store_ms"], float) and 0 < body["store_ms"] < 5000
    api.use_table("no-such-table")
    response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["table"]) == ("degraded", "unreachable") and body["store_ms"] > 0


class SlowPing:
    """A store whose one call takes a known time: /health must report that time, not its own."""

    def __init__(self, seconds: float, answers: bool):
        self.seconds, self.answers, self.pings = seconds, answers, 0

    def ping(self) -> bool:
        self.pings += 1
        time.sleep(self.seconds)
        return self.answers


@pytest.mark.parametrize(("answers", "code"), [(True, 200), (False, 503)])
def test_health_store_ms_is_the_store_call_in_milliseconds(client, api, answers, code):
    slow = SlowPing(0.25, answers)
    api.app.dependency_overrides[get_store] = lambda: slow
    response = client.get("/health")
    assert response.status_code == code and slow.pings == 1  # one call: health stays cheap
    store_ms = response.json()["store_ms"]
    assert 250 <= store_ms < 1250
    # The same figure as Server-Timing's store part (both rounded to 0.01 ms).
    server_store = float(response.headers["server-timing"].split(",")[0].split("=")[1])
    assert abs(server_store - store_ms) < 0.011


def test_store_failure_is_a_503_not_a_500(client, api):
    api.use_table("no-such-table")
    for response in (client.post(REPORT, json={"lat": 1.0, "lng": 1.0}), client.post(HEATMAP, json=VIEW)):
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert response.json() == {"detail": "storage unavailable, retry later"}


def test_cors_allows_only_the_configured_origins(dynamodb, live_server):
    settings = Settings(table_name=live_server.table, cors_origins=("https://map.example.org",))
    app = create_app(settings, store=DynamoCellStore(dynamodb, live_server.table))
    preflight = {"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
    with ServerThread(app) as url, httpx.Client(base_url=url) as http:
        allowed = http.options(REPORT, headers={"origin": "https://map.example.org", **preflight})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://map.example.org"
        other = http.options(REPORT, headers={"origin": "https://evil.example.com", **preflight})
        assert "access-control-allow-origin" not in other.headers
    # The shared app has no CORS_ORIGINS: no CORS headers at all.
    with httpx.Client(base_url=live_server.url) as http:
        response = http.post(HEATMAP, json=VIEW, headers={"origin": "https://map.example.org"})
        assert "access-control-allow-origin" not in response.headers


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines = []

    def emit(self, record):
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def request_log():
    handler = Lines()
    logger = logging.getLogger("app.request")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def test_one_json_line_per_request_without_coordinates_or_addresses(client, request_log):
    client.post(REPORT, json={"lat": 52.4042, "lng": -2.7013})
    client.post(HEATMAP, json={"size": "Q"})
    client.get("/no/such/path?lat=52.4042")
    deadline = time.monotonic() + 5
    while len(request_log) < 3 and time.monotonic() < deadline:  # logged just after the response is sent
        time.sleep(0.01)
    assert [(r["method"], r["route"], r["status"]) for r in request_log] == [
        ("POST", "/api/safetyheatmap/report/add", 201),
        ("POST", "/api/safetyheatmap/heatmap/get", 422),
        ("GET", None, 404),
    ]
    assert all(r["duration_ms"] >= 0 and r["level"] == "INFO" for r in request_log)
    text = json.dumps(request_log)
    for secret in ("52.4042", "2.7013", "127.0.0.1", "no/such"):
        assert secret not in text


def test_uvicorn_access_log_is_off():
    # uvicorn's own access log prints the client's address.
    assert logging.getLogger("uvicorn.access").disabled


def test_settings_from_the_environment():
    assert Settings.from_env({}) == Settings()
    assert Settings().table_name == "safety-heatmap"
    settings = Settings.from_env(
        {
            "TABLE_NAME": "t1",
            "AWS_REGION": "eu-west-1",
            "DYNAMODB_ENDPOINT": "http://127.0.0.1:5000",
            "LOG_LEVEL": "debug",
            "CORS_ORIGINS": "https://a.example.org, https://b.example.org,",
        }
    )
    assert settings == Settings(
        table_name="t1",
        region="eu-west-1",
        dynamodb_endpoint="http://127.0.0.1:5000",
        log_level="DEBUG",
        cors_origins=("https://a.example.org", "https://b.example.org"),
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL='LOUD' is not a log level"),
        ({"CORS_ORIGINS": "example.org"}, "CORS_ORIGINS entry 'example.org' is not an origin"),
        ({"DYNAMODB_ENDPOINT": "localhost:5000"}, "DYNAMODB_ENDPOINT='localhost:5000' is not a URL"),
    ],
)
def test_bad_settings_name_the_variable(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


def _import_main(extra_env):
    names = ("TABLE_NAME", "AWS_REGION", "DYNAMODB_ENDPOINT", "LOG_LEVEL", "CORS_ORIGINS")
    env = {k: v for k, v in os.environ.items() if k not in names} | extra_env
    code = "import app.main; print(app.main.app.state.settings.table_name)"
    root = Path(__file__).resolve().parent.parent.parent
    command = [sys.executable, "-c", code]
    return subprocess.run(command, env=env, cwd=root, capture_output=True, text=True, timeout=60)


def test_app_imports_with_no_environment():
    result = _import_main({})
    assert result.returncode == 0 and result.stdout.strip() == "safety-heatmap"


def test_bad_environment_stops_with_one_line():
    result = _import_main({"LOG_LEVEL": "loud"})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "configuration error: LOG_LEVEL='LOUD' is not a log level; use DEBUG, INFO, WARNING or ERROR"
    ]

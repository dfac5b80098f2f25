"""Error responses: one shape for input errors, CORS headers on every error, a JSON 500."""

import logging
import time

import httpx
import pytest
from heatmap_testkit import RawHttp, ServerThread, new_table, request_bytes

from app.config import Settings
from app.deps import get_store
from app.main import create_app
from app.store import DynamoCellStore, StoreUnavailable

REPORT = "/api/safetyheatmap/report/add"
HEATMAP = "/api/safetyheatmap/heatmap/get"
ORIGIN = "https://map.example.org"
REPORT_BODY = b'{"lat": 52.4042, "lng": -2.7013}'
JSON = {"content-type": "application/json"}
HEATMAP_BODY = (
    b'{"size": "S", "range": {"topleft": {"lat": 52.405, "lng": -2.702},'
    b' "bottomright": {"lat": 52.403, "lng": -2.7}}}'
)


class Broken:
    """A store with a bug: every call raises an exception whose message holds the coordinates."""

    def add_report(self, cells, now):
        raise RuntimeError("bug at lat 52.4042 lng -2.7013")

    def cells_between(self, precision, prefix, low, high):
        raise RuntimeError("bug at lat 52.4042 lng -2.7013")

    def ping(self):
        raise RuntimeError("bug")


@pytest.fixture
def cors_api(dynamodb):
    table = new_table(dynamodb)
    settings = Settings(table_name=table, cors_origins=(ORIGIN,), body_timeout_seconds=1)
    app = create_app(settings, DynamoCellStore(dynamodb, table))
    with ServerThread(app) as url, httpx.Client(base_url=url, headers={"origin": ORIGIN}, timeout=10) as http:
        yield app, http


def chunked_over_the_limit():
    yield b'{"lat": 1, "lng": 1, "padding": "'
    for _ in range(5):
        yield b"x" * 1000
    yield b'"}'


def test_every_error_carries_the_cors_headers(cors_api):
    app, http = cors_api
    responses = {
        "413 declared": http.post(REPORT, content=b"{" + b" " * 5000 + b"}", headers=JSON),
        "413 chunked": http.post(REPORT, content=chunked_over_the_limit(), headers=JSON),
        "415": http.post(REPORT, content=REPORT_BODY, headers={"content-type": "text/plain"}),
        "422": http.post(REPORT, content=b"{", headers=JSON),
        "404": http.get("/nothing"),
        "405": http.get(REPORT),
    }
    app.dependency_overrides[get_store] = lambda: DynamoCellStore(app.state.store._client, "no-such-table")
    responses["503"] = http.post(REPORT, content=REPORT_BODY, headers=JSON)
    app.dependency_overrides[get_store] = Broken
    responses["500"] = http.post(REPORT, content=REPORT_BODY, headers=JSON)
    for what, response in responses.items():
        assert str(response.status_code) == what.split()[0], (what, response.text)
        assert response.headers.get("access-control-allow-origin") == ORIGIN, what
        assert response.headers["content-type"] == "application/json", what

    # A body that stops half way: the 408 is sent before the app runs, and still carries CORS.
    with RawHttp(str(http.base_url).rstrip("/")) as raw:
        raw.send(request_bytes("POST", REPORT, REPORT_BODY, {"Origin": ORIGIN, **JSON})[:-5])
        status, headers, _ = raw.response()
    assert status == 408 and headers.get("access-control-allow-origin") == ORIGIN


def _records(name: str):
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    return records, lambda: logger.removeHandler(handler)


@pytest.fixture
def error_log():
    records, remove = _records("app.error")
    yield records
    remove()


@pytest.fixture
def request_log():
    records, remove = _records("app.request")
    yield records
    remove()


@pytest.mark.parametrize(("method", "path"), [("POST", REPORT), ("POST", HEATMAP), ("GET", "/health")])
def test_an_unhandled_error_is_a_json_500_logged_once_without_its_message(
    client, api, error_log, method, path
):
    api.app.dependency_overrides[get_store] = Broken
    body = {REPORT: REPORT_BODY, HEATMAP: HEATMAP_BODY}.get(path)
    response = client.request(method, path, content=body, headers=JSON if body else {})
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}
    (record,) = error_log
    assert record.getMessage() == "unhandled error" and record.exc_info[0] is RuntimeError


class SlowFailure:
    """A store whose calls fail after a known time, as an unreachable DynamoDB does after retries."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def _fail(self, *args):
        time.sleep(self.seconds)
        raise StoreUnavailable("RequestLimitExceeded")

    add_report = cells_between = _fail


@pytest.mark.parametrize("path", [REPORT, HEATMAP])
def test_a_503_reports_the_time_the_store_took_to_fail(client, api, request_log, path):
    api.app.dependency_overrides[get_store] = lambda: SlowFailure(0.2)
    response = client.post(path, content=REPORT_BODY if path == REPORT else HEATMAP_BODY, headers=JSON)
    assert response.status_code == 503
    store_part = response.headers["server-timing"].split(",")[0]
    assert store_part.startswith("store;dur=") and 200 <= float(store_part.split("=")[1]) < 1200
    deadline = time.monotonic() + 5
    while not request_log and time.monotonic() < deadline:  # logged just after the response
        time.sleep(0.01)
    (line,) = request_log
    assert line.status == 503 and 200 <= line.store_ms < 1200


def test_503_from_an_unreachable_table_has_a_store_time(client, api):
    api.use_table("no-such-table")
    for path, body in ((REPORT, REPORT_BODY), (HEATMAP, HEATMAP_BODY)):
        response = client.post(path, content=body, headers=JSON)
        assert response.status_code == 503
        assert float(response.headers["server-timing"].split(",")[0].split("=")[1]) > 0

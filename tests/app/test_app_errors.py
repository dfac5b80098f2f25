"""Error responses: one shape for input errors, CORS headers on every error, a JSON 500."""

import logging

import httpx
import pytest
from heatmap_testkit import ServerThread, new_table

from app.config import Settings
from app.deps import get_store
from app.main import create_app
from app.store import DynamoCellStore

REPORT = "/api/safetyheatmap/report/add"
HEATMAP = "/api/safetyheatmap/heatmap/get"
ORIGIN = "https://map.example.org"
REPORT_BODY = b'{"lat": 52.4042, "lng": -2.7013}'
JSON = {"content-type": "application/json"}


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
    app = create_app(Settings(table_name=table, cors_origins=(ORIGIN,)), DynamoCellStore(dynamodb, table))
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


@pytest.fixture
def error_log():
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("app.error")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


@pytest.mark.parametrize(("method", "path"), [("POST", REPORT), ("POST", HEATMAP), ("GET", "/health")])
def test_an_unhandled_error_is_a_json_500_logged_once_without_its_message(
    client, api, error_log, method, path
):
    api.app.dependency_overrides[get_store] = Broken
    body = REPORT_BODY if path == REPORT else None
    if path == HEATMAP:
        body = b'{"size": "S", "range": {"topleft": {"lat": 52.405, "lng": -2.702}, "bottomright": {"lat": 52.403, "lng": -2.7}}}'
    response = client.request(method, path, content=body, headers=JSON if body else {})
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}
    (record,) = error_log
    assert record.getMessage() == "unhandled error" and record.exc_info[0] is RuntimeError

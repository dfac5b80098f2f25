"""Responses are gzipped exactly when the client's Accept-Encoding admits gzip (RFC 9110, 12.5.3)."""

import pytest

from app import geohash

HEATMAP = "/api/safetyheatmap/heatmap/get"
VIEW = {
    "size": "M",
    "range": {"topleft": {"lat": 52.45, "lng": -2.75}, "bottomright": {"lat": 52.40, "lng": -2.65}},
}


@pytest.fixture
def big_heatmap(api):
    """20 populated cells: a response over the 500-byte compression threshold."""
    api.put_cells({geohash.encode(52.41 + i * 0.0015, -2.7, 7) for i in range(20)})


@pytest.mark.parametrize(
    ("accept_encoding", "gzipped"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("GZIP;q=0.5", True),
        ("x-gzip", True),
        ("br;q=1.0, gzip;q=0.1", True),
        ("*", True),
        ("*;q=0.3", True),
        ("gzip;q=0", False),
        ("gzip; q=0.000", False),
        ("deflate, gzip;q=0, br", False),
        ("*, gzip;q=0", False),  # listed at 0: the wildcard does not bring it back
        ("*;q=0", False),
        ("identity", False),
        ("br", False),
        ("xgzip, gzipped", False),  # contain "gzip", but are other codings
        ("gzip;q=x", False),  # an unreadable weight counts as 0
    ],
)
def test_gzip_follows_accept_encoding(client, big_heatmap, accept_encoding, gzipped):
    response = client.post(HEATMAP, json=VIEW, headers={"accept-encoding": accept_encoding})
    assert response.status_code == 200 and len(response.json()["points"]) == 20
    assert (response.headers.get("content-encoding") == "gzip") is gzipped, response.headers


def test_the_request_log_still_names_the_route_when_gzip_is_refused(client, big_heatmap, caplog):
    with caplog.at_level("INFO", logger="app.request"):
        client.post(HEATMAP, json=VIEW, headers={"accept-encoding": "gzip;q=0"})
        client.get("/live")  # logged after the response: a second request flushes the first's line
    routes = [record.route for record in caplog.records if record.name == "app.request"]
    assert routes[0] == HEATMAP

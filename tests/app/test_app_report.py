"""Reports and heatmaps over real HTTP against a moto DynamoDB; expected cells worked out by hand."""

import asyncio
import math

import httpx

REPORT = "/api/safetyheatmap/report/add"
HEATMAP = "/api/safetyheatmap/heatmap/get"

# geohash.org's example point: its 11-character geohash is "u4pruydqqvj", so its cells are the prefixes.
LAT, LNG = 57.64911, 10.40744
S_CELL, M_CELL, L_CELL = "u4pruydq", "u4pruyd", "u4pruy"

# Precision 8 cells: 2**20 columns of 360 degrees and 2**20 rows of 180 degrees.
W8, H8 = 360 / 2**20, 180 / 2**20
X8, Y8 = math.floor((LNG + 180) / W8), math.floor((LAT + 90) / H8)  # 554601 (4th column of 4), 860118


def centre8(x: int, y: int) -> tuple[float, float]:
    return -90 + (y + 0.5) * H8, -180 + (x + 0.5) * W8


def viewport(size, north, west, south, east):
    corners = {"topleft": {"lat": north, "lng": west}, "bottomright": {"lat": south, "lng": east}}
    return {"size": size, "range": corners}


def around(lat, lng, size="S", pad=0.0005):
    return viewport(size, lat + pad, lng - pad, lat - pad, lng + pad)


def points_by_place(response) -> dict:
    return {(round(p["lat"], 6), round(p["lng"], 6)): p for p in response.json()["points"]}


def test_round_trip_counts_the_known_cells(client, api):
    for _ in range(3):
        assert client.post(REPORT, json={"lat": LAT, "lng": LNG}).status_code == 201
    assert [api.count(S_CELL), api.count(M_CELL), api.count(L_CELL)] == [3, 3, 3]

    response = client.post(HEATMAP, json=around(LAT, LNG))
    assert response.status_code == 200
    body = response.json()
    assert body["size"] == "S"
    (point,) = body["points"]
    lat, lng = centre8(X8, Y8)
    assert math.isclose(point["lat"], lat, abs_tol=1e-6) and math.isclose(point["lng"], lng, abs_tol=1e-6)
    assert point["intensity"] == 1.0
    assert 0 <= point["age"] <= 120


def test_stored_cells_hold_counters_only(client, api):
    assert client.post(REPORT, json={"lat": LAT, "lng": LNG}).status_code == 201
    items = api.dynamodb.scan(TableName=api.table)["Items"]
    assert sorted(i["pk"]["S"] for i in items) == ["CELL#6#u4p", "CELL#7#u4pr", "CELL#8#u4pru"]
    for item in items:
        assert set(item) == {"pk", "sk", "reports", "lastReportAt", "expiresAt"}
        last, expires = int(item["lastReportAt"]["N"]), int(item["expiresAt"]["N"])
        assert last % 60 == 0 and expires - last == 365 * 24 * 3600
    assert "57.649" not in repr(items) and "10.407" not in repr(items)


def test_neighbouring_cells_and_intensity(client, api):
    east = centre8(X8 + 1, Y8)  # same precision-7 cell: X8 % 4 == 1
    north = centre8(X8, Y8 + 1)  # same precision-7 cell: Y8 % 8 == 6
    for lat, lng in [(LAT, LNG), (LAT, LNG), east, north]:
        assert client.post(REPORT, json={"lat": lat, "lng": lng}).status_code == 201
    assert [api.count(S_CELL), api.count(M_CELL)] == [2, 4]

    fine = points_by_place(client.post(HEATMAP, json=around(LAT, LNG)))
    expected = {centre8(X8, Y8): 1.0, east: 0.5, north: 0.5}
    assert {k: p["intensity"] for k, p in fine.items()} == {
        (round(lat, 6), round(lng, 6)): v for (lat, lng), v in expected.items()
    }
    coarse = client.post(HEATMAP, json=around(LAT, LNG, "M")).json()["points"]
    assert [p["intensity"] for p in coarse] == [1.0]


def test_cells_outside_the_viewport_are_left_out(client, api):
    far_east = (LAT, LNG + 0.01)  # same 5-character partition, outside the viewport
    for lat, lng in [(LAT, LNG), far_east]:
        assert client.post(REPORT, json={"lat": lat, "lng": lng}).status_code == 201
    points = client.post(HEATMAP, json=around(LAT, LNG)).json()["points"]
    assert len(points) == 1
    both = client.post(HEATMAP, json=viewport("S", LAT + 0.001, LNG - 0.001, LAT - 0.001, LNG + 0.011)).json()
    assert len(both["points"]) == 2


def test_empty_viewport(client):
    response = client.post(HEATMAP, json=around(-33.9, 151.2, "L", 0.05))
    assert response.status_code == 200 and response.json() == {"size": "L", "points": []}


def test_age_is_time_since_the_cells_last_report_at_minute_resolution(client, api):
    api.freeze_clock(1_700_000_000)  # 20 s past a minute: stored as 1_699_999_980
    assert client.post(REPORT, json={"lat": LAT, "lng": LNG}).status_code == 201
    api.freeze_clock(1_700_000_100)
    (point,) = client.post(HEATMAP, json=around(LAT, LNG)).json()["points"]
    assert point["age"] == 120


def test_viewport_across_the_antimeridian(client):
    for lng in (179.9999, -179.9999):
        assert client.post(REPORT, json={"lat": 10.0, "lng": lng}).status_code == 201
    across = client.post(HEATMAP, json=viewport("S", 10.001, 179.999, 9.999, -179.999)).json()["points"]
    assert sorted(p["lng"] > 0 for p in across) == [False, True]
    west_only = client.post(HEATMAP, json=viewport("S", 10.001, 179.999, 9.999, 180)).json()["points"]
    assert [p["lng"] > 0 for p in west_only] == [True]


def test_200_concurrent_reports_into_one_cell(api):
    async def report_all():
        limits = httpx.Limits(max_connections=100)
        async with httpx.AsyncClient(base_url=api.url, timeout=30, limits=limits) as http:
            posts = (http.post(REPORT, json={"lat": LAT, "lng": LNG}) for _ in range(200))
            responses = await asyncio.gather(*posts)
        return [r.status_code for r in responses]

    assert asyncio.run(report_all()) == [201] * 200
    assert [api.count(S_CELL), api.count(M_CELL), api.count(L_CELL)] == [200, 200, 200]

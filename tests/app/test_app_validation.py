"""Every field is validated; every bad request gets a 4xx JSON error naming the field."""

import pytest

REPORT = "/api/safetyheatmap/report/add"
HEATMAP = "/api/safetyheatmap/heatmap/get"
H6, W6 = 180 / 2**15, 360 / 2**15  # size L = geohash precision 6


def heatmap(size="S", tl=(52.42, -2.73), br=(52.41, -2.72)):
    corners = {"topleft": {"lat": tl[0], "lng": tl[1]}, "bottomright": {"lat": br[0], "lng": br[1]}}
    return {"size": size, "range": corners}


def fields(response, status: int = 422) -> set[str]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    return {error["field"] for error in response.json()["detail"]}


def test_the_clients_exact_request_shapes(client):
    assert client.post(REPORT, json={"lat": 52.4042, "lng": -2.7013}).status_code == 201
    corners = {"topleft": {"lat": 52.405, "lng": -2.702}, "bottomright": {"lat": 52.403, "lng": -2.700}}
    body = {"size": "S", "range": corners}
    response = client.post(HEATMAP, json=body)
    assert response.status_code == 200
    (point,) = response.json()["points"]
    assert set(response.json()) == {"size", "points"} and set(point) == {"lat", "lng", "intensity", "age"}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, {"lat", "lng"}),
        ({"lng": 0}, {"lat"}),
        ({"lat": 90.0001, "lng": 0}, {"lat"}),
        ({"lat": -90.5, "lng": 0}, {"lat"}),
        ({"lat": 0, "lng": 180.01}, {"lng"}),
        ({"lat": 0, "lng": -181}, {"lng"}),
        ({"lat": "52.4", "lng": 0}, {"lat"}),
        ({"lat": None, "lng": 0}, {"lat"}),
        ({"lat": True, "lng": 0}, {"lat"}),
        ({"lat": 0, "lng": [1]}, {"lng"}),
        ([52.4, -2.7], {"body"}),
    ],
)
def test_report_fields(client, body, expected):
    assert fields(client.post(REPORT, json=body)) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"lat": NaN, "lng": 0}', {"lat"}),
        (b'{"lat": 0, "lng": Infinity}', {"lng"}),
        (b'{"lat": 52.4, ', {"body"}),
        (b"", {"body"}),
    ],
)
def test_report_raw_bodies(client, raw, expected):
    response = client.post(REPORT, content=raw, headers={"content-type": "application/json"})
    assert fields(response) == expected


def test_errors_do_not_echo_the_submitted_coordinates(client):
    response = client.post(REPORT, json={"lat": 91.23456, "lng": -2.7013})
    assert "91.23456" not in response.text and "2.7013" not in response.text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"range": heatmap()["range"]}, {"size"}),
        (heatmap(size="XL"), {"size"}),
        (heatmap(size="s"), {"size"}),
        ({"size": "S"}, {"range"}),
        ({"size": "S", "range": {"topleft": {"lat": 1, "lng": 1}}}, {"range.bottomright"}),
        (heatmap(tl=(91, -2.73)), {"range.topleft.lat"}),
        (heatmap(tl=(52.42, -180.5)), {"range.topleft.lng"}),
        (heatmap(br=(-91, -2.72)), {"range.bottomright.lat"}),
        (heatmap(br=(52.41, "east")), {"range.bottomright.lng"}),
        (heatmap(tl=(52.41, -2.73), br=(52.42, -2.72)), {"range"}),  # top-left south of bottom-right
        (heatmap(tl=(52.42, -2.73), br=(52.42, -2.72)), {"range"}),  # no height
        (heatmap(tl=(52.42, -2.73), br=(52.41, -2.73)), {"range"}),  # no width
    ],
)
def test_heatmap_fields(client, body, expected):
    assert fields(client.post(HEATMAP, json=body)) == expected


def test_cell_cap_is_exact_and_says_how_to_fix_it(client):
    # Size L over exactly 100 x 100 precision-6 cells is allowed; one more column is not.
    south, west = 0.0001, 0.0001
    north = 100 * H6 - 0.0001
    allowed = client.post(HEATMAP, json=heatmap("L", (north, west), (south, 100 * W6 - 0.0001)))
    assert allowed.status_code == 200
    response = client.post(HEATMAP, json=heatmap("L", (north, west), (south, 101 * W6 - 0.0001)))
    assert fields(response) == {"range"}
    (error,) = response.json()["detail"]
    assert error["type"] == "too_many_cells"
    assert error["msg"] == "the viewport covers 10100 cells at size L, more than 10000: zoom in"


def test_too_many_small_cells_suggests_a_larger_size(client):
    response = client.post(HEATMAP, json=heatmap("S", (52.5, -2.8), (52.4, -2.7)))
    assert fields(response) == {"range"}
    assert "zoom in or use size M" in response.json()["detail"][0]["msg"]


def test_body_over_the_limit_is_413(client):
    response = client.post(REPORT, json={"lat": 1, "lng": 1, "padding": "x" * 5000})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "detail": [
            {
                "loc": ["body"],
                "field": "body",
                "msg": "request body larger than 4096 bytes",
                "type": "body_too_large",
            }
        ]
    }


def test_chunked_body_over_the_limit_is_413(client):
    def chunks():
        yield b'{"lat": 1, "lng": 1, "padding": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}'

    response = client.post(REPORT, content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert fields(response, 413) == {"body"}


def test_chunked_body_under_the_limit_is_accepted(client):
    def chunks():
        yield b'{"lat": 52.4042,'
        yield b' "lng": -2.7013}'

    response = client.post(REPORT, content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 201


def test_unknown_route_and_method(client):
    assert client.get("/api/safetyheatmap/nothing").status_code == 404
    assert client.get(REPORT).status_code == 405


def test_unknown_fields_are_ignored_so_a_client_adding_one_keeps_working(client, api):
    extra = {"lat": 52.4042, "lng": -2.7013, "accuracy": 12.5, "timestamp": "2024-05-01T10:00:00Z"}
    assert client.post(REPORT, json=extra).status_code == 201
    assert api.count("gcq44ebu") == 1  # (52.4042, -2.7013) at precision 8, by hand bisection
    body = heatmap(tl=(52.405, -2.702), br=(52.403, -2.700))
    body["zoom"] = 17
    body["range"]["topleft"]["alt"] = 80
    body["range"]["crs"] = "EPSG:4326"
    response = client.post(HEATMAP, json=body)
    assert response.status_code == 200 and len(response.json()["points"]) == 1


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        (REPORT, {"lat": 52.4, "lon": -2.7}, {"lng"}),
        (REPORT, {"latitude": 52.4, "lng": -2.7}, {"lat"}),
        (HEATMAP, {"size": "S", "viewport": heatmap()["range"]}, {"range"}),
        (
            HEATMAP,
            {"size": "S", "range": {"topLeft": {"lat": 1, "lng": 1}, "bottomright": {"lat": 0, "lng": 2}}},
            {"range.topleft"},
        ),
    ],
)
def test_a_misspelt_field_is_still_a_422_naming_the_one_missing(client, path, body, expected):
    assert fields(client.post(path, json=body)) == expected


def test_swapped_longitudes_are_read_across_the_antimeridian_and_the_error_says_so(client):
    # West and east swapped on a city viewport: read as 52.41..52.42 N, -2.72 E round the world to
    # -2.73 E, 359.99 degrees wide, far over the cap; the message says how to fix either intent.
    response = client.post(HEATMAP, json=heatmap("M", tl=(52.42, -2.72), br=(52.41, -2.73)))
    assert fields(response) == {"range"}
    (error,) = response.json()["detail"]
    assert error["type"] == "too_many_cells"
    assert error["msg"].endswith(
        ": topleft.lng is east of bottomright.lng, so the viewport was read as crossing the "
        "antimeridian, 359.99 degrees wide; if you meant a viewport across the antimeridian, "
        "zoom in or use size L, otherwise swap the two longitudes"
    )
    # Swapped back, the same corners are a small viewport and are served.
    assert client.post(HEATMAP, json=heatmap("M", tl=(52.42, -2.73), br=(52.41, -2.72))).status_code == 200


def test_a_real_antimeridian_viewport_is_served_as_two_boxes(client, api):
    # Fiji, 178.5 E .. 179.5 W at size L: 2 degrees / W6 = ~183 columns by 0.2 / H6 = ~38 rows, under
    # the cap; one report each side of the antimeridian, one point each side.
    for lng in (178.9, -179.9):
        assert client.post(REPORT, json={"lat": -17.75, "lng": lng}).status_code == 201
    response = client.post(HEATMAP, json=heatmap("L", tl=(-17.7, 178.5), br=(-17.9, -179.5)))
    assert response.status_code == 200, response.text
    lngs = sorted(round(point["lng"]) for point in response.json()["points"])
    assert lngs == [-180, 179]


@pytest.mark.parametrize(
    ("tl", "br", "msg"),
    [
        (
            (52.42, -2.73),
            (52.42, -2.72),
            "topleft.lat and bottomright.lat must differ (the viewport has no height)",
        ),
        (
            (52.41, -2.73),
            (52.42, -2.72),
            "topleft.lat must be greater than bottomright.lat (top-left is the north-west corner)",
        ),
        (
            (52.42, -2.73),
            (52.41, -2.73),
            "topleft.lng and bottomright.lng must differ (the viewport has no width)",
        ),
        (
            (52.42, 180),
            (52.41, -180),
            "topleft.lng 180 and bottomright.lng -180 are the same meridian (the viewport has no width)",
        ),
        ((52.42, 1), (52.42, 1), "topleft.lat and bottomright.lat must differ (the viewport has no height)"),
    ],
)
def test_a_viewport_without_width_or_height_is_a_422_saying_which(client, tl, br, msg):
    response = client.post(HEATMAP, json=heatmap("L", tl, br))
    assert fields(response) == {"range"}
    assert [error["msg"] for error in response.json()["detail"]] == [msg]


def test_minus_180_to_180_is_the_whole_world_not_zero_width(client):
    # The other order is a real 360-degree viewport: refused only by the cell cap.
    response = client.post(HEATMAP, json=heatmap("L", (0.02, -180), (0.01, 180)))
    assert fields(response) == {"range"}
    assert response.json()["detail"][0]["type"] == "too_many_cells"

"""The POST endpoints read JSON only: other content types get a 415 naming the type expected."""

import pytest

REPORT = "/api/safetyheatmap/report/add"
HEATMAP = "/api/safetyheatmap/heatmap/get"
REPORT_BODY = b'{"lat": 52.4042, "lng": -2.7013}'
HEATMAP_BODY = (
    b'{"size": "S", "range": {"topleft": {"lat": 52.405, "lng": -2.702},'
    b' "bottomright": {"lat": 52.403, "lng": -2.700}}}'
)
EXPECTED_PREFIX = "send the body as JSON with Content-Type: application/json; "


def refused(response, got: str) -> None:
    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "detail": [
            {
                "loc": ["header", "content-type"],
                "field": "content-type",
                "msg": EXPECTED_PREFIX + got,
                "type": "unsupported_media_type",
            }
        ]
    }


@pytest.mark.parametrize(("path", "body"), [(REPORT, REPORT_BODY), (HEATMAP, HEATMAP_BODY)])
@pytest.mark.parametrize(
    ("content_type", "named"),
    [
        ("text/plain", "got text/plain"),
        # What a browser's fetch() sends for a string body when no header is set.
        ("text/plain;charset=UTF-8", "got text/plain"),
        ("application/x-www-form-urlencoded", "got application/x-www-form-urlencoded"),
        ("multipart/form-data; boundary=abc", "got multipart/form-data"),
        ("application/jsonp", "got application/jsonp"),
        ("application/xml", "got application/xml"),
    ],
)
def test_a_json_body_under_another_content_type_is_415(client, path, body, content_type, named):
    refused(client.post(path, content=body, headers={"content-type": content_type}), named)


@pytest.mark.parametrize("path", [REPORT, HEATMAP])
def test_no_content_type_is_415(client, path):
    # httpx sends raw bytes without a Content-Type; FastAPI would not parse them as JSON either.
    response = client.post(path, content=REPORT_BODY)
    assert "content-type" not in response.request.headers
    refused(response, "the request has no Content-Type")


def test_form_fields_are_415_not_422(client):
    refused(client.post(REPORT, data={"lat": "52.4", "lng": "-2.7"}), "got application/x-www-form-urlencoded")


def test_an_empty_text_body_is_415(client):
    refused(client.post(REPORT, content=b"", headers={"content-type": "text/plain"}), "got text/plain")


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON;charset=UTF-8",
        "application/vnd.safetyheatmap+json",
    ],
)
def test_json_content_types_are_accepted(client, content_type):
    headers = {"content-type": content_type}
    assert client.post(REPORT, content=REPORT_BODY, headers=headers).status_code == 201
    response = client.post(HEATMAP, content=HEATMAP_BODY, headers=headers)
    assert response.status_code == 200 and len(response.json()["points"]) == 1


def test_bad_json_under_a_json_type_is_still_a_422(client):
    response = client.post(REPORT, content=b'{"lat": ', headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "body"


def test_health_takes_no_body_and_needs_no_content_type(client):
    assert client.get("/health").status_code == 200


def test_415_is_documented(client):
    operations = client.get("/openapi.json").json()["paths"]
    for path in (REPORT, HEATMAP):
        assert "415" in operations[path]["post"]["responses"]

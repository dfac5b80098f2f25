"""The POST endpoints read JSON only: other content types get a 415 naming the type expected."""

import gzip
import json

import pytest
from heatmap_testkit import RawHttp, request_bytes

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


def json_invalid(response, reason: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/json"
    (error,) = response.json()["detail"]
    assert (error["field"], error["type"]) == ("body", "json_invalid")
    assert error["msg"] == f"JSON decode error: {reason}"


@pytest.mark.parametrize("path", [REPORT, HEATMAP])
@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "x-gzip", "gzip, identity"])
def test_an_encoded_body_is_415_naming_content_encoding(client, path, encoding):
    body = gzip.compress(REPORT_BODY) if "gzip" in encoding else REPORT_BODY
    headers = {"content-type": "application/json", "content-encoding": encoding}
    response = client.post(path, content=body, headers=headers)
    assert response.status_code == 415, response.text
    assert response.headers["accept-encoding"] == "identity"  # RFC 7694: what the server accepts
    assert response.json() == {
        "detail": [
            {
                "loc": ["header", "content-encoding"],
                "field": "content-encoding",
                "msg": f"send the body uncompressed, without Content-Encoding; got {encoding}",
                "type": "unsupported_content_encoding",
            }
        ]
    }


def test_identity_content_encoding_is_accepted(client):
    headers = {"content-type": "application/json", "content-encoding": "identity"}
    assert client.post(REPORT, content=REPORT_BODY, headers=headers).status_code == 201


def test_a_wrong_content_type_is_named_before_the_encoding(client):
    headers = {"content-type": "text/plain", "content-encoding": "gzip"}
    refused(client.post(REPORT, content=gzip.compress(REPORT_BODY), headers=headers), "got text/plain")


@pytest.mark.parametrize("path", [REPORT, HEATMAP])
@pytest.mark.parametrize(
    "body",
    [
        b'{"lat": 52.4042, "lng": -2.7013, "city": "Z\xfcrich"}',  # Latin-1, not UTF-8
        b'{"lat": 52.4042, "lng": -2.7013, "x": "\xed\xa0\x80"}',  # a UTF-16 surrogate in UTF-8 form
        b"\xff\xfe{}",
    ],
)
def test_a_json_body_that_is_not_utf8_is_422_json_invalid(client, path, body):
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    json_invalid(response, "the body is not UTF-8 text")


@pytest.mark.parametrize("path", [REPORT, HEATMAP])
def test_json_nested_1500_levels_deep_is_422_json_invalid(client, path):
    body = b"[" * 1500 + b"]" * 1500
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    json_invalid(response, "nested deeper than 32 levels")


def test_nesting_is_capped_at_32_levels_even_in_an_ignored_field(client):
    def report(depth: int) -> bytes:  # the report object itself is the first level
        return b'{"lat": 52.4042, "lng": -2.7013, "extra": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"

    headers = {"content-type": "application/json"}
    assert client.post(REPORT, content=report(32), headers=headers).status_code == 201
    json_invalid(client.post(REPORT, content=report(33), headers=headers), "nested deeper than 32 levels")
    # Brackets inside strings are text, not nesting.
    text = b'{"lat": 52.4042, "lng": -2.7013, "note": "' + b"[{" * 100 + b'"}'
    assert client.post(REPORT, content=text, headers=headers).status_code == 201


def test_a_utf8_byte_order_mark_is_ignored_but_utf16_is_refused(client):
    headers = {"content-type": "application/json"}
    bom = b"\xef\xbb\xbf" + REPORT_BODY
    assert client.post(REPORT, content=bom, headers=headers).status_code == 201  # RFC 8259: MAY ignore
    utf16 = REPORT_BODY.decode().encode("utf-16")
    json_invalid(client.post(REPORT, content=utf16, headers=headers), "the body is not UTF-8 text")


@pytest.mark.parametrize(
    ("raw_type", "named"),
    [
        # email.message reads anything it cannot parse as text/plain; the client sent neither.
        (b"\x7f", "got \\x7f"),
        (b"application/json, text/plain", "got application/json, text/plain"),
        (b"text/\x01plain; charset=utf-8", "got text/\\x01plain"),
        (b"application/j\xf6son", "got application/j\\xf6son"),  # obs-text: Latin-1 bytes
        (b"; charset=utf-8", "got ; charset=utf-8"),  # no media type: the whole header
        (b"application/" + b"x" * 100, "got application/" + "x" * 48 + "..."),  # capped at 60
    ],
)
def test_the_415_names_what_the_client_sent(api, raw_type, named):
    # Raw bytes: httpx (h11) refuses to send some of these headers; uvicorn's h11 accepts them.
    with RawHttp(api.url) as http:
        http.send(request_bytes("POST", REPORT, REPORT_BODY, {"Content-Type": raw_type}))
        status, headers, body = http.response()
    assert status == 415
    assert json.loads(body)["detail"][0]["msg"] == EXPECTED_PREFIX + named


def test_a_second_content_encoding_header_counts_too(api):
    headers = {"Content-Type": "application/json", "Content-Encoding": "identity"}
    request = request_bytes("POST", REPORT, REPORT_BODY, headers)
    request = request.replace(
        b"Content-Encoding: identity\r\n", b"Content-Encoding: identity\r\nContent-Encoding: gzip\r\n"
    )
    with RawHttp(api.url) as http:
        http.send(request)
        status, _, body = http.response()
    assert status == 415
    assert json.loads(body)["detail"][0]["msg"].endswith("got identity, gzip")

"""Schema-driven fuzzing of the OpenAPI schema over real HTTP: no input produces a server error.

Valid (positive) and invalid (negative) requests are generated from the app's own schema for every
operation; each response must be a non-5xx whose body matches the schema where one is documented.
"""

import gzip
import re

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

EXAMPLES_PER_OPERATION_AND_MODE = 25
# What the API should read as JSON, from RFC 6838's structured +json suffix: application/json or
# application/<anything>+json, any case, then optional parameters.
JSON_MEDIA_TYPE = re.compile(r"application/([^/;]*\+)?json\s*(;.*)?", re.IGNORECASE)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def test_schema_lists_the_clients_endpoints(live_server):
    paths = httpx.get(f"{live_server.url}/openapi.json").json()["paths"]
    assert {"/api/safetyheatmap/report/add", "/api/safetyheatmap/heatmap/get", "/health"} <= set(paths)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_input_causes_a_server_error(api, mode):
    schema = schemathesis.openapi.from_url(f"{api.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 4  # report, heatmap, health, live
    for operation in operations:
        if mode == GenerationMode.NEGATIVE and not list(operation.body):
            continue  # GET /health and /live take no input: there is nothing invalid to send

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION_AND_MODE,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            case.call_and_validate(checks=CHECKS)

        fuzz()


def _acceptable_encoding(header: str | None) -> bool:
    """RFC 9110: the body is unencoded when Content-Encoding is absent or lists only identity."""
    return header is None or all(part.strip().lower() in ("", "identity") for part in header.split(","))


# What the POST endpoints may answer (README error table); FastAPI's bare 400 is not among them.
DOCUMENTED = {200, 201, 413, 415, 422}


def test_no_content_type_or_body_causes_a_server_error(client):
    """schemathesis sends only the documented application/json: here any Content-Type, any
    Content-Encoding and any bytes, including bodies that are almost JSON."""
    header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)
    content_types = st.one_of(
        header_text.map(str.strip),  # h11 refuses to send surrounding whitespace
        st.sampled_from(["text/plain", "application/json", "application/x+json", "multipart/form-data"]),
        # Near misses of the JSON types, built from parts.
        st.builds(
            lambda *parts: "".join(parts),
            st.sampled_from(["application", "Application", "text", "applications"]),
            st.sampled_from(["/json", "/JSON", "/x+json", "/+json", "/jsonx", "/json+x", "/ json", "//json"]),
            st.sampled_from(["", ";charset=utf-8", " ; charset=UTF-8", "; q", " x", ";", "/x"]),
        ),
    )
    encodings = st.one_of(
        st.none(),
        st.sampled_from(["identity", "Identity", "gzip", "x-gzip", "deflate", "br", "gzip, identity", ""]),
        header_text.map(str.strip),
    )
    report = b'{"lat": 52.4042, "lng": -2.7013}'
    bodies = st.one_of(
        st.binary(max_size=200),
        # A valid report with bytes that are not UTF-8 spliced into it.
        st.builds(
            lambda cut, junk: report[:cut] + junk + report[cut:],
            st.integers(0, len(report)),
            st.binary(min_size=1, max_size=4).filter(lambda b: not _is_utf8(b)),
        ),
        # Nesting from harmless to far past the parser's recursion limit (still under 4 kB).
        st.integers(1, 2000).map(lambda depth: b"[" * depth + b"]" * depth),
        st.just(gzip.compress(report)),
    )

    @given(content_type=content_types, encoding=encodings, body=bodies)
    @settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def fuzz(content_type, encoding, body):
        for path in ("/api/safetyheatmap/report/add", "/api/safetyheatmap/heatmap/get"):
            headers = {"content-type": content_type} if content_type else {}
            if encoding is not None:
                headers["content-encoding"] = encoding
            response = client.post(path, content=body, headers=headers)
            assert response.status_code in DOCUMENTED, (headers, body, response.text)
            assert response.headers["content-type"] == "application/json"
            json_type = JSON_MEDIA_TYPE.fullmatch(content_type) is not None
            refused = not json_type or not _acceptable_encoding(encoding)
            assert (response.status_code == 415) == refused, (headers, response.text)
            if response.status_code in (415, 422):
                for error in response.json()["detail"]:
                    assert error["field"] and error["msg"] and error["type"], response.text
            if not json_type:  # the 415 names the media type the client sent, not a parser's guess
                sent = content_type.split(";", 1)[0].strip()[:60]
                assert sent in response.json()["detail"][0]["msg"], (content_type, response.text)

    fuzz()


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True

"""Schema-driven fuzzing of the OpenAPI schema over real HTTP: no input produces a server error.

Valid (positive) and invalid (negative) requests are generated from the app's own schema for every
operation; each response must be a non-5xx whose body matches the schema where one is documented.
"""

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
    assert len(operations) == 3
    for operation in operations:
        if mode == GenerationMode.NEGATIVE and not list(operation.body):
            continue  # GET /health takes no input: there is nothing invalid to send

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


def test_no_content_type_or_body_causes_a_server_error(client):
    """schemathesis sends only the documented application/json: here any Content-Type and bytes."""
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

    @given(content_type=content_types, body=st.binary(max_size=200))
    @settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def fuzz(content_type, body):
        for path in ("/api/safetyheatmap/report/add", "/api/safetyheatmap/heatmap/get"):
            headers = {"content-type": content_type} if content_type else {}
            response = client.post(path, content=body, headers=headers)
            assert response.status_code < 500, response.text
            assert response.headers["content-type"] == "application/json"
            json_type = JSON_MEDIA_TYPE.fullmatch(content_type) is not None
            assert (response.status_code == 415) == (not json_type), (content_type, response.text)

    fuzz()

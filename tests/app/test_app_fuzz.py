"""Schema-driven fuzzing of the OpenAPI schema over real HTTP: no input produces a server error.

Valid (positive) and invalid (negative) requests are generated from the app's own schema for every
operation; each response must be a non-5xx whose body matches the schema where one is documented.
"""

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

EXAMPLES_PER_OPERATION_AND_MODE = 25
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

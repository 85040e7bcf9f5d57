"""Schemathesis against the service's own OpenAPI document, in process.

Every operation gets a fixed number of generated requests (valid and
invalid), sent with an admin key to an app holding the sample dataset; no
answer may be a 5xx, and every answer must match the schema the document
declares for it.  ``make test`` sends :data:`EXAMPLES` per operation; ``make
fuzz`` sets ``MATCHER_FUZZ_EXAMPLES`` for a longer run.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.api.conftest import headers

# the solver, files and the HTTP edge: once, on SQLite (tests/api/conftest.py)
pytestmark = pytest.mark.sqlite_only

EXAMPLES = int(os.environ.get("MATCHER_FUZZ_EXAMPLES", "6"))


def test_no_5xx_and_answers_match_the_schema(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    # Each operation is driven by Hypothesis directly (schemathesis's own pytest
    # plugin does not run under pytest 9); the started ``client`` keeps the solve pool open.
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    admin = headers(keys["admin"])
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def probe(case: schemathesis.Case) -> None:
            response = case.call(headers=admin)
            assert response.status_code < 500, response.text[:300]
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )

        try:
            probe()
        except Exception as exc:  # collect every operation's failure, not only the first
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:800])
    assert not failures, "\n\n".join(failures)

"""Schema-driven fuzz of the HTTP API: schemathesis generates requests from /openapi.json (valid
and invalid parameters, bodies and headers) and sends them to the live server over real HTTP.

Any status but a 5xx is an answer (400, 404, 406, 415 are how the API says no); a 5xx fails.
Examples per operation are bounded so the whole module runs in well under a minute on 2 cores.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from dxkg.store import LoadedStore

from conftest import LiveServer

EXAMPLES_PER_OPERATION = 40


@pytest.fixture(scope="module")
def api_schema(live_server: LiveServer) -> schemathesis.BaseSchema:
    """The app's own OpenAPI description, read from the live server it describes."""
    return schemathesis.openapi.from_url(f"{live_server.url}/openapi.json")


@pytest.fixture(scope="module", autouse=True)
def data_unchanged(live_server: LiveServer, loaded: LoadedStore) -> Iterator[None]:
    """After the fuzzing the server still answers, with the data it had."""
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        before = client.get("/healthz").json()
        assert before["triples"] == loaded.manifest.triples
        yield
        after = client.get("/healthz").json()
    assert (after["triples"], after["version"]) == (before["triples"], before["version"])


def test_fuzz_api_never_answers_5xx(api_schema: schemathesis.BaseSchema, live_server: LiveServer) -> None:
    """Every operation of the OpenAPI description, with valid and invalid inputs, answers below 500."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 30  # the routes and one operation per named query
    failures: dict[str, str] = {}
    for operation in operations:
        cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                          operation.as_strategy(GenerationMode.NEGATIVE))

        @given(case=cases)
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case: schemathesis.Case) -> None:
            case.call_and_validate(base_url=live_server.url, checks=[not_a_server_error], timeout=30)

        try:
            fuzz()
        except Exception as exc:  # a failing check or an unreachable server: report it with the others
            failures[operation.label] = f"{type(exc).__name__}: {str(exc)[:2000]}"
    assert failures == {}

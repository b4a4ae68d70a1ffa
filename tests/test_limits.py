"""The limits of /sparql and /queries over real HTTP: time (504), result size (400), queries at once (503)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dxkg.config import Settings
from dxkg.pool import Pool
from dxkg.store import LoadedStore

from conftest import LiveServer
from test_workers import exists, wait_until

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SIMPLE = "SELECT ?label WHERE { <https://w3id.org/dxkg/id/province/gia-lai> rdfs:label ?label }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}
LIMIT = 50
CROSS_QUERY = f"""#+ title: Cross product
#+ description: Every triple with every triple with every triple, counted: runs forever.
#+ tags: test
{RUNAWAY}
"""
EVERYTHING_QUERY = """#+ title: Everything
#+ description: Every triple: more rows than the limit.
#+ tags: test
SELECT ?s ?p ?o WHERE { ?s ?p ?o }
"""


def pool_of(server: LiveServer) -> Pool:
    """The query pool in service in a live server."""
    return server.server.config.app.state.holder.pool  # type: ignore[union-attr]


def timeouts_counted(client: httpx.Client, endpoint: str) -> float:
    text = client.get("/metrics").text
    match = re.search(rf'^dxkg_sparql_timeouts_total{{endpoint="{endpoint}"}} (\S+)$', text, re.M)
    return float(match.group(1)) if match else 0.0


def triples(client: httpx.Client) -> int:
    response = client.get("/sparql", params={"query": COUNT}, headers=JSON)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory: pytest.TempPathFactory, settings: Settings,
                   loaded: LoadedStore) -> Iterator[LiveServer]:
    """A server with a 2 s time limit, a 50-row result limit, two workers and two named queries of its own."""
    queries: Path = tmp_path_factory.mktemp("limit-queries")
    (queries / "cross.rq").write_text(CROSS_QUERY, encoding="utf-8")
    (queries / "everything.rq").write_text(EVERYTHING_QUERY, encoding="utf-8")
    with LiveServer(settings.model_copy(update={"query_timeout_s": 2.0, "result_limit": LIMIT, "query_workers": 2,
                                                "max_queries_in_flight": 0, "queries_dir": queries})) as server:
        yield server


@pytest.fixture()
def limited(limited_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=limited_server.url, timeout=30) as client:
        yield client


def test_limits_runaway_query_is_stopped_while_others_are_answered(limited_server: LiveServer, limited: httpx.Client,
                                                                 loaded: LoadedStore) -> None:
    pool = pool_of(limited_server)
    before = set(pool.pids())
    timeouts = timeouts_counted(limited, "sparql")
    runaway: dict[str, object] = {}

    def send_runaway() -> None:
        started = time.monotonic()
        with httpx.Client(base_url=limited_server.url, timeout=30) as client:
            runaway["response"] = client.get("/sparql", params={"query": RUNAWAY}, headers=JSON)
        runaway["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=send_runaway)
    thread.start()
    assert wait_until(lambda: pool.in_flight >= 1)
    answered = 0
    with httpx.Client(base_url=limited_server.url, timeout=5) as quick:  # each must come back within 5 s
        while thread.is_alive():
            response = quick.get("/sparql", params={"query": SIMPLE}, headers=JSON)
            assert response.status_code == 200, response.text
            assert {b["label"]["value"] for b in response.json()["results"]["bindings"]} >= {"Gia Lai"}
            answered += 1
    thread.join()
    assert answered >= 1  # at least one answer came while the runaway ran
    response = runaway["response"]
    assert isinstance(response, httpx.Response)
    assert response.status_code == 504
    assert response.headers["content-type"].startswith("text/plain")
    assert "time limit of 2 s" in response.text
    assert runaway["seconds"] < 10  # type: ignore[operator]
    assert timeouts_counted(limited, "sparql") == timeouts + 1
    # The worker that ran it is gone (killed and reaped: no core kept busy) and replaced.
    assert wait_until(lambda: len(pool.pids()) == 2 and not before <= set(pool.pids()))
    killed = before - set(pool.pids())
    assert len(killed) == 1 and wait_until(lambda: not any(exists(pid) for pid in killed))
    assert triples(limited) == loaded.manifest.triples  # nothing changed in the store


def test_limits_runaway_in_the_editor_page_names_the_limit(limited: httpx.Client) -> None:
    response = limited.get("/sparql", params={"query": RUNAWAY}, headers={"Accept": "text/html"})
    assert response.status_code == 504
    assert response.headers["content-type"].startswith("text/html")
    assert "time limit of 2 s" in response.text


def test_limits_named_queries_run_under_the_same_limits(limited: httpx.Client) -> None:
    timeouts = timeouts_counted(limited, "named")
    cross = limited.get("/queries/cross", headers=JSON)
    assert cross.status_code == 504 and "time limit of 2 s" in cross.text
    assert timeouts_counted(limited, "named") == timeouts + 1
    everything = limited.get("/queries/everything", headers=JSON)
    assert everything.status_code == 400
    assert f"more than {LIMIT} rows" in everything.text and "LIMIT and OFFSET" in everything.text


def test_limits_result_past_the_limit_is_400_with_advice(limited: httpx.Client) -> None:
    for method in ("GET", "HEAD"):
        past = limited.request(method, "/sparql", params={"query": f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {LIMIT + 1}"})
        assert past.status_code == 400
    past = limited.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers=JSON)
    assert past.headers["content-type"].startswith("text/plain")
    assert past.text.startswith(f"the result has more than {LIMIT} rows") and "LIMIT and OFFSET" in past.text
    graph = limited.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert graph.status_code == 400 and f"more than {LIMIT} triples" in graph.text
    within = limited.get("/sparql", params={"query": f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {LIMIT}"}, headers=JSON)
    assert within.status_code == 200 and len(within.json()["results"]["bindings"]) == LIMIT
    page = limited.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": "text/html"})
    assert page.status_code == 200  # a page shows the first rows, whatever the size


def test_limits_past_the_cap_is_503_with_retry_after_at_once(settings: Settings, loaded: LoadedStore) -> None:
    capped = settings.model_copy(update={"query_timeout_s": 3.0, "query_workers": 1, "max_queries_in_flight": 1})
    with LiveServer(capped) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        pool = pool_of(server)
        runaway: list[httpx.Response] = []
        thread = threading.Thread(target=lambda: runaway.append(
            httpx.get(f"{server.url}/sparql", params={"query": RUNAWAY}, headers=JSON, timeout=30)))
        thread.start()
        assert wait_until(lambda: pool.in_flight == 1)
        busy = client.get("/sparql", params={"query": SIMPLE}, headers=JSON)
        assert thread.is_alive()  # refused while the first query still runs: not queued behind it
        assert busy.status_code == 503
        assert busy.headers["retry-after"].isdigit()
        assert busy.headers["content-type"].startswith("text/plain") and "try again" in busy.text
        assert client.get("/id/province/gia-lai", headers={"Accept": "text/turtle"}).status_code == 200  # pages run apart
        thread.join()
        assert runaway[0].status_code == 504
        assert wait_until(lambda: len(pool.pids()) == 1)
        assert client.get("/sparql", params={"query": SIMPLE}, headers=JSON).status_code == 200
        assert triples(client) == loaded.manifest.triples

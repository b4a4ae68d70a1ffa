"""The response cache in front of the app (dxkg.web.response_cache), over real HTTP on the real store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import ROOT, LiveServer

from dxkg.config import Settings
from dxkg.web.response_cache import BYPASS_HEADERS, KEYED_HEADERS

JSON = {"Accept": "application/sparql-results+json"}
GIA_LAI = "/id/province/gia-lai"


def counter(client: httpx.Client, name: str) -> float:
    text = client.get("/metrics").text
    found = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    assert found, f"{name} not in /metrics"
    return float(found.group(1))


def test_a_repeated_query_is_answered_from_the_cache_with_the_same_answer(http: httpx.Client) -> None:
    query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a dx:Province } # cache-1"}
    first = http.get("/sparql", params=query, headers=JSON)
    assert first.status_code == 200
    assert first.headers["etag"] and "public" in first.headers["cache-control"]
    hits = counter(http, "dxkg_response_cache_hits_total")
    second = http.get("/sparql", params=query, headers=JSON)
    assert counter(http, "dxkg_response_cache_hits_total") == hits + 1
    assert second.status_code == 200
    assert second.content == first.content
    for name in ("content-type", "etag", "vary", "access-control-allow-origin", "content-security-policy"):
        assert second.headers[name] == first.headers[name]


def test_if_none_match_and_head_are_answered_from_the_kept_response(http: httpx.Client) -> None:
    query = {"query": "SELECT ?p WHERE { ?p a dx:Province } LIMIT 3 # cache-2"}
    first = http.get("/sparql", params=query, headers=JSON)
    etag = first.headers["etag"]
    hits = counter(http, "dxkg_response_cache_hits_total")
    not_modified = http.get("/sparql", params=query, headers=JSON | {"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers["etag"] == etag
    head = http.head("/sparql", params=query, headers=JSON)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == first.headers["content-type"]
    assert counter(http, "dxkg_response_cache_hits_total") == hits + 2


def test_the_key_tells_representations_apart(http: httpx.Client) -> None:
    query = {"query": "SELECT ?p WHERE { ?p a dx:Province } LIMIT 2 # cache-3"}
    as_json = http.get("/sparql", params=query, headers=JSON)
    as_csv = http.get("/sparql", params=query, headers={"Accept": "text/csv"})
    again_json = http.get("/sparql", params=query, headers=JSON)
    assert as_json.headers["content-type"].startswith("application/sparql-results+json")
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert again_json.content == as_json.content
    assert as_csv.headers["etag"] != as_json.headers["etag"]

    vi = http.get(GIA_LAI, headers={"Accept": "text/html", "Accept-Language": "vi"})
    en = http.get(GIA_LAI, headers={"Accept": "text/html", "Accept-Language": "en"})
    vi_again = http.get(GIA_LAI, headers={"Accept": "text/html", "Accept-Language": "vi"})
    assert '<html lang="vi"' in vi.text and '<html lang="en"' in en.text
    assert vi_again.text == vi.text
    turtle = http.get(GIA_LAI, headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")


def test_queries_whose_answer_changes_every_time_are_not_kept(http: httpx.Client) -> None:
    query = {"query": "SELECT (STRUUID() AS ?u) (RAND() AS ?r) WHERE {}"}
    first = http.get("/sparql", params=query, headers=JSON)
    second = http.get("/sparql", params=query, headers=JSON)
    assert first.headers["cache-control"] == "no-store" and "etag" not in first.headers
    assert first.json()["results"]["bindings"] != second.json()["results"]["bindings"]


def test_errors_and_ranges_are_not_answered_from_the_cache(http: httpx.Client) -> None:
    bad = {"query": "SELECT ?x WHERE { # cache-5"}
    assert http.get("/sparql", params=bad, headers=JSON).status_code == 400
    entries = counter(http, "dxkg_response_cache_entries")
    assert http.get("/sparql", params=bad, headers=JSON).status_code == 400
    assert counter(http, "dxkg_response_cache_entries") == entries
    ranged = {"Accept": "text/turtle", "Range": "bytes=0-9"}
    hits = counter(http, "dxkg_response_cache_hits_total")
    assert http.get("/.well-known/void", headers=ranged).status_code in (200, 206)
    assert http.get("/.well-known/void", headers=ranged).status_code in (200, 206)
    assert counter(http, "dxkg_response_cache_hits_total") == hits  # both went to the app


@pytest.fixture()
def uncached(settings: Settings) -> Iterator[httpx.Client]:
    with LiveServer(settings.model_copy(update={"response_cache_mb": 0})) as server, \
            httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def test_the_cache_can_be_turned_off(uncached: httpx.Client) -> None:
    query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a dx:Province }"}
    assert uncached.get("/sparql", params=query, headers=JSON).status_code == 200
    assert uncached.get("/sparql", params=query, headers=JSON).status_code == 200
    assert "dxkg_response_cache_hits_total" not in uncached.get("/metrics").text


def test_every_request_header_dxkg_reads_is_in_the_key_or_bypasses_the_cache() -> None:
    # A header that changes an answer but is not in the key would let one client's answer reach
    # another: any header the code reads must be keyed, bypass the cache, or be named here as
    # read only where nothing is kept (POST bodies, the conditional answered by the cache itself).
    read_elsewhere = {b"if-none-match", b"content-type", b"content-length", b"access-control-request-method",
                      b"access-control-request-headers"}
    sources = [p for p in (ROOT / "dxkg").rglob("*.py")]
    names: set[bytes] = set()
    for path in sources:
        text = Path(path).read_text(encoding="utf-8")
        names |= {m.lower().encode() for m in re.findall(r"""request\.headers(?:\.get\(|\[)\s*["']([A-Za-z-]+)["']""",
                                                         text)}
        if "request.cookies" in text:
            names.add(b"cookie")
        if "url_for(" in text or "request.url" in text:
            names.add(b"host")
    assert names, "no header reads found: the pattern no longer matches the code"
    assert names <= KEYED_HEADERS | BYPASS_HEADERS | read_elsewhere, names - KEYED_HEADERS - BYPASS_HEADERS

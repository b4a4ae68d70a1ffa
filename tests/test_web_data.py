"""Dumps, the VoID description, /healthz and /metrics, over real HTTP on the real store."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import re
from collections import Counter

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDF, XSD

from dxkg.store import LoadedStore

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DX = "https://w3id.org/dxkg/ontology#"
ID = "https://w3id.org/dxkg/id/"
GRAPH = "https://w3id.org/dxkg/graph/"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
DUMP_NAMES = ["dxkg.ttl", "dxkg.nt.gz", "dxkg.nq.gz"]


@pytest.fixture()
def listing(http: httpx.Client) -> dict:
    response = http.get("/dumps", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    return {d["name"]: d for d in response.json()["dumps"]}


# --- dumps ---------------------------------------------------------------------------------------

def test_dumps_list_json_names_sizes_counts(listing: dict, loaded: LoadedStore) -> None:
    assert list(listing) == DUMP_NAMES
    for entry in listing.values():
        assert entry["triples"] == len(loaded.store)
        assert entry["size"] > 1000
        assert re.fullmatch(r"[0-9a-f]{64}", entry["sha256"])
        assert entry["date"] == loaded.manifest.built_at
        assert entry["url"].endswith("/dumps/" + entry["name"])
    assert listing["dxkg.nq.gz"]["keeps_graphs"] is True
    assert listing["dxkg.nq.gz"]["graphs"] == len(loaded.manifest.graphs)
    assert listing["dxkg.ttl"]["keeps_graphs"] is False
    assert listing["dxkg.nt.gz"]["compression"] == "gzip"


def test_dumps_list_html_for_browser(http: httpx.Client, listing: dict) -> None:
    response = http.get("/dumps", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'rel="alternate"' in response.headers["link"] and "application/json" in response.headers["link"]
    for name, entry in listing.items():
        assert f'href="{entry["url"]}"' in response.text
        assert entry["sha256"] in response.text
    assert "Tải toàn bộ dữ liệu" in response.text  # Vietnamese first
    assert "Download the whole dataset" in http.get("/dumps?lang=en", headers={"Accept": BROWSER}).text


def test_dump_ttl_parses_to_every_triple(http: httpx.Client, listing: dict, loaded: LoadedStore) -> None:
    response = http.get("/dumps/dxkg.ttl")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert int(response.headers["content-length"]) == len(response.content) == listing["dxkg.ttl"]["size"]
    assert hashlib.sha256(response.content).hexdigest() == listing["dxkg.ttl"]["sha256"]
    triples = [q.triple for q in ox.parse(response.content, format=ox.RdfFormat.TURTLE)]
    assert len(triples) == len(loaded.store)
    gia_lai = ox.NamedNode(ID + "province/gia-lai")
    assert ox.Triple(gia_lai, RDFS_LABEL, ox.Literal("Gia Lai", language="vi")) in set(triples)


def test_dump_nt_gz_parses_to_every_triple(http: httpx.Client, listing: dict, loaded: LoadedStore) -> None:
    response = http.get("/dumps/dxkg.nt.gz")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/gzip"
    assert 'filename="dxkg.nt.gz"' in response.headers["content-disposition"]
    assert hashlib.sha256(response.content).hexdigest() == listing["dxkg.nt.gz"]["sha256"]
    triples = list(ox.parse(gzip.decompress(response.content), format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) == len(loaded.store) == listing["dxkg.nt.gz"]["triples"]


def test_dump_nq_gz_keeps_the_source_graphs(http: httpx.Client, listing: dict, loaded: LoadedStore) -> None:
    response = http.get("/dumps/dxkg.nq.gz")
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == listing["dxkg.nq.gz"]["sha256"]
    quads = list(ox.parse(gzip.decompress(response.content), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == len(loaded.store)
    per_graph = Counter(q.graph_name.value for q in quads)
    assert dict(per_graph) == loaded.manifest.graphs
    issued = ox.Quad(ox.NamedNode(ID + "resolution/gia-lai-04-nq-tu-2022"), ox.NamedNode(DX + "issuedOn"),
                     ox.Literal("2022-01-20", datatype=ox.NamedNode(str(XSD.date))),
                     ox.NamedNode(GRAPH + "article-004-gia-lai"))
    assert issued in set(quads)


def test_dump_caching_headers_and_304(http: httpx.Client) -> None:
    first = http.get("/dumps/dxkg.nq.gz")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and "max-age=" in first.headers["cache-control"]
    assert first.headers["access-control-allow-origin"] == "*"
    again = http.get("/dumps/dxkg.nq.gz", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert http.get("/dumps/dxkg.nq.gz", headers={"If-None-Match": '"other"'}).status_code == 200
    since = http.get("/dumps/dxkg.nq.gz", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    head = http.head("/dumps/dxkg.ttl")
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 1000


def test_dump_list_304(http: httpx.Client) -> None:
    etag = http.get("/dumps", headers={"Accept": "application/json"}).headers["etag"]
    again = http.get("/dumps", headers={"Accept": "application/json", "If-None-Match": etag})
    assert again.status_code == 304


@pytest.mark.parametrize("path", [
    "/dumps/nope.ttl",
    "/dumps/dataset.nq",
    "/dumps/index.json",
    "/dumps/%2e%2e",
    "/dumps/..%2Fmanifest.json",
    "/dumps/%2e%2e%2f%2e%2e%2fcurrent.json",
    "/dumps/..%5C..%5Ccurrent.json",
])
def test_dump_unknown_or_traversal_is_404(http: httpx.Client, path: str) -> None:
    response = http.get(path)
    assert response.status_code == 404
    assert "fingerprint" not in response.text and "<https://" not in response.text


def test_dump_raw_dot_segments_are_404(live_server) -> None:
    # httpx normalises `..` away; send the request line as an attacker would.
    conn = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=10)
    try:
        for path in ("/dumps/../current.json", "/dumps/../../pyproject.toml", "/dumps/./../manifest.json"):
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            assert response.status == 404, path
            assert b"fingerprint" not in body and b"[project]" not in body
    finally:
        conn.close()


# --- VoID -----------------------------------------------------------------------------------------

@pytest.fixture()
def void_graph(http: httpx.Client) -> rdflib.Graph:
    response = http.get("/.well-known/void")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    return rdflib.Graph().parse(data=response.text, format="turtle")


def _dataset(graph: rdflib.Graph) -> rdflib.URIRef:
    datasets = [s for s in graph.subjects(RDF.type, VOID.Dataset) if (s, VOID.sparqlEndpoint, None) in graph]
    assert len(datasets) == 1
    return datasets[0]


def test_void_counts_match_the_store(void_graph: rdflib.Graph, loaded: LoadedStore) -> None:
    dataset = _dataset(void_graph)
    assert void_graph.value(dataset, VOID.triples).toPython() == len(loaded.store)
    subjects = {q.subject for q in loaded.store}
    entities = {s for s in subjects if isinstance(s, ox.NamedNode) and s.value.startswith(ID)}
    assert void_graph.value(dataset, VOID.entities).toPython() == len(entities)
    assert void_graph.value(dataset, VOID.distinctSubjects).toPython() == len(subjects)
    assert void_graph.value(dataset, VOID.properties).toPython() == len({q.predicate for q in loaded.store})


def test_void_class_partitions(void_graph: rdflib.Graph, loaded: LoadedStore) -> None:
    dataset = _dataset(void_graph)
    partitions = {void_graph.value(p, VOID["class"]): void_graph.value(p, VOID.entities).toPython()
                  for p in void_graph.objects(dataset, VOID.classPartition)}
    assert void_graph.value(dataset, VOID.classes).toPython() == len(partitions)
    provinces = {q.subject for q in loaded.store.quads_for_pattern(
        None, ox.NamedNode(str(RDF.type)), ox.NamedNode(DX + "Province"))}
    assert partitions[rdflib.URIRef(DX + "Province")] == len(provinces) > 50
    assert rdflib.URIRef(DX + "PartyResolution") in partitions


def test_void_links_endpoint_dumps_licence_vocabulary(void_graph: rdflib.Graph, live_server) -> None:
    dataset = _dataset(void_graph)
    assert str(void_graph.value(dataset, VOID.sparqlEndpoint)) == live_server.url + "/sparql"
    dumps = {str(o) for o in void_graph.objects(dataset, VOID.dataDump)}
    assert dumps == {f"{live_server.url}/dumps/{name}" for name in DUMP_NAMES}
    licence = rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert void_graph.value(dataset, DCTERMS.license) == licence
    assert void_graph.value(dataset, VOID.vocabulary) == rdflib.URIRef(DX)
    assert void_graph.value(dataset, DCTERMS.modified).datatype == XSD.dateTime


def test_void_subsets_per_named_graph(void_graph: rdflib.Graph, loaded: LoadedStore) -> None:
    dataset = _dataset(void_graph)
    subsets = {str(s): void_graph.value(s, VOID.triples).toPython()
               for s in void_graph.objects(dataset, VOID.subset)}
    assert subsets == loaded.manifest.graphs
    article = rdflib.URIRef(GRAPH + "article-004-gia-lai")
    assert void_graph.value(article, DCTERMS.source) == rdflib.URIRef(ID + "source/article-004-gia-lai")


def test_void_other_formats_and_304(http: httpx.Client, loaded: LoadedStore) -> None:
    jsonld = http.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    graph = rdflib.Graph().parse(data=jsonld.text, format="json-ld")
    assert graph.value(_dataset(graph), VOID.triples).toPython() == len(loaded.store)
    nt = http.get("/.well-known/void?format=nt")
    assert nt.headers["content-type"].startswith("application/n-triples")
    assert len(list(ox.parse(nt.content, format=ox.RdfFormat.N_TRIPLES))) == len(graph)
    etag = nt.headers["etag"]
    assert etag != jsonld.headers["etag"]
    assert http.get("/.well-known/void?format=nt", headers={"If-None-Match": etag}).status_code == 304
    assert http.get("/.well-known/void", headers={"Accept": "text/csv"}).status_code == 406


def test_void_html_page_for_browser(http: httpx.Client, loaded: LoadedStore) -> None:
    response = http.get("/.well-known/void", headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "text/turtle" in response.headers["link"]
    assert f"{len(loaded.store):,}" in response.text
    assert "graph:article-004-gia-lai" in response.text and "dx:Province" in response.text


# --- health and metrics ----------------------------------------------------------------------------

def test_healthz_reports_the_store(http: httpx.Client, loaded: LoadedStore) -> None:
    response = http.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["version"] == loaded.version
    assert body["triples"] == len(loaded.store) == loaded.manifest.triples
    assert body["graphs"] == len(loaded.manifest.graphs)
    assert body["built_at"] == loaded.manifest.built_at


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)'
                    r'(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (\S+)$')


def parse_metrics(text: str) -> dict[str, float]:
    """Return every sample of a Prometheus text exposition, checking each line's syntax."""
    samples: dict[str, float] = {}
    types: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            assert kind in ("counter", "gauge", "histogram", "summary", "untyped")
            types[name] = kind
            continue
        if line.startswith("#") or not line:
            continue
        match = SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        name, labels, value = match.group(1), match.group(2) or "", match.group(3)
        family = re.sub(r"_(bucket|sum|count)$", "", name) if name not in types else name
        assert family in types, f"no TYPE for {name}"
        samples[name + labels] = float(value)
    return samples


def test_metrics_text_format_and_counts(http: httpx.Client) -> None:
    first = http.get("/metrics")
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/plain; version=0.0.4")
    before = parse_metrics(first.text)
    key = 'dxkg_http_requests_total{route="/healthz",method="GET",status="200"}'
    for _ in range(3):
        http.get("/healthz")
    after = parse_metrics(http.get("/metrics").text)
    assert after[key] == before.get(key, 0) + 3
    count = 'dxkg_http_request_duration_seconds_count{route="/healthz",method="GET"}'
    assert after[count] >= 3
    infinity = 'dxkg_http_request_duration_seconds_bucket{route="/healthz",method="GET",le="+Inf"}'
    assert after[infinity] == after[count]
    for outcome in ("ok", "bad_request", "timeout", "error"):
        assert f'dxkg_sparql_queries_total{{endpoint="sparql",outcome="{outcome}"}}' in after
    assert after["dxkg_store_triples"] > 5000


def test_metrics_histogram_buckets_are_cumulative(http: httpx.Client) -> None:
    http.get("/healthz")
    samples = parse_metrics(http.get("/metrics").text)
    buckets = [(k, v) for k, v in samples.items()
               if k.startswith('dxkg_http_request_duration_seconds_bucket{route="/healthz",method="GET",')]
    values = [v for _, v in buckets]
    assert len(values) > 5 and values == sorted(values)


def test_metrics_count_named_query_outcomes(http: httpx.Client) -> None:
    before = parse_metrics(http.get("/metrics").text)
    http.get("/queries/targets-by-year?year=2025", headers={"Accept": "application/json"})
    http.get("/queries/targets-by-year?year=abc", headers={"Accept": "application/json"})
    after = parse_metrics(http.get("/metrics").text)
    for outcome in ("ok", "bad_request"):
        key = f'dxkg_sparql_queries_total{{endpoint="named",outcome="{outcome}"}}'
        assert after[key] == before[key] + 1


def test_unmatched_paths_share_one_series(http: httpx.Client) -> None:
    http.get("/no/such/path/" + "x" * 20)
    text = http.get("/metrics").text
    assert "x" * 20 not in text
    assert 'route="<unmatched>"' in text


def test_parse_metrics_rejects_bad_lines() -> None:
    with pytest.raises(AssertionError):
        parse_metrics("# TYPE a counter\na{b=c} 1\n")
    assert parse_metrics(io.StringIO('# TYPE a counter\na{b="c\\"d"} 1\n').read()) == {'a{b="c\\"d"}': 1.0}

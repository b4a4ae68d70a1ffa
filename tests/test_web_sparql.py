"""/sparql (SPARQL 1.1 Protocol) and /store (Graph Store Protocol) over real HTTP, with real clients."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, RDFXML, SPARQLWrapper

from dxkg import sparql
from dxkg.config import Settings
from dxkg.errors import BadQuery, QueryRefused
from dxkg.namespaces import PREFIXES
from dxkg.store import LoadedStore

from conftest import LiveServer

RESOLUTION = "https://w3id.org/dxkg/id/resolution/gia-lai-04-nq-tu-2022"
GIA_LAI = "https://w3id.org/dxkg/id/province/gia-lai"
GIA_LAI_GRAPH = "https://w3id.org/dxkg/graph/article-004-gia-lai"
ISSUED = "SELECT ?date WHERE { resolution:gia-lai-04-nq-tu-2022 dx:issuedOn ?date }"
LABELS = 'SELECT ?label WHERE { province:gia-lai rdfs:label ?label } ORDER BY ?label'
DESCRIBE_RESOLUTION = ("CONSTRUCT { resolution:gia-lai-04-nq-tu-2022 ?p ?o } "
                       "WHERE { resolution:gia-lai-04-nq-tu-2022 ?p ?o FILTER(!isBlank(?o)) }")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
RESULTS_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                   "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
GRAPH_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
                 "rdf": ox.RdfFormat.RDF_XML}


def solutions(response: httpx.Response, fmt: ox.QueryResultsFormat = ox.QueryResultsFormat.JSON) -> list[dict]:
    """Return the rows of a SPARQL results body as {variable: term}."""
    results = ox.parse_query_results(response.content, fmt)
    names = [v.value for v in results.variables]
    return [{n: row[n] for n in names if row[n] is not None} for row in results]


def triples_of(data: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    """Return the triples of an RDF graph document."""
    return {quad.triple for quad in ox.parse(data, fmt)}


def without_blank_nodes(statements: object) -> set:
    """Return the triples or quads that mention no blank node (those compare across documents)."""
    return {t for t in statements  # type: ignore[attr-defined]
            if not any(isinstance(term, ox.BlankNode) for term in (t.subject, t.object))}


def count(http: httpx.Client, query: str = COUNT, **params: object) -> int:
    response = http.get("/sparql", params={"query": query, **params}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return int(solutions(response)[0]["n"].value)


def expected_triples(store: ox.Store, query: str) -> set[ox.Triple]:
    return set(store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True))


# --- SPARQL 1.1 Protocol: the three ways to send a query --------------------------------------


def test_sparql_get_post_form_and_post_direct_give_the_same_bindings(http: httpx.Client) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    by_get = http.get("/sparql", params={"query": LABELS}, headers=accept)
    by_form = http.post("/sparql", data={"query": LABELS}, headers=accept)
    direct = http.post("/sparql", content=LABELS.encode(),
                       headers=accept | {"Content-Type": "application/sparql-query"})
    for response in (by_get, by_form, direct):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/sparql-results+json")
    rows = solutions(by_get)
    assert rows == solutions(by_form) == solutions(direct)
    assert ox.Literal("Gia Lai", language="vi") in {r["label"] for r in rows}


def test_sparql_direct_post_with_dataset_in_url(http: httpx.Client, loaded: LoadedStore) -> None:
    response = http.post("/sparql?" + urlencode({"default-graph-uri": GIA_LAI_GRAPH}), content=COUNT.encode(),
                         headers={"Content-Type": "application/sparql-query; charset=utf-8"})
    assert int(solutions(response)[0]["n"].value) == loaded.manifest.graphs[GIA_LAI_GRAPH]


@pytest.mark.parametrize("name", sorted(RESULTS_FORMATS))
def test_sparql_select_in_every_results_format(http: httpx.Client, name: str) -> None:
    from dxkg.formats import BY_NAME

    response = http.get("/sparql", params={"query": ISSUED}, headers={"Accept": BY_NAME[name].media_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == BY_NAME[name].media_type
    if name == "csv":  # CSV keeps values only (SPARQL 1.1 CSV/TSV §2), so pyoxigraph will not parse it
        assert list(csv.DictReader(io.StringIO(response.text))) == [{"date": "2022-01-20"}]
        return
    [row] = solutions(response, RESULTS_FORMATS[name])
    assert row["date"] == ox.Literal("2022-01-20", datatype=XSD_DATE)


@pytest.mark.parametrize("name", sorted(GRAPH_FORMATS))
def test_sparql_construct_in_every_graph_format(http: httpx.Client, store: ox.Store, name: str) -> None:
    response = http.get("/sparql", params={"query": DESCRIBE_RESOLUTION, "format": name})
    assert response.status_code == 200, response.text
    parsed = triples_of(response.content, GRAPH_FORMATS[name])
    expected = expected_triples(store, DESCRIBE_RESOLUTION)
    assert parsed == expected
    assert ox.Triple(ox.NamedNode(RESOLUTION), ox.NamedNode(PREFIXES["dx"] + "issuedOn"),
                     ox.Literal("2022-01-20", datatype=XSD_DATE)) in parsed


def test_sparql_construct_defaults_to_turtle(http: httpx.Client, store: ox.Store) -> None:
    response = http.get("/sparql", params={"query": DESCRIBE_RESOLUTION})
    assert response.headers["content-type"].startswith("text/turtle")
    assert triples_of(response.content, ox.RdfFormat.TURTLE) == expected_triples(store, DESCRIBE_RESOLUTION)


def test_sparql_ask(http: httpx.Client) -> None:
    yes = http.get("/sparql", params={"query": f"ASK {{ <{GIA_LAI}> rdfs:label \"Gia Lai\"@vi }}"})
    no = http.get("/sparql", params={"query": f"ASK {{ <{GIA_LAI}> rdfs:label \"Atlantis\"@en }}"},
                  headers={"Accept": "application/sparql-results+xml"})
    assert bool(ox.parse_query_results(yes.content, ox.QueryResultsFormat.JSON)) is True
    assert bool(ox.parse_query_results(no.content, ox.QueryResultsFormat.XML)) is False


# --- Negotiation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("accept", "media_type"), [
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("application/sparql-results+json;q=0.2, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
    ("text/html;q=0, application/xml", "application/sparql-results+xml"),
    ("*/*", "application/sparql-results+json"),
    (None, "application/sparql-results+json"),
])
def test_sparql_accept_with_q_values(http: httpx.Client, accept: str | None, media_type: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = http.get("/sparql", params={"query": ISSUED}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "2022-01-20" in response.text


def test_sparql_format_parameter_overrides_accept(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": ISSUED, "format": "csv"},
                        headers={"Accept": "application/sparql-results+xml"})
    assert response.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(response.text))) == [["date"], ["2022-01-20"]]


def test_sparql_unacceptable_accept_is_406(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": ISSUED}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text
    graph = http.get("/sparql", params={"query": DESCRIBE_RESOLUTION}, headers={"Accept": "text/csv"})
    assert graph.status_code == 406
    wrong_kind = http.get("/sparql", params={"query": ISSUED, "format": "ttl"})
    assert wrong_kind.status_code == 406


# --- Errors and refusals ---------------------------------------------------------------------------


def test_sparql_malformed_query_is_400_with_the_parser_message(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"},
                        headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert re.search(r"error at 1:\d+: expected", response.text)


def test_sparql_missing_query_is_400(http: httpx.Client) -> None:
    response = http.get("/sparql", headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 400
    assert "missing 'query'" in response.text


@pytest.mark.parametrize("send", [
    lambda h: h.get("/sparql", params={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}),
    lambda h: h.post("/sparql", data={"query": "PREFIX x: <urn:x#>\n# a comment\nDELETE WHERE { ?s ?p ?o }"}),
    lambda h: h.post("/sparql", data={"update": "DROP ALL"}),
    lambda h: h.get("/sparql", params={"update": "CLEAR ALL"}),
    lambda h: h.post("/sparql", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"}),
    lambda h: h.post("/sparql", content=b"LOAD <http://example.org/x.ttl>",
                     headers={"Content-Type": "application/sparql-query"}),
])
def test_sparql_update_is_refused_and_never_run(http: httpx.Client, loaded: LoadedStore, send) -> None:
    response = send(http)
    assert response.status_code == 403
    assert "SPARQL Update is not allowed" in response.text
    assert count(http) == loaded.manifest.triples


def test_sparql_service_is_refused(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert response.status_code == 403
    assert "SERVICE" in response.text


def test_sparql_post_with_another_body_type_is_415(http: httpx.Client) -> None:
    response = http.post("/sparql", content=ISSUED.encode(), headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_sparql_other_methods_are_405(http: httpx.Client) -> None:
    response = http.put("/sparql", content=b"x")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST"


@pytest.mark.parametrize(("query", "refused"), [
    ('SELECT * { ?s rdfs:label "SERVICE" }', False),
    ("SELECT * { ?s rdfs:label ?service } # SERVICE <http://x/>", False),
    ("PREFIX service: <urn:s#> SELECT * { ?s service:insert ?o }", False),
    ("SELECT * { <urn:insert> ?p ?o }", False),
    ("select * { service <http://x/> { ?s ?p ?o } }", True),
    ("SELECT * { OPTIONAL { SERVICE SILENT <http://x/> { ?s ?p ?o } } }", True),
    ("BASE <http://x/>\nprefix a: <urn:a>\n  insert data { <a> <b> <c> }", True),
    ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", True),
])
def test_sparql_refuse_unsafe_reads_keywords_not_text(query: str, refused: bool) -> None:
    if refused:
        with pytest.raises(QueryRefused):
            sparql.refuse_unsafe(query)
    else:
        sparql.refuse_unsafe(query)


def test_sparql_parse_request_takes_one_query() -> None:
    with pytest.raises(BadQuery):
        sparql.parse_request("GET", None, {"query": [ISSUED, ISSUED]})
    request = sparql.parse_request("POST", "application/x-www-form-urlencoded",
                                   {"named-graph-uri": ["urn:b"]},
                                   urlencode({"query": ISSUED, "default-graph-uri": "urn:a"}).encode())
    assert request == sparql.QueryRequest(ISSUED, ("urn:a",), ("urn:b",))
    assert sparql.parse_request("GET", None, {"query": ["  "]}) is None


# --- Dataset: default-graph-uri, named-graph-uri, FROM ---------------------------------------------


def test_sparql_default_graph_is_the_union(http: httpx.Client, loaded: LoadedStore) -> None:
    assert count(http) == loaded.manifest.triples


def test_sparql_default_graph_uri_restricts_the_default_graph(http: httpx.Client, loaded: LoadedStore) -> None:
    assert count(http, **{"default-graph-uri": GIA_LAI_GRAPH}) == loaded.manifest.graphs[GIA_LAI_GRAPH]
    both = [GIA_LAI_GRAPH, "https://w3id.org/dxkg/graph/ontology"]
    assert count(http, **{"default-graph-uri": both}) == sum(loaded.manifest.graphs[g] for g in both)


def test_sparql_named_graph_uri_limits_graph(http: httpx.Client, loaded: LoadedStore) -> None:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    response = http.get("/sparql", params={"query": query, "named-graph-uri": GIA_LAI_GRAPH})
    rows = solutions(response)
    assert [(r["g"].value, int(r["n"].value)) for r in rows] == [(GIA_LAI_GRAPH, loaded.manifest.graphs[GIA_LAI_GRAPH])]
    # Only named graphs given: the protocol dataset's default graph is empty (SPARQL 1.1 Protocol §2.1.4).
    assert count(http, **{"named-graph-uri": GIA_LAI_GRAPH}) == 0


def test_sparql_from_clause_is_honoured(http: httpx.Client, loaded: LoadedStore) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{GIA_LAI_GRAPH}> WHERE {{ ?s ?p ?o }}"
    assert count(http, query) == loaded.manifest.graphs[GIA_LAI_GRAPH]


def test_sparql_invalid_graph_iri_is_400(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": COUNT, "default-graph-uri": "not an iri"})
    assert response.status_code == 400


# --- Headers, streaming, limits --------------------------------------------------------------------


def test_sparql_every_response_varies_by_accept_and_allows_any_origin(http: httpx.Client) -> None:
    for response in (
        http.get("/sparql", params={"query": ISSUED}),
        http.get("/sparql", params={"query": "SELEC"}),
        http.get("/sparql", params={"query": ISSUED}, headers={"Accept": "image/png"}),
        http.get("/sparql", headers={"Accept": "text/html"}),
        http.get("/sparql", headers={"Accept": "text/turtle"}),
        http.get("/store", params={"graph": "urn:nothing"}),
    ):
        assert "Accept" in response.headers["vary"], response.url
        assert response.headers["access-control-allow-origin"] == "*", response.url


def test_sparql_cors_preflight_for_a_direct_post(http: httpx.Client) -> None:
    response = http.options("/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
    simple = http.get("/sparql", params={"query": ISSUED}, headers={"Origin": "https://example.org"})
    assert simple.headers["access-control-allow-origin"] == "*"


def test_sparql_large_result_streams_in_chunks(http: httpx.Client, loaded: LoadedStore) -> None:
    # Twice the store (about 1.9 MB of TSV): past the 1 MiB a worker keeps in memory, so it comes from
    # the worker's spool file, chunked; a smaller answer comes whole, with its Content-Length.
    query = "SELECT ?s ?p ?o ?copy WHERE { ?s ?p ?o VALUES ?copy { 1 2 } }"
    with http.stream("GET", "/sparql", params={"query": query}, headers={"Accept": "text/tab-separated-values"}) as r:
        assert r.status_code == 200
        assert "content-length" not in r.headers  # chunked: never held whole in the server's memory
        lines = sum(chunk.count(b"\n") for chunk in r.iter_bytes())
    assert lines == 2 * loaded.manifest.triples + 1  # the header line


def test_sparql_head_answers_without_running_the_body(http: httpx.Client) -> None:
    response = http.head("/sparql", params={"query": ISSUED})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert response.content == b""


@pytest.fixture(scope="module")
def limited(settings: Settings, loaded: LoadedStore) -> Iterator[httpx.Client]:
    """A second server on the same store whose result limit is 5 rows."""
    with LiveServer(settings.model_copy(update={"result_limit": 5})) as server:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            yield client


def test_sparql_result_limit_is_a_clear_error_before_any_byte(limited: httpx.Client) -> None:
    too_many = limited.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 6"})
    assert too_many.status_code == 400
    assert "more than 5 rows" in too_many.text
    construct = limited.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert construct.status_code == 400 and "more than 5 triples" in construct.text
    within = limited.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"})
    assert within.status_code == 200
    assert len(solutions(within)) == 5


# --- Without a query: service description and editor -----------------------------------------------


def test_sparql_service_description(http: httpx.Client, live_server: LiveServer, loaded: LoadedStore) -> None:
    response = http.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert response.headers["etag"]
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    service = graph.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert graph.value(service, SD.endpoint) == rdflib.URIRef(live_server.url + "/sparql")
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    formats = set(graph.objects(service, SD.resultFormat))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert rdflib.URIRef("http://www.w3.org/ns/formats/Turtle") in formats
    assert len(formats) == 8
    dataset = graph.value(service, SD.defaultDataset)
    default = graph.value(dataset, SD.defaultGraph)
    assert int(graph.value(default, VOID.triples)) == loaded.manifest.triples
    counts = {str(graph.value(n, SD.name)): int(graph.value(graph.value(n, SD.graph), VOID.triples))
              for n in graph.objects(dataset, SD.namedGraph)}
    assert counts == loaded.manifest.graphs
    again = http.get("/sparql", headers={"Accept": "text/turtle", "If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_sparql_service_description_in_json_ld(http: httpx.Client, live_server: LiveServer) -> None:
    response = http.get("/sparql", params={"format": "jsonld"})
    triples = triples_of(response.content, ox.RdfFormat.JSON_LD)
    assert any(t.predicate.value == str(SD.endpoint) and t.object.value == live_server.url + "/sparql"
               for t in triples)


def test_sparql_editor_page_for_a_browser(http: httpx.Client, live_server: LiveServer) -> None:
    from dxkg.queries import Catalog

    response = http.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert re.search(r'<label for="query"[^>]*>', page)
    assert re.search(r'<textarea id="query" name="query"', page)
    assert "PREFIX dx: &lt;https://w3id.org/dxkg/ontology#&gt;" in page
    assert re.search(r'<select id="format" name="format">', page) and '<label for="format">' in page
    catalog = Catalog.from_dir(live_server.server.config.app.state.settings.queries_dir)
    assert len(catalog) > 0
    for query in catalog:
        assert f'data-example="example-{query.name}"' in page
        assert f'id="example-{query.name}"' in page
    for script in re.findall(r"<script[^>]*>", page):  # no inline script; every one served by dxkg
        assert re.search(r'src="http://127\.0\.0\.1:\d+/static/', script)
    assert re.search(r"<script[^>]*>[^<]*\S[^<]*</script>", page) is None
    assert "//cdn" not in page and "https://unpkg" not in page
    assert http.get("/static/query-editor.js").status_code == 200
    assert http.get("/static/query-editor.css").status_code == 200
    english = http.get("/sparql", params={"lang": "en"}, headers={"Accept": "text/html"})
    assert "Run query" in english.text and 'lang="en"' in english.text


def test_sparql_query_from_a_browser_renders_the_results_table(http: httpx.Client) -> None:
    query = f"SELECT ?resolution ?date WHERE {{ BIND(<{RESOLUTION}> AS ?resolution) ?resolution dx:issuedOn ?date }}"
    response = http.get("/sparql", params={"query": query}, headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = response.text
    assert '<th scope="col">resolution</th>' in page and '<th scope="col">date</th>' in page
    assert 'href="/id/resolution/gia-lai-04-nq-tu-2022"' in page
    assert "2022-01-20" in page
    assert "format=csv" in page  # download links
    bad = http.get("/sparql", params={"query": "SELECT ?x WHERE {", "format": "html"})
    assert bad.status_code == 400
    assert 'role="alert"' in bad.text and "error at" in bad.text
    assert "SELECT ?x WHERE {" in bad.text  # the query stays in the editor


# --- Graph Store Protocol ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GRAPH_FORMATS))
def test_store_named_graph(http: httpx.Client, loaded: LoadedStore, name: str) -> None:
    from dxkg.formats import BY_NAME

    response = http.get("/store", params={"graph": GIA_LAI_GRAPH}, headers={"Accept": BY_NAME[name].media_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == BY_NAME[name].media_type
    triples = triples_of(response.content, GRAPH_FORMATS[name])
    assert len(triples) == loaded.manifest.graphs[GIA_LAI_GRAPH]
    assert ox.Triple(ox.NamedNode(RESOLUTION), ox.NamedNode(PREFIXES["dx"] + "issuedOn"),
                     ox.Literal("2022-01-20", datatype=XSD_DATE)) in triples


def test_store_graph_defaults_to_turtle_and_format_parameter(http: httpx.Client, loaded: LoadedStore) -> None:
    turtle = http.get("/store", params={"graph": GIA_LAI_GRAPH})
    assert turtle.headers["content-type"].startswith("text/turtle")
    nt = http.get("/store", params={"graph": GIA_LAI_GRAPH, "format": "nt"}, headers={"Accept": "text/turtle"})
    assert nt.headers["content-type"].startswith("application/n-triples")
    assert triples_of(nt.content, ox.RdfFormat.N_TRIPLES) == triples_of(turtle.content, ox.RdfFormat.TURTLE)


def test_store_unknown_graph_is_404(http: httpx.Client) -> None:
    assert http.get("/store", params={"graph": "https://w3id.org/dxkg/graph/nothing"}).status_code == 404


def test_store_default_graph_is_the_union(http: httpx.Client, store: ox.Store) -> None:
    response = http.get("/store?default", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    triples = triples_of(response.content, ox.RdfFormat.N_TRIPLES)
    union = {q.triple for q in store}
    assert len(triples) == len(union)
    assert without_blank_nodes(triples) == without_blank_nodes(union)
    assert ox.Triple(ox.NamedNode(GIA_LAI), ox.NamedNode(PREFIXES["rdfs"] + "label"),
                     ox.Literal("Gia Lai", language="vi")) in triples


def test_store_dataset_as_nquads_or_trig(http: httpx.Client, loaded: LoadedStore) -> None:
    nquads = http.get("/store")
    assert nquads.status_code == 200
    assert nquads.headers["content-type"].startswith("application/n-quads")
    quads = list(ox.parse(nquads.content, ox.RdfFormat.N_QUADS))
    assert len(quads) == loaded.manifest.triples
    by_graph: dict[str, int] = {}
    for quad in quads:
        by_graph[quad.graph_name.value] = by_graph.get(quad.graph_name.value, 0) + 1
    assert by_graph == loaded.manifest.graphs
    trig = http.get("/store", headers={"Accept": "application/trig"})
    assert trig.headers["content-type"].startswith("application/trig")
    from_trig = list(ox.parse(trig.content, ox.RdfFormat.TRIG))
    assert len(from_trig) == len(quads)
    assert without_blank_nodes(from_trig) == without_blank_nodes(quads)


def test_store_etag_304_and_head(http: httpx.Client, loaded: LoadedStore) -> None:
    response = http.get("/store", params={"graph": GIA_LAI_GRAPH})
    etag = response.headers["etag"]
    assert loaded.version in etag
    assert "max-age" in response.headers["cache-control"]
    again = http.get("/store", params={"graph": GIA_LAI_GRAPH}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    head = http.head("/store", params={"graph": GIA_LAI_GRAPH})
    assert head.status_code == 200 and head.headers["etag"] == etag and head.content == b""
    assert http.get("/store", params={"graph": GIA_LAI_GRAPH, "format": "nt"}).headers["etag"] != etag


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH"])
def test_store_writes_are_405(http: httpx.Client, loaded: LoadedStore, method: str) -> None:
    response = http.request(method, "/store", params={"graph": GIA_LAI_GRAPH}, content=b"<urn:a> <urn:b> <urn:c> .",
                            headers={"Content-Type": "application/n-triples"})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert count(http, **{"default-graph-uri": GIA_LAI_GRAPH}) == loaded.manifest.graphs[GIA_LAI_GRAPH]


# --- Real clients -----------------------------------------------------------------------------------


def test_sparqlwrapper_select_json(live_server: LiveServer) -> None:
    client = SPARQLWrapper(live_server.url + "/sparql")
    client.setQuery(ISSUED)
    client.setReturnFormat(JSON)
    result = client.queryAndConvert()
    assert result["results"]["bindings"] == [{"date": {
        "type": "literal", "value": "2022-01-20", "datatype": "http://www.w3.org/2001/XMLSchema#date"}}]


def test_sparqlwrapper_construct_gives_an_rdflib_graph(live_server: LiveServer, store: ox.Store) -> None:
    client = SPARQLWrapper(live_server.url + "/sparql")
    client.setQuery(DESCRIBE_RESOLUTION)
    client.setReturnFormat(RDFXML)
    graph = client.queryAndConvert()
    assert isinstance(graph, rdflib.Graph)
    assert len(graph) == len(expected_triples(store, DESCRIBE_RESOLUTION))
    issued = graph.value(rdflib.URIRef(RESOLUTION), rdflib.URIRef(PREFIXES["dx"] + "issuedOn"))
    assert issued.toPython().isoformat() == "2022-01-20"


def test_rdflib_sparqlstore_select(live_server: LiveServer) -> None:
    graph = rdflib.Graph(store=SPARQLStore(query_endpoint=live_server.url + "/sparql"))
    rows = list(graph.query(f"SELECT ?label WHERE {{ <{GIA_LAI}> <{PREFIXES['rdfs']}label> ?label }}"))
    labels = {row[0] for row in rows}
    assert rdflib.Literal("Gia Lai", lang="vi") in labels

"""Named queries over real HTTP: the catalogue at /queries, runs at /queries/{name}."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from dxkg.config import Settings
from dxkg.queries import parse_named_query
from dxkg.store import LoadedStore

from conftest import ROOT, LiveServer

ID = "https://w3id.org/dxkg/id/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
QUERY_FILES = sorted((ROOT / "queries").glob("*.rq"))
HOSTILE = "province:gia-lai> } ; DROP ALL ; #"


def rows(response: httpx.Response) -> list[dict[str, ox.NamedNode | ox.Literal]]:
    """Return the solutions of a SPARQL JSON response, as dicts of terms."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    solutions = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
    names = [v.value for v in solutions.variables]
    return [{n: s[n] for n in names if s[n] is not None} for s in solutions]


# --- the catalogue ---------------------------------------------------------------------------------

def test_query_list_json_lists_every_file(http: httpx.Client) -> None:
    response = http.get("/queries", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    listed = {q["name"]: q for q in response.json()["queries"]}
    assert QUERY_FILES, "queries/ is empty"
    assert set(listed) == {p.stem for p in QUERY_FILES}
    for path in QUERY_FILES:
        expected = parse_named_query(path)
        entry = listed[path.stem]
        assert entry["title"] == expected.title and entry["title"]
        assert entry["description"] == expected.description
        assert entry["tags"] == list(expected.tags)
        assert entry["url"].endswith("/queries/" + path.stem)
        assert [p["name"] for p in entry["parameters"]] == [p.name for p in expected.parameters]


def test_query_list_json_describes_parameters_as_openapi(http: httpx.Client) -> None:
    listed = {q["name"]: q for q in http.get("/queries?format=json").json()["queries"]}
    entry = listed["targets-by-year"]
    year = next(p for p in entry["parameters"] if p["name"] == "year")
    assert year == {"name": "year", "type": "gYear", "required": True, "example": "2025",
                    "description": year["description"], "schema": year["schema"]}
    operation = entry["operation"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["year"]["in"] == "query" and params["year"]["required"] is True
    assert params["year"]["schema"]["type"] == "string" and params["year"]["schema"]["format"] == "gYear"
    assert params["year"]["example"] == "2025"
    assert params["province"]["required"] is False and params["province"]["schema"]["format"] == "iri"
    content = operation["responses"]["200"]["content"]
    assert {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
            "text/tab-separated-values"} <= set(content)
    assert "400" in operation["responses"]


def test_query_list_html_for_browser(http: httpx.Client) -> None:
    response = http.get("/queries", headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "application/json" in response.headers["link"]
    for path in QUERY_FILES:
        assert f"/queries/{path.stem}" in response.text
    assert "Targets for a given year" in response.text


def test_query_list_304(http: httpx.Client) -> None:
    etag = http.get("/queries?format=json").headers["etag"]
    assert http.get("/queries?format=json", headers={"If-None-Match": etag}).status_code == 304


# --- running a named query ----------------------------------------------------------------------------

def test_query_run_json_with_a_parameter(http: httpx.Client) -> None:
    found = rows(http.get("/queries/targets-by-year", params={"year": "2025", "province": "province:gia-lai"},
                          headers={"Accept": "application/sparql-results+json"}))
    assert found
    assert {r["province"] for r in found} == {ox.NamedNode(ID + "province/gia-lai")}
    assert {r["year"] for r in found} == {ox.Literal("2025", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#gYear"))}
    targets = {r["target"].value.rsplit("/", 1)[-1] for r in found}
    assert {"gia-lai-2025-fibre-commune-coverage", "gia-lai-2025-labour-productivity-growth"} <= targets
    resolution = ox.NamedNode(ID + "resolution/gia-lai-04-nq-tu-2022")
    assert all(r["setBy"] == resolution for r in found if "setBy" in r)


def test_query_run_optional_parameter_widens(http: httpx.Client) -> None:
    everywhere = rows(http.get("/queries/targets-by-year?year=2025", headers={"Accept": "application/json"}))
    gia_lai = rows(http.get("/queries/targets-by-year?year=2025&province=province:gia-lai",
                            headers={"Accept": "application/json"}))
    assert len(everywhere) > len(gia_lai)
    assert len({r["province"] for r in everywhere}) > 1


def test_query_run_full_iri_equals_prefixed_name(http: httpx.Client) -> None:
    prefixed = http.get("/queries/province-successor?province=province:kien-giang&format=json")
    full = http.get("/queries/province-successor", params={"province": f"<{ID}province/kien-giang>",
                                                           "format": "json"})
    assert rows(prefixed) == rows(full)
    assert {r["successor"] for r in rows(full)} == {ox.NamedNode(ID + "province/an-giang-2025")}
    assert prefixed.headers["etag"] == full.headers["etag"]


def test_query_run_csv_same_rows_as_json(http: httpx.Client) -> None:
    params = {"year": "2025", "province": "province:gia-lai"}
    as_json = rows(http.get("/queries/targets-by-year", params=params | {"format": "json"}))
    response = http.get("/queries/targets-by-year", params=params, headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert len(table) == len(as_json)
    assert {r["target"] for r in table} == {r["target"].value for r in as_json}
    assert {r["provinceLabel_vi"] for r in table} == {"Gia Lai"}


@pytest.mark.parametrize(("fmt", "media_type", "results_format"), [
    ("xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("tsv", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
])
def test_query_run_every_results_format(http: httpx.Client, fmt: str, media_type: str,
                                        results_format: ox.QueryResultsFormat) -> None:
    response = http.get(f"/queries/province-successor?province=province:kien-giang&format={fmt}")
    assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
    parsed = ox.parse_query_results(response.content, format=results_format)
    assert {s["successor"] for s in parsed} == {ox.NamedNode(ID + "province/an-giang-2025")}


def test_query_run_missing_required_parameter_is_400(http: httpx.Client) -> None:
    response = http.get("/queries/targets-by-year", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "year" in response.text and response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(("query", "params", "name"), [
    ("targets-by-year", {"year": "abc"}, "year"),
    ("targets-by-year", {"year": "20255"}, "year"),
    ("targets-by-year", {"year": "2025", "province": "not an iri"}, "province"),
    ("ranking-history", {"province": "nosuchprefix:x y"}, "province"),
])
def test_query_run_ill_typed_parameter_is_400(http: httpx.Client, query: str, params: dict,
                                              name: str) -> None:
    response = http.get(f"/queries/{query}", params=params, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert f"'{name}'" in response.text


def test_query_run_hostile_value_changes_nothing(http: httpx.Client, loaded: LoadedStore) -> None:
    before = http.get("/healthz").json()["triples"]
    response = http.get("/queries/targets-by-year", params={"year": "2025", "province": HOSTILE},
                        headers={"Accept": "application/json"})
    # An IRI cannot hold `>` or spaces: the value is refused as a value, and never reaches the query text.
    assert response.status_code == 400 and "'province'" in response.text
    response = http.get("/queries/targets-by-year", params={"year": '2025" } ; DROP ALL ; #'},
                        headers={"Accept": "application/json"})
    assert response.status_code == 400 and "'year'" in response.text
    assert http.get("/healthz").json()["triples"] == before == len(loaded.store)


def test_query_run_unknown_query_is_404(http: httpx.Client) -> None:
    assert http.get("/queries/no-such-query", headers={"Accept": "application/json"}).status_code == 404
    assert http.get("/queries/..%2F..%2Fpyproject", headers={"Accept": "application/json"}).status_code == 404


def test_query_run_unacceptable_format_is_406(http: httpx.Client) -> None:
    assert http.get("/queries/targets-by-year?year=2025&format=ttl").status_code == 406
    assert http.get("/queries/targets-by-year?year=2025", headers={"Accept": "image/png"}).status_code == 406


def test_query_run_etag_and_304(http: httpx.Client) -> None:
    url = "/queries/targets-by-year?year=2025&format=json"
    first = http.get(url)
    etag = first.headers["etag"]
    assert "max-age=" in first.headers["cache-control"]
    assert first.headers["access-control-allow-origin"] == "*"
    assert http.get(url, headers={"If-None-Match": etag}).status_code == 304
    other_params = http.get("/queries/targets-by-year?year=2030&format=json").headers["etag"]
    other_format = http.get("/queries/targets-by-year?year=2025&format=csv").headers["etag"]
    assert len({etag, other_params, other_format}) == 3


def test_query_page_for_browser(http: httpx.Client) -> None:
    blank = http.get("/queries/targets-by-year", headers={"Accept": BROWSER})
    assert blank.status_code == 200 and blank.headers["content-type"].startswith("text/html")
    assert 'name="year"' in blank.text and 'for="param-year"' in blank.text
    assert "dx:targetYear ?year" in blank.text  # the SPARQL text is shown
    for fmt in ("json", "xml", "csv", "tsv"):
        assert f'name="format" value="{fmt}"' in blank.text
    page = http.get("/queries/targets-by-year?year=2025&province=province:gia-lai",
                    headers={"Accept": BROWSER})
    assert page.status_code == 200
    assert 'href="/id/resolution/gia-lai-04-nq-tu-2022"' in page.text
    assert 'value="province:gia-lai"' in page.text
    assert http.get("/queries/targets-by-year?year=abc", headers={"Accept": BROWSER}).status_code == 400


def test_every_named_query_runs_with_its_examples(http: httpx.Client) -> None:
    for entry in http.get("/queries?format=json").json()["queries"]:
        response = http.get(entry["example_url"], headers={"Accept": "application/json"})
        assert response.status_code == 200, (entry["name"], response.text)


def test_openapi_lists_named_queries_when_installed(settings: Settings, loaded: LoadedStore) -> None:
    from dxkg.web.routes.queries import add_named_queries_to_openapi

    server = LiveServer(settings)
    add_named_queries_to_openapi(server.server.config.app)
    with server, httpx.Client(base_url=server.url, timeout=30) as client:
        paths = client.get("/openapi.json").json()["paths"]
    for path in QUERY_FILES:
        assert f"/queries/{path.stem}" in paths
    operation = paths["/queries/targets-by-year"]["get"]
    assert operation["operationId"] == "query_targets_by_year"
    assert {p["name"] for p in operation["parameters"]} == {"year", "province", "format"}


# --- catalogue mechanics on a private queries/ folder ---------------------------------------------------

LABEL_QUERY = """#+ title: Province by label
#+ description: A province whose label in a language is exactly the given text.
#+ tags: test
#+ param: name | string | required | Gia Lai | the label
#+ param: lang | language | optional | vi | the language of the label
SELECT DISTINCT ?province ?name ?lang ?label WHERE {
  ?province a dx:Province ; rdfs:label ?label .
  # COALESCE, not BOUND: under pyoxigraph's substitutions BOUND(?lang) is false even when given.
  FILTER(STR(?label) = ?name && COALESCE(LANG(?label) = ?lang, true))
}
"""
LABEL_GRAPH_QUERY = """#+ title: Labels of an entity
#+ description: The labels of one entity, as a graph.
#+ param: entity | iri | required | province:gia-lai | the entity
CONSTRUCT { ?entity rdfs:label ?label } WHERE { ?entity rdfs:label ?label }
"""


@pytest.fixture(scope="module")
def private_server(tmp_path_factory: pytest.TempPathFactory, settings: Settings,
                   loaded: LoadedStore) -> Iterator[LiveServer]:
    folder: Path = tmp_path_factory.mktemp("queries")
    (folder / "province-by-label.rq").write_text(LABEL_QUERY, encoding="utf-8")
    (folder / "entity-labels.rq").write_text(LABEL_GRAPH_QUERY, encoding="utf-8")
    with LiveServer(settings.model_copy(update={"queries_dir": folder})) as server:
        yield server


@pytest.fixture()
def private(private_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=private_server.url, timeout=30) as client:
        yield client


def test_private_catalogue_lists_its_files(private: httpx.Client) -> None:
    listed = private.get("/queries", headers={"Accept": "application/json"}).json()["queries"]
    assert [(q["name"], q["title"], q["kind"]) for q in listed] == [
        ("entity-labels", "Labels of an entity", "construct"),
        ("province-by-label", "Province by label", "select"),
    ]


def test_private_string_parameter_is_a_plain_value(private: httpx.Client) -> None:
    found = rows(private.get("/queries/province-by-label?name=Gia Lai&lang=vi&format=json"))
    assert [r["province"] for r in found] == [ox.NamedNode(ID + "province/gia-lai")]
    hostile = 'Gia Lai") || true) } ; DROP ALL ; #'
    assert rows(private.get("/queries/province-by-label", params={"name": hostile, "format": "json"})) == []
    assert private.get("/healthz").json()["triples"] > 5000


def test_private_optional_parameter_left_free(private: httpx.Client) -> None:
    found = rows(private.get("/queries/province-by-label?name=Gia Lai&format=json"))
    assert {r["label"] for r in found} == {ox.Literal("Gia Lai", language="vi"),
                                           ox.Literal("Gia Lai", language="en")}
    assert {r["province"] for r in found} == {ox.NamedNode(ID + "province/gia-lai")}
    assert private.get("/queries/province-by-label?name=Gia Lai&lang=12&format=json").status_code == 400


def test_private_construct_query_in_graph_formats(private: httpx.Client) -> None:
    turtle = private.get("/queries/entity-labels?entity=province:gia-lai")
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    triples = {q.triple for q in ox.parse(turtle.content, format=ox.RdfFormat.TURTLE)}
    assert ox.Triple(ox.NamedNode(ID + "province/gia-lai"),
                     ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                     ox.Literal("Gia Lai", language="vi")) in triples
    for fmt, rdf_format in (("nt", ox.RdfFormat.N_TRIPLES), ("jsonld", ox.RdfFormat.JSON_LD),
                            ("rdf", ox.RdfFormat.RDF_XML)):
        response = private.get(f"/queries/entity-labels?entity=province:gia-lai&format={fmt}")
        assert {q.triple for q in ox.parse(response.content, format=rdf_format)} == triples
    assert private.get("/queries/entity-labels?entity=province:gia-lai&format=csv").status_code == 406

"""dxkg.result_writer and sparql.write_result: the streaming SPARQL results writers against pyoxigraph's own."""

from __future__ import annotations

import csv
import io
import itertools
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dxkg import formats, sparql
from dxkg.errors import ResultTooLarge
from dxkg.result_writer import write_solutions
from dxkg.store import LoadedStore

RESULTS = ("json", "xml", "csv", "tsv")
XSD = "http://www.w3.org/2001/XMLSchema#"
WHOLE_STORE = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
# Every kind of term and the characters each format must escape; no control characters nor CR (see below).
TRICKY = """PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?a ?b ?c ?d ?e ?f ?g ?h ?i WHERE {
  VALUES (?a ?b ?c ?d ?e ?f ?g) {
    (1 1.5 "x\\ty\\"z,"@en-US true "c" "2020-01-01"^^xsd:date "1e3"^^xsd:double)
    (-2 "a\\nb<&>'\\\\" <http://x/y?a=1&b> "Hậu Giang" "" "1.0"^^xsd:decimal "+3"^^xsd:integer)
    (UNDEF 2 UNDEF 4 5 UNDEF .5)
    ("0"^^xsd:boolean "1"^^xsd:boolean 1.0e0 "x"^^<http://ex/dt> "NaN"^^xsd:double "INF"^^xsd:double -0.0)
  }
  BIND(STRLANGDIR("مرحبا", "ar", "rtl") AS ?h)
  BIND(TRIPLE(<http://a>, <http://b>, "c"@en) AS ?i)
}"""
EDGES = ("SELECT * WHERE {}", "SELECT ?x WHERE {} LIMIT 0", "SELECT ?x ?y WHERE { BIND(1 AS ?y) }")


def ours(result: sparql.QueryResult, name: str, limit: int = 10**9) -> bytes:
    out = io.BytesIO()
    sparql.write_result(result, formats.BY_NAME[name], out, limit)
    return out.getvalue()


def theirs(result: ox.QuerySolutions, name: str) -> bytes:
    return result.serialize(format=formats.BY_NAME[name].results_format)


def rows_of(data: bytes, name: str) -> list[tuple[object, ...]]:
    """Return the rows of a results document: terms, or for CSV (which pyoxigraph will not read) strings."""
    if name == "csv":
        header, *rows = csv.reader(io.StringIO(data.decode(), newline=""))
        return [tuple(row) or ("",) * len(header) for row in rows]  # a line with one empty field reads as []
    parsed = ox.parse_query_results(data, formats.BY_NAME[name].results_format)
    return [tuple(solution) for solution in parsed]


def csv_value(term: object) -> str:
    """Return what CSV keeps of a term (sparql11-results-csv-tsv §3.2): its value, `_:` and label for a blank node."""
    if term is None:
        return ""
    return "_:" + term.value if isinstance(term, ox.BlankNode) else term.value  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", RESULTS)
def test_result_writer_matches_pyoxigraph_on_the_whole_store(loaded: LoadedStore, name: str) -> None:
    store = loaded.store
    assert ours(store.query(WHOLE_STORE), name) == theirs(store.query(WHOLE_STORE), name)


@pytest.mark.parametrize("name", RESULTS)
@pytest.mark.parametrize("query", (TRICKY, *EDGES))
def test_result_writer_matches_pyoxigraph_on_every_kind_of_term(name: str, query: str) -> None:
    store = ox.Store()
    assert ours(store.query(query), name) == theirs(store.query(query), name)


@pytest.mark.parametrize("name", ("json", "tsv"))
def test_result_writer_control_characters_round_trip(name: str) -> None:
    # pyoxigraph writes them raw in TSV, we escape them (\\u0001, \\b, \\f): both are Turtle.
    query = 'SELECT ?x WHERE { BIND("a\\u0001\\b\\f\\u007f" AS ?x) }'
    assert rows_of(ours(ox.Store().query(query), name), name) == [(ox.Literal("a\x01\b\f\x7f"),)]


def test_result_writer_xml_keeps_carriage_returns_and_edge_whitespace() -> None:
    # XML readers turn a raw CR into LF (XML 1.0 §2.11) and some trim text: both are escaped as references,
    # which pyoxigraph does only for the second.
    values = ["a\rb", " padded ", "\n", "\t"]
    rows = [(ox.Literal(v),) for v in values]
    out = io.BytesIO()
    write_solutions("xml", ["x"], rows, out)
    assert rows_of(out.getvalue(), "xml") == rows
    assert xml_rows(out.getvalue(), ["x"]) == rows


def test_write_result_stops_at_the_first_row_past_the_limit(loaded: LoadedStore) -> None:
    store = loaded.store
    for name in RESULTS:
        with pytest.raises(ResultTooLarge, match="more than 5 rows.*LIMIT and OFFSET"):
            ours(store.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 6"), name, limit=5)
        five = ours(store.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 5"), name, limit=5)
        assert len(rows_of(five, name)) == 5
    with pytest.raises(ResultTooLarge, match="more than 5 triples"):
        ours(store.query("CONSTRUCT WHERE { ?s ?p ?o }", use_default_graph_as_union=True), "ttl", limit=5)
    assert ours(store.query("ASK { GRAPH ?g { ?s ?p ?o } }"), "json", limit=1) == b'{"head":{},"boolean":true}'


def test_write_result_counter_pulls_one_past_the_limit_and_no_more() -> None:
    source = itertools.count()  # endless: only stopping at the limit ends this test
    counter = sparql._Counter(limit=1000, unit="rows")
    with pytest.raises(ResultTooLarge):
        for _ in counter.count(source):
            pass
    assert next(source) == 1001  # 0..1000 were pulled: the limit, plus the one that broke it


def test_write_result_construct_in_graph_formats(loaded: LoadedStore) -> None:
    store = loaded.store
    query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/dxkg/graph/ontology> { ?s ?p ?o } }"
    expected = set(store.query(query))
    for name in ("ttl", "nt", "jsonld", "rdf"):
        fmt = formats.BY_NAME[name]
        parsed = {q.triple for q in ox.parse(ours(store.query(query), name), fmt.rdf_format)}
        named = {t for t in parsed if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)}
        assert named == {t for t in expected if not isinstance(t.subject, ox.BlankNode)
                         and not isinstance(t.object, ox.BlankNode)}


# --- Property: any terms survive every format, as pyoxigraph reads them back --------------------------------

XML_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff",
                          min_codepoint=0x20) | st.sampled_from("\t\n\r")
IRIS = st.from_regex(r"http://example\.org/[a-z0-9/._~-]{0,20}(#[a-z0-9]{0,5})?", fullmatch=True).map(ox.NamedNode)
BLANKS = st.from_regex(r"[a-z][a-z0-9]{0,12}", fullmatch=True).map(ox.BlankNode)
LANGS = st.sampled_from(["vi", "en", "en-us", "zh-hant-tw"])
DATATYPES = st.sampled_from([XSD + "integer", XSD + "decimal", XSD + "double", XSD + "boolean", XSD + "date",
                             "http://example.org/dt"])
TEXT = st.text(XML_CHARS, max_size=30)
LITERALS = st.one_of(
    TEXT.map(ox.Literal),
    st.builds(lambda v, lang: ox.Literal(v, language=lang), TEXT, LANGS),
    st.builds(lambda v, dt: ox.Literal(v, datatype=ox.NamedNode(dt)), TEXT, DATATYPES),
    st.integers().map(lambda n: ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))),
)
TERMS = st.one_of(st.none(), IRIS, BLANKS, LITERALS)


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=4).flatmap(
    lambda width: st.lists(st.lists(TERMS, min_size=width, max_size=width).map(tuple), max_size=6)))
def test_result_writer_any_terms_read_back_the_same(rows: list[tuple[object, ...]]) -> None:
    variables = [f"v{i}" for i in range(len(rows[0]) if rows else 2)]
    written = {}
    for name in RESULTS:
        out = io.BytesIO()
        write_solutions(name, variables, rows, out)
        written[name] = out.getvalue()
    for name in ("json", "tsv"):
        assert rows_of(written[name], name) == rows, name
    if variables:  # CSV keeps values only, by design
        assert rows_of(written["csv"], "csv") == [tuple(csv_value(t) for t in row) for row in rows]
    assert rows_of(written["xml"], "xml") == rows  # pyoxigraph's reader
    assert xml_rows(written["xml"], variables) == rows  # a plain XML 1.0 reader


def xml_rows(data: bytes, variables: list[str]) -> list[tuple[object, ...]]:
    """Read SPARQL XML results with ElementTree (no triple terms), as any XML client would."""
    ns = "{http://www.w3.org/2005/sparql-results#}"
    rows = []
    for result in ElementTree.fromstring(data).iter(ns + "result"):
        row: dict[str, object] = {}
        for binding in result.iter(ns + "binding"):
            (node,) = list(binding)
            text = node.text or ""
            if node.tag == ns + "uri":
                row[binding.get("name", "")] = ox.NamedNode(text)
            elif node.tag == ns + "bnode":
                row[binding.get("name", "")] = ox.BlankNode(text)
            else:
                datatype = node.get("datatype")
                row[binding.get("name", "")] = ox.Literal(
                    text, language=node.get("{http://www.w3.org/XML/1998/namespace}lang"),
                    datatype=ox.NamedNode(datatype) if datatype else None)
        rows.append(tuple(row.get(v) for v in variables))
    return rows

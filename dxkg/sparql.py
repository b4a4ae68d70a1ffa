"""SPARQL 1.1 Protocol: parse_request() -> QueryRequest; execute, write_result, table.

A query is evaluated once, by a query worker process (dxkg.pool): `write_result` serializes the
result into a spool as it is computed and counts its rows (or triples) on the way, stopping with
`ResultTooLarge` at the first one past the limit, so the HTTP status is known before the first
byte is sent. SELECT results go through dxkg.result_writer, because pyoxigraph serializes a
`QuerySolutions` only whole; CONSTRUCT/DESCRIBE triples go to pyoxigraph's own serializer through
a counting generator. Results belong to the thread that ran the query (touching one from another
thread aborts the process), so each of these functions consumes what it executes.

Refused, never run: SPARQL Update in any form (403) and federated `SERVICE` calls (403), which
would make the server send HTTP requests wherever a query tells it to.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, TypeVar

import pyoxigraph as ox

from . import formats
from .errors import BadQuery, NotAcceptable, QueryFailed, QueryRefused, ResultTooLarge, UnsupportedMediaType
from .formats import Format, Kind
from .query_guard import check_complexity
from .namespaces import PREFIXES, sparql_prologue
from .result_writer import write_solutions

if TYPE_CHECKING:
    from .result_table import ResultTable

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
_T = TypeVar("_T")

QUERY_MEDIA_TYPE = "application/sparql-query"
UPDATE_MEDIA_TYPE = "application/sparql-update"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
# Parameters only an update request carries (SPARQL 1.1 Protocol §2.2).
UPDATE_PARAMS = ("update", "using-graph-uri", "using-named-graph-uri")
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})
UPDATE_REFUSED = ("SPARQL Update is not allowed on this public endpoint: dxkg is read-only. "
                  "Its data is curated as Turtle files in the project's repository.")
SERVICE_REFUSED = "Federated queries (SERVICE) are not allowed on this endpoint: it queries dxkg's own data only."
MAX_FORM_FIELDS = 200
# `format=` values clients send for CONSTRUCT/DESCRIBE that mean RDF, not SPARQL results
# (SPARQLWrapper sends `xml`, `rdf+xml`, `json-ld`, `turtle`, `n3`; Virtuoso reads `json` as JSON-LD).
GRAPH_FORMAT_NAMES = {"xml": "rdf", "rdf+xml": "rdf", "json": "jsonld", "n3": "ttl"}

# What the query editor shows first.
# The prefixes the editor shows; every prefix in PREFIXES is predeclared on the server anyway.
EDITOR_PREFIXES = ("dx", "rdf", "rdfs", "xsd", "skos", "dcterms", "province", "resolution", "indicator", "target")
EDITOR_QUERY = sparql_prologue({name: PREFIXES[name] for name in EDITOR_PREFIXES}) + """
# Các tỉnh và thành phố trước 2025-07-01 / Provincial units before 2025-07-01
SELECT ?province ?name WHERE {
  ?province a dx:Province ;
            rdfs:label ?name .
  FILTER(LANG(?name) = "vi")
}
ORDER BY ?name
LIMIT 20
"""


@dataclass(frozen=True, slots=True)
class QueryRequest:
    """A query with its SPARQL Protocol dataset (`default-graph-uri`, `named-graph-uri`)."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    substitutions: dict[str, ox.NamedNode | ox.Literal] = field(default_factory=dict)

    @property
    def has_protocol_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


def parse_request(method: str, content_type: str | None, params: Mapping[str, Sequence[str]],
                  body: bytes = b"") -> QueryRequest | None:
    """Return the query of a SPARQL Protocol request, or None when it carries none; refuse updates."""
    return query_request(protocol_fields(method, content_type, params, body))


def protocol_fields(method: str, content_type: str | None, params: Mapping[str, Sequence[str]],
                    body: bytes = b"") -> dict[str, list[str]]:
    """Return a request's parameters: the URL's, plus a POST form's or a POST query body (§2.1.2, §2.1.3)."""
    media = (content_type or "").split(";")[0].strip().lower()
    fields: dict[str, list[str]] = {k: list(v) for k, v in params.items()}
    if method != "POST":
        return fields
    if media == UPDATE_MEDIA_TYPE:
        raise QueryRefused(UPDATE_REFUSED)
    if media == QUERY_MEDIA_TYPE:
        if "query" in fields:
            raise BadQuery("a POST with application/sparql-query carries the query in its body, "
                           "not in a 'query' parameter")
        fields["query"] = [_decode(body)]
    elif media == FORM_MEDIA_TYPE:
        for key, values in _parse_form(body).items():
            fields[key] = values + fields.get(key, [])
    elif body.strip():
        raise UnsupportedMediaType(f"unsupported content type '{media[:80]}'; send "
                                   f"{FORM_MEDIA_TYPE} (query=...) or {QUERY_MEDIA_TYPE}")
    return fields


def query_request(fields: Mapping[str, Sequence[str]]) -> QueryRequest | None:
    """Return the query and protocol dataset named by request parameters, or None without a query."""
    if any(name in fields for name in UPDATE_PARAMS):
        raise QueryRefused(UPDATE_REFUSED)
    queries = [q for q in fields.get("query", ()) if q.strip()]
    if len(queries) > 1:
        raise BadQuery(f"give one 'query' parameter, not {len(queries)}")
    if not queries:
        return None
    return QueryRequest(queries[0], tuple(fields.get("default-graph-uri", ())),
                        tuple(fields.get("named-graph-uri", ())))


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadQuery(f"the request body is not UTF-8: {exc}") from None


def _parse_form(body: bytes) -> dict[str, list[str]]:
    try:
        return urllib.parse.parse_qs(_decode(body), keep_blank_values=True, strict_parsing=False,
                                     max_num_fields=MAX_FORM_FIELDS)
    except ValueError as exc:
        raise BadQuery(f"malformed form body: {exc}") from None


# Comments, strings and IRIs, in the order SPARQL's grammar reads them (§19.8): what is inside
# them is not a keyword, so they are blanked before looking for SERVICE, FROM or an update verb.
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*",
    re.S,
)
_PROLOGUE = re.compile(r"\A\s*(?:(?:BASE\s*<>|PREFIX\s*[^\s:]*:\s*<>)\s*)*", re.I)
_WORD = re.compile(r"[A-Za-z]+")


def _keyword(name: str) -> re.Pattern[str]:
    # Not part of a prefixed name (`ex:service`), a variable (`?from`) or a longer word.
    return re.compile(rf"(?<![\w:?$-]){name}(?![\w:-])", re.I)


_SERVICE = _keyword("SERVICE")
_VOLATILE = re.compile(r"\b(?:NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)
_OUTER_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_CONSTRUCT_WHERE = re.compile(r"\bCONSTRUCT\s+WHERE\b", re.IGNORECASE)
_FROM = _keyword("FROM")


def _mask(query: str) -> str:
    def blank(match: re.Match[str]) -> str:
        text = match.group(0)
        return "<>" if text.startswith("<") else " " if text.startswith("#") else '""'
    return _OPAQUE.sub(blank, query)


def refuse_unsafe(query: str) -> None:
    """Raise QueryRefused for an update or a federated (SERVICE) query, BadQuery for one too complex to parse."""
    check_complexity(query)  # first: it keeps the parser's recursion and _mask's scan bounded
    masked = _mask(query)
    first = _WORD.match(masked, _PROLOGUE.match(masked).end())  # type: ignore[union-attr]
    if first and first.group(0).upper() in UPDATE_KEYWORDS:
        raise QueryRefused(UPDATE_REFUSED)
    if _SERVICE.search(masked):
        raise QueryRefused(SERVICE_REFUSED)


def is_repeatable(query: str) -> bool:
    """Return whether a query gives the same answer every time on the same data (no NOW(), RAND(),
    UUID(), STRUUID() or BNODE(), whose values change from one evaluation to the next)."""
    return not _VOLATILE.search(_mask(query))


def execute(store: ox.Store, request: QueryRequest) -> QueryResult:
    """Return the lazy result of a query; the default graph is the union of all graphs."""
    refuse_unsafe(request.query)
    options: dict[str, object] = {"prefixes": PREFIXES}
    try:
        if request.has_protocol_dataset:
            # SPARQL 1.1 Protocol §2.1.4: the protocol dataset replaces the query's FROM / FROM NAMED
            # and holds only the graphs it names.
            options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
            options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
        elif not _FROM.search(_mask(request.query)):
            # A query's own FROM / FROM NAMED wins; the union would silently ignore it.
            options["use_default_graph_as_union"] = True
        query = request.query
        if request.substitutions:
            query = inline_bindings(query, request.substitutions)
            if query is None:  # no outer WHERE group to put them in: pyoxigraph's own substitutions
                query = request.query
                options["substitutions"] = {ox.Variable(k): v for k, v in request.substitutions.items()}
        return store.query(query, **options)
    except SyntaxError as exc:
        raise BadQuery(str(exc)) from None
    except ValueError as exc:  # invalid IRIs in the dataset parameters
        raise BadQuery(str(exc)) from None


def inline_bindings(query: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str | None:
    """Return the query with its bound variables as a VALUES row at the top of its outer WHERE group,
    or None when it has none (`SELECT * { ... }`, `CONSTRUCT WHERE { ... }`).

    Why not pyoxigraph's substitutions: they bind after the query is planned, so a query over
    several patterns starts from the largest (every target in the store) and drops the rest at the
    end (11 ms against 6 ms for one province's targets at 100 k triples, more as the data grows); a
    VALUES block is planned first. The terms are written in pyoxigraph's N-Triples form of a
    validated term, so a value can only ever be a value."""
    names = list(bindings)
    row = " ".join(str(bindings[n]) for n in names)
    return with_values(query, f" VALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }} ")


def with_values(query: str, block: str) -> str | None:
    """Return the query with `block` (VALUES ..., with the spacing wanted) first in its outer WHERE
    group, or None when it has none to put it in. Strings, IRIs and comments are skipped, so a `WHERE {` inside them is not taken."""
    masked = _OPAQUE.sub(lambda m: " " * len(m.group(0)), query)  # same offsets as the query
    if _CONSTRUCT_WHERE.search(masked):
        return None
    where = _OUTER_WHERE.search(masked)
    if where is None:
        return None
    return query[:where.end()] + block + query[where.end():]


def result_kind(result: QueryResult) -> Kind:
    """Return `results` for SELECT and ASK, `graph` for CONSTRUCT and DESCRIBE."""
    return "graph" if isinstance(result, ox.QueryTriples) else "results"


def serialize(result: QueryResult, fmt: Format) -> bytes:
    """Return the result in the given format; the format's kind must match the result's."""
    if isinstance(result, ox.QueryTriples):
        return result.serialize(format=fmt.rdf_format) or b""
    return result.serialize(format=fmt.results_format) or b""


def write_result(result: QueryResult, fmt: Format, out: BinaryIO, limit: int) -> int:
    """Serialize a result into `out` as it is computed; return its rows (triples); raise ResultTooLarge past `limit`."""
    try:
        if isinstance(result, ox.QueryBoolean):
            result.serialize(out, format=fmt.results_format)
            return 1
        counter = _Counter(limit, "triples" if isinstance(result, ox.QueryTriples) else "rows")
        if isinstance(result, ox.QueryTriples):
            ox.serialize(counter.count(result), out, format=fmt.rdf_format, prefixes=rdf_prefixes(fmt.rdf_format))
        else:
            variables = [v.value for v in result.variables]
            write_solutions(fmt.name, variables, (tuple(s) for s in counter.count(result)), out)
        return counter.n
    except OSError as exc:
        raise QueryFailed(f"the query could not be evaluated: {exc}") from None


class _Counter:
    """Counts what passes through `count`, and stops it at the first item past the limit."""

    def __init__(self, limit: int, unit: str) -> None:
        self.limit = limit
        self.unit = unit
        self.n = 0

    def count(self, items: Iterable[_T]) -> Iterator[_T]:
        for item in items:
            self.n += 1
            if self.n > self.limit:
                raise ResultTooLarge(f"the result has more than {self.limit} {self.unit}, the limit of this "
                                     "endpoint; narrow the query or page through it with LIMIT and OFFSET")
            yield item


def rdf_prefixes(rdf_format: ox.RdfFormat) -> dict[str, str] | None:
    """Return the prefixes worth declaring in a serialization (only formats that abbreviate)."""
    return PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML) else None


def choose_format(kind: Kind, accept: str | None, format_values: Sequence[str] = ()) -> Format:
    """Return the format for a result of `kind`: the first usable `format=` value, else by Accept."""
    for value in format_values:
        name = value.strip().lower()
        if kind == "graph":
            name = GRAPH_FORMAT_NAMES.get(name, name)
        try:
            return formats.by_name(name, (kind,))
        except NotAcceptable:
            continue
    if format_values:
        return formats.by_name(format_values[0], (kind,))  # raises NotAcceptable naming the offer
    return formats.negotiate(accept, (kind,))


def table(store: ox.Store, request: QueryRequest, max_rows: int) -> tuple[Kind, ResultTable]:
    """Return the result's kind and at most `max_rows` of its rows, with labels, for an HTML page."""
    from .result_table import table_of

    result = execute(store, request)
    try:
        return result_kind(result), table_of(store, result, max_rows)
    except OSError as exc:
        raise QueryFailed(f"the query could not be evaluated: {exc}") from None
    finally:
        del result

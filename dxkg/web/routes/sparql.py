"""/sparql (SPARQL 1.1 Protocol, queries only) and /store (Graph Store Protocol, read-only).

Queries run in the query worker processes (dxkg.pool), under the time limit, the result-size limit
and the cap on queries in flight; the worker settles everything that decides the status (parse,
result size, format) before the first byte, and large answers stream from its spool
(dxkg.web.streaming). Updates and SERVICE are refused here, before any worker sees them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from ... import graph_store, metrics, service_description, sparql
from ...config import Settings
from ...errors import BadQuery, DxkgError, NotAcceptable, QueryTimeout
from ...formats import FORMATS, Format, Kind, by_name, negotiate, parse_accept
from ...namespaces import PREFIXES
from ...pool import Job, Pool
from ...queries import Catalog
from ...store import LoadedStore
from ..caching import cache_headers, digest, etag_for, is_not_modified
from ..deps import CatalogDep, PoolDep, SettingsDep, StoreDep, TemplatesDep
from ..streaming import answer_response, stream
from ..twins import page_lang

HTML_ROW_LIMIT = 1000
VARY = {"Vary": "Accept"}
# Public, read-only data: CORS for every client, not only browsers that send Origin.
PROTOCOL_HEADERS = VARY | {"Access-Control-Allow-Origin": "*"}
MISSING_QUERY = ("missing 'query': send a SPARQL query as ?query=..., as a form field, or as an "
                 "application/sparql-query body; ask for text/turtle to get the service description")
RESULT_FORMATS = tuple(f for f in FORMATS if f.kind == "results")
GRAPH_FORMATS = tuple(f for f in FORMATS if f.kind == "graph")
PROTOCOL_PARAMETERS: list[dict[str, Any]] = [
    {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "the SPARQL 1.1 query; without it a browser gets the query editor and an RDF client "
                    "the service description"},
    {"name": "default-graph-uri", "in": "query", "required": False,
     "schema": {"type": "array", "items": {"type": "string"}}, "style": "form", "explode": True,
     "description": "a graph of the default graph (repeatable); replaces the union of all graphs"},
    {"name": "named-graph-uri", "in": "query", "required": False,
     "schema": {"type": "array", "items": {"type": "string"}}, "style": "form", "explode": True,
     "description": "a graph GRAPH may match (repeatable)"},
    {"name": "format", "in": "query", "required": False,
     "schema": {"type": "string", "enum": [f.name for f in RESULT_FORMATS + GRAPH_FORMATS] + ["html"]},
     "description": "the result format, instead of the Accept header"},
]
QUERY_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "the results", "content": {f.media_type: {} for f in RESULT_FORMATS + GRAPH_FORMATS}
          | {"text/html": {}}},
    400: {"description": "a malformed query (the parser's message), or a result past the size limit "
                         "(page through it with LIMIT and OFFSET)", "content": {"text/plain": {}}},
    403: {"description": "SPARQL Update or SERVICE: refused", "content": {"text/plain": {}}},
    406: {"description": "no acceptable format", "content": {"text/plain": {}}},
    415: {"description": "a POST body that is neither a form nor application/sparql-query"},
    503: {"description": "too many queries in flight: try again after `Retry-After` seconds",
          "content": {"text/plain": {}}},
    504: {"description": "the query ran past the time limit and was stopped", "content": {"text/plain": {}}},
}


class ProtocolRoute(APIRoute):
    """A route whose every response, errors included, varies by Accept and is readable from any origin."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def with_protocol_headers(request: Request) -> Response:
            try:
                response = await handle(request)
            except Exception as exc:
                handler = _handler_for(request, exc)
                if handler is None:
                    raise
                response = handler(request, exc)
                if inspect.isawaitable(response):
                    response = await response
            for name, value in PROTOCOL_HEADERS.items():
                if name.lower() not in response.headers:
                    response.headers[name] = value
            return response

        return with_protocol_headers


def _handler_for(request: Request, exc: Exception) -> Callable[..., Any] | None:
    """Return the app's own handler for an exception (the same one that would run without us)."""
    handlers = request.app.exception_handlers
    return next((handlers[cls] for cls in type(exc).__mro__ if cls in handlers), None)


router = APIRouter(tags=["SPARQL"], route_class=ProtocolRoute)


@router.head("/sparql", name="sparql_head", include_in_schema=False)
@router.get("/sparql", name="sparql_get", responses=QUERY_RESPONSES, openapi_extra={"parameters": PROTOCOL_PARAMETERS})
async def sparql_get(request: Request, loaded: StoreDep, pool: PoolDep, settings: SettingsDep, catalog: CatalogDep,
                     templates: TemplatesDep) -> Response:
    """SPARQL 1.1 query via GET `?query=` (SELECT, ASK, CONSTRUCT, DESCRIBE).

    Results as SPARQL JSON (default), XML, CSV or TSV; graphs as Turtle (default), N-Triples, JSON-LD
    or RDF/XML; chosen by `Accept` (q-values honoured) or `format=`. The default graph is the union of
    all named graphs unless `default-graph-uri` / `named-graph-uri` (or FROM) say otherwise.
    Without a query: the query editor for a browser, the Service Description for an RDF client.
    SPARQL Update and SERVICE are refused (403). Past the time limit: 504; past the result-size limit:
    400; past the number of queries the endpoint takes at once: 503 with `Retry-After`."""
    fields = sparql.protocol_fields("GET", None, _params(request))
    return await _answer(request, fields, loaded, pool, settings, catalog, templates)


@router.post("/sparql", name="sparql_post", responses=QUERY_RESPONSES, openapi_extra={
    "requestBody": {"content": {
        sparql.FORM_MEDIA_TYPE: {"schema": {"type": "object", "properties": {
            "query": {"type": "string"}, "default-graph-uri": {"type": "array", "items": {"type": "string"}},
            "named-graph-uri": {"type": "array", "items": {"type": "string"}}}, "required": ["query"]}},
        sparql.QUERY_MEDIA_TYPE: {"schema": {"type": "string"}},
    }}})
async def sparql_post(request: Request, loaded: StoreDep, pool: PoolDep, settings: SettingsDep,
                      catalog: CatalogDep, templates: TemplatesDep) -> Response:
    """SPARQL 1.1 query via POST: a form (`query=`, `application/x-www-form-urlencoded`) or the query
    itself as the body (`application/sparql-query`, dataset parameters in the URL). Same answers as GET.
    `application/sparql-update` and `update=` are refused (403): this endpoint is read-only."""
    body = await _read_body(request)
    fields = sparql.protocol_fields("POST", request.headers.get("content-type"), _params(request), body)
    return await _answer(request, fields, loaded, pool, settings, catalog, templates)


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], name="sparql_not_allowed",
                  include_in_schema=False)
def sparql_not_allowed() -> Response:
    """Only queries: GET, HEAD or POST."""
    raise HTTPException(405, "/sparql answers queries only: GET, HEAD or POST", headers={"Allow": "GET, HEAD, POST"})


@router.head("/store", name="store_head", include_in_schema=False)
@router.get("/store", name="store_get", responses={
    200: {"content": {f.media_type: {} for f in FORMATS if f.kind in ("graph", "dataset")}},
    304: {"description": "not modified (If-None-Match)"}, 404: {"description": "no such graph"},
    406: {"description": "no acceptable format"}},
    openapi_extra={"parameters": [
        {"name": "graph", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "the IRI of a named graph"},
        {"name": "default", "in": "query", "required": False, "allowEmptyValue": True,
         "schema": {"type": "string"}, "description": "present: the default graph (the union of all graphs)"},
        {"name": "format", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "ttl, nt, jsonld, rdf (a graph) or nq, trig (the dataset), instead of Accept"}]})
def store_get(request: Request, loaded: StoreDep, settings: SettingsDep) -> Response:
    """Graph Store Protocol, read-only: `?graph=IRI` that named graph, `?default` the default graph
    (the union of all graphs), neither the whole dataset. Graphs as Turtle (default), N-Triples,
    JSON-LD or RDF/XML; the dataset as N-Quads (default) or TriG; by `Accept` or `format=`."""
    params = request.query_params
    selection = graph_store.select(params.getlist("graph"), "default" in params, loaded.manifest.graphs)
    kinds: tuple[Kind, ...] = ("dataset",) if selection.is_dataset else ("graph",)
    name = params.get("format")
    fmt = by_name(name, kinds) if name else negotiate(request.headers.get("accept"), kinds)
    headers = cache_headers(settings, etag_for(loaded.version, f"store-{fmt.name}"))
    if is_not_modified(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        return _head(fmt, headers)
    return stream(partial(graph_store.write_served, loaded, selection, fmt), fmt.media_type, headers,
                  what="a Graph Store read")


@router.api_route("/store", methods=["PUT", "POST", "DELETE", "PATCH"], name="store_write",
                  include_in_schema=False)
def store_write() -> Response:
    """The Graph Store is read-only."""
    raise HTTPException(405, "the graph store is read-only: GET or HEAD", headers={"Allow": "GET, HEAD"})


async def _answer(request: Request, fields: dict[str, list[str]], loaded: LoadedStore, pool: Pool,
                  settings: Settings, catalog: Catalog, templates: Any) -> Response:
    """Answer a protocol request: a query's results, the editor page, or the service description.

    A query's results are awaited on the event loop (the query runs in a worker process); the pages
    are built on a thread."""
    query = sparql.query_request(fields)
    format_values = fields.get("format", [])
    if query is None:
        return await run_in_threadpool(_without_query, request, format_values, loaded, settings, catalog, templates)
    if _wants_page(request.headers.get("accept"), format_values):
        return await run_in_threadpool(_editor, request, templates, catalog, settings, loaded, query, pool)
    sparql.refuse_unsafe(query.query)  # before any worker sees it
    accept = request.headers.get("accept")
    headers = _result_cache_headers(query, accept, format_values, loaded, settings)
    if "ETag" in headers and is_not_modified(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    job = Job(query, "data", settings.result_limit, accept, tuple(format_values))
    with metrics.query_timer(endpoint="sparql"):
        answer = await pool.run_async(job)
    if request.method == "HEAD":  # the same status and headers as GET, so the query ran all the same
        answer.close()
        return _head(answer.fmt, headers)  # type: ignore[arg-type]
    return answer_response(answer, headers)


def _result_cache_headers(query: sparql.QueryRequest, accept: str | None, format_values: list[str],
                          loaded: LoadedStore, settings: Settings) -> dict[str, str]:
    """Caching headers of a query's answer: an ETag for the data version and everything the answer is
    computed from (query, dataset, negotiation), unless the query's answer changes on every run."""
    if not sparql.is_repeatable(query.query):
        return VARY | {"Cache-Control": "no-store"}
    variant = digest(query.query, *query.default_graphs, "|", *query.named_graphs, "|", accept or "",
                     *format_values)
    return VARY | cache_headers(settings, etag_for(loaded.version, "q-" + variant))


def _without_query(request: Request, format_values: list[str], loaded: LoadedStore, settings: Settings,
                   catalog: Catalog, templates: Any) -> Response:
    """The editor for a browser, the Service Description for an RDF client, else 400."""
    fmt = _no_query_format(request.headers.get("accept"), format_values)
    if fmt is None:
        raise BadQuery(MISSING_QUERY)
    if fmt.is_html:
        return _editor(request, templates, catalog, settings, loaded, None, None)
    headers = cache_headers(settings, etag_for(loaded.version, f"sd-{fmt.name}"))
    if is_not_modified(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    endpoint = str(request.url_for("sparql_get"))
    triples = service_description.describe_service(endpoint, loaded.manifest.graphs)
    return Response(service_description.serialize(triples, fmt), media_type=fmt.media_type, headers=headers)


def _no_query_format(accept: str | None, format_values: list[str]) -> Format | None:
    """Return HTML or an RDF format when asked for explicitly (`format=` or a named media type)."""
    if format_values:
        try:
            return by_name(format_values[0], ("html", "graph"))
        except NotAcceptable:
            return None
    for media, q in parse_accept(accept):
        if q == 0.0 or "*" in media:
            continue
        try:
            return negotiate(media, ("html", "graph"))
        except NotAcceptable:
            return None  # the client prefers something else (SPARQL results): it forgot the query
    return None


def _wants_page(accept: str | None, format_values: list[str]) -> bool:
    """Return whether a query's results should come as the editor page with a table."""
    if format_values:
        return format_values[0].strip().lower() == "html"
    try:
        return negotiate(accept, ("results", "graph", "html")).is_html
    except NotAcceptable:
        return False  # answered with the right 406 once the result kind is known


def _editor(request: Request, templates: Any, catalog: Catalog, settings: Settings, loaded: LoadedStore,
            query: sparql.QueryRequest | None, pool: Pool | None) -> Response:
    """The query editor, with the results of `query` as a table when there is one."""
    lang = page_lang(request)
    kind, table, error, status = None, None, None, 200
    if query is not None and pool is not None:
        try:
            sparql.refuse_unsafe(query.query)
            with metrics.query_timer(endpoint="sparql"):
                answer = pool.run(Job(query, "table", min(HTML_ROW_LIMIT, settings.result_limit)))
            kind, table = answer.kind, answer.table
        except DxkgError as exc:
            if exc.status >= 500 and not isinstance(exc, QueryTimeout):
                raise
            # A person at the editor gets the message beside their query, not a bare error page.
            error, status = str(exc), exc.status
    sd_url = str(request.url_for("sparql_get").include_query_params(format="ttl"))
    headers = VARY | {"Link": f'<{sd_url}>; rel="alternate"; type="text/turtle"; title="SPARQL Service Description"'}
    return templates.TemplateResponse(request, "sparql.html", {
        "lang": lang,
        "query_text": query.query if query else sparql.EDITOR_QUERY,
        "has_query": query is not None,
        "examples": list(catalog),
        "table": table,
        "error": error,
        "kind": kind,
        "downloads": _downloads(request, query),
        "result_formats": RESULT_FORMATS,
        "graph_formats": GRAPH_FORMATS,
        "base_iri": settings.base_iri,
        "prefixes": PREFIXES,
        "sd_url": sd_url,
    }, status_code=status, headers=headers)


def _downloads(request: Request, query: sparql.QueryRequest | None) -> dict[str, str]:
    """Return the URL of the query's results in every format, by format name."""
    if query is None:
        return {}
    path = request.app.url_path_for("sparql_get")
    pairs = [("query", query.query)] + [("default-graph-uri", g) for g in query.default_graphs] \
        + [("named-graph-uri", g) for g in query.named_graphs]
    return {f.name: f"{path}?{urlencode(pairs + [('format', f.name)])}" for f in RESULT_FORMATS + GRAPH_FORMATS}


def _head(fmt: Format, headers: dict[str, str]) -> Response:
    """A HEAD answer: the GET's headers, no body, and no Content-Length (the body is streamed)."""
    return StreamingResponse(iter(()), media_type=fmt.media_type, headers=headers)


def _params(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    return params


async def _read_body(request: Request) -> bytes:
    """Return the request body (dxkg.web.security has already refused one past max_body_bytes)."""
    return await request.body()

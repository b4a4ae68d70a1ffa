"""Named queries: the catalogue of queries/*.rq at /queries, each run at /queries/{name}."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from ... import metrics
from ...i18n import LANGUAGE_VARY
from ...formats import FORMATS, Format, Kind, by_name, negotiate
from ...namespaces import PREFIXES
from ...pool import Job
from ...queries import Catalog, NamedQuery, Parameter
from ...sparql import QueryRequest, result_kind
from ..twins import Twin, link_header, page_lang, wants_page
from ..caching import cache_headers, digest, etag_for, is_not_modified
from ..deps import CatalogDep, PoolDep, SettingsDep, StoreDep, TemplatesDep
from ..streaming import answer_response

router = APIRouter(tags=["named queries"])
CORS = {"Access-Control-Allow-Origin": "*"}
HTML_ROW_LIMIT = 1000
# JSON Schema of each parameter type, for the catalogue and OpenAPI.
SCHEMAS: dict[str, dict[str, Any]] = {
    "iri": {"type": "string", "format": "iri",
            "description": "an IRI, `<IRI>`, or `prefix:local` with a known prefix (province:gia-lai)"},
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "gYear": {"type": "string", "format": "gYear", "pattern": "^-?[0-9]{4}$"},
    "date": {"type": "string", "format": "date"},
    "language": {"type": "string", "format": "language", "pattern": "^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$"},
}


@router.get("/queries", name="query_list")
def query_list(request: Request, catalog: CatalogDep, settings: SettingsDep,
               templates: TemplatesDep) -> Response:
    """The catalogue of named queries: name, title, description, tags, typed parameters, URL and an
    OpenAPI description of each. JSON for `Accept: application/json` (or `?format=json`), HTML for a
    browser."""
    html = wants_page(request)
    etag = etag_for(_catalog_version(catalog), "html-" + page_lang(request) if html else "json")
    headers = cache_headers(settings, etag) | CORS
    if is_not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    if html:
        json_url = str(request.url_for("query_list").include_query_params(format="json"))
        headers["Link"] = f'<{json_url}>; rel="alternate"; type="application/json"'
        return templates.TemplateResponse(request, "queries.html", {
            "lang": page_lang(request), "queries": list(catalog), "json_url": json_url,
            "kinds": {q.name: query_kind(q) for q in catalog},
        }, headers=headers)
    return JSONResponse({"queries": [describe_query(request, q) for q in catalog]}, headers=headers)


@router.get("/queries/{name}", name="query_run",
            responses={200: {"content": {f.media_type: {} for f in FORMATS
                                         if f.kind in ("results", "graph", "html")}},
                       304: {}, 400: {"content": {"text/plain": {}}}, 404: {}, 406: {},
                       503: {"content": {"text/plain": {}}}, 504: {"content": {"text/plain": {}}}})
def query_run(name: str, request: Request, loaded: StoreDep, pool: PoolDep, catalog: CatalogDep,
              settings: SettingsDep, templates: TemplatesDep) -> Response:
    """Run a named query with its parameters from the query string, bound as typed RDF terms (the query
    text never changes). Every format `/sparql` offers, by `Accept` or `?format=`; the query page with a
    parameter form and the results for a browser. A missing or ill-typed parameter: `400` naming it.
    The limits of `/sparql` apply (time: 504, result size: 400, queries at once: 503)."""
    query = catalog.get(name)
    fmt = _result_format(request, query_kind(query))
    if fmt.is_html and _missing_required(query, request):
        return _query_page(request, templates, query, fmt, None, status=200)
    with metrics.query_timer(endpoint="named") as timer:
        substitutions = query.bind(request.query_params)
        etag = etag_for(loaded.version, _variant(query, substitutions, fmt, request))
        headers = cache_headers(settings, etag) | CORS
        if is_not_modified(request, etag):
            timer.skip()
            return Response(status_code=304, headers=headers)
        prepared = QueryRequest(query.text, substitutions=substitutions)
        if fmt.is_html:
            table = pool.run(Job(prepared, "table", min(HTML_ROW_LIMIT, settings.result_limit))).table
            return _query_page(request, templates, query, fmt, table, headers=headers)
        answer = pool.run(Job(prepared, "data", settings.result_limit, format_values=(fmt.name,)))
    return answer_response(answer, headers)


def add_named_queries_to_openapi(app: FastAPI) -> None:
    """Make `/openapi.json` list each named query as its own GET operation at `/queries/{name}`.

    The catalogue is read from `app.state.catalog` when the schema is first asked for, so this can be
    called in `create_app` before the lifespan has loaded it.
    """
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema and app.openapi_schema.get("x-dxkg-named-queries"):
            return app.openapi_schema
        schema = generate()
        catalog: Catalog | None = getattr(app.state, "catalog", None)
        if catalog is not None:
            for query in catalog:
                schema["paths"][f"/queries/{query.name}"] = {"get": operation_for(query)}
            schema["x-dxkg-named-queries"] = len(catalog)
            app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def describe_query(request: Request, query: NamedQuery) -> dict[str, Any]:
    """Return the catalogue entry of a named query, as JSON."""
    url = str(request.url_for("query_run", name=query.name))
    examples = query.example_values()
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "tags": list(query.tags),
        "kind": "construct" if query_kind(query) == "graph" else "select",
        "parameters": [_parameter_json(p) for p in query.parameters],
        "url": url,
        "example_url": str(request.url_for("query_run", name=query.name).include_query_params(**examples)),
        "formats": [f.media_type for f in _formats_of(query_kind(query))],
        "sparql": query.text,
        "operation": operation_for(query),
    }


def operation_for(query: NamedQuery) -> dict[str, Any]:
    """Return an OpenAPI 3 operation object for running a named query."""
    formats = _formats_of(query_kind(query))
    parameters = [{
        "name": p.name,
        "in": "query",
        "required": p.required,
        "description": p.description,
        "schema": SCHEMAS[p.type],
        **({"example": _typed_example(p)} if p.example else {}),
    } for p in query.parameters]
    parameters.append({
        "name": "format", "in": "query", "required": False,
        "description": "the result format, instead of the Accept header",
        "schema": {"type": "string", "enum": [f.name for f in formats] + ["html"]},
    })
    return {
        "operationId": "query_" + query.name.replace("-", "_"),
        "summary": query.title,
        "description": query.description,
        "tags": ["named queries", *query.tags],
        "parameters": parameters,
        "responses": {
            "200": {"description": "the results",
                    "content": {f.media_type: {} for f in formats} | {"text/html": {}}},
            "304": {"description": "not modified (If-None-Match)"},
            "400": {"description": "a missing or ill-typed parameter, named in the message",
                    "content": {"text/plain": {}}},
            "406": {"description": "no acceptable format", "content": {"text/plain": {}}},
        },
    }


def query_kind(query: NamedQuery) -> Kind:
    """Return `results` for a SELECT/ASK named query, `graph` for CONSTRUCT/DESCRIBE."""
    return _kind_of_text(query.text)


@lru_cache(maxsize=256)
def _kind_of_text(text: str) -> Kind:
    # Running the query on an empty store is the parser's way of telling its form.
    return result_kind(ox.Store().query(text, prefixes=PREFIXES))


def _formats_of(kind: Kind) -> list[Format]:
    return [f for f in FORMATS if f.kind == kind]


def _parameter_json(param: Parameter) -> dict[str, Any]:
    return {"name": param.name, "type": param.type, "required": param.required, "example": param.example,
            "description": param.description, "schema": SCHEMAS[param.type]}


def _typed_example(param: Parameter) -> Any:
    try:
        if param.type == "integer":
            return int(param.example)
        if param.type == "decimal":
            return float(param.example)
    except ValueError:
        pass
    return param.example


def _result_format(request: Request, kind: Kind) -> Format:
    name = request.query_params.get("format")
    if name:
        return by_name(name, (kind, "html"))
    return negotiate(request.headers.get("accept"), (kind, "html"))


def _missing_required(query: NamedQuery, request: Request) -> bool:
    return any(p.required and not request.query_params.get(p.name, "").strip() for p in query.parameters)


def _query_page(request: Request, templates: Any, query: NamedQuery, fmt: Format, table: Any,
                status: int = 200, headers: dict[str, str] | None = None) -> Response:
    lang = page_lang(request)
    values = {p.name: request.query_params.get(p.name, "") for p in query.parameters}
    base = request.url_for("query_run", name=query.name)
    filled = {k: v for k, v in values.items() if v}
    links = {f.name: str(base.include_query_params(**filled, format=f.name))
             for f in _formats_of(query_kind(query))}
    twins = [Twin(f, links[f.name]) for f in _formats_of(query_kind(query))]
    return templates.TemplateResponse(request, "query.html", {
        "lang": lang, "query": query, "values": values, "table": table, "format_links": links,
        "formats": _formats_of(query_kind(query)), "missing": table is None,
        "json_url": str(request.url_for("query_list").include_query_params(format="json")),
    }, status_code=status, headers=(headers or {}) | {"Vary": f"Accept, {LANGUAGE_VARY}",
                                                      "Link": link_header(twins)})


def _variant(query: NamedQuery, substitutions: dict[str, ox.NamedNode | ox.Literal], fmt: Format,
             request: Request) -> str:
    """Return an ETag variant for a query's text, its bound values and the format.

    Values are hashed as the terms they bind (`province:gia-lai` and its full IRI give one ETag);
    a page also shows the values as typed, and its language.
    """
    parts = [query.text, *(f"{key}={substitutions[key]}" for key in sorted(substitutions)), fmt.name]
    if fmt.is_html:
        parts.append(page_lang(request))
        parts += [f"{param.name}:{request.query_params.get(param.name, '')}" for param in query.parameters]
    return "q-" + digest(*parts)


def _catalog_version(catalog: Catalog) -> str:
    return "queries-" + digest(*(f"{query.name}\n{query.text}" for query in catalog))



"""Linked data: entity pages and descriptions at /id/{type}/{slug}, class listings, the ontology."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from ... import comparison, dashboard, entities, entity_lists, ontology_doc, profile
from ...config import Settings
from ...errors import BadQuery, NotFound
from ...formats import BY_NAME, Format
from ...i18n import LANGUAGE_VARY
from ...lists import FIRST, Window
from ...namespaces import iri_for
from ...store import LoadedStore
from ..caching import cache_headers, etag_for, is_not_modified
from ..deps import SettingsDep, StoreDep, TemplatesDep
from ..twins import CORS, RDF_FORMATS, Twin, choose_format, link_header, page_lang, split_suffix

router = APIRouter(tags=["linked data"])
RDF_CONTENT = {f.media_type: {} for f in RDF_FORMATS}
NEGOTIATED = {200: {"content": {"text/html": {}, **RDF_CONTENT}}, 304: {}, 404: {}, 406: {}}
ONTOLOGY_FILE = "dxkg.ttl"
# Entities that read better as a dashboard or a document than as a property table; the table stays below.
PAGES: dict[str, tuple[str, Callable[[ox.Store, str], object]]] = {
    "province": ("province.html", dashboard.province_dashboard),
    "document": ("document.html", profile.document_profile),
    "partner": ("partner.html", profile.partner_profile),
    "platform": ("platform.html", profile.platform_profile),
    "indicator": ("indicator.html", comparison.indicator_view),
    "index": ("index_view.html", comparison.index_view),
}
# A page's language comes from `?lang=` (in the URL), the language cookie or Accept-Language.
HTML_VARY = f"Accept, {LANGUAGE_VARY}"
# A page embeds its entity's description as JSON-LD; an entity more triples point to embeds its own
# triples alone (the complete description is its twin, linked from the page).
EMBEDDED_INCOMING = 100
MAX_PAGE = 1_000_000


@router.get("/ontology", name="ontology_page", responses=NEGOTIATED)
def ontology_page(request: Request, loaded: StoreDep, settings: SettingsDep, templates: TemplatesDep) -> Response:
    """The ontology (`dx:`): an HTML page documenting every class and property (labels vi/en, comments,
    domains, ranges, sub-class tree, reused vocabularies) for a browser; the Turtle file for
    `Accept: text/turtle` (also at `/ontology.ttl`); N-Triples, JSON-LD or RDF/XML of the
    ontology graph for those media types or `?format=nt|jsonld|rdf`."""
    fmt = choose_format(request, None)
    if fmt.name == "ttl":
        return _ontology_turtle(request, settings)
    twins = [Twin(f, str(request.url_for("ontology_page").include_query_params(format=f.name)))
             for f in RDF_FORMATS if f.name != "ttl"]
    twins.insert(0, Twin(BY_NAME["ttl"], str(request.url_for("ontology_ttl"))))
    lang = page_lang(request)
    etag = etag_for(loaded.version, f"ontology-{fmt.name}-{lang}")
    headers = cache_headers(settings, etag) | CORS
    if fmt.is_html:
        headers["Vary"] = HTML_VARY
    if is_not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    if fmt.is_html:
        headers["Link"] = link_header(twins)
        return templates.TemplateResponse(request, "ontology.html", {
            "lang": lang, "doc": ontology_doc.document(loaded.store), "twins": twins,
        }, headers=headers)
    headers["Link"] = link_header([t for t in twins if t.format != fmt], str(request.url_for("ontology_page")))
    quads = loaded.store.quads_for_pattern(None, None, None, ontology_doc.ONTOLOGY_GRAPH)
    return Response(entities.serialize((q.triple for q in quads), fmt), media_type=fmt.media_type, headers=headers)


@router.get("/ontology.ttl", name="ontology_ttl",
            responses={200: {"content": {"text/turtle": {}}}, 304: {}})
def ontology_ttl(request: Request, settings: SettingsDep) -> Response:
    """The ontology as its Turtle source file (`ontology/dxkg.ttl`), comments and all."""
    return _ontology_turtle(request, settings)


@router.get("/id/{type_name}", name="class_index", responses=NEGOTIATED)
def class_index(type_name: str, request: Request, loaded: StoreDep, settings: SettingsDep,
                templates: TemplatesDep) -> Response:
    """Every entity whose IRI is under `/id/{type_name}/` (e.g. `/id/province`), with labels and types.

    HTML for a browser; the entities' types and labels as Turtle, JSON-LD, N-Triples or RDF/XML
    by `Accept`, `?format=` or a suffix (`/id/province.ttl`). `404` for a type with no entities."""
    name, suffix_format = split_suffix(type_name)
    fmt = choose_format(request, suffix_format)
    twins = [Twin(f, str(request.url_for("class_index", type_name=f"{name}.{f.suffix}"))) for f in RDF_FORMATS]
    html_url = str(request.url_for("class_index", type_name=name))
    if not entities.type_exists(loaded.store, name):
        raise NotFound(f"no entity type '{name[:60]}'")
    return _negotiated(request, loaded, settings, templates, fmt, twins, html_url, f"type-{name}",
                       html=lambda: ("class.html", {"index": entities.list_type(loaded.store, name)}),
                       graph=lambda: entities.describe_type(loaded.store, name))


@router.get("/id/{type_name}/{slug}", name="entity", responses=NEGOTIATED)
def entity(type_name: str, slug: str, request: Request, loaded: StoreDep, settings: SettingsDep,
           templates: TemplatesDep) -> Response:
    """One entity, e.g. `/id/province/gia-lai` for `https://w3id.org/dxkg/id/province/gia-lai`.

    `Accept: text/html` gives its page. `text/turtle`, `application/ld+json`, `application/n-triples`
    or `application/rdf+xml` give its description: its own triples, the triples that point to it,
    and the labels of every neighbour and property. The same by suffix (`gia-lai.ttl`, `.jsonld`,
    `.nt`, `.rdf`) or `?format=ttl|jsonld|nt|rdf`. `404` for an unknown entity."""
    slug, suffix_format = split_suffix(slug)
    fmt = choose_format(request, suffix_format)
    iri = iri_for(f"id/{type_name}/{slug}")
    twins = [Twin(f, str(request.url_for("entity", type_name=type_name, slug=f"{slug}.{f.suffix}")))
             for f in RDF_FORMATS]
    html_url = str(request.url_for("entity", type_name=type_name, slug=slug))
    store = loaded.store

    def page() -> tuple[str, dict]:
        graph = entities.describe_graph(store, iri, incoming_limit=EMBEDDED_INCOMING)
        jsonld = json.loads(entities.serialize(graph, BY_NAME["jsonld"]))
        context = {"entity": entities.describe(store, iri, FIRST), "jsonld": jsonld}
        kind = profile.page_kind(store, iri)
        if kind in PAGES:
            template, view = PAGES[kind]
            return template, {**context, "view": view(store, iri)}
        return "entity.html", context

    if not entities.exists(store, iri):
        raise NotFound(f"no entity {iri}")
    return _negotiated(request, loaded, settings, templates, fmt, twins, html_url, "entity",
                       html=page, graph=lambda: entities.describe_graph(store, iri))


@router.get("/id/{type_name}/{slug}/{list_name}", name="entity_list",
            responses={200: {"content": {"text/html": {}}}, 304: {}, 400: {}, 404: {}})
def entity_list(type_name: str, slug: str, list_name: str, request: Request, loaded: StoreDep,
                settings: SettingsDep, templates: TemplatesDep) -> Response:
    """One of an entity page's long lists, complete, as an HTML page: e.g. `/id/partner/vnpt/agreements`.

    The entity page shows the first rows of each long list and links here; `?page=N` pages through
    every row in the same order. Lists: `documents`, `agreements`, `systems`, `targets`, `results`,
    `rankings?index=` (provinces); `agreements`, `systems` (partners); `systems` (platform kinds);
    `targets`, `results` (indicators); `editions`, `histories` (indices); `targets`, `implemented-by`,
    `basis-of` (documents); and for any entity `linked-from?property=`, `values?property=` (its links in
    and out by one property, e.g. `property=dx:province`) and `graphs`. `404` for an unknown entity or
    list or a page past the last; `400` for a missing parameter or a page that is not a positive number."""
    iri = iri_for(f"id/{type_name}/{slug}")
    store = loaded.store
    if not entities.exists(store, iri):
        raise NotFound(f"no entity {iri}")
    kind = profile.page_kind(store, iri)
    listing = entity_lists.find(kind, list_name)
    page = _page_number(request.query_params.get("page", "1"))
    params = {}
    if listing.parameter:
        params[listing.parameter] = request.query_params.get(listing.parameter, "").strip()
        if not params[listing.parameter]:
            raise BadQuery(f"missing parameter '{listing.parameter}'")
    lang = page_lang(request)
    variant = hashlib.sha256("\n".join([iri, list_name, str(page), *params.values()]).encode()).hexdigest()[:24]
    etag = etag_for(loaded.version, f"list-{variant}-{lang}")
    headers = cache_headers(settings, etag) | CORS | {"Vary": HTML_VARY}
    if is_not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    view = listing.build(store, iri, Window.page(page, listing.page_rows), params)
    rows = entity_lists.rows_of(view)
    pages = max(1, -(-rows.total // listing.page_rows))
    if page > pages:
        raise NotFound(f"no page {page}: the list has {pages}")
    here = request.url_for("entity_list", type_name=type_name, slug=slug, list_name=list_name)

    def page_url(number: int) -> str:
        return str(here.include_query_params(**params, page=number)) if 1 <= number <= pages else ""

    about = None
    for name in ("property", "index"):
        if name in params:
            about = entities.term(store, ox.NamedNode(entity_lists.parameter_iri(params, name)))
    return templates.TemplateResponse(request, "entity_list.html", {
        "lang": lang, "entity": entities.term(store, ox.NamedNode(iri)), "kind": kind, "listing": listing,
        "about": about, "view": view, "rows": rows, "page": page, "pages": pages,
        "previous_url": page_url(page - 1), "next_url": page_url(page + 1),
    }, headers=headers)


def _page_number(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise BadQuery(f"parameter 'page': '{raw[:20]}' is not a page number")
    return int(raw)


def _negotiated(request: Request, loaded: LoadedStore, settings: Settings, templates: Jinja2Templates, fmt: Format,
                twins: list[Twin], html_url: str, variant: str, html: Callable[[], tuple[str, dict[str, Any]]],
                graph: Callable[[], list[ox.Triple]]) -> Response:
    """Answer with the page or an RDF twin, with ETag, Link and Vary headers; 304 when current."""
    lang = page_lang(request)
    etag = etag_for(loaded.version, f"{variant}-{fmt.name}" + (f"-{lang}" if fmt.is_html else ""))
    headers = cache_headers(settings, etag) | CORS
    if fmt.is_html:
        headers["Link"] = link_header(twins)
        headers["Vary"] = HTML_VARY
    else:
        headers["Link"] = link_header([t for t in twins if t.format != fmt], html_url)
    if is_not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    if fmt.is_html:
        template, context = html()
        return templates.TemplateResponse(request, template, {"lang": lang, "twins": twins, **context},
                                          headers=headers)
    return Response(entities.serialize(graph(), fmt), media_type=fmt.media_type, headers=headers)


def _ontology_turtle(request: Request, settings: Settings) -> Response:
    path = settings.ontology_dir / ONTOLOGY_FILE
    try:
        body = path.read_bytes()
    except FileNotFoundError:
        raise NotFound("the ontology file is not available") from None
    etag = etag_for(hashlib.sha256(body).hexdigest()[:16], "ontology-ttl")
    headers = cache_headers(settings, etag) | CORS
    headers["Link"] = f'<{request.url_for("ontology_page")}>; rel="alternate"; type="text/html"'
    if is_not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/turtle", headers=headers)


# HEAD answers like GET without the body (linked-data clients probe with it); kept out of OpenAPI.
for _route in list(router.routes):
    router.add_api_route(_route.path, _route.endpoint, methods=["HEAD"], name=f"{_route.name}_head",
                         include_in_schema=False)

"""Dumps, the VoID description, health and metrics: the dataset as a whole."""

from __future__ import annotations

import calendar
import time
from email.utils import formatdate, parsedate_tz

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from ... import __version__, metrics, void
from ...config import Settings
from ...dump_files import DumpFile, DumpIndex, dumps_index
from ...dumps import DUMPS
from ...errors import NotReady
from ...formats import Format, by_name, negotiate
from ...store import LoadedStore
from ..twins import page_lang, wants_page
from ..caching import cache_headers, etag_for, is_not_modified
from ..deps import SettingsDep, StoreDep, TemplatesDep

router = APIRouter(tags=["data"])
CORS = {"Access-Control-Allow-Origin": "*"}
VOID_MEDIA_TYPES = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml",
                    "text/html")
DUMPS_RETRY_AFTER_S = 30


@router.get("/dumps", name="dump_list")
def dump_list(request: Request, loaded: StoreDep, settings: SettingsDep, templates: TemplatesDep) -> Response:
    """The downloadable dumps of the whole dataset: file name, URL, size, triple count, date and SHA-256.

    JSON for `Accept: application/json` (or `?format=json`), an HTML page for a browser.
    `dxkg.ttl` and `dxkg.nt.gz` merge the named graphs; `dxkg.nq.gz` keeps them. `503` with
    `Retry-After` while the dumps of a version that came without them are being written.
    """
    index = _ready_dumps(settings, loaded)
    html = wants_page(request)
    etag = etag_for(loaded.version, "dumps-html" if html else "dumps-json")
    headers = cache_headers(settings, etag) | CORS
    if is_not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    entries = [_dump_json(request, entry) for entry in index.files]
    if html:
        json_url = str(request.url_for("dump_list").include_query_params(format="json"))
        headers["Link"] = f'<{json_url}>; rel="alternate"; type="application/json"'
        return templates.TemplateResponse(request, "dumps.html", {
            "lang": page_lang(request), "dumps": entries, "version": index.version, "json_url": json_url,
            "void_url": str(request.url_for("void_description")),
        }, headers=headers)
    return JSONResponse({"version": index.version, "dumps": entries}, headers=headers)


@router.head("/dumps/{name}", name="dump_file_head", include_in_schema=False)
@router.get("/dumps/{name}", name="dump_file",
            responses={200: {"content": {"text/turtle": {}, "application/gzip": {}}}, 304: {}, 404: {}})
def dump_file(name: str, request: Request, loaded: StoreDep, settings: SettingsDep) -> Response:
    """One dump file (`dxkg.ttl`, `dxkg.nt.gz` or `dxkg.nq.gz`), with ETag and Last-Modified.

    Gzip files are sent as `application/gzip`, to be saved as they are. `If-None-Match` or
    `If-Modified-Since` answer `304` when the client's copy is current. `503` with `Retry-After`
    while the dumps of a version that came without them are being written.
    """
    index = _ready_dumps(settings, loaded)
    entry = index.get(name)  # only published names: nothing from the URL reaches the file system
    etag = etag_for(loaded.version, entry.filename)
    modified = _timestamp(entry.date)
    headers = cache_headers(settings, etag, vary_accept=False) | CORS
    headers["Last-Modified"] = formatdate(modified, usegmt=True)
    if is_not_modified(request, etag) or _not_modified_since(request, modified):
        return Response(status_code=304, headers=headers)
    return FileResponse(_path(index, entry), media_type=entry.content_type, filename=entry.filename,
                        headers=headers)


@router.get("/.well-known/void", name="void_description",
            responses={200: {"content": {media: {} for media in VOID_MEDIA_TYPES}}, 304: {}, 406: {}})
def void_description(request: Request, loaded: StoreDep, settings: SettingsDep,
                     templates: TemplatesDep) -> Response:
    """The VoID description of the dataset (Turtle by default): triple and entity counts, class and
    property partitions, one subset per named graph with its source, the SPARQL endpoint, the dumps,
    the licence (CC BY 4.0) and the ontology as vocabulary.

    Other RDF formats by `Accept` or `?format=nt|jsonld|rdf`; an HTML page with the same figures
    for a browser.
    """
    fmt = _void_format(request)
    index = dumps_index(settings, loaded.version)
    etag = etag_for(loaded.version, "void-" + fmt.name)
    headers = cache_headers(settings, etag) | CORS
    if fmt.is_html and index is None:  # the page lists the dumps' sizes: not to be kept until they are there
        headers = {"Cache-Control": "no-store"} | CORS
    elif is_not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    stats = void.dataset_stats(loaded)
    dump_urls = [str(request.url_for("dump_file", name=dump.filename)) for dump in DUMPS]
    sparql_url = str(request.url_for("sparql_get"))
    if fmt.is_html:
        turtle_url = str(request.url_for("void_description").include_query_params(format="ttl"))
        headers["Link"] = f'<{turtle_url}>; rel="alternate"; type="text/turtle"'
        return templates.TemplateResponse(request, "void.html", {
            "lang": page_lang(request), "stats": stats, "sparql_url": sparql_url, "turtle_url": turtle_url,
            "dumps": [_dump_json(request, entry) for entry in index.files] if index else [], "dataset": void.DATASET,
            "license": void.LICENSE, "vocabulary": void.DX,
        }, headers=headers)
    body = void.serialize(void.describe(stats, sparql_url, dump_urls), fmt)
    return Response(body, media_type=fmt.media_type, headers=headers)


@router.get("/healthz", name="healthz", tags=["operations"])
def healthz(loaded: StoreDep) -> JSONResponse:
    """`200` with the data version, triple and graph counts once the store is loaded."""
    # Counts from the manifest: len(store) scans every quad (0.1-0.5 s at 1 M triples), and the scan
    # makes the server's copy of most of the store private (pyoxigraph writes while it reads).
    manifest = loaded.manifest
    return JSONResponse({
        "status": "ok",
        "version": loaded.version,
        "triples": manifest.triples,
        "graphs": len(manifest.graphs),
        "built_at": manifest.built_at,
        "dxkg_version": __version__,
    }, headers={"Cache-Control": "no-store"})


@router.get("/metrics", name="metrics", tags=["operations"],
            responses={200: {"content": {metrics.CONTENT_TYPE: {}}}})
def metrics_text(request: Request, loaded: StoreDep) -> Response:
    """Prometheus metrics (text format 0.0.4): requests by route, method and status, latencies,
    SPARQL queries by outcome (ok, bad_request, timeout, error), the store's size and version, and
    the response cache's hits, misses, entries and bytes."""
    gauges = [
        metrics.Gauge("dxkg_store_triples", "Triples (quads) in the store in service.", loaded.manifest.triples),
        metrics.Gauge("dxkg_store_graphs", "Named graphs in the store in service.",
                      len(loaded.manifest.graphs)),
        metrics.Gauge("dxkg_store_built_timestamp_seconds", "When the store in service was built.",
                      _timestamp(loaded.manifest.built_at)),
        metrics.Gauge("dxkg_info", "The data version and dxkg version in service.", 1,
                      {"data_version": loaded.version, "dxkg_version": __version__}),
    ]
    cache = getattr(request.app.state, "response_cache", None)
    if cache is not None:
        gauges += cache.gauges()
    return Response(metrics.render(gauges), media_type=metrics.CONTENT_TYPE,
                    headers={"Cache-Control": "no-store"})


def _ready_dumps(settings: Settings, loaded: LoadedStore) -> DumpIndex:
    """Return the index of the version's dumps; raise NotReady (503) while they are being written."""
    index = dumps_index(settings, loaded.version)
    if index is None:
        raise NotReady(f"the dumps of data version {loaded.version} are being written; try again in "
                       f"{DUMPS_RETRY_AFTER_S} s", DUMPS_RETRY_AFTER_S)
    return index


def _void_format(request: Request) -> Format:
    name = request.query_params.get("format")
    if name:
        return by_name(name, ("graph", "html"))
    return negotiate(request.headers.get("accept"), ("graph", "html"))


def _dump_url(request: Request, entry: DumpFile) -> str:
    return str(request.url_for("dump_file", name=entry.filename))


def _dump_json(request: Request, entry: DumpFile) -> dict[str, object]:
    return {
        "name": entry.filename,
        "url": _dump_url(request, entry),
        "media_type": entry.media_type,
        "compression": entry.compression,
        "keeps_graphs": entry.keeps_graphs,
        "size": entry.size,
        "triples": entry.triples,
        "graphs": entry.graphs,
        "sha256": entry.sha256,
        "date": entry.date,
    }


def _path(index: DumpIndex, entry: DumpFile) -> str:
    return str(index.path_of(entry))


def _timestamp(iso: str) -> float:
    return float(calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")))


def _not_modified_since(request: Request, modified: float) -> bool:
    # RFC 9110 §13.1.3: If-Modified-Since is ignored when If-None-Match is present.
    header = request.headers.get("if-modified-since")
    if not header or request.headers.get("if-none-match"):
        return False
    parsed = parsedate_tz(header)
    if parsed is None:
        return False
    return modified <= calendar.timegm(parsed[:6]) - (parsed[9] or 0)

"""The home page: what the graph holds, a search box, the provinces the articles are about, the sources."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ... import comparison
from ... import overview as graph_overview
from ...formats import BY_NAME
from ...i18n import LANGUAGE_VARY
from ..caching import cache_headers, etag_for, is_not_modified
from ..deps import SettingsDep, StoreDep, TemplatesDep
from ..twins import Twin, link_header, page_lang

router = APIRouter(tags=["pages"])


@router.get("/", name="home", responses={200: {"content": {"text/html": {}}}, 304: {}})
def home(request: Request, loaded: StoreDep, settings: SettingsDep, templates: TemplatesDep) -> Response:
    """The landing page: entity counts by type and class, a search box, the provinces the sources
    describe compared (DTI ranks, counts of documents, systems, partners, targets), entry points to
    each province's dashboard, the latest sources and all source documents."""
    lang = page_lang(request)
    etag = etag_for(loaded.version, f"home-{lang}")
    void_url = str(request.url_for("void_description"))
    headers = cache_headers(settings, etag, vary_accept=False) | {
        "Vary": LANGUAGE_VARY, "Link": link_header([Twin(BY_NAME["ttl"], void_url)])}
    if is_not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return templates.TemplateResponse(request, "home.html", {
        "lang": lang, "overview": graph_overview.overview(loaded),
        "comparison": comparison.comparison_table(loaded.store), "void_url": void_url,
    }, headers=headers)

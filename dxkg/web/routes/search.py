"""Search: entities by label, Vietnamese or English, diacritics-insensitive."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from ... import search as label_search
from ..caching import cache_headers, etag_for, is_not_modified
from ..deps import SettingsDep, StoreDep, TemplatesDep
from ...formats import BY_NAME
from ...i18n import LANGUAGE_VARY
from ..twins import CORS, Twin, link_header, page_lang, prefers_json

router = APIRouter(tags=["search"])


@router.get("/search", name="search",
            responses={200: {"content": {"text/html": {}, "application/json": {}}}, 304: {}})
def search(request: Request, loaded: StoreDep, settings: SettingsDep, templates: TemplatesDep,
           q: str = Query("", description="Words of a label, with or without diacritics (`hau giang`)."),
           limit: int = Query(label_search.DEFAULT_LIMIT, ge=1,
                              description=f"At most this many results (1 to {label_search.MAX_LIMIT})."),
           ) -> Response:
    """Entities whose label (rdfs:label, skos:prefLabel, skos:altLabel; vi or en) matches the words.

    Case and diacritics are ignored (`đ` matches `d`). Exact labels come first, then labels that
    start with the words, then labels with a word that starts with them, then labels containing
    them. JSON for `Accept: application/json` (or `?format=json`):
    `{"query", "limit", "count", "results": [{"iri", "path", "label", "labels": {"vi", "en"},
    "type", "type_label", "match", "snippet"}], "message"}`; an HTML page for a browser.
    An empty query or one over 200 characters answers `200` with a `message` and no results."""
    lang = page_lang(request)
    as_json = prefers_json(request)
    etag = etag_for(loaded.version, f"search-{'json' if as_json else 'html'}-{lang}")
    headers = cache_headers(settings, etag) | CORS
    if not as_json:
        json_url = str(request.url_for("search").include_query_params(q=q, format="json"))
        headers |= {"Vary": f"Accept, {LANGUAGE_VARY}", "Link": link_header([Twin(BY_NAME["json"], json_url)])}
    if is_not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    result = label_search.search(loaded, q, min(limit, label_search.MAX_LIMIT), lang)
    if as_json:
        return JSONResponse(result.to_json(lang), headers=headers)
    return templates.TemplateResponse(request, "search.html", {"lang": lang, "result": result}, headers=headers)

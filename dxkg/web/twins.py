"""A page and its machine-readable twins: format from suffix, `format=` or Accept; Link headers; page language."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from ..errors import NotAcceptable
from ..formats import BY_NAME, Format, Kind, by_name, negotiate, parse_accept
from ..i18n import LANG_COOKIE, choose_language

RDF_FORMATS: tuple[Format, ...] = tuple(BY_NAME[n] for n in ("ttl", "jsonld", "nt", "rdf"))
RDF_SUFFIXES = {f".{f.suffix}": f for f in RDF_FORMATS}
CORS = {"Access-Control-Allow-Origin": "*"}


@dataclass(frozen=True, slots=True)
class Twin:
    """Another representation of the same resource: its format and URL."""

    format: Format
    url: str


def page_lang(request: Request) -> str:
    """Return the page language: `?lang=`, else the language switch's cookie, else Accept-Language, else `vi`."""
    return choose_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE),
                           request.headers.get("accept-language"))


def wants_html(request: Request) -> bool:
    """Return whether the client prefers an HTML page to text (a browser)."""
    for media, _q in parse_accept(request.headers.get("accept")):
        if media in ("text/html", "application/xhtml+xml"):
            return True
        if media != "*/*":
            return False
    return False


def wants_page(request: Request) -> bool:
    """Return whether to answer a listing as HTML (`format=html` or a browser) rather than JSON."""
    name = request.query_params.get("format")
    if not name:
        return wants_html(request)
    if name not in ("html", "json"):
        raise NotAcceptable(f"format '{name[:40]}' is not offered here; choose html or json")
    return name == "html"


def split_suffix(name: str) -> tuple[str, Format | None]:
    """Return a path segment without its RDF suffix (`gia-lai.ttl` -> `gia-lai`) and the suffix's format."""
    for suffix, fmt in RDF_SUFFIXES.items():
        if name.endswith(suffix):
            return name[: -len(suffix)], fmt
    return name, None


def choose_format(request: Request, suffix_format: Format | None,
                  kinds: tuple[Kind, ...] = ("html", "graph")) -> Format:
    """Return the representation asked for: an explicit suffix, then `?format=`, then the Accept header."""
    if suffix_format is not None:
        return suffix_format
    name = request.query_params.get("format")
    if name:
        return by_name(name, kinds)
    return negotiate(request.headers.get("accept"), kinds)


def prefers_json(request: Request) -> bool:
    """Return whether a client asks for JSON (`?format=json` or Accept) rather than an HTML page."""
    name = request.query_params.get("format")
    if name:
        return name.lower() == "json"
    for media, q in parse_accept(request.headers.get("accept")):
        if q == 0.0:
            continue
        if media in ("application/json", "text/json") or media.endswith("+json"):
            return True
        if media in ("text/html", "application/xhtml+xml", "*/*", "text/*"):
            return False
    return False


def link_header(twins: list[Twin], html_url: str | None = None) -> str:
    """Return a Link header (RFC 8288) naming the alternates of a resource."""
    links = [f'<{t.url}>; rel="alternate"; type="{t.format.media_type}"' for t in twins]
    if html_url:
        links.append(f'<{html_url}>; rel="alternate"; type="text/html"')
    return ", ".join(links)

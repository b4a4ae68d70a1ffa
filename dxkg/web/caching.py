"""ETag, Cache-Control and 304s for responses that depend only on the data version."""

from __future__ import annotations

import hashlib

from fastapi import Request

from ..config import Settings


def etag_for(version: str, variant: str = "") -> str:
    """Return a strong ETag for a data version and a representation of it."""
    return f'"{version}{"-" + variant if variant else ""}"'


def digest(*parts: str) -> str:
    """Return a short, stable digest of the inputs a representation is computed from (for an ETag)."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:24]


def cache_headers(settings: Settings, etag: str, vary_accept: bool = True) -> dict[str, str]:
    """Return the caching headers of a data-derived response."""
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={settings.cache_max_age}"}
    if vary_accept:
        headers["Vary"] = "Accept"
    return headers


def is_not_modified(request: Request, etag: str) -> bool:
    """Return whether the client's If-None-Match already names this ETag (RFC 9110 §13.1.2)."""
    return names_etag(request.headers.get("if-none-match"), etag)


def names_etag(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match comparison (RFC 9110 §13.1.2): weak comparison, `*` matches any."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return etag in {t.strip().removeprefix("W/") for t in if_none_match.split(",")}

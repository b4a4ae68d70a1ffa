"""The language switch: remember the reader's language in a cookie and return to the page they were on."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse

from ...errors import NotFound
from ...i18n import LANG_COOKIE, LANGUAGES

router = APIRouter(tags=["pages"])
# A year: the choice outlives the session, like any site's language preference.
COOKIE_MAX_AGE = 365 * 24 * 3600


def local_target(next_url: str, code: str) -> str:
    """Return the page to go back to, on this server only, with `lang=` set to the chosen language."""
    parts = urlsplit(next_url)
    # Only a path on this server: no scheme, no host, no `//host` or `\\host` a browser would follow away.
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(("//", "/\\")):
        return f"/?lang={code}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return parts.path + "?" + urlencode([*query, ("lang", code)])


@router.get("/lang/{code}", name="language_switch", status_code=303, responses={303: {}, 404: {}})
def language_switch(code: str, request: Request,
                    next_url: str = Query("/", alias="next", max_length=16000)) -> RedirectResponse:
    """Switch the pages to `vi` or `en`: remembers the choice in a cookie and redirects (303) back to
    `next`, a path on this server, with `lang=` set so the page shows the new language even without cookies."""
    if code not in LANGUAGES:
        raise NotFound(f"no language '{code[:10]}'; choose vi or en")
    response = RedirectResponse(local_target(next_url, code), status_code=303, headers={"Cache-Control": "no-store"})
    response.set_cookie(LANG_COOKIE, code, max_age=COOKIE_MAX_AGE, path="/", samesite="lax",
                        secure=request.url.scheme == "https")
    return response

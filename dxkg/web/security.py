"""Security headers on every response; limits on a request's URL, headers and body (pure ASGI).

Two middlewares, installed outside every other one by `install(app, settings)`:

- `SecurityHeaders` adds `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, a
  `Referrer-Policy` and a Content-Security-Policy that allows only this server's own scripts,
  styles and images (no inline script or style, no plug-ins, no framing) to every response that
  does not set its own. The pages are built for it: scripts come from /static, data for them
  travels in `data-*` attributes, and JSON-LD blocks are data, which a CSP does not govern.
- `RequestLimits` refuses, before the app sees the request: a URL (path and query string) longer
  than `settings.max_url_bytes` with 414, a header dxkg reads (Accept, Content-Type, ...) longer
  than `settings.max_header_bytes` with 431, and a body longer than `settings.max_body_bytes`
  with 413, whether the client declares its length (refused at once, unread) or streams it
  (refused when the count passes the limit, so at most the limit is ever held in memory).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

from ..config import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
))
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # Full URLs (which carry query text) stay on this site; other sites see only the origin.
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
)
# The request headers dxkg parses; others pass through untouched (the HTTP server bounds them all).
READ_HEADERS = frozenset({b"accept", b"accept-language", b"content-type", b"if-none-match",
                          b"if-modified-since", b"origin", b"access-control-request-headers"})


def install(app: Any, settings: Settings) -> None:
    """Add both middlewares to a Starlette app, outside the ones already added (call it last)."""
    app.add_middleware(RequestLimits, settings=settings)
    app.add_middleware(SecurityHeaders)


class SecurityHeaders:
    """Add the security headers to every HTTP response that does not carry its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(HTTPException):
    """A request body past the limit; raised from `receive`, so the app's own 413 handler answers."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes, the limit of this server")


class RequestLimits:
    """Refuse a request whose URL, read headers or body are past the configured sizes."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.max_url = settings.max_url_bytes
        self.max_header = settings.max_header_bytes
        self.max_body = settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope)
        if refusal is not None:
            await _plain(send, *refusal)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge as exc:  # only when nothing inside answered it
            if started:
                raise
            await _plain(send, exc.status_code, exc.detail)

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        """Return the status and message that refuse this request before it is read, or None."""
        path = scope.get("raw_path") or scope.get("path", "").encode()
        if len(path) + len(scope.get("query_string", b"")) > self.max_url:
            return 414, (f"the URL is longer than {self.max_url} bytes; send a long SPARQL query "
                         "with POST (application/sparql-query or a form)")
        declared = None
        for name, value in scope.get("headers", ()):
            name = name.lower()
            if name in READ_HEADERS and len(value) > self.max_header:
                return 431, f"the {name.decode()} header is longer than {self.max_header} bytes"
            if name == b"content-length":
                declared = value
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            return 413, f"the request body is larger than {self.max_body} bytes, the limit of this server"
        return None


async def _plain(send: Send, status: int, message: str) -> None:
    """Answer with a short text/plain message and close the connection (the body stays unread)."""
    body = (message + "\n").encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]})
    await send({"type": "http.response.body", "body": body})

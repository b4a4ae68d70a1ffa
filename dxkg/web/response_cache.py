"""A cache of whole responses in front of the app: repeats of data-derived GETs never reach routing.

Between two data versions the store does not change, so a response that depends only on the data
and on the request is the same every time it is asked for. dxkg marks such responses itself: a
`200` with a strong `ETag` (the data version and the representation) and `Cache-Control: public`,
and nothing that ties it to one client (`Set-Cookie`, `Cache-Control: private/no-store`). The
middleware keeps those, whole, in an LRU bounded in bytes, and answers a repeat from it without
routing, dependency resolution, a query, serialization or a template: a few microseconds of Python
instead of a query worker's round trip or a page build.

The key is the data version in service, the request target (path and query string) and the
request headers that can change an answer (`KEYED_HEADERS`: negotiation, language, the language
cookie, the host that absolute links are built from, the CORS origin). A response is kept only if
its `Vary` names no other header. A request carrying a header that changes the answer in a way the
key does not cover (`BYPASS_HEADERS`: Range, conditionals other than If-None-Match, credentials)
goes to the app. `If-None-Match` naming the kept ETag is answered `304`. `HEAD` is answered from the
`GET` entry without its body. When a new data version is served the cache empties itself.

Hits are counted in the request metrics under the route that made the entry, like any request.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..metrics import REGISTRY, Gauge, Registry, route_template
from .caching import names_etag
from .security import ASGIApp, Message, Receive, Scope, Send

KEYED_HEADERS = frozenset({b"accept", b"accept-language", b"cookie", b"host", b"origin"})
BYPASS_HEADERS = frozenset({b"range", b"if-range", b"if-match", b"if-modified-since", b"if-unmodified-since",
                            b"authorization"})
# Headers a 304 keeps from the 200 it stands for (RFC 9110 §15.4.5), plus the security and CORS ones.
NOT_MODIFIED_DROPS = frozenset({b"content-length", b"content-type", b"content-disposition", b"content-language",
                                b"content-encoding"})
MAX_ENTRY_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class Entry:
    """A kept response: status 200, its headers as sent (security headers included) and its body."""

    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes
    route: str

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(n) + len(v) for n, v in self.headers) + 200


class ResponseCache:
    """An LRU of Entry objects bounded by their total size, for one data version at a time.

    Used only from the event loop's thread, so it needs no lock.
    """

    def __init__(self, max_bytes: int, max_entry_bytes: int = MAX_ENTRY_BYTES) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes // 8)
        self.version: str | None = None
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self.stores = 0
        self.evictions = 0
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def gauges(self) -> list[Gauge]:
        """The cache's counters and size, for /metrics."""
        return [
            Gauge("dxkg_response_cache_hits_total", "Requests answered from the response cache.", self.hits,
                  kind="counter"),
            Gauge("dxkg_response_cache_misses_total", "Cacheable requests (GET, HEAD) the cache could not answer.",
                  self.misses, kind="counter"),
            Gauge("dxkg_response_cache_entries", "Responses in the response cache.", len(self)),
            Gauge("dxkg_response_cache_bytes", "Size of the responses in the response cache.", self.bytes),
        ]

    def serve_version(self, version: str) -> None:
        """Empty the cache if `version` is not the one its entries were made from."""
        if version != self.version:
            self._entries.clear()
            self.bytes = 0
            self.version = version

    def get(self, key: tuple) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry

    def put(self, key: tuple, entry: Entry, version: str) -> None:
        """Keep `entry` if it was made from the version in service and fits; evict the least recent."""
        size = entry.size
        if version != self.version or size > self.max_entry_bytes:
            return
        previous = self._entries.pop(key, None)
        if previous is not None:
            self.bytes -= previous.size
        self._entries[key] = entry
        self.bytes += size
        self.stores += 1
        while self.bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self.bytes -= evicted.size
            self.evictions += 1


class ResponseCacheMiddleware:
    """Pure ASGI: answer from the cache when it can, else run the app and keep what may be kept."""

    def __init__(self, app: ASGIApp, cache: ResponseCache, version: Callable[[], str | None],
                 registry: Registry = REGISTRY) -> None:
        self.app = app
        self.cache = cache
        self.version = version  # the data version in service, None before the store is loaded
        self.registry = registry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method")
        if scope["type"] != "http" or method not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        keyed: list[tuple[bytes, bytes]] = []
        if_none_match = None
        for name, value in scope["headers"]:
            if name in KEYED_HEADERS:
                keyed.append((name, value))
            elif name == b"if-none-match":
                if_none_match = value
            elif name in BYPASS_HEADERS:
                await self.app(scope, receive, send)
                return
        version = self.version()
        if version is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        self.cache.serve_version(version)
        keyed.sort()
        key = (scope.get("raw_path") or scope["path"], scope.get("query_string", b""), tuple(keyed))
        entry = self.cache.get(key)
        if entry is not None:
            status = await _replay(entry, send, head=method == "HEAD", if_none_match=if_none_match)
            self.registry.observe_request(entry.route, method, status, time.perf_counter() - started)
            return
        if method == "HEAD":
            await self.app(scope, receive, send)
            return
        await self._run_and_keep(scope, receive, send, key, version)

    async def _run_and_keep(self, scope: Scope, receive: Receive, send: Send, key: tuple, version: str) -> None:
        headers: list[tuple[bytes, bytes]] | None = None
        etag = b""
        body = bytearray()
        keeping = False

        async def send_and_keep(message: Message) -> None:
            nonlocal headers, etag, keeping
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                etag = _keepable_etag(message["status"], headers)
                keeping = bool(etag)
            elif message["type"] == "http.response.body" and keeping:
                body.extend(message.get("body", b""))
                if len(body) > self.cache.max_entry_bytes:
                    keeping = False
                    body.clear()
                elif not message.get("more_body", False):
                    self.cache.put(key, Entry(headers or [], bytes(body), etag, route_template(scope)), version)
            await send(message)

        await self.app(scope, receive, send_and_keep)


def _keepable_etag(status: int, headers: list[tuple[bytes, bytes]]) -> bytes:
    """Return the response's strong ETag if the response may be kept, else b""."""
    if status != 200:
        return b""
    etag = b""
    public = False
    for name, value in headers:
        name = name.lower()
        if name == b"etag":
            etag = value
        elif name == b"cache-control":
            directives = {d.strip().split(b"=")[0] for d in value.lower().split(b",")}
            if b"no-store" in directives or b"private" in directives or b"no-cache" in directives:
                return b""
            public = public or b"public" in directives
        elif name == b"set-cookie":
            return b""
        elif name == b"vary":
            varied = {v.strip().lower() for v in value.split(b",")}
            if not varied <= KEYED_HEADERS:
                return b""
    if not public or not etag or etag.startswith(b"W/"):
        return b""
    return etag


async def _replay(entry: Entry, send: Send, head: bool, if_none_match: bytes | None) -> int:
    """Send a kept response (or its 304, or its HEAD); return the status sent."""
    if if_none_match is not None and names_etag(if_none_match.decode("latin-1"), entry.etag.decode("latin-1")):
        headers = [(n, v) for n, v in entry.headers if n.lower() not in NOT_MODIFIED_DROPS]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return 304
    await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
    await send({"type": "http.response.body", "body": b"" if head else entry.body})
    return 200


def install(app: Any, cache: ResponseCache) -> None:
    """Put the cache outside every other middleware (call it after all the others are added)."""

    def version() -> str | None:
        holder = getattr(app.state, "holder", None)
        return holder.current.version if holder is not None else None

    app.state.response_cache = cache
    app.add_middleware(ResponseCacheMiddleware, cache=cache, version=version)

"""serve(settings): run the app under uvicorn, configured by `uvicorn_config` (the tests use it too)."""

from __future__ import annotations

from typing import Any

import uvicorn

from ..config import Settings
from .app import create_app


def uvicorn_config(settings: Settings, **overrides: Any) -> uvicorn.Config:
    """Return how dxkg runs under uvicorn.

    HTTP is parsed by httptools (C): uvicorn's pure-Python h11 parser held a request to about a
    quarter of the throughput. The event loop is asyncio's, never uvloop: libuv re-creates its
    signal pipe in every forked child and closes the descriptors it had recorded, which in a query
    worker forked by the zygote may be the worker's own socket (dxkg.pool.zygote).
    """
    options: dict[str, Any] = {
        "host": settings.host, "port": settings.port, "log_level": "info", "http": "httptools",
        "loop": "asyncio", "proxy_headers": False, "server_header": False, "access_log": settings.access_log,
    }
    return uvicorn.Config(create_app(settings), **(options | overrides))


def serve(settings: Settings) -> None:
    """Serve until interrupted; the store is loaded (or reused) before the first request."""
    try:
        uvicorn.Server(uvicorn_config(settings)).run()
    except KeyboardInterrupt:  # uvicorn re-raises the SIGINT it shut down on: a clean stop, exit 0
        pass

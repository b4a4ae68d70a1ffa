"""serve(settings): run the app under uvicorn."""

from __future__ import annotations

import uvicorn

from ..config import Settings
from .app import create_app


def serve(settings: Settings) -> None:
    """Serve until interrupted; the store is loaded (or reused) before the first request."""
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info",
                proxy_headers=False, server_header=False,
                # let a long URL reach dxkg's own 414 instead of uvicorn's parser limit
                h11_max_incomplete_event_size=settings.max_url_bytes + 16384)

"""serve(settings): run the app under uvicorn."""

from __future__ import annotations

import uvicorn

from ..config import Settings
from .app import create_app


def serve(settings: Settings) -> None:
    """Serve until interrupted; the store is loaded (or reused) before the first request."""
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info",
                proxy_headers=False, server_header=False)

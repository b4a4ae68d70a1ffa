"""One APIRouter per part of the HTTP contract; register_routes mounts them all."""

from __future__ import annotations

from fastapi import FastAPI


def register_routes(app: FastAPI) -> None:
    """Mount every router, the request metrics and the named queries' OpenAPI operations."""
    from ...metrics import install_metrics
    from . import data, entities, home, pages, queries, search, sparql

    install_metrics(app)
    for module in (home, pages, sparql, queries, search, data, entities):
        app.include_router(module.router)
    queries.add_named_queries_to_openapi(app)

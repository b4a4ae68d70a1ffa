"""create_app(settings) -> FastAPI: lifespan, routers, static files, error handlers."""

from __future__ import annotations

import gc
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__, i18n
from ..config import Settings
from ..errors import DxkgError
from ..queries import Catalog
from ..store import load_or_build
from .reload import serving
from .response_cache import ResponseCache
from .response_cache import install as install_response_cache
from .security import install as install_security
from .twins import page_lang, wants_html

HERE = Path(__file__).parent
log = logging.getLogger("dxkg")


def create_app(settings: Settings) -> FastAPI:
    """Return the dxkg app; its store is loaded (or its snapshot reused) when it starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        loaded, error = await run_in_threadpool(load_or_build, settings)
        if error is not None:
            log.error("sources failed to load; serving the previous version %s: %s", loaded.version, error)
        app.state.catalog = Catalog.from_dir(settings.queries_dir)
        log.info("dxkg %s serving version %s (%d triples)", __version__, loaded.version, loaded.manifest.triples)
        async with serving(settings, loaded) as holder:  # query workers, reloads (dxkg.web.reload)
            app.state.holder = holder
            del loaded  # the holder owns the version in service, so a reload can free it
            # What start-up built lives as long as the server: out of the collector's sight, a full
            # collection no longer walks it (3-10 ms off a page build on a big graph).
            gc.freeze()
            yield

    app = FastAPI(
        title="dxkg",
        version=__version__,
        description="Knowledge graph and SPARQL endpoint for Vietnam's provincial digital-government programmes.",
        lifespan=lifespan,
        docs_url=None,  # Swagger UI loads its assets from a CDN; the description is at /openapi.json
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    i18n.install(app.state.templates.env, page_lang)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    from .routes import register_routes

    register_routes(app)
    # Read endpoints are public data: any origin may read them (SPARQL from a browser app, fetch()).
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
                       allow_headers=["Accept", "Accept-Language", "Content-Type", "If-None-Match"],
                       expose_headers=["ETag", "Link", "Vary", "Allow", "Content-Disposition"], max_age=86400)
    install_security(app, settings)  # request size limits and security headers
    if settings.response_cache_mb:  # outermost: a repeat is answered before anything else runs
        install_response_cache(app, ResponseCache(settings.response_cache_mb << 20))
    app.add_exception_handler(DxkgError, _dxkg_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    return app


def error_response(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """Return an error as a page for browsers and as text/plain for every other client."""
    if wants_html(request):
        templates: Jinja2Templates = request.app.state.templates
        return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                          status_code=status, headers=headers)
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


async def _dxkg_error(request: Request, exc: DxkgError) -> Response:
    if exc.status == 503:  # busy, or a file still being written: the client is told when to come back
        log.info("%s %s: %s", request.method, request.url.path, exc)
    elif exc.status >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc)
    return error_response(request, exc.status, str(exc), exc.headers or None)


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    message = exc.detail if isinstance(exc.detail, str) else "error"
    if exc.status_code == 404 and message == "Not Found":
        message = f"Not found: {request.url.path}"
    return error_response(request, exc.status_code, message, getattr(exc, "headers", None))


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    problems = "; ".join(f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
    return error_response(request, 400, f"bad request: {problems}")

"""The FastAPI factory: ``uvicorn app.main:create_app --factory``."""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from app import __version__
from app.api import errors, openapi
from app.api.fastpath import CachedAnswers
from app.api.middleware import ServiceMiddleware
from app.api.routes import admin, batch, countries, exposure, meta, people, places, rules
from app.api.work import settle_the_heap, share_the_gil
from app.logs import configure
from app.runtime import Runtime
from app.settings import Settings, get_settings
from app.web import routes as web

log = logging.getLogger("icc_exposure")

DESCRIPTION = """
Does an International Criminal Court arrest warrant expose a person to arrest in a country on a
date, how strongly, and why? Every answer cites its legal basis and the dataset records (with
their sources) it rests on.

**Public record only**: warrants still under seal are unknown to this service; an exposure of
`none` means no public warrant, not no warrant. Errors are RFC 9457 problem+json. Every response
carries `X-Datasets-Version` and `X-Rules-Version`.
"""

TAGS = [
    {"name": "exposure", "description": "The check: person, country, date, mode."},
    {"name": "people", "description": "People with public warrants; the world view."},
    {"name": "countries", "description": "States Parties as a timeline; territories."},
    {"name": "places", "description": "Airport codes and cities, and the country they are in."},
    {"name": "rules", "description": "The rulebook and its schema."},
    {"name": "batch", "description": "Itineraries and streamed batches of legs."},
    {"name": "datasets", "description": "The facts: files, counts, as-of date, sources."},
    {"name": "meta", "description": "Health and readiness."},
    {"name": "admin", "description": "Reload (admin key)."},
]
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
# The one address ReDoc's bundle fetches by itself (the "API docs by Redocly" logo); "data:," is
# no image, so ReDoc's onError hides it and the page makes no request off the host.
REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


@lru_cache(maxsize=1)
def _redoc_js() -> bytes:
    return (DOCS_ASSETS / "redoc.standalone.js").read_bytes().replace(REDOC_LOGO, b"data:,")


#: FastAPI (from 0.16x) instruments every request for OpenTelemetry unless told not to, and
#: deciding that (environment and provider look-ups) cost about 34 us of the 200 us a cached
#: answer takes on the event loop. This service exports no telemetry: switched off where the
#: installed FastAPI has the setting (older ones have neither the setting nor the cost).
_NO_TELEMETRY: dict[str, object] = (
    {"telemetry": {"tracing": False, "metrics": False, "logs": False}}
    if "telemetry" in inspect.signature(FastAPI.__init__).parameters
    else {}
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the lifespan loads datasets and rules once and warms the check."""
    settings = settings or get_settings()
    configure(settings.log_level)
    runtime = Runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _start(runtime)
        try:
            yield
        finally:
            runtime.close()

    app = FastAPI(
        **_NO_TELEMETRY,  # type: ignore[arg-type]
        title="icc-exposure",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=TAGS,
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    errors.install(app)
    app.include_router(meta.router)
    for module in (exposure, people, countries, places, rules, batch):
        app.include_router(module.router)
    app.include_router(admin.router)
    web.install(app)  # the page, its static files (cached, gzip) and map exports
    # Added before ServiceMiddleware, so inside it: keys, headers and the access log also
    # apply to the answers served straight from the cache.
    app.add_middleware(CachedAnswers, runtime=runtime)
    app.add_middleware(ServiceMiddleware, runtime=runtime)
    _offline_docs(app)
    openapi.install(app, require_key=settings.require_key)
    return app


def _start(runtime: Runtime) -> None:
    """Load and warm everything; a function of its own so that no local variable of the
    lifespan keeps this first generation alive after a reload replaces it."""
    share_the_gil()
    loaded = runtime.load()
    runtime.open_decision_log()
    # One check before the first request, so that request is not the slow one.
    loaded.checker.check("putin-vladimir", "JPN", loaded.snapshot.as_of)
    web.page(loaded.checker)  # the page and its map, built once
    settle_the_heap()


def _offline_docs(app: FastAPI) -> None:
    """/docs and /redoc from assets shipped in a Python package: no CDN."""
    app.mount("/docs-assets", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="icc-exposure API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon.png",
            # No badge image from validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/redoc.standalone.js", include_in_schema=False)
    async def redoc_js() -> Response:
        return Response(
            _redoc_js(),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="icc-exposure API",
            redoc_js_url="/redoc.standalone.js",
            redoc_favicon_url="/docs-assets/favicon.png",
            with_google_fonts=False,
        )

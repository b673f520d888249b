"""The FastAPI factory: ``uvicorn app.main:create_app --factory``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import __version__
from app.api import errors
from app.api.routes import meta
from app.logs import configure
from app.runtime import Runtime
from app.settings import Settings, get_settings

log = logging.getLogger("icc_exposure")

DESCRIPTION = """
Does an International Criminal Court arrest warrant expose a person to arrest in a country on a
date, how strongly, and why? Every answer cites its legal basis and the dataset records (with
their sources) it rests on.

**Public record only**: warrants still under seal are unknown to this service.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the lifespan loads the datasets once before the first request."""
    settings = settings or get_settings()
    configure(settings.log_level)
    runtime = Runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime.load()
        yield

    app = FastAPI(
        title="icc-exposure",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    errors.install(app)
    app.include_router(meta.router)
    return app

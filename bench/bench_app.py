"""The service with one extra route for bench/api.sh: a constant JSON answer on the same app,
middleware and server, the baseline the exposure check is compared with."""

from __future__ import annotations

from fastapi import FastAPI

from app.main import create_app


def create_bench_app() -> FastAPI:
    app = create_app()

    @app.get("/bench/constant", include_in_schema=False)
    async def constant() -> dict[str, str]:
        return {"status": "ok", "answer": "constant"}

    return app

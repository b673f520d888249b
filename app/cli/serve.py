"""``icc-exposure serve``: the REST API."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.common import snapshot_or_exit


def serve(
    host: Annotated[str | None, typer.Option(help="Default: ICC_EXPOSURE_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: ICC_EXPOSURE_PORT.")] = None,
    workers: Annotated[int | None, typer.Option(help="Default: ICC_EXPOSURE_WORKERS.")] = None,
) -> None:
    """Serve the REST API (uvicorn) on the configured datasets."""
    import uvicorn

    from app.settings import get_settings

    settings = get_settings()
    snapshot_or_exit(None)  # refuse to start on broken data, with the problems listed
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        log_level=settings.log_level,
        # uvicorn's access log would write query strings, names asked about included: the
        # service logs its own access lines, without them.
        access_log=False,
        # Longer than the idle timeout of the proxies in front (nginx and common cloud load
        # balancers: 60 s), so the proxy, never uvicorn, closes an idle connection: otherwise a
        # request sent as uvicorn closes is lost (5 s by default).
        timeout_keep_alive=settings.keep_alive,
        # A response's head and body in one system call, not two (app/api/protocol.py).
        http="app.api.protocol:HeadWithBody",
    )

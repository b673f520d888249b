"""The web page and its files (an edge, like app/api): the HTML document, versioned static files
cached for a year, gzip for both, and the map exports GET /map.svg and /map.png."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from html import escape
from pathlib import Path
from string import Template
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.deps import CheckerDep
from app.checks import Checker
from app.engine.facts import Mode
from app.types import IsoDate, PersonText
from app.web.worldmap import STATIC, export_png, export_svg, interactive_svg, legend

TEMPLATE = Path(__file__).parent / "templates" / "index.html"
router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=1)
def asset_version() -> str:
    """Content hash of the static files: it is in their URL, so they can be cached for a year
    and a new release is fetched at once."""
    digest = hashlib.sha256()
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(STATIC).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class VersionedStatic(StaticFiles):
    """/static/<version>/<path>: the version segment only busts caches; it is not checked, so a
    page a little older than a reload still finds its files."""

    def get_path(self, scope: Scope) -> str:
        path = super().get_path(scope)
        _, _, rest = path.partition("/")
        return rest

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["cache-control"] = "public, max-age=31536000, immutable"
        return response


class WebGZip:
    """gzip for the page, its files and the SVG export only: the API's streamed batch answers
    must not wait in a compressor's buffer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path == "/" or path.startswith("/static/") or path == "/map.svg":
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", VersionedStatic(directory=STATIC), name="static")
    app.add_middleware(WebGZip)


@lru_cache(maxsize=4)
def _page(
    as_of: str, datasets_version: str, rules_version: str, names: tuple[tuple[str, str], ...]
) -> str:
    spec = legend()
    level_vars = (
        "".join(
            f"--x-{level['id']}:{level['fill']};--t-{level['id']}:{level['text']};"
            for level in [*spec["levels"], spec["no_answer"]]
        )
        + f"--sea:{spec['sea']};"
    )
    levels = "".join(
        f'<li><span class="swatch x-{level["id"]}" aria-hidden="true"></span>'
        f"<b>{escape(level['label'])}</b>: {escape(level['explain'])}</li>"
        for level in [*spec["levels"], spec["no_answer"]]
    )
    modes = "".join(
        f"<li><b>{escape(mode['label'])}</b>: {escape(mode['explain'])}</li>"
        for mode in spec["modes"]
    )
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        static=f"/static/{asset_version()}",
        level_vars=level_vars,
        map_svg=interactive_svg(dict(names)),
        legend_levels=levels,
        legend_modes=modes,
        mode_options="".join(
            f'<option value="{m["id"]}">{escape(m["label"])}</option>' for m in spec["modes"]
        ),
        level_options="".join(
            f'<option value="{lv["id"]}">{escape(lv["label"])}</option>' for lv in spec["levels"]
        ),
        as_of=as_of,
        datasets_version=escape(datasets_version),
        datasets_short=escape(datasets_version[:19]),
        rules_version=escape(rules_version),
        rules_short=escape(rules_version[:19]),
    )


def page(checker: Checker) -> str:
    """The HTML document for the data now serving (built once per data version)."""
    names = tuple((c.iso3, c.name) for c in checker.countries.all())
    return _page(
        checker.snapshot.as_of.isoformat(),
        checker.versions.datasets,
        checker.versions.rules,
        names,
    )


@router.get("/", response_class=HTMLResponse)
async def index(checker: CheckerDep) -> HTMLResponse:
    return HTMLResponse(page(checker), headers={"cache-control": "no-cache"})


Person = Annotated[PersonText, Query(description="A name in any script, or a person id.")]
Day = Annotated[IsoDate, Query(description="YYYY-MM-DD.")]
ModeQuery = Annotated[Mode, Query(description="visit, transit or overflight.")]


def _attachment(person: str, day: object, mode: str, ext: str) -> str:
    safe = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in person.lower())
    return f'attachment; filename="icc-exposure-{safe[:60]}-{day}-{mode}.{ext}"'


@router.get("/map.svg")
async def map_svg(
    checker: CheckerDep, person: Person, date: Day, mode: ModeQuery = "visit"
) -> Response:
    from app.web.export import map_view

    view = await run_in_threadpool(map_view, checker, person, date, mode)
    return Response(
        export_svg(view),
        media_type="image/svg+xml",
        headers={"content-disposition": _attachment(view.person, date, mode, "svg")},
    )


@router.get("/map.png")
async def map_png(
    checker: CheckerDep, person: Person, date: Day, mode: ModeQuery = "visit"
) -> Response:
    from app.web.export import map_view

    view = await run_in_threadpool(map_view, checker, person, date, mode)
    png = await run_in_threadpool(export_png, view)
    return Response(
        png,
        media_type="image/png",
        headers={"content-disposition": _attachment(view.person, date, mode, "png")},
    )

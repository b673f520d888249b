"""``icc-exposure map``: one person's exposure on a date as an SVG or PNG world map."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import (
    DatasetsOpt,
    ModeArg,
    RulesOpt,
    checker_or_exit,
    err,
    out,
    parse_date,
)
from app.errors import DomainError


def map_command(
    person: Annotated[str, typer.Argument(help="Name in any script, or a person id.")],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="File to write: .svg or .png (by extension)."),
    ],
    date: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD (default: today, UTC).", show_default=False)
    ] = None,
    mode: Annotated[ModeArg, typer.Option(help="visit, transit or overflight.")] = ModeArg.visit,
    scale: Annotated[float, typer.Option(help="PNG pixels per SVG unit.", min=0.5, max=8)] = 2.0,
    datasets_dir: DatasetsOpt = None,
    rules_dir: RulesOpt = None,
) -> None:
    """Draw the map the web page shows (same geometry, colours and legend), with the date,
    person, mode, as-of date and data version on it."""
    from app.web.export import map_view
    from app.web.worldmap import export_png, export_svg

    suffix = output.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise typer.BadParameter("the output must end in .svg or .png", param_hint="--output")
    day = parse_date(date)
    checker = checker_or_exit(datasets_dir, rules_dir)
    try:
        view = map_view(checker, person, day, mode.value)
    except DomainError as exc:
        err.print(f"[red]error[/red]: {exc.detail}", highlight=False)
        for c in exc.extra.get("candidates") or []:
            err.print(f"  did you mean: {c['name']} ({c['id']})", highlight=False)
        raise typer.Exit(code=2) from None
    if suffix == ".svg":
        output.write_text(export_svg(view), encoding="utf-8")
    else:
        output.write_bytes(export_png(view, scale))
    counts = {
        level: list(view.exposure.values()).count(level)
        for level in ("high", "medium", "low", "none")
    }
    summary = ", ".join(f"{n} {level}" for level, n in counts.items() if n)
    out.print(f"{view.person} on {day} ({mode.value}): {summary} -> {output}", highlight=False)

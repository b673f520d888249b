"""What every command group shares: consoles, options, date parsing, loading with located errors.

Heavy modules (the engine, the datasets) are imported inside the functions that need them, so
``--help`` and light commands start fast.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from app.errors import DomainError

if TYPE_CHECKING:
    from app.checks import Checker
    from app.data import Snapshot
    from app.engine.rulebook import Rulebook
    from app.yamlio import FileProblems

out = Console(soft_wrap=True)  # long explanations stay one line each when piped
err = Console(stderr=True)

DatasetsOpt = Annotated[
    Path | None,
    typer.Option(
        "--datasets-dir",
        help="Datasets folder (default: ICC_EXPOSURE_DATASETS_DIR, else datasets/).",
        show_default=False,
    ),
]


def fail(problems: FileProblems, what: str) -> typer.Exit:
    """Print located problems to stderr, one a line, and exit non-zero."""
    for problem in problems.problems:
        err.print(str(problem), markup=False, emoji=False, highlight=False, soft_wrap=True)
    err.print(f"[red]{len(problems.problems)} problem(s) in the {what}[/red]")
    return typer.Exit(code=1)


RulesOpt = Annotated[
    Path | None,
    typer.Option(
        "--rules-dir",
        help="Rules folder (default: ICC_EXPOSURE_RULES_DIR, else rules/).",
        show_default=False,
    ),
]


class ModeArg(StrEnum):
    visit = "visit"
    transit = "transit"
    overflight = "overflight"


class Explain(StrEnum):
    fired = "fired"
    full = "full"


def parse_date(value: str | None, what: str = "--date") -> dt.date:
    """Strict ISO 8601 dates (YYYY-MM-DD); today (UTC) when absent. Worded as the API words it."""
    if value is None:
        return dt.datetime.now(dt.UTC).date()
    from app.types import strict_iso_date

    try:
        day: dt.date = strict_iso_date(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=what) from None
    return day


def rulebook_or_exit(rules_dir: Path | None) -> Rulebook:
    # Parsed rules cached by content hash (app/cache.py); the engine is compiled each time.
    from app.cache import cached_rulebook
    from app.settings import get_settings
    from app.yamlio import FileProblems

    try:
        return cached_rulebook(rules_dir or get_settings().rules_dir)
    except FileProblems as exc:
        raise fail(exc, "rules") from None


def checker_or_exit(datasets_dir: Path | None, rules_dir: Path | None) -> Checker:
    from app.checks import Checker

    return Checker(snapshot_or_exit(datasets_dir), rulebook_or_exit(rules_dir))


def domain_error(exc: DomainError) -> typer.Exit:
    err.print(f"[red]error[/red]: {exc.detail}", highlight=False)
    for key in ("choices", "suggestions"):
        options = exc.extra.get(key)
        if options:
            names = ", ".join(f"{o['name']} ({o['iso3']})" for o in options)
            err.print(f"  {'choose one of' if key == 'choices' else 'did you mean'}: {names}")
    return typer.Exit(code=2)


def snapshot_or_exit(datasets_dir: Path | None) -> Snapshot:
    # Cached by content hash (app/cache.py): a repeated command does not parse the YAML again.
    from app.cache import cached_snapshot
    from app.settings import get_settings
    from app.yamlio import FileProblems

    try:
        return cached_snapshot(datasets_dir or get_settings().datasets_dir)
    except FileProblems as exc:
        raise fail(exc, "datasets") from None

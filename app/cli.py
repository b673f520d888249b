"""The command line: ``icc-exposure serve | data validate | ...``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from app.data import Snapshot, load_snapshot
from app.settings import get_settings
from app.yamlio import FileProblems

app = typer.Typer(
    help="Does an ICC arrest warrant expose this person to arrest here, on this date?",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="The datasets.", no_args_is_help=True)
app.add_typer(data_app, name="data")

out = Console()
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
        err.print(str(problem), markup=False, highlight=False, soft_wrap=True)
    err.print(f"[red]{len(problems.problems)} problem(s) in the {what}[/red]")
    return typer.Exit(code=1)


def snapshot_or_exit(datasets_dir: Path | None) -> Snapshot:
    try:
        return load_snapshot(datasets_dir or get_settings().datasets_dir)
    except FileProblems as exc:
        raise fail(exc, "datasets") from None


@data_app.command("validate")
def data_validate(datasets_dir: DatasetsOpt = None) -> None:
    """Check every dataset file and cross-reference; print counts."""
    snapshot = snapshot_or_exit(datasets_dir)
    table = Table(title=f"datasets as of {snapshot.as_of}  {snapshot.version[:19]}")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in snapshot.counts().items():
        table.add_row(key, str(value))
    out.print(table)
    out.print("[green]datasets valid[/green]")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: ICC_EXPOSURE_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: ICC_EXPOSURE_PORT.")] = None,
    workers: Annotated[int | None, typer.Option(help="Default: ICC_EXPOSURE_WORKERS.")] = None,
) -> None:
    """Serve the REST API (uvicorn) on the configured datasets."""
    import uvicorn

    settings = get_settings()
    snapshot_or_exit(None)  # refuse to start on broken data, with the problems listed
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        log_level=settings.log_level,
        access_log=False,
    )


def main() -> None:
    app()

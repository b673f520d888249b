"""``icc-exposure data``: the datasets."""

from __future__ import annotations

import typer
from rich.table import Table

from app.cli.common import DatasetsOpt, out, snapshot_or_exit

data_app = typer.Typer(help="The datasets.", no_args_is_help=True)


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

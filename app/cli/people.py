"""``icc-exposure people``: people with public ICC warrants or summonses."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from app.cli.common import DatasetsOpt, domain_error, out, snapshot_or_exit
from app.errors import DomainError

people_app = typer.Typer(help="People with public ICC warrants or summonses.", no_args_is_help=True)


@people_app.command("search")
def people_search(
    name: Annotated[str, typer.Argument(help="A name in any script.")],
    limit: Annotated[int, typer.Option(min=1, max=50)] = 10,
    datasets_dir: DatasetsOpt = None,
) -> None:
    """Ranked candidates for a name, with the alias matched and the score."""
    from app.resolve.people import PersonResolver

    resolver = PersonResolver(snapshot_or_exit(datasets_dir))
    try:
        match = resolver.match(name)
    except DomainError as exc:
        raise domain_error(exc) from None
    if not match.candidates:
        out.print(f"no person with a public ICC warrant or summons matches {name!r}")
        raise typer.Exit(code=1)
    table = Table()
    for col in ("", "id", "name", "matched alias", "score"):
        table.add_column(col)
    for c in match.candidates[:limit]:
        sure = "✓" if match.person and c.person.id == match.person.id else ""
        table.add_row(sure, c.person.id, c.person.name, c.matched, f"{c.score:.3f}")
    out.print(table)
    if match.person is None:
        out.print("[yellow]no sure match: choose a candidate (or give --birth-date)[/yellow]")

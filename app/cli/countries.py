"""``icc-exposure countries``: countries and territories, and their status."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.common import DatasetsOpt, domain_error, out, parse_date, snapshot_or_exit
from app.errors import DomainError

countries_app = typer.Typer(
    help="Countries and territories, and their status.", no_args_is_help=True
)


@countries_app.command("show")
def countries_show(
    name: Annotated[str, typer.Argument(help="Name, alias or ISO code.")],
    date: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today, UTC).")] = None,
    datasets_dir: DatasetsOpt = None,
) -> None:
    """A country's (or territory's) relation to the Rome Statute on a date, and its timeline."""
    from app.resolve.countries import CountryResolver
    from app.status import country_status

    snapshot = snapshot_or_exit(datasets_dir)
    day = parse_date(date)
    try:
        country = CountryResolver(snapshot).resolve(name)
    except DomainError as exc:
        raise domain_error(exc) from None
    status = country_status(snapshot, country, day)
    out.print(f"[bold]{status.name}[/bold] ({status.iso2}/{status.iso3}) on {day}")
    out.print(f"State Party: {'[bold]yes[/bold]' if status.state_party else 'no'}")
    for line in status.lines():
        out.print(f"  {line}", highlight=False)

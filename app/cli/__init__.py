"""The command line: ``icc-exposure check | batch | map | serve | people | countries | rules |
data``.

One module per command group; this one only assembles them.
"""

from __future__ import annotations

import typer

from app.cli.batch import batch
from app.cli.check import check
from app.cli.countries import countries_app
from app.cli.data import data_app
from app.cli.map import map_command
from app.cli.people import people_app
from app.cli.rules import rules_app
from app.cli.serve import serve

app = typer.Typer(
    help="Does an ICC arrest warrant expose this person to arrest here, on this date?",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.command()(check)
app.command()(batch)
app.command()(serve)
app.command(name="map")(map_command)
app.add_typer(data_app, name="data")
app.add_typer(rules_app, name="rules")
app.add_typer(people_app, name="people")
app.add_typer(countries_app, name="countries")


def main() -> None:
    app()

"""``icc-exposure people``: people with public ICC warrants or summonses."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from app.cli.common import (
    DatasetsOpt,
    ModeArg,
    RulesOpt,
    checker_or_exit,
    domain_error,
    err,
    out,
    parse_date,
    snapshot_or_exit,
)
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
    taken = match.person.id if match.person else None
    for c in match.candidates[:limit]:
        # ✓ only for a sure match; a probable one (the name needed an edit) is a question.
        mark = ("✓" if match.level == "sure" else "?") if c.person.id == taken else ""
        table.add_row(mark, c.person.id, c.person.name, c.matched, f"{c.score:.3f}")
    out.print(table)
    if match.person is not None and match.level == "probable":
        out.print(
            f"[yellow]probable match: did you mean {match.person.name} ({match.person.id})? "
            "The name needed an edit to match.[/yellow]"
        )
    elif match.person is None:
        out.print("[yellow]no sure match: choose a candidate (or give --birth-date)[/yellow]")


@people_app.command("changes")
def people_changes(
    person: Annotated[str, typer.Argument(help="Person id or a name in any script.")],
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: today).")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (default: a year on).")
    ] = None,
    mode: Annotated[ModeArg, typer.Option(help="visit, transit or overflight.")] = ModeArg.visit,
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON.")] = False,
    datasets_dir: DatasetsOpt = None,
    rules_dir: RulesOpt = None,
) -> None:
    """Every date in a window on which PERSON's exposure changes in some country."""
    import datetime as dt

    from app.changes import person_changes

    start = parse_date(date_from, "--from")
    end = parse_date(date_to, "--to") if date_to else start + dt.timedelta(days=365)
    if end < start:
        raise typer.BadParameter("--to is before --from", param_hint="--to")
    checker = checker_or_exit(datasets_dir, rules_dir)
    try:
        match = checker.resolve_person(person)
    except DomainError as exc:
        raise domain_error(exc) from None
    if match.person is None:
        out.print(f"no sure match for {person!r}: use `people search` and give the id")
        raise typer.Exit(code=1)
    result = person_changes(checker, match.person, start, end, mode.value)
    if as_json:
        out.print_json(result.model_dump_json())
        return
    out.print(
        f"[bold]{result.name}[/bold]: changes {start} to {end} ({mode.value}); "
        f"datasets as of {result.datasets_as_of}",
        highlight=False,
    )
    # One line per change (not a table): lines stay whole when piped or in a narrow terminal.
    for day in result.days:
        for c in day.countries:
            before = f"{c.exposure_before.value}/{'duty' if c.obligation_before else 'no duty'}"
            after = f"{c.exposure_after.value}/{'duty' if c.obligation_after else 'no duty'}"
            rules = ", ".join(dict.fromkeys(c.rules_after.values()))
            mark = "  [yellow]scheduled[/yellow]" if day.scheduled else ""
            out.print(
                f"{day.date}  {c.name} ({c.iso3}): {before} -> {after}  [dim]{rules}[/dim]{mark}",
                highlight=False,
            )
    if not result.days:
        out.print("no change in the window")


@people_app.command("show")
def people_show(
    person_id: Annotated[str, typer.Argument(help="A person id, e.g. putin-vladimir.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON (as the API).")] = False,
    datasets_dir: DatasetsOpt = None,
) -> None:
    """A person: names, warrants with their status history, summonses (as GET /v1/people/ID)."""
    import json

    snapshot = snapshot_or_exit(datasets_dir)
    person = snapshot.people.get(person_id)
    if person is None:
        err.print(
            f"[red]error[/red]: no person with id {person_id!r} (find ids with `people search`)",
            highlight=False,
        )
        raise typer.Exit(code=2)
    warrants = list(snapshot.warrants_of(person.id))
    summonses = [s for s in snapshot.summonses if s.person == person.id]
    if as_json:
        out.print_json(
            json.dumps(
                {
                    "person": person.model_dump(mode="json"),
                    "warrants": [w.model_dump(mode="json") for w in warrants],
                    "summonses": [s.model_dump(mode="json") for s in summonses],
                },
                ensure_ascii=False,
            )
        )
        return
    out.print(f"[bold]{person.name}[/bold] ({person.id})", highlight=False)
    if person.aliases:
        out.print("aliases: " + "; ".join(a.name for a in person.aliases), highlight=False)
    if person.birth_date:
        out.print(f"born: {person.birth_date}", highlight=False)
    if person.died:
        out.print(f"died: {person.died}", highlight=False)
    for w in warrants:
        out.print()
        out.print(
            f"[bold]warrant {w.id}[/bold]  case {w.case}  issued {w.issued}  "
            f"status on {snapshot.as_of} (datasets as of): {w.status_on(snapshot.as_of)}",
            highlight=False,
        )
        for charge in w.charges:
            out.print(f"  charge: {charge}", highlight=False, markup=False)
        table = Table(title="status history", title_justify="left")
        for col in ("date", "status", "note"):
            table.add_column(col)
        for entry in w.history:
            table.add_row(str(entry.date), entry.status, entry.note or "")
        out.print(table)
    for s in summonses:
        out.print()
        appeared = f"appeared {s.appeared}" if s.appeared else "has not appeared"
        out.print(f"summons {s.id}  case {s.case}  issued {s.issued}  {appeared}", highlight=False)
    if not warrants and not summonses:
        out.print("no public warrant or summons")

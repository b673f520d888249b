"""``icc-exposure check``: one person, one country, one date, explained."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from app.cli.common import (
    DatasetsOpt,
    Explain,
    ModeArg,
    RulesOpt,
    checker_or_exit,
    domain_error,
    out,
    parse_date,
)
from app.errors import DomainError

if TYPE_CHECKING:
    from app.verdict import TraceItem, Verdict


EXPOSURE_STYLE = {"none": "green", "low": "yellow", "medium": "dark_orange", "high": "bold red"}


def yes_no(value: bool | None) -> str:
    """Tables say yes/no (unknown when not known), not Python's True/False."""
    return "unknown" if value is None else "yes" if value else "no"


def print_verdict(v: Verdict, why_not: dict[str, str] | None = None) -> None:
    style = EXPOSURE_STYLE[v.exposure.value]
    who = v.person.name if v.person else f"{v.query!r} (no person with a public warrant)"
    where = v.country.name + (
        f", territory of {v.country.territory_of}" if v.country.territory_of else ""
    )
    area = v.country.area
    if area is not None:
        where = f"{area.name} ({where} in law)"
    out.print(f"[bold]{who}[/bold] in [bold]{where}[/bold] on {v.as_of} ({v.mode})")
    if area is not None:
        held = "" if area.controlled_on_date else " (not on this date)"
        span = f"since {area.since}" + (f" until {area.until}" if area.until else "")
        out.print(f"controlled by: {area.controlled_by}, {span}{held}", highlight=False)
    out.print(
        f"exposure: [{style}]{v.exposure.value.upper()}[/{style}]   "
        f"obligation to arrest: {'[bold]yes[/bold]' if v.obligation else 'no'}   "
        f"confidence: {v.confidence.value}"
    )
    if v.person and v.person.matched and v.person.matched != v.person.name:
        out.print(f"matched: {v.person.matched} (score {v.person.score:.2f})", highlight=False)
    if v.candidates:
        out.print("did you mean: " + "; ".join(f"{c.name} ({c.score:.2f})" for c in v.candidates))
    out.print()
    out.print(v.summary, highlight=False)
    for note in v.notes:
        out.print(f"  [dim]note:[/dim] {note}", highlight=False)
    if v.contested:
        out.print()
        out.print(
            "[bold]contested[/bold] (no court has settled these; the answer follows one reading)"
        )
        for c in v.contested:
            out.print(f"  {c.point} [dim]({c.rule})[/dim]", highlight=False)
            out.print(f"    other reading: {c.other_reading}", highlight=False)
    if v.warrants:
        out.print()
        table = Table(title="warrants", title_justify="left")
        for col in ("warrant", "case", "issued", "status on date", "exposure", "obligation"):
            table.add_column(col)
        for w in v.warrants:
            table.add_row(
                w.id, w.case, str(w.issued), w.status, w.exposure.value, yes_no(w.obligation)
            )
        out.print(table)
    out.print()
    out.print("[bold]rules fired[/bold]" + (", by warrant" if v.warrants else ""))
    outcomes = {w.id: w for w in v.warrants}
    groups: dict[str | None, list[TraceItem]] = {}
    for t in v.trace:
        groups.setdefault(t.warrant, []).append(t)
    for warrant, items in groups.items():
        indent = "  "
        if warrant is not None:
            outcome = outcomes.get(warrant)
            head = f"  warrant [bold]{warrant}[/bold]"
            if outcome is not None:
                head += (
                    f" [dim]({outcome.case}, issued {outcome.issued}, {outcome.status}):[/dim] "
                    f"exposure {outcome.exposure.value}, "
                    f"obligation {'yes' if outcome.obligation else 'no'}"
                )
            out.print(head, highlight=False)
            indent = "    "
        for t in items:
            out.print(
                f"{indent}{t.rule} [dim]({t.where}, priority {t.priority})[/dim]", highlight=False
            )
            out.print(f"{indent}  {t.explanation}", highlight=False)
            out.print(f"{indent}  [dim]basis: {'; '.join(t.basis)}[/dim]", highlight=False)
    if why_not:
        out.print("[bold]rules not fired[/bold] (first failing condition)")
        for rule, reason in why_not.items():
            # Plain text: "[warrant-id]" and "in [a, b]" are not rich markup.
            out.print(f"  {rule}: {reason}", markup=False, highlight=False)
    out.print("[bold]evidence[/bold]")
    for e in v.evidence:
        out.print(
            f"  {e.dataset} {e.record} [dim]({e.confidence.value})[/dim] {e.sources[0]}",
            highlight=False,
        )
    out.print(f"[dim]datasets {v.versions.datasets[:19]}  rules {v.versions.rules[:19]}[/dim]")


def check(
    person: Annotated[str, typer.Argument(help="Name in any script, or a person id.")],
    country: Annotated[str, typer.Argument(help="Country or territory: name, alias or ISO code.")],
    date: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today, UTC).")] = None,
    mode: Annotated[ModeArg, typer.Option(help="visit, transit or overflight.")] = ModeArg.visit,
    birth_date: Annotated[str | None, typer.Option(help="Narrows the name match.")] = None,
    nationality: Annotated[str | None, typer.Option(help="Narrows the name match.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the Verdict as JSON.")] = False,
    explain: Annotated[
        Explain, typer.Option(help="fired: the rules that fired; full: also why others did not.")
    ] = Explain.fired,
    datasets_dir: DatasetsOpt = None,
    rules_dir: RulesOpt = None,
) -> None:
    """Is PERSON exposed to arrest under an ICC warrant in COUNTRY on the date, and why?"""
    day = parse_date(date)
    born = parse_date(birth_date, "--birth-date") if birth_date else None
    checker = checker_or_exit(datasets_dir, rules_dir)
    try:
        verdict = checker.check(
            person, country, day, mode.value, birth_date=born, nationality=nationality
        )
    except DomainError as exc:
        raise domain_error(exc) from None
    if as_json:
        out.print_json(verdict.model_dump_json())
        return
    why_not: dict[str, str] | None = None
    if explain is Explain.full:
        from app.explain import not_fired

        found = not_fired(
            checker, person, country, day, mode.value, birth_date=born, nationality=nationality
        )
        why_not = {f"{n.rule} [{n.warrant}]" if n.warrant else n.rule: n.failed for n in found}
    print_verdict(verdict, why_not)

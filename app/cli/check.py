"""``icc-exposure check``: one person, one country, one date, explained.

Exit codes (also in ``check --help`` and the README): 0 answered; 1 the datasets or rules have
problems; 2 bad input (an unknown or ambiguous country, a malformed date); 3 ambiguous person
(two or more people fit the name: the choices are printed); 4 unresolved (the name could not be
pinned down: the candidates, each with its exposure, are printed, and no answer is given).
"""

from __future__ import annotations

import json
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
    err,
    out,
    parse_date,
)
from app.errors import AmbiguousPerson, DomainError

if TYPE_CHECKING:
    from app.verdict import TraceItem, Verdict

EXIT_OK = 0
EXIT_DATA = 1  # datasets or rules have problems (app.cli.common.fail)
EXIT_INPUT = 2  # bad input (app.cli.common.domain_error, typer's BadParameter)
EXIT_AMBIGUOUS = 3
EXIT_UNRESOLVED = 4

EXPOSURE_STYLE = {"none": "green", "low": "yellow", "medium": "dark_orange", "high": "bold red"}


def _level(exposure: str) -> str:
    style = EXPOSURE_STYLE[exposure]
    return f"[{style}]{exposure.upper()}[/{style}]"


def print_choices(choices: list[dict[str, object]], day: object) -> None:
    """One line per person the name may mean, with their answer on the date."""
    for c in choices:
        warrant = "warrant outstanding" if c["active_warrant"] else "no warrant outstanding"
        out.print(
            f"  {c['id']}: {c['name']} [dim](matched {c['matched']}, score {c['score']})[/dim]"
            f" {warrant} on {day}, exposure {_level(str(c['exposure']))}",
            highlight=False,
        )


def yes_no(value: bool | None) -> str:
    """Tables say yes/no (unknown when not known), not Python's True/False."""
    return "unknown" if value is None else "yes" if value else "no"


def print_verdict(v: Verdict, why_not: dict[str, str] | None = None) -> None:
    if v.person:
        who = v.person.name
    elif v.status == "unresolved":
        who = f"{v.query!r} (not pinned down to one person)"
    else:
        who = f"{v.query!r} (no person with a public warrant)"
    where = v.country.name + (
        f", territory of {v.country.territory_of}" if v.country.territory_of else ""
    )
    area = v.country.area
    if area is not None:
        where = f"{area.name} ({where} in law)"
    out.print(f"[bold]{who}[/bold] in [bold]{where}[/bold] on {v.as_of} ({v.mode})")
    out.print(f"status: {v.status}", highlight=False)
    if v.exposure is None:
        out.print(
            f"exposure: [bold]UNRESOLVED[/bold]   worst case among the candidates: "
            f"{_level(v.worst_case_exposure.value)}   confidence: {v.confidence.value}"
        )
    else:
        out.print(
            f"exposure: {_level(v.exposure.value)}   "
            f"obligation to arrest: {'[bold]yes[/bold]' if v.obligation else 'no'}   "
            f"confidence: {v.confidence.value}"
        )
    m = v.match
    matched = f", matched {m.matched}" if m.matched else ""
    out.print(f"match: {m.level} (score {m.score:.2f}{matched}): {m.meaning}", highlight=False)
    if area is not None:
        held = "" if area.controlled_on_date else " (not on this date)"
        span = f"since {area.since}" + (f" until {area.until}" if area.until else "")
        out.print(f"controlled by: {area.controlled_by}, {span}{held}", highlight=False)
    if v.candidates:
        out.print("candidates:")
        print_choices([c.model_dump(mode="json") for c in v.candidates], v.as_of)
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
    if v.alternatives:
        out.print("[bold]contested facts[/bold] (the answer under the other value)")
        for a in v.alternatives:
            mark = (
                "[bold yellow]changes the answer[/bold yellow]"
                if a.changes_answer
                else "same answer"
            )
            out.print(
                f"  {a.dataset} {a.record} {a.field}: recorded {a.recorded}, other {a.alternative}"
                f" -> exposure {a.exposure.value}, obligation {'yes' if a.obligation else 'no'}"
                f" ({mark})",
                highlight=False,
            )
            out.print(f"    [dim]why not recorded:[/dim] {a.reason}", highlight=False)
            for src in a.sources:
                out.print(f"    [dim]{src.tier:<9}[/dim] {src.url}", highlight=False)
    out.print("[bold]evidence[/bold] (every source, official first)")
    for e in v.evidence:
        out.print(f"  {e.dataset} {e.record} [dim]({e.confidence.value})[/dim]", highlight=False)
        for src in e.sources:
            out.print(f"    [dim]{src.tier:<9}[/dim] {src.url}", highlight=False)
    f = v.freshness
    out.print(
        f"[dim]datasets as of {f.datasets_as_of} ({f.days_since_as_of} days ago)  "
        f"datasets {v.versions.datasets[:19]}  rules {v.versions.rules[:19]}[/dim]"
    )
    if f.caveat:
        out.print(f"[yellow]caveat:[/yellow] {f.caveat}", highlight=False)


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
    """Is PERSON exposed to arrest under an ICC warrant in COUNTRY on the date, and why?

    Exit codes: 0 answered; 1 the datasets or rules have problems; 2 bad input (unknown or
    ambiguous country, malformed date); 3 ambiguous person (two or more people fit the name:
    the choices are printed, as JSON a problem object); 4 unresolved (the name could not be
    pinned down: the candidates are printed, each with its exposure; no answer is given).
    """
    day = parse_date(date)
    born = parse_date(birth_date, "--birth-date") if birth_date else None
    checker = checker_or_exit(datasets_dir, rules_dir)
    try:
        verdict = checker.check(
            person, country, day, mode.value, birth_date=born, nationality=nationality
        )
    except AmbiguousPerson as exc:
        choices = exc.extra.get("choices", [])
        if as_json:
            problem = {"title": exc.title, "detail": exc.detail, "field": exc.field, **exc.extra}
            out.print_json(json.dumps(problem, ensure_ascii=False))
        else:
            err.print(f"[red]ambiguous person[/red]: {exc.detail}", highlight=False)
            print_choices(choices, day)
        raise typer.Exit(code=EXIT_AMBIGUOUS) from None
    except DomainError as exc:
        raise domain_error(exc) from None
    code = EXIT_UNRESOLVED if verdict.status == "unresolved" else EXIT_OK
    if as_json:
        out.print_json(verdict.model_dump_json())
        raise typer.Exit(code=code)
    why_not: dict[str, str] | None = None
    if explain is Explain.full and verdict.status == "ok":
        why_not = {}
        match = checker.resolve_person(person, born, nationality)
        resolved = checker.countries.resolve(country)
        for e in checker.evaluate(match.person, resolved, day, mode.value):
            for rule, failed in checker.rulebook.why_not(e.facts).items():
                label = f"{rule} [{e.warrant.id}]" if e.warrant else rule
                why_not[label] = str(failed)
    if explain is Explain.full:
        from app.explain import not_fired

        found = not_fired(
            checker, person, country, day, mode.value, birth_date=born, nationality=nationality
        )
        why_not = {f"{n.rule} [{n.warrant}]" if n.warrant else n.rule: n.failed for n in found}
    print_verdict(verdict, why_not)
    raise typer.Exit(code=code)

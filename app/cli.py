"""The command line: ``icc-exposure serve | data validate | ...``."""

from __future__ import annotations

import datetime as dt
import io
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, BinaryIO, TextIO

import typer
from rich.console import Console
from rich.table import Table

from app.checks import Checker
from app.data import Snapshot, load_snapshot
from app.engine.rulebook import Rulebook, load_rulebook
from app.errors import DomainError
from app.settings import get_settings
from app.verdict import Verdict
from app.yamlio import FileProblems

app = typer.Typer(
    help="Does an ICC arrest warrant expose this person to arrest here, on this date?",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="The datasets.", no_args_is_help=True)
rules_app = typer.Typer(help="The rulebook: lint, test, schema.", no_args_is_help=True)
people_app = typer.Typer(help="People with public ICC warrants or summonses.", no_args_is_help=True)
countries_app = typer.Typer(
    help="Countries and territories, and their status.", no_args_is_help=True
)
app.add_typer(data_app, name="data")
app.add_typer(rules_app, name="rules")
app.add_typer(people_app, name="people")
app.add_typer(countries_app, name="countries")

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
        err.print(str(problem), markup=False, highlight=False, soft_wrap=True)
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
    """Strict ISO 8601 dates (YYYY-MM-DD); today (UTC) when absent."""
    if value is None:
        return dt.datetime.now(dt.UTC).date()
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date as YYYY-MM-DD", param_hint=what
        ) from None


def rulebook_or_exit(rules_dir: Path | None) -> Rulebook:
    try:
        return load_rulebook(rules_dir or get_settings().rules_dir)
    except FileProblems as exc:
        raise fail(exc, "rules") from None


def checker_or_exit(datasets_dir: Path | None, rules_dir: Path | None) -> Checker:
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


EXPOSURE_STYLE = {"none": "green", "low": "yellow", "medium": "dark_orange", "high": "bold red"}


def print_verdict(v: Verdict, why_not: dict[str, str] | None = None) -> None:
    style = EXPOSURE_STYLE[v.exposure.value]
    who = v.person.name if v.person else f"{v.query!r} (no person with a public warrant)"
    where = v.country.name + (
        f", territory of {v.country.territory_of}" if v.country.territory_of else ""
    )
    out.print(f"[bold]{who}[/bold] in [bold]{where}[/bold] on {v.as_of} ({v.mode})")
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
    if v.warrants:
        out.print()
        table = Table(title="warrants", title_justify="left")
        for col in ("warrant", "case", "issued", "status on date", "exposure", "obligation"):
            table.add_column(col)
        for w in v.warrants:
            table.add_row(
                w.id, w.case, str(w.issued), w.status, w.exposure.value, str(w.obligation)
            )
        out.print(table)
    out.print()
    out.print("[bold]rules fired[/bold]")
    for t in v.trace:
        out.print(f"  {t.rule} [dim]({t.where}, priority {t.priority})[/dim]", highlight=False)
        out.print(f"    {t.explanation}", highlight=False)
        out.print(f"    [dim]basis: {'; '.join(t.basis)}[/dim]", highlight=False)
    if why_not:
        out.print("[bold]rules not fired[/bold] (first failing condition)")
        for rule, reason in why_not.items():
            out.print(f"  {rule}: {reason}", highlight=False)
    out.print("[bold]evidence[/bold]")
    for e in v.evidence:
        out.print(
            f"  {e.dataset} {e.record} [dim]({e.confidence.value})[/dim] {e.sources[0]}",
            highlight=False,
        )
    out.print(f"[dim]datasets {v.versions.datasets[:19]}  rules {v.versions.rules[:19]}[/dim]")


@app.command()
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
        why_not = {}
        match = checker.resolve_person(person, born, nationality)
        resolved = checker.countries.resolve(country)
        for e in checker.evaluate(match.person, resolved, day, mode.value):
            for rule, failed in checker.rulebook.why_not(e.facts).items():
                label = f"{rule} [{e.warrant.id}]" if e.warrant else rule
                why_not[label] = str(failed)
    print_verdict(verdict, why_not)


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


@rules_app.command("lint")
def rules_lint(rules_dir: RulesOpt = None) -> None:
    """Check the rulebook: schema, unknown facts, dead rules, conflicts, engine vs reference."""
    from app.engine.lint import lint

    rulebook = rulebook_or_exit(rules_dir)
    findings = lint(rulebook)
    for f in findings:
        colour = {"error": "red", "warning": "yellow"}.get(f.level, "dim")
        out.print(f"[{colour}]{f}[/{colour}]", highlight=False)
    errors = sum(1 for f in findings if f.level == "error")
    out.print(f"{len(rulebook.rules)} rules in {len(rulebook.files)} files: {errors} error(s)")
    if errors:
        raise typer.Exit(code=1)


@rules_app.command("test")
def rules_test(
    rules_dir: RulesOpt = None,
    datasets_dir: DatasetsOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run rules/tests/*.yaml: each case's expected exposure, obligation and fired rules."""
    from app.engine.ruletests import load_cases, run_all

    folder = rules_dir or get_settings().rules_dir
    checker = checker_or_exit(datasets_dir, folder)
    try:
        cases = load_cases(folder / "tests")
    except FileProblems as exc:
        raise fail(exc, "rule tests") from None

    results = run_all(checker.rulebook, cases, checker.worst_decision)
    for r in results:
        if not r.passed or verbose:
            mark = "[green]PASS[/green]" if r.passed else "[red]FAIL[/red]"
            out.print(f"{mark} {r.where}: {r.name}", highlight=False)
            for failure in r.failures:
                out.print(f"     {failure}", highlight=False)
    failed = sum(1 for r in results if not r.passed)
    out.print(f"rules: {len(results) - failed} passed, {failed} failed")
    if failed:
        raise typer.Exit(code=1)


@rules_app.command("schema")
def rules_schema(
    write: Annotated[bool, typer.Option(help="Write rules/schema/*.json.")] = False,
    rules_dir: RulesOpt = None,
) -> None:
    """Print (or write) the JSON Schemas of rule files and of the fact record."""
    from app.engine import schema

    if write:
        for path in schema.write((rules_dir or get_settings().rules_dir) / "schema"):
            out.print(f"wrote {path}")
        return
    out.print_json(json.dumps(schema.rules_schema()))


class FormatOpt(StrEnum):
    csv = "csv"
    ndjson = "ndjson"


class _Counting(io.RawIOBase):
    """Counts the bytes read from a binary stream, for the progress bar."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


@app.command()
def batch(
    source: Annotated[str, typer.Argument(help="Legs file (CSV or NDJSON), or - for stdin.")],
    output: Annotated[
        str, typer.Option("--output", "-o", help="Results file, or - for stdout.")
    ] = "-",
    in_format: Annotated[
        FormatOpt | None, typer.Option(help="Input format (default: by extension, else csv).")
    ] = None,
    out_format: Annotated[
        FormatOpt | None, typer.Option(help="Output format (default: by extension, else ndjson).")
    ] = None,
    progress: Annotated[
        bool | None, typer.Option(help="Progress bar (default: when stderr is a terminal).")
    ] = None,
    datasets_dir: DatasetsOpt = None,
    rules_dir: RulesOpt = None,
) -> None:
    """Check many legs: one answer or error record per input row, in order, streamed.

    Columns (CSV header or NDJSON keys): id, person, country, arrive (or date), depart, mode,
    birth_date, nationality. Exit code 0 even when rows have errors (they are records in the
    output); 2 when the input cannot be read.
    """
    import sys
    import time

    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from app.batch import BatchRunner, format_for

    fmt_in = in_format.value if in_format else format_for(None if source == "-" else source)
    fmt_out = (
        out_format.value
        if out_format
        else format_for(None if output == "-" else output, default="ndjson")
    )
    try:
        raw: BinaryIO = sys.stdin.buffer if source == "-" else open(source, "rb")  # noqa: SIM115
    except OSError as exc:
        err.print(f"[red]error[/red]: cannot read {source}: {exc.strerror}")
        raise typer.Exit(code=2) from None
    total = None
    if source != "-":
        try:
            total = Path(source).stat().st_size
        except OSError:
            total = None
    counting = _Counting(raw)
    stream = io.TextIOWrapper(
        io.BufferedReader(counting, 1 << 16), encoding="utf-8-sig", errors="replace", newline=""
    )
    checker = checker_or_exit(datasets_dir, rules_dir)
    runner = BatchRunner(checker)
    sink: TextIO = sys.stdout if output == "-" else open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115
    show = progress if progress is not None else err.is_terminal
    started = time.perf_counter()
    bar = Progress(
        TextColumn("[bold]{task.fields[rows]:,} rows"),
        BarColumn(),
        TextColumn("{task.fields[rate]:,.0f} rows/s"),
        TimeRemainingColumn(),
        console=err,
        disable=not show,
        transient=True,
    )
    try:
        with bar:
            task = bar.add_task("batch", total=total, rows=0, rate=0.0)
            for piece in runner.run(stream, fmt_in, fmt_out):
                sink.write(piece)
                elapsed = time.perf_counter() - started
                bar.update(
                    task,
                    completed=counting.count,
                    rows=runner.stats.rows,
                    rate=runner.stats.rows / elapsed if elapsed else 0.0,
                )
    finally:
        if sink is not sys.stdout:
            sink.close()
        stream.close()
    elapsed = time.perf_counter() - started
    stats = runner.stats
    table = Table(title="batch summary", title_justify="left")
    table.add_column("")
    table.add_column("count", justify="right")
    table.add_row("rows", f"{stats.rows:,}")
    for level in ("high", "medium", "low", "none"):
        table.add_row(f"exposure {level}", f"{stats.by_exposure.get(level, 0):,}")
    table.add_row("obligation to arrest", f"{stats.obligations:,}")
    table.add_row("errors", f"{stats.errors:,}")
    table.add_row("rows per second", f"{stats.rows / elapsed:,.0f}" if elapsed else "-")
    err.print(table)


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

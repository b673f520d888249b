"""``icc-exposure data``: the datasets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from app.cli.common import (
    DatasetsOpt,
    ModeArg,
    RulesOpt,
    err,
    fail,
    out,
    rulebook_or_exit,
    snapshot_or_exit,
)
from app.settings import get_settings
from app.yamlio import FileProblems

if TYPE_CHECKING:
    from app.data import Snapshot

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


def _version(spec: str, datasets_dir: Path, workdir: Path) -> Snapshot:
    """A version of the datasets: a folder, or a git revision of the datasets folder."""
    from app.data import load_snapshot
    from app.data.models import FILES

    folder = Path(spec)
    if not folder.is_dir():
        import subprocess

        folder = workdir / spec.replace("/", "_")
        folder.mkdir(parents=True)
        top = subprocess.run(
            ["git", "-C", str(datasets_dir), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
        )
        if top.returncode != 0:
            err.print(f"{spec!r} is neither a folder nor a git revision here", highlight=False)
            raise typer.Exit(code=2)
        rel = datasets_dir.resolve().relative_to(Path(top.stdout.strip()))
        for name in FILES:
            shown = subprocess.run(
                ["git", "-C", top.stdout.strip(), "show", f"{spec}:{(rel / name).as_posix()}"],
                capture_output=True,
            )
            if shown.returncode == 0:
                (folder / name).write_bytes(shown.stdout)
            elif (datasets_dir / name).is_file() and name != "source_tiers.yaml":
                # A file that did not exist yet at that revision: compare with today's, so
                # that only the files both versions have can differ.
                err.print(f"{spec}: no {rel / name}; using the current one", highlight=False)
                (folder / name).write_bytes((datasets_dir / name).read_bytes())
    try:
        # An older version is compared as it was: the source checks of today do not apply.
        return load_snapshot(folder, check_sources=False)
    except FileProblems as exc:
        raise fail(exc, f"datasets {spec}") from None


@data_app.command("diff")
def data_diff(
    old: Annotated[str, typer.Argument(help="Old datasets: a folder, or a git revision (HEAD).")],
    new: Annotated[
        str | None,
        typer.Argument(help="New datasets: a folder or git revision (default: --datasets-dir)."),
    ] = None,
    mode: Annotated[ModeArg, typer.Option(help="visit, transit or overflight.")] = ModeArg.visit,
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON.")] = False,
    datasets_dir: DatasetsOpt = None,
    rules_dir: RulesOpt = None,
) -> None:
    """The answers that change between two versions of the datasets: person, country, dates,
    old and new exposure and obligation, and the records responsible. The review step for
    every data change (datasets/README.md)."""
    import json
    import tempfile

    from app.changes import diff_answers
    from app.checks import Checker

    base = datasets_dir or get_settings().datasets_dir
    with tempfile.TemporaryDirectory() as tmp:
        before = _version(old, base, Path(tmp) / "old")
        after = _version(new, base, Path(tmp) / "new") if new else snapshot_or_exit(base)
    checker = Checker(after, rulebook_or_exit(rules_dir))
    records, answers = diff_answers(checker, before, after, mode.value)
    if as_json:
        out.print_json(
            json.dumps(
                {
                    "old_as_of": str(before.as_of),
                    "new_as_of": str(after.as_of),
                    "records": [r.__dict__ for r in records],
                    "answers": [a.model_dump(mode="json") for a in answers],
                }
            )
        )
        return
    out.print(
        f"{len(records)} record(s) changed; {len(answers)} answer range(s) change "
        f"(datasets as of {before.as_of} -> {after.as_of}, {mode.value})",
        highlight=False,
    )
    cited = [r for r in records if r.kind == "cited"]
    for r in records:
        if r.kind != "cited":
            out.print(f"  {r.kind:8} {r.dataset}:{r.record}", highlight=False)
    if cited:
        out.print(
            f"  {len(cited)} record(s) changed only in sources, notes or confidence "
            "(no rule reads them)",
            highlight=False,
        )
    if not answers:
        return
    for a in answers:
        old_answer = f"{a.old_exposure.value}/{'duty' if a.old_obligation else 'no duty'}"
        new_answer = f"{a.new_exposure.value}/{'duty' if a.new_obligation else 'no duty'}"
        out.print(
            f"{a.person} in {a.country} ({a.iso3}) {a.date_from} to "
            f"{a.date_to or 'onwards'}: {old_answer} -> {new_answer}  "
            f"[dim]{', '.join(a.records)}[/dim]",
            highlight=False,
        )

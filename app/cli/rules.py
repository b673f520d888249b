"""``icc-exposure rules``: lint, test and schema of the rulebook."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.common import (
    DatasetsOpt,
    RulesOpt,
    checker_or_exit,
    fail,
    out,
    rulebook_or_exit,
)

rules_app = typer.Typer(help="The rulebook: lint, test, schema.", no_args_is_help=True)


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
    from app.settings import get_settings
    from app.yamlio import FileProblems

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
    from app.settings import get_settings

    if write:
        for path in schema.write((rules_dir or get_settings().rules_dir) / "schema"):
            out.print(f"wrote {path}")
        return

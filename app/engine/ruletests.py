"""Rule tests (rules/tests/*.yaml), like ``opa test``: a case gives facts or a real check, and
the expected exposure, obligation and fired rules.

```yaml
tests:
  - name: Putin in Japan after the warrant
    check: {person: Vladimir Putin, country: Japan, date: 2023-03-20, mode: visit}
    expect: {exposure: high, obligation: true, fired: [state-party-obligation]}
  - name: a State Party with an active warrant
    facts: {warrant.status: active, country.state_party: true}   # over a neutral record
    expect: {exposure: high, not_fired: [non-party-no-obligation]}
```
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.engine.facts import FACTS, Mode
from app.engine.language import Exposure, did_you_mean
from app.engine.lint import base_flat, record_from_flat
from app.engine.rulebook import Decision, Rulebook
from app.yamlio import FileProblems, Problem, load_file


class CheckInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person: str
    country: str
    date: dt.date
    mode: Mode = "visit"


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")
    exposure: Exposure | None = None
    obligation: bool | None = None
    fired: list[str] = Field(default_factory=list, description="Rules that must fire.")
    not_fired: list[str] = Field(default_factory=list, description="Rules that must not fire.")
    contested: list[str] | None = Field(
        default=None,
        description="Rules whose contested point the answer must list (exactly these; [] for "
        "none).",
    )


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    facts: dict[str, Any] | None = None
    check: CheckInput | None = None
    expect: Expect

    @model_validator(mode="after")
    def _one_input(self) -> Case:
        if (self.facts is None) == (self.check is None):
            raise ValueError("a case gives either 'facts' or 'check'")
        for name in self.facts or {}:
            if name not in FACTS:
                raise ValueError(f"unknown fact {name!r}" + did_you_mean(name, tuple(FACTS)))
        return self


class TestFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tests: list[Case] = Field(min_length=1)


@dataclass(frozen=True)
class Result:
    where: str
    name: str
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


#: Runs a real check: (person, country, date, mode) -> the worst warrant's Decision.
CheckRunner = Callable[[str, str, dt.date, Mode], Decision]


def load_cases(directory: Path) -> list[tuple[str, Case]]:
    """Every case of every test file, with its ``file:line``; FileProblems if any is wrong."""
    out: list[tuple[str, Case]] = []
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.yaml")):
        shown = f"{directory.parent.name}/{directory.name}/{path.name}"
        try:
            located = load_file(path, shown)
            parsed = located.validate(TestFile)
        except FileProblems as exc:
            problems.extend(exc.problems)
            continue
        for i, case in enumerate(parsed.tests):
            out.append((f"{shown}:{located.line_of(('tests', i))}", case))
    if problems:
        raise FileProblems(problems)
    return out


def run_case(rulebook: Rulebook, case: Case, check: CheckRunner | None) -> tuple[str, ...]:
    """The failures of one case (empty when it passes)."""
    if case.facts is not None:
        try:
            record = record_from_flat({**base_flat(), **case.facts})
        except ValidationError as exc:
            return (f"invalid facts: {exc.errors()[0]['msg']}",)
        decision = rulebook.decide(record)
    else:
        assert case.check is not None
        if check is None:
            return ("a 'check' case needs the datasets",)
        c = case.check
        try:
            decision = check(c.person, c.country, c.date, c.mode)
        except Exception as exc:  # a domain error is a failed case, not a crash
            return (f"check failed: {exc}",)
    fired = {f.placed.rule.id for f in decision.fired}
    failures = []
    e = case.expect
    if e.exposure is not None and decision.exposure != e.exposure:
        failures.append(f"exposure: expected {e.exposure.value}, got {decision.exposure.value}")
    if e.obligation is not None and decision.obligation != e.obligation:
        failures.append(f"obligation: expected {e.obligation}, got {decision.obligation}")
    for rule in e.fired:
        if rule not in fired:
            failures.append(f"expected {rule} to fire; fired: {', '.join(sorted(fired)) or 'none'}")
    for rule in e.not_fired:
        if rule in fired:
            failures.append(f"expected {rule} not to fire")
    if e.contested is not None:
        got = sorted({rule for rule, _ in decision.contested})
        if got != sorted(set(e.contested)):
            failures.append(f"contested: expected {sorted(set(e.contested))}, got {got}")
    unknown = [r for r in (*e.fired, *e.not_fired, *(e.contested or [])) if r not in rulebook.by_id]
    failures.extend(f"unknown rule {r!r}" for r in unknown)
    return tuple(failures)


def run_all(
    rulebook: Rulebook, cases: list[tuple[str, Case]], check: CheckRunner | None
) -> list[Result]:
    return [Result(where, case.name, run_case(rulebook, case, check)) for where, case in cases]

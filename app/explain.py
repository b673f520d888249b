"""``explain=full``: for each rule that did not fire, the first condition that failed.

Shared by the CLI (``check --explain full``) and the API (``/v1/exposure?explain=full``), so both
say the same thing.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from app.engine.facts import Mode
from app.verdict import Verdict

if TYPE_CHECKING:
    from app.checks import Checker


class NotFired(BaseModel):
    """A rule that did not fire, and the first of its tests that failed."""

    model_config = ConfigDict(frozen=True)

    rule: str = Field(description="Rule id.", examples=["stated-refusal"])
    warrant: str | None = Field(
        description="The warrant evaluated (null when the person has none).",
        examples=["putin-vladimir-2023"],
    )
    failed: str = Field(
        description="Where in the rule's condition, the test, and the fact's actual value.",
        examples=[
            "when.all[1]: country.position in [immunity_claimed, will_not_arrest], but it is other"
        ],
    )


class VerdictExplained(Verdict):
    """The Verdict, with (for ``explain=full``) why each other rule did not fire."""

    why_not: list[NotFired] | None = Field(
        default=None,
        description="Only with explain=full: each rule that did not fire (per warrant) and the "
        "first condition that failed.",
    )


def not_fired(
    checker: Checker,
    person: str,
    country: str,
    day: dt.date,
    mode: Mode,
    *,
    birth_date: dt.date | None = None,
    nationality: str | None = None,
) -> list[NotFired]:
    """Every rule that did not fire for this question, per warrant, with its first failed test."""
    match = checker.resolve_person(person, birth_date, nationality)
    resolved = checker.countries.resolve(country)
    found: list[NotFired] = []
    for e in checker.evaluate(match.person, resolved, day, mode):
        for rule, failed in checker.rulebook.why_not(e.facts).items():
            found.append(
                NotFired(rule=rule, warrant=e.warrant.id if e.warrant else None, failed=str(failed))
            )
    return found

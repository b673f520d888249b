"""Contested facts over a stay: the answer under each other value on every piece of a stay, and
the alternatives a leg (of an itinerary, or a batch row) shows. Pure over the Checker's data.

A stay is cut at the change dates of the recorded facts AND of every other value that bears on
it (``alternative_dates``), so on each piece both the recorded answer and every other answer hold
for every day: one evaluation per piece and contested fact, and a batch can render one answer
per piece for every leg inside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import Field

from app.checks import Checker, Grounds, severity
from app.data.alternatives import ContestedFact, concerns
from app.data.models import Area, Person
from app.engine.facts import Mode
from app.engine.language import EXPOSURE_RANK, Exposure
from app.resolve.countries import Country
from app.verdict import AlternativeOutcome


@dataclass(frozen=True)
class OtherAnswer:
    """The answer on one piece of a stay under one contested fact's other value."""

    fact: ContestedFact
    exposure: Exposure
    obligation: bool


@dataclass(frozen=True)
class Difference:
    """A contested fact whose other value changes the answer on some piece of a stay."""

    fact: ContestedFact
    first: int  # the first piece it changes
    last: int  # the last piece it changes
    exposure: Exposure  # the stay's worst exposure under the other value
    obligation: bool  # and the obligation that goes with it
    changes_answer: bool  # the stay's worst answer differs from the recorded one


class LegAlternative(AlternativeOutcome):
    """The answer for a stay under another value that some sources give for a fact."""

    start: dt.date = Field(
        description="First day of the stay on which the other value changes the answer.",
        examples=["2023-07-18"],
    )
    end: dt.date = Field(
        description="Last day of the stay on which the other value changes the answer.",
        examples=["2023-07-27"],
    )


def bearing(checker: Checker, person_id: str | None, iso3: str) -> list[ContestedFact]:
    """The contested facts that can bear on answers about (person, country)."""
    return [f for f in checker.contested if concerns(f, checker.snapshot, person_id, iso3)]


def alternative_dates(
    checker: Checker, person_id: str | None, iso3: str, area: Area | None
) -> set[dt.date]:
    """The change dates under each other value that bears on (person, country)."""
    days: set[dt.date] = set()
    for fact in bearing(checker, person_id, iso3):
        days.update(checker.alternate_snapshot(fact).change_dates(person_id, iso3, area))
    return days


def other_answers(
    checker: Checker, person: Person | None, country: Country, day: dt.date, mode: Mode
) -> tuple[OtherAnswer, ...]:
    """The answer on ``day`` under each other value that bears on (person, country), computed
    by the same engine on the Snapshot with that value applied."""
    return answers_under(checker, other_grounds(checker, person, country, day), day, mode)


def other_grounds(
    checker: Checker, person: Person | None, country: Country, day: dt.date
) -> tuple[tuple[ContestedFact, tuple[Grounds, ...]], ...]:
    """The facts, the query's aside, under each other value that bears on (person, country):
    the same for every mode (``answers_under`` decides on them)."""
    return tuple(
        (fact, checker.grounds(person, country, day, snapshot=checker.alternate_snapshot(fact)))
        for fact in bearing(checker, person.id if person else None, country.iso3)
    )


def answers_under(
    checker: Checker,
    grounds: tuple[tuple[ContestedFact, tuple[Grounds, ...]], ...],
    day: dt.date,
    mode: Mode,
) -> tuple[OtherAnswer, ...]:
    """The answer (the worst over the warrants) under each other value, for one mode: only
    exposure and obligation, so no explanation is rendered."""
    out: list[OtherAnswer] = []
    for fact, under in grounds:
        worst = max((r for _, r in checker.rulings(under, day, mode)), key=severity)
        out.append(OtherAnswer(fact, worst.exposure, worst.obligation))
    return tuple(out)


def _rank(answer: tuple[str, bool]) -> tuple[int, int]:
    return EXPOSURE_RANK[Exposure(answer[0])], int(answer[1])


def differences(
    pieces: Sequence[tuple[str, bool, tuple[OtherAnswer, ...]]], worst: tuple[str, bool]
) -> list[Difference]:
    """For the pieces of one stay (exposure, obligation, other answers; every piece has the same
    contested facts, in the same order), each fact whose other value changes some piece: which
    pieces, and the stay's worst answer under it against the recorded ``worst``."""
    out: list[Difference] = []
    if not pieces:
        return out
    for n, first in enumerate(pieces[0][2]):
        changed = [
            k
            for k, (exposure, obligation, others) in enumerate(pieces)
            if (others[n].exposure, others[n].obligation) != (exposure, obligation)
        ]
        if not changed:
            continue
        exposure, obligation = max(
            ((p[2][n].exposure.value, p[2][n].obligation) for p in pieces), key=_rank
        )
        out.append(
            Difference(
                fact=first.fact,
                first=changed[0],
                last=changed[-1],
                exposure=Exposure(exposure),
                obligation=obligation,
                changes_answer=(exposure, obligation) != (str(worst[0]), worst[1]),
            )
        )
    return out


def outcome(checker: Checker, difference: Difference) -> AlternativeOutcome:
    """The difference as answers show an alternative (the Verdict's shape)."""
    return checker.alternative_outcome(
        difference.fact, difference.exposure, difference.obligation, difference.changes_answer
    )

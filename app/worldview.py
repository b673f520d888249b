"""One person's answer in every country and territory on a date: the rows the map, its table,
the API's world view and the CLI's `map` share (one computation, several faces)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from app.checks import Checker, severity
from app.data.models import Person
from app.engine.facts import Mode
from app.engine.language import Exposure


@dataclass(frozen=True)
class WorldRow:
    iso2: str
    iso3: str
    name: str
    exposure: Exposure
    obligation: bool
    state_party: bool
    party_since: dt.date | None
    territory_of: str | None
    rule: str | None
    reason: str


@dataclass(frozen=True)
class World:
    person: Person
    date: dt.date
    mode: Mode
    rows: tuple[WorldRow, ...]

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(row.exposure.value for row in self.rows))


def world(checker: Checker, person: Person, day: dt.date, mode: Mode) -> World:
    """The worst answer over the person's warrants, per place, with the rule that decided it."""
    rows: list[WorldRow] = []
    for country in checker.countries.all():
        evaluated = checker.evaluate(person, country, day, mode)
        worst = max(evaluated, key=lambda e: severity(e.decision))
        rule_id = worst.decision.decided_by.get("exposure")
        placed = checker.rulebook.by_id.get(rule_id) if rule_id else None
        facts = worst.facts.country
        rows.append(
            WorldRow(
                iso2=country.iso2,
                iso3=country.iso3,
                name=country.name,
                exposure=worst.decision.exposure,
                obligation=worst.decision.obligation,
                state_party=facts.state_party,
                party_since=facts.party_since,
                territory_of=country.sovereign,
                rule=rule_id,
                reason=placed.rule.title if placed else "no rule decided",
            )
        )
    return World(person=person, date=day, mode=mode, rows=tuple(rows))

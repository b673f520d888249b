"""When answers change: over time for one person (what is coming), and between two versions of
the datasets (what a data edit changed). Both walk the change dates of (person, country), where
an answer can change, instead of every day, and ask the same engine as every other answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from app.data.alternatives import bears_on
from app.data.snapshot import ONE_DAY, Snapshot
from app.engine.facts import Mode
from app.engine.language import EXPOSURE_RANK, Exposure

if TYPE_CHECKING:
    from app.checks import Checker
    from app.data.models import Person
    from app.resolve.countries import Country

#: No answer can differ before the Statute entered into force.
EPOCH = dt.date(2002, 7, 1)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class CountryChange(_Out):
    """How the answer for one country changes on a date."""

    iso2: str = Field(description="ISO 3166-1 alpha-2.", examples=["HU"])
    iso3: str = Field(description="ISO 3166-1 alpha-3.", examples=["HUN"])
    name: str = Field(description="Short name.", examples=["Hungary"])
    exposure_before: Exposure = Field(description="Exposure the day before.", examples=["high"])
    obligation_before: bool = Field(description="Obligation the day before.", examples=[True])
    exposure_after: Exposure = Field(description="Exposure from the date on.", examples=["low"])
    obligation_after: bool = Field(description="Obligation from the date on.", examples=[False])
    rules_before: dict[str, str] = Field(
        description="Rules that decided exposure and obligation the day before.",
        examples=[{"exposure": "stated-refusal", "obligation": "state-party-obligation"}],
    )
    rules_after: dict[str, str] = Field(
        description="Rules that decide them from the date on.",
        examples=[{"exposure": "stated-refusal", "obligation": "former-party-residual-duty"}],
    )


class ChangeDay(_Out):
    """A date on which the person's exposure changes in at least one country."""

    date: dt.date = Field(description="First day of the new answer.", examples=["2026-06-02"])
    scheduled: bool = Field(
        description="After the datasets' as-of date: a change already scheduled then (e.g. a "
        "notified withdrawal taking effect), which later facts may still alter.",
        examples=[False],
    )
    countries: list[CountryChange] = Field(
        description="Countries whose answer changes, by name.",
        examples=[
            [
                {
                    "iso2": "HU",
                    "iso3": "HUN",
                    "name": "Hungary",
                    "exposure_before": "medium",
                    "obligation_before": True,
                    "exposure_after": "medium",
                    "obligation_after": True,
                    "rules_before": {
                        "exposure": "stated-refusal",
                        "obligation": "state-party-obligation",
                    },
                    "rules_after": {
                        "exposure": "stated-refusal",
                        "obligation": "former-party-residual-duty",
                    },
                }
            ]
        ],
    )


class PersonChanges(_Out):
    """Every change of a person's exposure in a window, country by country."""

    person: str = Field(description="Person id.", examples=["putin-vladimir"])
    name: str = Field(description="Full name.", examples=["Vladimir Vladimirovich Putin"])
    date_from: dt.date = Field(description="First day of the window.", examples=["2023-01-01"])
    date_to: dt.date = Field(description="Last day of the window.", examples=["2027-12-31"])
    mode: Mode = Field(description="visit, transit or overflight.", examples=["visit"])
    datasets_as_of: dt.date = Field(
        description="The datasets' as-of date; changes after it are marked scheduled.",
        examples=["2026-11-26"],
    )
    days: list[ChangeDay] = Field(
        description="Dates with a change, oldest first (see ChangeDay).",
        examples=[[{"date": "2024-02-01", "scheduled": False, "countries": []}]],
    )


@dataclass(frozen=True)
class Answer:
    """What a change of answer is measured on: exposure, obligation, and the rules deciding
    them (a withdrawal taking effect can move the duty from art. 89 to art. 127(2) while the
    exposure stays the same: the reader should still see that day)."""

    exposure: Exposure
    obligation: bool
    decided_by: tuple[tuple[str, str], ...] = ()

    def rules(self) -> dict[str, str]:
        return dict(self.decided_by)


def answer_on(
    checker: Checker,
    snapshot: Snapshot,
    person: Person | None,
    country: Country,
    day: dt.date,
    mode: Mode,
) -> Answer:
    """The answer the engine gives on ``snapshot`` (the worst over the person's warrants)."""
    evaluated = checker.evaluate(person, country, day, mode, snapshot=snapshot)
    worst = max(
        (e.decision for e in evaluated),
        key=lambda d: (EXPOSURE_RANK[d.exposure], int(d.obligation)),
    )
    return Answer(worst.exposure, worst.obligation, tuple(sorted(worst.decided_by.items())))


def _dates(snapshots: Iterable[Snapshot], person_id: str | None, iso3: str) -> list[dt.date]:
    days: set[dt.date] = set()
    for snapshot in snapshots:
        days.update(snapshot.change_dates(person_id, iso3))
        days.add(snapshot.as_of + ONE_DAY)  # the rules may note dates after the as-of date
    return sorted(days)


def person_changes(
    checker: Checker, person: Person, start: dt.date, end: dt.date, mode: Mode = "visit"
) -> PersonChanges:
    """Every date in [start, end] on which the person's answer changes in some country."""
    snapshot = checker.snapshot
    by_day: dict[dt.date, list[CountryChange]] = {}
    for country in checker.countries.all():
        before = answer_on(checker, snapshot, person, country, start, mode)
        for day in _dates([snapshot], person.id, country.iso3):
            if not start < day <= end:
                continue
            after = answer_on(checker, snapshot, person, country, day, mode)
            if after != before:
                by_day.setdefault(day, []).append(
                    CountryChange(
                        iso2=country.iso2,
                        iso3=country.iso3,
                        name=country.name,
                        exposure_before=before.exposure,
                        obligation_before=before.obligation,
                        exposure_after=after.exposure,
                        obligation_after=after.obligation,
                        rules_before=before.rules(),
                        rules_after=after.rules(),
                    )
                )
            before = after
    return PersonChanges(
        person=person.id,
        name=person.name,
        date_from=start,
        date_to=end,
        mode=mode,
        datasets_as_of=snapshot.as_of,
        days=[
            ChangeDay(
                date=day,
                scheduled=day > snapshot.as_of,
                countries=sorted(by_day[day], key=lambda c: c.name),
            )
            for day in sorted(by_day)
        ],
    )


# --- what changed between two versions of the datasets ----------------------------------------

#: Snapshot collection -> (dataset file, key attribute)
COLLECTIONS: dict[str, tuple[str, str]] = {
    "states": ("states_parties.yaml", "iso3"),
    "territories": ("territories.yaml", "iso3"),
    "situations": ("situations.yaml", "id"),
    "declarations": ("declarations_12_3.yaml", "id"),
    "referrals": ("referrals.yaml", "id"),
    "people": ("people.yaml", "id"),
    "warrants": ("warrants.yaml", "id"),
    "summonses": ("summonses.yaml", "id"),
    "failures": ("compliance.yaml", "id"),
    "positions": ("compliance.yaml", "id"),
    "areas": ("areas.yaml", "id"),
}


@dataclass(frozen=True)
class ChangedRecord:
    """A record added, removed or edited between two versions."""

    dataset: str
    record: str
    kind: str  # added | removed | changed | cited (only sources, notes or confidence)


#: Fields no rule reads: a record that differs only in these cannot change an answer.
NOT_READ_BY_RULES = {"sources", "notes", "note", "confidence", "alternatives"}


def _substance(value: Any) -> Any:
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, dict):
        return {k: _substance(v) for k, v in value.items() if k not in NOT_READ_BY_RULES}
    if isinstance(value, list):
        return [_substance(v) for v in value]
    return value


class AnswerChange(_Out):
    """Answers that differ between two versions of the datasets, over a date range."""

    person: str = Field(description="Person id.", examples=["putin-vladimir"])
    iso3: str = Field(description="Country (ISO alpha-3).", examples=["HUN"])
    country: str = Field(description="Country name.", examples=["Hungary"])
    date_from: dt.date = Field(description="First day the answers differ.")
    date_to: dt.date | None = Field(description="Last day they differ; null: onwards.")
    old_exposure: Exposure = Field(description="Exposure under the old datasets.")
    old_obligation: bool = Field(description="Obligation under the old datasets.")
    new_exposure: Exposure = Field(description="Exposure under the new datasets.")
    new_obligation: bool = Field(description="Obligation under the new datasets.")
    old_rules: dict[str, str] = Field(description="Rules deciding the old answer.")
    new_rules: dict[str, str] = Field(description="Rules deciding the new answer.")
    records: list[str] = Field(
        description="Changed records that bear on this answer (dataset:record).",
        examples=[["states_parties.yaml:HUN"]],
    )


def _collection(snapshot: Snapshot, attr: str) -> dict[str, Any]:
    items = getattr(snapshot, attr)
    values = items.values() if hasattr(items, "values") else items
    key = COLLECTIONS[attr][1]
    return {getattr(v, key): v for v in values}


def changed_records(old: Snapshot, new: Snapshot) -> list[ChangedRecord]:
    """Records that differ between two versions (sources and notes included)."""
    out: list[ChangedRecord] = []
    for attr, (dataset, _) in COLLECTIONS.items():
        before, after = _collection(old, attr), _collection(new, attr)
        for key in sorted(set(before) | set(after)):
            if key not in after:
                out.append(ChangedRecord(dataset, key, "removed"))
            elif key not in before:
                out.append(ChangedRecord(dataset, key, "added"))
            elif before[key] != after[key]:
                same = _substance(before[key]) == _substance(after[key])
                out.append(ChangedRecord(dataset, key, "cited" if same else "changed"))
    return out


def _pairs(
    changes: list[ChangedRecord], old: Snapshot, new: Snapshot, all_countries: list[str]
) -> Iterator[tuple[str, str]]:
    """(person, country) pairs whose answers a changed record can move; answers depend only on
    the records that bear on them, so every other pair is unchanged by construction."""
    people = sorted(set(old.people) | set(new.people))
    snaps = (old, new)
    for change in changes:
        if change.kind == "cited":
            continue
        d, r = change.dataset, change.record
        if d in ("states_parties.yaml", "territories.yaml"):
            codes = {r} | {
                t.iso3 for s in snaps for t in s.territories.values() if t.sovereign == r
            }
            yield from ((p, c) for p in people for c in sorted(codes))
        elif d in ("people.yaml", "summonses.yaml"):
            yield from ((r, c) for c in all_countries)
        elif d == "warrants.yaml":
            owners = {s.warrants[r].person for s in snaps if r in s.warrants}
            yield from ((p, c) for p in sorted(owners) for c in all_countries)
        elif d == "situations.yaml":
            owners = {w.person for s in snaps for w in s.warrants.values() if w.situation == r}
            yield from ((p, c) for p in sorted(owners) for c in all_countries)
        elif d == "declarations_12_3.yaml":
            states = {x.state for s in snaps for x in s.declarations if x.id == r}
            yield from ((p, c) for p in people for c in sorted(states))
        elif d == "referrals.yaml":
            bound = {c for s in snaps for x in s.referrals if x.id == r for c in x.binds}
            yield from ((p, c) for p in people for c in sorted(bound))
        elif d == "compliance.yaml":
            for s in snaps:
                for f in s.failures:
                    if f.id == r:
                        yield (f.person, f.state)
                for p in s.positions:
                    if p.id == r:
                        yield (p.person, p.state)


def diff_answers(
    checker: Checker, old: Snapshot, new: Snapshot, mode: Mode = "visit"
) -> tuple[list[ChangedRecord], list[AnswerChange]]:
    """The records that changed, and every answer (person x country x date range) that differs."""
    changes = changed_records(old, new)
    countries = {c.iso3: c for c in checker.countries.all()}
    pairs = sorted(set(_pairs(changes, old, new, sorted(countries))))
    out: list[AnswerChange] = []
    for person_id, iso3 in pairs:
        country = countries.get(iso3)
        if country is None:
            continue
        p_old, p_new = old.people.get(person_id), new.people.get(person_id)
        days = [EPOCH, *(d for d in _dates((old, new), person_id, iso3) if d > EPOCH)]
        responsible = [
            f"{c.dataset}:{c.record}"
            for c in changes
            if c.kind != "cited"
            and any(bears_on(c.dataset, c.record, s, person_id, iso3) for s in (old, new))
        ]
        run: tuple[dt.date, Answer, Answer] | None = None
        for i, day in enumerate(days):
            a_old = answer_on(checker, old, p_old, country, day, mode)
            a_new = answer_on(checker, new, p_new, country, day, mode)
            if run is not None and (a_old, a_new) != run[1:]:
                out.append(_change(person_id, country, run, day - ONE_DAY, responsible))
                run = None
            if run is None and a_old != a_new:
                run = (day, a_old, a_new)
            if i == len(days) - 1 and run is not None:
                out.append(_change(person_id, country, run, None, responsible))
    out.extend(_area_answers(checker, old, new, changes, countries, mode))
    return changes, out


def _area_answers(
    checker: Checker,
    old: Snapshot,
    new: Snapshot,
    changes: list[ChangedRecord],
    countries: dict[str, Country],
    mode: Mode,
) -> Iterator[AnswerChange]:
    """Answers for an occupied area (typed as a country, or a place in it) that differ: the
    area under each version, or its de jure state alone where a version lacks the area (a new
    area's places were answered as the state before). Every person, on the change dates of the
    state and of the area's control in either version."""
    for change in changes:
        if change.dataset != "areas.yaml" or change.kind == "cited":
            continue
        before = next((a for a in old.areas if a.id == change.record), None)
        after = next((a for a in new.areas if a.id == change.record), None)
        area = after or before
        assert area is not None  # a changed record is in one version at least
        state = countries.get(area.state)
        if state is None:
            continue
        c_old, c_new = replace(state, area=before), replace(state, area=after)
        shown = replace(state, name=f"{state.name} ({area.name})")
        for person_id in sorted(set(old.people) | set(new.people)):
            p_old, p_new = old.people.get(person_id), new.people.get(person_id)
            days = {EPOCH, *(d for d in _dates((old, new), person_id, state.iso3) if d > EPOCH)}
            days.update(d for a in (before, after) if a for d in (a.since, a.until) if d)
            run: tuple[dt.date, Answer, Answer] | None = None
            ordered = sorted(d for d in days if d >= EPOCH)
            for i, day in enumerate(ordered):
                a_old = answer_on(checker, old, p_old, c_old, day, mode)
                a_new = answer_on(checker, new, p_new, c_new, day, mode)
                if run is not None and (a_old, a_new) != run[1:]:
                    yield _change(person_id, shown, run, day - ONE_DAY, [f"areas.yaml:{area.id}"])
                    run = None
                if run is None and a_old != a_new:
                    run = (day, a_old, a_new)
                if i == len(ordered) - 1 and run is not None:
                    yield _change(person_id, shown, run, None, [f"areas.yaml:{area.id}"])


def _change(
    person: str,
    country: Country,
    run: tuple[dt.date, Answer, Answer],
    end: dt.date | None,
    records: list[str],
) -> AnswerChange:
    start, old, new = run
    return AnswerChange(
        person=person,
        iso3=country.iso3,
        country=country.name,
        date_from=start,
        date_to=end,
        old_exposure=old.exposure,
        old_obligation=old.obligation,
        new_exposure=new.exposure,
        new_obligation=new.obligation,
        old_rules=old.rules(),
        new_rules=new.rules(),
        records=records,
    )

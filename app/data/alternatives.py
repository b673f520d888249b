"""Contested facts: another value some sources give for a record's field, and the Snapshot in
which that value is applied, so the same engine can answer under it. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from app.data import models as m
from app.data.snapshot import Snapshot

#: dataset file -> (Snapshot attribute, key attribute of its records)
DATASETS: dict[str, tuple[str, str]] = {
    "states_parties.yaml": ("states", "iso3"),
    "territories.yaml": ("territories", "iso3"),
    "situations.yaml": ("situations", "id"),
    "declarations_12_3.yaml": ("declarations", "id"),
    "referrals.yaml": ("referrals", "id"),
    "people.yaml": ("people", "id"),
    "warrants.yaml": ("warrants", "id"),
    "summonses.yaml": ("summonses", "id"),
    "compliance.yaml": ("failures", "id"),
    "compliance.yaml#positions": ("positions", "id"),
}
#: Fields an alternative may not name: they describe the record, not the world.
NOT_CONTESTABLE = {"id", "iso3", "sources", "confidence", "notes", "alternatives"}


@dataclass(frozen=True)
class ContestedFact:
    """One alternative value of one record's field."""

    dataset: str
    record: str
    index: int
    alternative: m.Alternative
    recorded: Any

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.dataset, self.record, self.index)


def with_alternative(record: m.Record, alternative: m.Alternative) -> m.Record:
    """The record with the other value applied, validated as a record of its kind.

    A warrant's issue date carries its first history entry (and a same-day publication) with it,
    so that ``{field: issued, value: ...}`` alone states the other reading.
    """
    data = record.model_dump(by_alias=True, exclude={"alternatives"})
    data[alternative.field] = alternative.value
    if isinstance(record, m.Warrant) and alternative.field == "issued":
        history = [dict(h) for h in data["history"]]
        history[0]["date"] = alternative.value
        data["history"] = history
        if record.made_public == record.issued:
            data["made_public"] = alternative.value
    return type(record).model_validate(data)


def check_alternative(record: BaseModel, alternative: m.Alternative) -> str | None:
    """Why an alternative cannot apply to its record, or None."""
    fields = {f.alias or name for name, f in type(record).model_fields.items()}
    if alternative.field in NOT_CONTESTABLE or alternative.field not in fields:
        return f"{alternative.field!r} is not a contestable field of this record"
    dated = {"issued", "died", "finding", "date", "lodged", "adopted"}
    if alternative.field in dated and not isinstance(alternative.value, dt.date | None):
        return f"the other value of {alternative.field!r} must be a date (unquoted) or null"
    try:
        changed = with_alternative(record, alternative)  # type: ignore[arg-type]
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        return f"the other value does not make a valid record: {exc}".splitlines()[0]
    if getattr(changed, alternative.field) == getattr(record, alternative.field):
        return "the other value equals the recorded one"
    return None


def _records(snapshot: Snapshot, attr: str) -> list[Any]:
    collection = getattr(snapshot, attr)
    return list(collection.values()) if hasattr(collection, "values") else list(collection)


def contested_facts(snapshot: Snapshot) -> Iterator[ContestedFact]:
    """Every alternative in the datasets."""
    for dataset, (attr, key) in DATASETS.items():
        for record in _records(snapshot, attr):
            for i, alt in enumerate(record.alternatives):
                yield ContestedFact(
                    dataset=dataset.split("#")[0],
                    record=getattr(record, key),
                    index=i,
                    alternative=alt,
                    recorded=getattr(record, alt.field),
                )


def applied(snapshot: Snapshot, fact: ContestedFact) -> Snapshot:
    """The Snapshot in which the contested fact takes its other value."""
    for dataset, (attr, key) in DATASETS.items():
        if dataset.split("#")[0] != fact.dataset:
            continue
        records = _records(snapshot, attr)
        for i, record in enumerate(records):
            if getattr(record, key) == fact.record and len(record.alternatives) > fact.index:
                records[i] = with_alternative(record, record.alternatives[fact.index])
                return snapshot.replacing(attr, records)
    raise KeyError(fact.key)


def concerns(fact: ContestedFact, snapshot: Snapshot, person_id: str | None, iso3: str) -> bool:
    """Whether the contested fact can bear on answers about (person, country)."""
    return bears_on(fact.dataset, fact.record, snapshot, person_id, iso3)


def bears_on(
    dataset: str, record: str, snapshot: Snapshot, person_id: str | None, iso3: str
) -> bool:
    """Whether a record can bear on answers about (person, country)."""
    countries = {iso3}
    territory = snapshot.territories.get(iso3)
    if territory is not None and territory.sovereign:
        countries.add(territory.sovereign)
    if dataset in ("states_parties.yaml", "territories.yaml"):
        return record in countries
    if dataset in ("people.yaml", "summonses.yaml"):
        return record == person_id or any(
            s.id == record and s.person == person_id for s in snapshot.summonses
        )
    if dataset == "warrants.yaml":
        warrant = snapshot.warrants.get(record)
        return warrant is not None and warrant.person == person_id
    if dataset == "situations.yaml":
        return any(w.situation == record for w in snapshot.warrants_of(person_id or ""))
    if dataset == "declarations_12_3.yaml":
        return any(d.id == record and d.state in countries for d in snapshot.declarations)
    if dataset == "referrals.yaml":
        return any(r.id == record and countries & set(r.binds) for r in snapshot.referrals)
    if dataset == "compliance.yaml":
        items: list[m.Failure | m.Position] = [*snapshot.failures, *snapshot.positions]
        return any(r.id == record and r.person == person_id and r.state in countries for r in items)
    return False


def plain(value: Any) -> Any:
    """A recorded or other value as JSON shows it (records as dicts without their sources)."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude={"sources"})
    if isinstance(value, dt.date):
        return value.isoformat()
    return value

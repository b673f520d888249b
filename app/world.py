"""A person's exposure in every country and territory on a date (the map), cached by interval.

The world view for (person, mode) is piecewise constant in time: it changes only on the change
dates of some country for that person (see ``app.itinerary.boundaries``). So each view is
computed once per (person, mode, interval between those dates), on the per-call path (fact
record, memoised engine, aggregation), and kept as JSON with the date left to fill in. Each
country's row is kept too, per interval between that country's own change dates, so a view for
a new interval recomputes only the countries whose answer changed.

What these caches keep is strings and bytes in dicts keyed by strings and integers: things the
garbage collector does not track. It walks every container a process keeps at each full
collection (every 10 s or so under load), stopping the process meanwhile: 10,000 cached rows as
models (each a model, a dict and a set) made that 50-120 ms of a server worker's time, and
tuple keys (which make a dict tracked) still 10-20 ms.
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from app.engine.facts import Mode
from app.engine.language import Exposure

if TYPE_CHECKING:
    from app.checks import Checker
    from app.data.models import Person
    from app.resolve.countries import Country

#: World views kept per generation (each about 40 KB of JSON).
WORLD_CACHE = 2048
#: Country rows kept per generation (under a kilobyte each; a view has 250).
WORLD_ROWS = 50_000
#: Stands for the date in a cached view; no row carries a date.
DATE_PLACEHOLDER = dt.date(1, 1, 1)


class WorldEntry(BaseModel):
    iso2: str = Field(description="ISO 3166-1 alpha-2.", examples=["MN"])
    iso3: str = Field(description="ISO 3166-1 alpha-3.", examples=["MNG"])
    name: str = Field(description="Short name.", examples=["Mongolia"])
    exposure: Exposure = Field(
        description="The worst exposure over the person's warrants: none < low < medium < high.",
        examples=["medium"],
    )
    obligation: bool = Field(
        description="Whether the state must arrest and surrender (on that worst warrant).",
        examples=[True],
    )
    state_party: bool = Field(description="Bound by the Rome Statute on the date.", examples=[True])
    party_since: dt.date | None = Field(
        default=None,
        description="Entry into force of the Statute for it (art. 126), when a party on the date.",
        examples=["2002-07-01"],
    )
    territory_of: str | None = Field(
        default=None,
        description="ISO alpha-3 of the sovereign, for a territory with its own code.",
        examples=[None],
    )
    rule: str | None = Field(
        description="The rule that set the exposure.", examples=["noncompliance-record"]
    )
    reason: str = Field(
        description="That rule's title.",
        examples=["The state has already failed to arrest this person"],
    )


class WorldView(BaseModel):
    person: str = Field(description="Person id.", examples=["putin-vladimir"])
    name: str = Field(description="Full name.", examples=["Vladimir Vladimirovich Putin"])
    date: dt.date = Field(description="The date asked about.", examples=["2025-06-01"])
    mode: Mode = Field(description="visit, transit or overflight.", examples=["visit"])
    counts: dict[str, int] = Field(
        description="Countries by exposure.", examples=[{"high": 120, "medium": 3, "low": 120}]
    )
    countries: list[WorldEntry] = Field(
        description="Every country and territory, by name, with the rule that decided it."
    )


class WorldViews:
    """The world views of one generation of datasets and rules."""

    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        self._bounds: dict[str, tuple[dt.date, ...]] = {}
        self._views: OrderedDict[tuple[str, str, int], bytes] = OrderedDict()
        #: "person iso3 mode interval" -> the row's JSON, and its exposure. String keys and
        #: atomic values: dicts the collector never tracks (see the module's docstring).
        self._rows: dict[str, bytes] = {}
        self._row_exposures: dict[str, str] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def bounds(self, person_id: str) -> tuple[dt.date, ...]:
        """Every day on which some country's answer for the person can change."""
        found = self._bounds.get(person_id)
        if found is None:
            days: set[dt.date] = set()
            for country in self.checker.countries.all():
                days.update(self.checker.change_days(person_id, country.iso3, country.area))
            found = self._bounds[person_id] = tuple(sorted(days))
        return found

    def row(self, person: Person, country: Country, day: dt.date, mode: Mode) -> tuple[str, bytes]:
        """One country's row (its exposure and its JSON), kept per interval between that
        country's own change dates: a new interval of the whole view (some country changed)
        recomputes only that country."""
        bounds = self.checker.change_days(person.id, country.iso3, country.area)
        key = f"{person.id} {country.iso3} {mode} {bisect_right(bounds, day)}"
        found = self._rows.get(key)
        exposure = self._row_exposures.get(key)
        if found is None or exposure is None:
            entry = row(self.checker, person, country, day, mode)
            found, exposure = entry.model_dump_json().encode(), entry.exposure.value
            if len(self._rows) >= WORLD_ROWS:
                self._rows.clear()
                self._row_exposures.clear()
            self._row_exposures[key] = exposure
            self._rows[key] = found
        return exposure, found

    def cached(self, person: Person, day: dt.date, mode: Mode) -> bytes | None:
        """The view as JSON if it is cached (cheap: safe on the event loop), else None."""
        bounds = self._bounds.get(person.id)
        if bounds is None:
            return None
        key = (person.id, mode, bisect_right(bounds, day))
        with self._lock:
            template = self._views.get(key)
            if template is None:
                return None
            self._views.move_to_end(key)
            self.hits += 1
        return _fill(template, day)

    def json(self, person: Person, day: dt.date, mode: Mode) -> bytes:
        """The view as JSON, computed on a miss (tens of milliseconds: not on the event loop)."""
        found = self.cached(person, day, mode)
        if found is not None:
            return found
        key = (person.id, mode, bisect_right(self.bounds(person.id), day))
        rows = [self.row(person, c, day, mode) for c in self.checker.countries.all()]
        counts = count(exposure for exposure, _ in rows)
        # The view's own JSON around an empty country list, the rows' JSON spliced in: the
        # bytes model_dump_json gives for the whole view (tests compare them).
        empty = view(person, DATE_PLACEHOLDER, mode, [], counts).model_dump_json().encode()
        head, tail = empty.rsplit(b"[]", 1)
        template = b"".join((head, b"[", b",".join(json for _, json in rows), b"]", tail))
        with self._lock:
            self.misses += 1
            self._views[key] = template
            if len(self._views) > WORLD_CACHE:
                self._views.popitem(last=False)
        return _fill(template, day)


def _fill(template: bytes, day: dt.date) -> bytes:
    return template.replace(
        f'"date":"{DATE_PLACEHOLDER.isoformat()}"'.encode(),
        f'"date":"{day.isoformat()}"'.encode(),
        1,
    )


def row(checker: Checker, person: Person, country: Country, day: dt.date, mode: Mode) -> WorldEntry:
    """One country's row on the per-call path: its check, the worst over the warrants."""
    from app.checks import severity

    evaluated = checker.evaluate(person, country, day, mode)
    worst = max(evaluated, key=lambda e: severity(e.decision))
    rule_id = worst.decision.decided_by.get("exposure")
    placed = checker.rulebook.by_id.get(rule_id) if rule_id else None
    return WorldEntry(
        iso2=country.iso2,
        iso3=country.iso3,
        name=country.name,
        exposure=worst.decision.exposure,
        obligation=worst.decision.obligation,
        state_party=worst.facts.country.state_party,
        party_since=worst.facts.country.party_since,
        territory_of=country.sovereign,
        rule=rule_id,
        reason=placed.rule.title if placed else "no rule decided",
    )


def count(exposures: Iterable[str]) -> dict[str, int]:
    """Countries by exposure, in the order each exposure first appears in the rows."""
    counts: dict[str, int] = {}
    for exposure in exposures:
        counts[exposure] = counts.get(exposure, 0) + 1
    return counts


def view(
    person: Person,
    day: dt.date,
    mode: Mode,
    rows: list[WorldEntry],
    counts: dict[str, int] | None = None,
) -> WorldView:
    """The view from its rows (``counts``: theirs, when the rows are given apart as JSON)."""
    if counts is None:
        counts = count(r.exposure.value for r in rows)
    return WorldView(
        person=person.id, name=person.name, date=day, mode=mode, counts=counts, countries=rows
    )


def compute(checker: Checker, person: Person, day: dt.date, mode: Mode) -> WorldView:
    """The world view on the per-call path: one check per country, no cache (the reference)."""
    rows = [row(checker, person, country, day, mode) for country in checker.countries.all()]
    return view(person, day, mode, rows)

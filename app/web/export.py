"""The exported map for one person, date and mode: shared by GET /map.svg|png and the CLI."""

from __future__ import annotations

import datetime as dt

from app.checks import Checker
from app.engine.facts import Mode
from app.errors import InvalidInput
from app.web.worldmap import MapView
from app.world import compute


def map_view(checker: Checker, person: str, day: dt.date, mode: Mode) -> MapView:
    """Resolve the person (only a sure match is mapped: a map of a guess would mislead) and
    compute their answer in every place."""
    match = checker.people.match(person, field="person")
    if match.person is None:
        candidates = [{"id": c.person.id, "name": c.person.name} for c in match.candidates[:5]]
        if candidates:
            detail = f"{person!r} does not name one person for sure: say which"
        else:
            detail = f"no person with a public ICC warrant matches {person!r}: nothing to map"
        raise InvalidInput(detail, field="person", candidates=candidates)
    view = compute(checker, match.person, day, mode)
    return MapView(
        person=match.person.name,
        date=day,
        mode=mode,
        exposure={row.iso3: row.exposure.value for row in view.countries},
        as_of=checker.snapshot.as_of,
        datasets_version=checker.versions.datasets,
    )

"""Places: what an airport code or a city name resolves to, as a leg's `place` would."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from app.api.deps import CheckerDep
from app.api.models import PlaceCandidate, PlaceSearch
from app.checks import country_ref
from app.errors import AmbiguousPlace, UnknownPlace
from app.resolve.places import Place, PlaceMatch

router = APIRouter(prefix="/v1/places", tags=["places"])


def _candidate(place: Place, today: dt.date) -> PlaceCandidate:
    return PlaceCandidate(
        kind=place.kind,
        name=place.name,
        code=place.code,
        city=place.city,
        population=place.population,
        country=country_ref(place.country, today),
    )


@router.get(
    "",
    operation_id="places-search",
    summary="Airport codes and cities: the country or territory a leg's `place` resolves to",
)
async def places_search(
    checker: CheckerDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=100,
            description="An IATA or ICAO airport code, or a city in any common spelling.",
            examples=["Georgetown"],
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=50, description="Most candidates returned.")] = 10,
) -> PlaceSearch:
    def work() -> PlaceSearch:
        # The first look-up builds the place index (about a second): off the event loop.
        places = checker.places
        match: PlaceMatch | None = None
        problem: str | None = None
        try:
            match = places.resolve(q)
        except (AmbiguousPlace, UnknownPlace) as exc:
            problem = exc.detail
        candidates = places.search(q, limit)
        # A lookup has no date: an area's control is told for today.
        today = checker.today()
        if match is not None and match.place not in candidates:
            candidates.insert(0, match.place)
        return PlaceSearch(
            query=q,
            match=_candidate(match.place, today) if match else None,
            note=match.note if match else None,
            problem=problem,
            candidates=[_candidate(p, today) for p in candidates[:limit]],
        )

    return await run_in_threadpool(work)


__all__ = ["router"]

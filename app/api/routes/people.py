"""People with public ICC warrants or summonses, and a person's exposure around the world."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from app.api.deps import CheckerDep
from app.api.models import SEARCH_MEANING, Candidate, PeopleSearch, PersonSummary, WorldView
from app.api.work import off_loop
from app.changes import PersonChanges, person_changes
from app.data.models import Person, Summons, Warrant
from app.engine.facts import Mode
from app.errors import InvalidInput, NotFound
from app.types import DATE_HELP, QueryDate

router = APIRouter(prefix="/v1/people", tags=["people"])


class PersonDetail(BaseModel):
    person: Person = Field(description="Names, aliases in every script, roles, sources.")
    warrants: list[Warrant] = Field(description="Public arrest warrants with status history.")
    summonses: list[Summons] = Field(description="Summonses to appear (not warrants).")


@router.get("", operation_id="people-search", summary="Search people by name, in any script")
async def people_search(
    checker: CheckerDep,
    request: Request,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="A name; omit to list everyone.",
            examples=["Путин"],
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Most candidates returned.")] = 10,
) -> PeopleSearch | list[PersonSummary]:
    snapshot = checker.snapshot
    if q is None:
        return [
            PersonSummary(
                id=p.id,
                name=p.name,
                warrants=len(snapshot.warrants_of(p.id)),
                outstanding=len(snapshot.outstanding_warrants(p.id, snapshot.as_of)),
            )
            for p in sorted(snapshot.people.values(), key=lambda p: p.id)
        ]
    match = await off_loop(request, checker.people.match, q, field="q")
    taken = match.person.id if match.person else None
    candidates = [
        Candidate(
            id=c.person.id,
            name=c.person.name,
            matched=c.matched,
            score=c.score,
            sure=c.person.id == taken and match.level == "sure",
        )
        for c in match.candidates[:limit]
    ]
    return PeopleSearch(
        query=q,
        level=match.level,
        meaning=SEARCH_MEANING[match.level],
        match=next((c for c in candidates if c.id == taken), None),
        candidates=candidates,
    )


def _person(checker: CheckerDep, person_id: str) -> Person:
    person = checker.snapshot.people.get(person_id)
    if person is None:
        raise NotFound(f"no person with id {person_id!r}", field="path:person_id")
    return person


#: The longest person id a path takes (app/api/fastpath.py reads it too).
MAX_PERSON_ID = 100
PersonId = Annotated[
    str, Path(max_length=MAX_PERSON_ID, description="Person id.", examples=["putin-vladimir"])
]


@router.get(
    "/{person_id}",
    operation_id="people-get",
    summary="A person: names, aliases, warrants with status history, sources",
    responses={404: {"description": "No such person id (problem+json)."}},
)
async def people_get(checker: CheckerDep, person_id: PersonId) -> PersonDetail:
    person = _person(checker, person_id)
    snapshot = checker.snapshot
    return PersonDetail(
        person=person,
        warrants=list(snapshot.warrants_of(person.id)),
        summonses=[s for s in snapshot.summonses if s.person == person.id],
    )


@router.get(
    "/{person_id}/world",
    operation_id="people-world",
    summary="The person's exposure in every country and territory on a date (the map)",
    response_model=WorldView,
    responses={404: {"description": "No such person id (problem+json)."}},
)
async def people_world(
    checker: CheckerDep,
    request: Request,
    person_id: PersonId,
    date: Annotated[QueryDate | None, Query(description=DATE_HELP)] = None,
    mode: Annotated[Mode, Query(description="visit, transit or overflight.")] = "visit",
) -> Response:
    person = _person(checker, person_id)
    day = date or dt.datetime.now(dt.UTC).date()
    # Cached per interval between change dates: a look-up on the loop, a miss off it.
    content = checker.world.cached(person, day, mode)
    if content is None:
        content = await off_loop(request, checker.world.json, person, day, mode)
    return Response(content, media_type="application/json")


@router.get(
    "/{person_id}/changes",
    operation_id="people-changes",
    summary="Every date in a window on which the person's exposure changes, country by country",
    description="A withdrawal taking effect, a warrant issued or executed, a declaration lodged, a "
    "failure to arrest on record: each date on which the answer (exposure, obligation or the "
    "rule deciding them) changes in some country, with the answer before and after. Dates after "
    "the datasets' as-of date are changes already scheduled then, marked `scheduled`.",
    responses={
        404: {"description": "No such person id (problem+json)."},
        422: {"description": "A date is malformed or the window is reversed (problem+json)."},
    },
)
def people_changes(
    checker: CheckerDep,
    person_id: PersonId,
    date_from: Annotated[
        QueryDate | None,
        Query(alias="from", description="First day (YYYY-MM-DD); default today (UTC)."),
    ] = None,
    date_to: Annotated[
        QueryDate | None,
        Query(alias="to", description="Last day (YYYY-MM-DD); default one year after `from`."),
    ] = None,
    mode: Annotated[Mode, Query(description="visit, transit or overflight.")] = "visit",
) -> PersonChanges:
    # A plain def: FastAPI runs it in its thread pool, so the walk over every country (a few
    # seconds on a busy machine) does not hold the event loop.
    person = _person(checker, person_id)
    start = date_from or dt.datetime.now(dt.UTC).date()
    end = date_to or start + dt.timedelta(days=365)
    if end < start:
        raise InvalidInput("'to' is before 'from'", field="query:to")
    if (end - start).days > 366 * 30:
        raise InvalidInput("the window is longer than 30 years", field="query:to")
    return person_changes(checker, person, start, end, mode)

"""The exposure check: one person, one country, one date."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from app.api.deps import CheckerDep
from app.api.models import ExposureRequest
from app.engine.facts import Mode
from app.types import CountryText, IsoDate, PersonText
from app.verdict import Verdict

router = APIRouter(prefix="/v1", tags=["exposure"])

ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"description": "Bad input, unknown or ambiguous country (problem+json)."}
}


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _answer(
    checker: CheckerDep,
    request: Request,
    person: str,
    country: str,
    date: dt.date | None,
    mode: Mode,
    birth_date: dt.date | None,
    nationality: str | None,
) -> Response:
    content, decision_id = checker.check_json(
        person, country, date or _today(), mode, birth_date=birth_date, nationality=nationality
    )
    request.state.decision_id = decision_id
    # Already JSON (pydantic-serialised once per distinct question): no second encoding.
    return Response(content, media_type="application/json")


@router.get(
    "/exposure",
    operation_id="exposure-get",
    summary="Is this person exposed to arrest in this country on this date?",
    response_model=Verdict,
    responses=ERRORS,
)
async def exposure_get(
    checker: CheckerDep,
    request: Request,
    person: Annotated[
        PersonText, Query(description="Name in any script, or id.", examples=["Putin"])
    ],
    country: Annotated[CountryText, Query(description="Name, alias or ISO code.", examples=["JP"])],
    date: Annotated[IsoDate | None, Query(description="YYYY-MM-DD; default today (UTC).")] = None,
    mode: Annotated[Mode, Query(description="visit, transit or overflight.")] = "visit",
    birth_date: Annotated[IsoDate | None, Query(description="Narrows the name match.")] = None,
    nationality: Annotated[CountryText | None, Query(description="Narrows the name match.")] = None,
) -> Response:
    return _answer(checker, request, person, country, date, mode, birth_date, nationality)


@router.post(
    "/exposure",
    operation_id="exposure-post",
    summary="The same check, with a JSON body",
    response_model=Verdict,
    responses=ERRORS,
)
async def exposure_post(checker: CheckerDep, request: Request, body: ExposureRequest) -> Response:
    return _answer(
        checker,
        request,
        body.person,
        body.country,
        body.date,
        body.mode,
        body.birth_date,
        body.nationality,
    )

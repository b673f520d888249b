"""The exposure check: one person, one country, one date."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

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


def _answer(checker: CheckerDep, body: ExposureRequest, request: Request) -> Verdict:
    verdict = checker.check(
        body.person,
        body.country,
        body.date or _today(),
        body.mode,
        birth_date=body.birth_date,
        nationality=body.nationality,
    )
    request.state.decision_id = verdict.decision_id
    return verdict


@router.get(
    "/exposure",
    operation_id="exposure-get",
    summary="Is this person exposed to arrest in this country on this date?",
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
) -> Verdict:
    body = ExposureRequest(
        person=person,
        country=country,
        date=date,
        mode=mode,
        birth_date=birth_date,
        nationality=nationality,
    )
    return _answer(checker, body, request)


@router.post(
    "/exposure",
    operation_id="exposure-post",
    summary="The same check, with a JSON body",
    responses=ERRORS,
)
async def exposure_post(checker: CheckerDep, request: Request, body: ExposureRequest) -> Verdict:
    return _answer(checker, body, request)

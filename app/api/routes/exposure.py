"""The exposure check: one person, one country, one date."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from app.api.deps import CheckerDep
from app.api.models import ExposureRequest
from app.api.work import off_loop
from app.checks import DECISION_PLACEHOLDER
from app.engine.facts import Mode
from app.errors import NotFound
from app.explain import VerdictExplained, not_fired
from app.types import DATE_HELP, CountryText, IsoDate, PersonText, QueryDate
from app.verdict import Verdict

router = APIRouter(prefix="/v1", tags=["exposure"])

DECISION_PLACEHOLDER_BYTES = DECISION_PLACEHOLDER.encode()
Explain = Literal["fired", "full"]
EXPLAIN_HELP = "fired: the rules that fired; full: also why each other rule did not (why_not)."
ERRORS: dict[int | str, dict[str, Any]] = {
    422: {
        "description": "Bad input, an unknown or ambiguous country, or an ambiguous person "
        "(problem+json). An ambiguous person (title 'Ambiguous person', two or more people fit "
        "the name) comes with `choices`: each person's id, name, the alias matched, the score, "
        "whether a warrant was outstanding on the date, and their exposure and obligation "
        "there on that date; ask again with a fuller name, a birth date, a nationality or the "
        "person's id. A name that fits nobody for sure but has candidates is not an error: the "
        "Verdict says status 'unresolved'.",
        "content": {
            "application/problem+json": {
                "example": {
                    "type": "https://icc-exposure.example/problems/ambiguous-person",
                    "title": "Ambiguous person",
                    "status": 422,
                    "detail": "'Gaddafi' may mean Muammar Mohammed Abu Minyar Gaddafi, Saif "
                    "Al-Islam Gaddafi: say which (a fuller name, a birth date, a nationality or "
                    "a person id)",
                    "instance": "/v1/exposure",
                    "field": "person",
                    "date": "2025-06-01",
                    "choices": [
                        {
                            "id": "gaddafi-muammar",
                            "name": "Muammar Mohammed Abu Minyar Gaddafi",
                            "matched": "Muammar Gaddafi",
                            "score": 0.875,
                            "active_warrant": False,
                            "exposure": "none",
                            "obligation": False,
                        },
                        {
                            "id": "gaddafi-saif-al-islam",
                            "name": "Saif Al-Islam Gaddafi",
                            "matched": "Saif Al-Islam Gaddafi",
                            "score": 0.85,
                            "active_warrant": True,
                            "exposure": "high",
                            "obligation": True,
                        },
                    ],
                }
            }
        },
    }
}


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


async def _answer(
    checker: CheckerDep,
    request: Request,
    person: str,
    country: str,
    date: dt.date | None,
    mode: Mode,
    birth_date: dt.date | None,
    nationality: str | None,
    explain: Explain = "fired",
) -> Response:
    day = date or _today()
    # A repeated question is a cache look-up, fine on the event loop; a new one is not.
    found = checker.check_json(
        person, country, day, mode, birth_date=birth_date, nationality=nationality, cached_only=True
    )
    if found is None:
        found = await off_loop(
            request,
            checker.check_json,
            person,
            country,
            day,
            mode,
            birth_date=birth_date,
            nationality=nationality,
        )
    assert found is not None
    content, decision_id, template = found
    placeholder = DECISION_PLACEHOLDER_BYTES
    if explain == "full":
        # The cached Verdict JSON, plus why each other rule did not fire (the CLI's --explain full).
        answer = json.loads(content)
        answer["why_not"] = [
            n.model_dump()
            for n in await off_loop(
                request,
                not_fired,
                checker,
                person,
                country,
                day,
                mode,
                birth_date=birth_date,
                nationality=nationality,
            )
        ]
        content = json.dumps(answer, ensure_ascii=False).encode()
        # The log keeps what was sent: this answer, its own id standing for the placeholder.
        template, placeholder = content, decision_id.encode()
    request.state.decision_id = decision_id
    decisions = request.app.state.runtime.decisions
    if decisions is not None:
        decisions.record(decision_id, template, placeholder)
    # Already JSON (pydantic-serialised once per distinct question): no second encoding.
    return Response(content, media_type="application/json")


@router.get(
    "/exposure",
    operation_id="exposure-get",
    summary="Is this person exposed to arrest in this country on this date?",
    response_model=VerdictExplained,
    responses=ERRORS,
)
async def exposure_get(
    checker: CheckerDep,
    request: Request,
    person: Annotated[
        PersonText, Query(description="Name in any script, or id.", examples=["Putin"])
    ],
    country: Annotated[CountryText, Query(description="Name, alias or ISO code.", examples=["JP"])],
    date: Annotated[QueryDate | None, Query(description=DATE_HELP)] = None,
    mode: Annotated[Mode, Query(description="visit, transit or overflight.")] = "visit",
    birth_date: Annotated[IsoDate | None, Query(description="Narrows the name match.")] = None,
    nationality: Annotated[CountryText | None, Query(description="Narrows the name match.")] = None,
    explain: Annotated[Explain, Query(description=EXPLAIN_HELP)] = "fired",
) -> Response:
    return await _answer(
        checker, request, person, country, date, mode, birth_date, nationality, explain
    )


@router.post(
    "/exposure",
    operation_id="exposure-post",
    summary="The same check, with a JSON body",
    response_model=VerdictExplained,
    responses=ERRORS,
)
async def exposure_post(checker: CheckerDep, request: Request, body: ExposureRequest) -> Response:
    return await _answer(
        checker,
        request,
        body.person,
        body.country,
        body.date,
        body.mode,
        body.birth_date,
        body.nationality,
        body.explain,
    )


@router.get(
    "/decisions/{decision_id}",
    operation_id="exposure-decision",
    summary="An answer given before, exactly as it was given, by its decision id",
    response_model=Verdict,
    responses={404: {"description": "Unknown id, or the decision log is off (problem+json)."}},
)
async def decision(
    request: Request,
    decision_id: Annotated[
        str,
        Path(
            pattern=r"^d-[0-9a-f]{32}$",
            description="From X-Decision-Id or the Verdict.",
            examples=["d-5f2c0d7e9a8b4c3d2e1f0a9b8c7d6e5f"],
        ),
    ],
) -> Response:
    decisions = request.app.state.runtime.decisions
    if decisions is None:
        raise NotFound(
            "the decision log is off (ICC_EXPOSURE_DECISION_LOG)", field="path:decision_id"
        )
    content = await run_in_threadpool(decisions.get, decision_id)
    if content is None:
        raise NotFound(f"no decision {decision_id}", field="path:decision_id")
    return Response(content, media_type="application/json")

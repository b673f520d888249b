"""Countries and territories: status on a date, timeline, declarations, referrals, compliance."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from app.api.deps import CheckerDep
from app.api.models import CountryList, CountryRow
from app.api.work import off_loop
from app.checks import Checker
from app.status import CountryStatus, country_status
from app.types import DATE_HELP, QueryDate

router = APIRouter(prefix="/v1/countries", tags=["countries"])


def _day(date: dt.date | None) -> dt.date:
    return date or dt.datetime.now(dt.UTC).date()


@router.get("", operation_id="countries-list", summary="Countries and territories on a date")
async def countries_list(
    checker: CheckerDep,
    request: Request,
    date: Annotated[QueryDate | None, Query(description=DATE_HELP)] = None,
    state_party: Annotated[
        bool | None, Query(description="Only States Parties (true) or only others (false).")
    ] = None,
) -> CountryList:
    return await off_loop(request, _countries, checker, _day(date), state_party)


def _countries(checker: Checker, day: dt.date, state_party: bool | None) -> CountryList:
    rows = []
    for country in checker.countries.all():
        member = checker.snapshot.membership(country.iso3, day)
        if state_party is not None and member.state_party != state_party:
            continue
        rows.append(
            CountryRow(
                iso2=country.iso2,
                iso3=country.iso3,
                name=country.name,
                state_party=member.state_party,
                territory_of=country.sovereign,
            )
        )
    return CountryList(date=day, count=len(rows), countries=rows)


@router.get(
    "/{name}",
    operation_id="countries-get",
    summary="A country's status on a date and its timeline",
    responses={422: {"description": "Unknown or ambiguous country (problem+json)."}},
)
async def countries_get(
    checker: CheckerDep,
    request: Request,
    name: Annotated[
        str,
        Path(
            min_length=1,
            max_length=100,
            description="Name, alias or ISO code.",
            examples=["Ivory Coast"],
        ),
    ],
    date: Annotated[QueryDate | None, Query(description=DATE_HELP)] = None,
) -> CountryStatus:
    return await off_loop(request, _country, checker, name, _day(date))


def _country(checker: Checker, name: str, day: dt.date) -> CountryStatus:
    # Resolving an unknown name ranks suggestions: off the event loop.
    country = checker.countries.resolve(name, field="path:name")
    return country_status(checker.snapshot, country, day)

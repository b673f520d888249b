"""Request and response shapes of the API that are not the domain's own (Verdict, CountryStatus)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.engine.facts import Mode
from app.resolve.people import MatchLevel
from app.types import DATE_MAX, DATE_MIN, CountryText, IsoDate, PersonText, QueryDate
from app.verdict import MATCH_MEANING, CountryRef
from app.world import WorldEntry, WorldView


class ExposureRequest(BaseModel):
    """One question: is this person exposed in this country on this date?"""

    model_config = ConfigDict(extra="forbid")

    person: PersonText = Field(
        description="A name in any script, or a person id.", examples=["Путин"]
    )
    country: CountryText = Field(
        description="Country or territory: name, alias or ISO code.", examples=["Mongolia"]
    )
    date: QueryDate | None = Field(
        default=None,
        description=f"YYYY-MM-DD, {DATE_MIN} to {DATE_MAX}; today (UTC) when absent.",
        examples=["2025-06-01"],
    )
    mode: Mode = Field(default="visit", description="visit, transit or overflight.")
    birth_date: IsoDate | None = Field(
        default=None, description="Narrows the name match.", examples=["1952-10-07"]
    )
    nationality: CountryText | None = Field(
        default=None, description="Narrows the name match.", examples=["Russia"]
    )
    explain: Literal["fired", "full"] = Field(
        default="fired",
        description="fired: the rules that fired; full: also why each other rule did not "
        "(why_not).",
        examples=["full"],
    )


class Candidate(BaseModel):
    id: str = Field(description="Person id.", examples=["putin-vladimir"])
    name: str = Field(description="Full name.", examples=["Vladimir Vladimirovich Putin"])
    matched: str = Field(description="The alias that matched.", examples=["Путин"])
    score: float = Field(description="0 to 1.", examples=[0.93])
    sure: bool = Field(
        description="Deprecated: read the search's `level`. True only for the person matched "
        "when `level` is sure (one person, nobody else close); false for a probable match.",
        examples=[True],
        json_schema_extra={"deprecated": True},
    )


#: What each level of a name search means (``PeopleSearch.meaning``).
SEARCH_MEANING: dict[str, str] = {
    **MATCH_MEANING,
    "ambiguous": "Two or more people fit the name about equally: choose one of the candidates.",
}


class PeopleSearch(BaseModel):
    query: str = Field(description="The name as typed.", examples=["Putin"])
    level: MatchLevel = Field(
        description="How sure the match is (the same levels as an answer's match.level, and "
        "ambiguous): sure (one person, nobody else close); probable (most likely this person, "
        "but the name needed an edit to match, 'Vladimr Putin': show it as 'did you mean', "
        "not as a sure match); ambiguous (two or more people fit about equally: ask which); "
        "candidates (nobody pinned down, some people close: never 'none'); none (nobody with "
        "a public warrant, summons or application has a name close to this one).",
        examples=["sure"],
    )
    meaning: str = Field(
        description="What the level means, in one line.", examples=[MATCH_MEANING["sure"]]
    )
    match: Candidate | None = Field(
        description="The person the name is taken for, as /v1/exposure answers it: set when "
        "level is sure or probable (then `sure` is false: confirm with the user); null "
        "otherwise.",
        examples=[
            {
                "id": "putin-vladimir",
                "name": "Vladimir Vladimirovich Putin",
                "matched": "Vladimir Putin",
                "score": 0.969,
                "sure": False,
            }
        ],
    )
    candidates: list[Candidate] = Field(description="Ranked candidates, best first.")


class PersonSummary(BaseModel):
    id: str = Field(description="Person id.", examples=["putin-vladimir"])
    name: str = Field(description="Full name.", examples=["Vladimir Vladimirovich Putin"])
    warrants: int = Field(description="Public warrants against the person.", examples=[1])
    outstanding: int = Field(description="Of which outstanding on the as-of date.", examples=[1])


class CountryRow(BaseModel):
    iso2: str = Field(description="ISO 3166-1 alpha-2.", examples=["JP"])
    iso3: str = Field(description="ISO 3166-1 alpha-3.", examples=["JPN"])
    name: str = Field(description="Short name.", examples=["Japan"])
    state_party: bool = Field(description="Bound by the Rome Statute on the date.")
    territory_of: str | None = Field(description="Sovereign, for a territory.", examples=[None])


class CountryList(BaseModel):
    date: dt.date = Field(description="The date asked about.", examples=["2025-06-01"])
    count: int = Field(description="Rows returned.", examples=[125])
    countries: list[CountryRow] = Field(
        description="Countries and territories matching the filter, by name."
    )


class RuleInfo(BaseModel):
    id: str = Field(description="Stable rule id.", examples=["state-party-obligation"])
    title: str = Field(
        description="The rule in one line.", examples=["A State Party must arrest and surrender"]
    )
    where: str = Field(description="file:line.", examples=["rules/obligation.yaml:6"])
    priority: int = Field(
        description="Higher wins when fired rules set the same outcome.", examples=[10]
    )
    basis: list[str] = Field(
        description="Legal basis: articles, resolutions, decisions.",
        examples=[
            ["Rome Statute art. 89(1) (arrest and surrender of persons found on its territory)"]
        ],
    )
    then: dict[str, Any] = Field(
        description="The outcome.", examples=[{"exposure": "high", "obligation": True}]
    )
    when: dict[str, Any] = Field(description="The condition, as written.")


class RulesInfo(BaseModel):
    version: str = Field(description="Rulebook content hash.", examples=["sha256:9a0b..."])
    files: list[str] = Field(
        description="Rule files loaded, by name.", examples=[["rules/obligation.yaml"]]
    )
    rules: list[RuleInfo] = Field(description="Every rule, file by file, in file order.")


class ReloadResult(BaseModel):
    datasets: str = Field(description="Datasets version now serving.")
    rules: str = Field(description="Rules version now serving.")


class PlaceCandidate(BaseModel):
    kind: str = Field(description="airport, city or country.", examples=["airport"])
    name: str = Field(description="The place's name.", examples=["London Heathrow Airport"])
    code: str | None = Field(
        description="An airport's IATA code (ICAO when it has none).", examples=["LHR"]
    )
    city: str | None = Field(description="The city an airport serves.", examples=["London"])
    population: int | None = Field(description="A city's population (GeoNames).", examples=[None])
    country: CountryRef = Field(
        description="The country or territory the place is in; for a place in an occupied or "
        "de facto area (Sevastopol, SIP, Donetsk, Gaza, Sukhumi ...) its de jure state with "
        "`area` set, as a leg with this `place` is answered (`controlled_on_date`: today).",
        examples=[
            {
                "iso2": "UA",
                "iso3": "UKR",
                "name": "Ukraine",
                "territory_of": None,
                "area": {
                    "id": "crimea",
                    "name": "Crimea",
                    "controlled_by": "Russia (occupation; the 2014 annexation is not "
                    "recognised by the UN General Assembly)",
                    "since": "2014-02-27",
                    "until": None,
                    "controlled_on_date": True,
                },
            }
        ],
    )


class PlaceSearch(BaseModel):
    query: str = Field(description="The text as written.", examples=["LHR"])
    match: PlaceCandidate | None = Field(
        description="What a leg with this `place` resolves to; null when it is ambiguous or "
        "unknown (see `problem`)."
    )
    note: str | None = Field(
        description="Set when a city name several countries share was taken as the much "
        "larger city.",
        examples=[None],
    )
    problem: str | None = Field(
        description="Why there is no match: ambiguous (give the country or an airport code) or "
        "unknown.",
        examples=[None],
    )
    candidates: list[PlaceCandidate] = Field(
        description="Places the text may mean: the airport with that code, cities of that name "
        "(largest first), then close spellings."
    )


__all__ = ["WorldEntry", "WorldView"]  # shapes of the domain, re-exported for the API

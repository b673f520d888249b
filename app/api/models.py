"""Request and response shapes of the API that are not the domain's own (Verdict, CountryStatus)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.engine.facts import Mode
from app.engine.language import Exposure
from app.types import CountryText, IsoDate, PersonText


class ExposureRequest(BaseModel):
    """One question: is this person exposed in this country on this date?"""

    model_config = ConfigDict(extra="forbid")

    person: PersonText = Field(
        description="A name in any script, or a person id.", examples=["Путин"]
    )
    country: CountryText = Field(
        description="Country or territory: name, alias or ISO code.", examples=["Mongolia"]
    )
    date: IsoDate | None = Field(
        default=None, description="YYYY-MM-DD; today (UTC) when absent.", examples=["2025-06-01"]
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
    sure: bool = Field(description="The match is sure (no other person comes close).")


class PeopleSearch(BaseModel):
    query: str = Field(description="The name as typed.", examples=["Putin"])
    match: Candidate | None = Field(description="The sure match, if any.")
    candidates: list[Candidate] = Field(description="Ranked candidates.")


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

"""The answer's shape (the Verdict), shared by the API, the CLI and the batch."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from app.data.models import Confidence
from app.engine.facts import Mode
from app.engine.language import Exposure


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class PersonRef(_Out):
    id: str = Field(description="Stable person id.", examples=["putin-vladimir"])
    name: str = Field(description="Full name.", examples=["Vladimir Vladimirovich Putin"])
    matched: str | None = Field(
        default=None, description="The alias the query matched.", examples=["Путин"]
    )
    score: float = Field(default=1.0, description="Match score, 0 to 1.", examples=[0.97])


class AreaRef(_Out):
    """An occupied or de facto area the user typed, answered for its de jure state."""

    id: str = Field(description="Area id (datasets/areas.yaml).", examples=["crimea"])
    name: str = Field(description="The area's name.", examples=["Crimea"])
    controlled_by: str = Field(
        description="Who controls it in fact, in words.", examples=["Russia (occupation)"]
    )
    since: dt.date = Field(description="First day of that control.", examples=["2014-02-27"])
    until: dt.date | None = Field(
        default=None,
        description="First day the de jure state controlled it again; null while it lasts.",
        examples=[None],
    )
    controlled_on_date: bool = Field(
        description="Whether that control held on the date asked about.", examples=[True]
    )


class CountryRef(_Out):
    iso2: str = Field(description="ISO 3166-1 alpha-2.", examples=["JP"])
    iso3: str = Field(description="ISO 3166-1 alpha-3.", examples=["JPN"])
    name: str = Field(description="Short name.", examples=["Japan"])
    territory_of: str | None = Field(
        default=None, description="Sovereign (alpha-3) if a territory.", examples=[None]
    )
    area: AreaRef | None = Field(
        default=None,
        description="Set when the name typed is an occupied or de facto area (Crimea, Gaza, "
        "Transnistria ...): the answer is for its de jure state (iso3, name), and says who "
        "controls the area.",
        examples=[None],
    )


class ContestedPoint(_Out):
    """A legal point the answer rests on that no court has settled."""

    rule: str = Field(
        description="The rule whose conclusion rests on it.",
        examples=["former-party-residual-duty"],
    )
    point: str = Field(
        description="The unsettled question, in one sentence.",
        examples=[
            "Whether art. 127(2) obliges a former party to arrest on a warrant issued while it "
            "was a party but executed after its withdrawal took effect."
        ],
    )
    other_reading: str = Field(
        description="The reading the answer does not follow, in one sentence.",
        examples=[
            "The residual duty covers only requests the state had received before its "
            "withdrawal took effect, not later arrests."
        ],
    )


class WarrantOutcome(_Out):
    id: str = Field(description="Warrant id.", examples=["putin-vladimir-2023"])
    situation: str = Field(description="Situation id.", examples=["ukraine"])
    case: str = Field(description="Case number.", examples=["ICC-01/22"])
    issued: dt.date = Field(description="Date of issue.", examples=["2023-03-17"])
    made_public: dt.date | None = Field(description="Date made public.", examples=["2023-03-17"])
    status: str = Field(description="Status on the date asked about.", examples=["active"])
    exposure: Exposure = Field(description="Exposure from this warrant.", examples=["high"])
    obligation: bool = Field(description="Duty to arrest on this warrant.", examples=[True])
    decided_by: dict[str, str] = Field(
        description="Rule that set each outcome.",
        examples=[{"exposure": "state-party-obligation", "obligation": "state-party-obligation"}],
    )


class TraceItem(_Out):
    warrant: str | None = Field(
        description="Warrant evaluated (null: none).", examples=["putin-vladimir-2023"]
    )
    rule: str = Field(description="Rule id.", examples=["state-party-obligation"])
    title: str = Field(
        description="Rule title.", examples=["A State Party must arrest and surrender"]
    )
    where: str = Field(description="file:line of the rule.", examples=["rules/obligation.yaml:6"])
    priority: int = Field(description="Rule priority.", examples=[10])
    explanation: str = Field(description="The rule's explanation for these facts.")
    basis: list[str] = Field(description="Legal basis.", examples=[["Rome Statute art. 89(1)"]])
    exposure: Exposure | None = Field(
        description="Exposure the rule sets, if any.", examples=["high"]
    )
    obligation: bool | None = Field(
        description="Obligation the rule sets, if any.", examples=[True]
    )


class Evidence(_Out):
    dataset: str = Field(description="Dataset file.", examples=["states_parties.yaml"])
    record: str = Field(description="Record id or code.", examples=["JPN"])
    sources: list[str] = Field(description="The record's sources.")
    confidence: Confidence = Field(description="The record's confidence.", examples=["high"])


class Versions(_Out):
    datasets: str = Field(description="Datasets content hash.", examples=["sha256:3f1c..."])
    rules: str = Field(description="Rulebook content hash.", examples=["sha256:9a0b..."])
    engine: str = Field(
        description="Engine.", examples=["icc-exposure 0.1.0 / durable-rules 2.0.28"]
    )


class Verdict(_Out):
    """The answer to: if this person is in this country on this date, are they exposed?"""

    decision_id: str = Field(description="Unique id of this answer.", examples=["d-5f2c..."])
    as_of: dt.date = Field(description="The date asked about.", examples=["2026-12-01"])
    mode: Mode = Field(description="visit, transit or overflight.", examples=["visit"])
    query: str = Field(description="The name as typed.", examples=["Путин"])
    person: PersonRef | None = Field(description="The person matched; null when none for sure.")
    candidates: list[PersonRef] = Field(
        default_factory=list, description="'Did you mean': people the name may mean."
    )
    country: CountryRef = Field(description="The country or territory the name resolved to.")
    exposure: Exposure = Field(description="none < low < medium < high.", examples=["high"])
    obligation: bool = Field(
        description="Does the state have a legal duty to arrest and surrender?"
    )
    summary: str = Field(description="The decisive reason, in one paragraph.")
    notes: list[str] = Field(description="Caveats from the rules that fired.")
    contested: list[ContestedPoint] = Field(
        default_factory=list,
        description="Legal points the answer rests on that no court has settled, each with the "
        "other reading; empty when the law applied is settled. Where the obligation rests on a "
        "contested point, the exposure is at most medium.",
        examples=[
            [
                {
                    "rule": "former-party-residual-duty",
                    "point": "Whether art. 127(2) obliges a former party to arrest on a warrant "
                    "issued while it was a party.",
                    "other_reading": "Only requests received before the withdrawal took "
                    "effect bind it.",
                }
            ]
        ],
    )
    warrants: list[WarrantOutcome] = Field(
        description="Each warrant against the person, evaluated."
    )
    trace: list[TraceItem] = Field(description="Every rule that fired, highest priority first.")
    evidence: list[Evidence] = Field(description="Dataset records the answer rests on.")
    confidence: Confidence = Field(description="Lowest confidence among the evidence.")
    versions: Versions = Field(
        description="Versions of the datasets, rulebook and engine behind this answer."
    )

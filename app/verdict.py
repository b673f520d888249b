"""The answer's shape (the Verdict), shared by the API, the CLI and the batch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.data.alternatives import ContestedFact, plain
from app.data.models import Confidence
from app.data.sources import SourceRegistry, Tier
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


Status = Literal["ok", "unresolved"]
MatchLevelOut = Literal["sure", "probable", "candidates", "none"]

#: What each match level means, in one line (the Verdict's ``match.meaning``).
MATCH_MEANING: dict[str, str] = {
    "sure": "The name matches this person and nobody else comes close.",
    "probable": "The name most likely means this person (a close but not exact match); "
    "check the candidates.",
    "candidates": "The name could not be pinned down to one person: see the candidates; "
    "no answer is given for a name we could not resolve.",
    "none": "Nobody with a public ICC warrant, summons or warrant application has a name "
    "close to this one.",
}


class MatchInfo(_Out):
    """How sure the person match is; separate from ``confidence`` (the data's)."""

    level: MatchLevelOut = Field(
        description="sure (one person, nobody close), probable (most likely this person), "
        "candidates (no person pinned down: the answer is unresolved) or none (nobody close: "
        "'no public warrant' is an honest answer).",
        examples=["sure"],
    )
    score: float = Field(
        description="Score of the best match, 0 to 1 (0 when nobody came close).",
        examples=[0.875],
    )
    matched: str | None = Field(
        description="The alias the name matched (the best candidate's, when unresolved).",
        examples=["Владимир Путин"],
    )
    meaning: str = Field(
        description="What the level means for this answer, in one line.",
        examples=[MATCH_MEANING["sure"]],
    )


class CandidateRef(_Out):
    """A person the name may mean, with what the answer would be for them on the date."""

    id: str = Field(description="Stable person id.", examples=["gaddafi-saif-al-islam"])
    name: str = Field(description="Full name.", examples=["Saif al-Islam Gaddafi"])
    matched: str | None = Field(
        description="The alias the name matched.", examples=["Saif al-Islam Gaddafi"]
    )
    score: float = Field(description="Match score, 0 to 1.", examples=[0.75])
    active_warrant: bool = Field(
        description="An ICC arrest warrant against this person was outstanding on the date "
        "(for a stay: on some day of it).",
        examples=[True],
    )
    exposure: Exposure = Field(
        description="This person's exposure in the country on the date (for a stay: the worst "
        "day), computed by the same rules.",
        examples=["high"],
    )
    obligation: bool = Field(
        description="Whether the state must arrest this person there on the date.",
        examples=[True],
    )


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


class SourceRef(_Out):
    """One source of a record, with its tier (datasets/source_tiers.yaml)."""

    url: str = Field(
        description="The address, or a citation such as a Court document number.",
        examples=["https://www.icc-cpi.int/situations/ukraine"],
    )
    tier: Tier = Field(
        description="official (the Court, the UN, a government or a state's court), press (an "
        "established news organisation) or secondary (encyclopedias, NGOs, academic work).",
        examples=["official"],
    )


class Evidence(_Out):
    dataset: str = Field(description="Dataset file.", examples=["states_parties.yaml"])
    record: str = Field(description="Record id or code.", examples=["JPN"])
    sources: list[SourceRef] = Field(
        description="Every source of the record (its own, its withdrawals' and status "
        "changes'), official first, then press, then secondary.",
        examples=[
            [
                {
                    "url": "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XVIII-10&chapter=18",
                    "tier": "official",
                },
                {"url": "https://en.wikipedia.org/wiki/Japan", "tier": "secondary"},
            ]
        ],
    )
    confidence: Confidence = Field(description="The record's confidence.", examples=["high"])


class Freshness(_Out):
    """How old the facts are, against the date asked about and against today."""

    datasets_as_of: dt.date = Field(
        description="The datasets' as-of date: facts after it are not known to the tool.",
        examples=["2026-11-26"],
    )
    days_after_as_of: int = Field(
        description="Days from the as-of date to the date asked about (negative: before it).",
        examples=[5],
    )
    days_since_as_of: int = Field(
        description="Days from the as-of date to the day the answer was given (UTC).",
        examples=[12],
    )
    caveat: str | None = Field(
        description="Set when the date asked about is after the as-of date, or the answer is "
        "given more than 30 days after it: the facts may have changed since.",
        examples=[
            "The date asked about is 5 days after the datasets' as-of date (2026-11-26): "
            "only changes already scheduled then are known."
        ],
    )


class AlternativeOutcome(_Out):
    """The answer under another value that some sources give for a fact (a contested fact)."""

    dataset: str = Field(description="Dataset file of the record.", examples=["warrants.yaml"])
    record: str = Field(description="Record id or code.", examples=["al-kani-mohamed-2023"])
    field: str = Field(description="The contested field.", examples=["issued"])
    recorded: Any = Field(description="The value the datasets record.", examples=["2023-07-18"])
    alternative: Any = Field(description="The other value.", examples=["2023-07-28"])
    reason: str = Field(
        description="Why the other value is not the recorded one, in one line.",
        examples=["A later Court release gives 28 July; the warrant itself is dated 18 July."],
    )
    sources: list[SourceRef] = Field(
        description="Sources of the other value, official first.",
        examples=[
            [
                {
                    "url": "https://libyaobserver.ly/news/icc-issues-arrest-warrants-members-tarhounas-al-kani-militia",
                    "tier": "press",
                }
            ]
        ],
    )
    exposure: Exposure = Field(
        description="Exposure under the other value (same rules, same engine).", examples=["high"]
    )
    obligation: bool = Field(description="Obligation under the other value.", examples=[True])
    changes_answer: bool = Field(
        description="Whether exposure or obligation differ from the recorded answer.",
        examples=[False],
    )


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
    status: Status = Field(
        description="ok: the person was resolved (or nobody came close) and the answer is "
        "given; unresolved: the name could not be pinned down to one person, so exposure and "
        "obligation are null and the candidates each carry their own answer.",
        examples=["ok"],
    )
    match: MatchInfo = Field(description="How sure the person match is.")
    person: PersonRef | None = Field(description="The person matched; null when none for sure.")
    candidates: list[CandidateRef] = Field(
        default_factory=list,
        description="When no person was matched for sure: the people the name may mean, best "
        "first, each with its exposure on the date.",
    )
    country: CountryRef = Field(description="The country or territory the name resolved to.")
    exposure: Exposure | None = Field(
        description="none < low < medium < high; null only when status is unresolved.",
        examples=["high"],
    )
    obligation: bool | None = Field(
        description="Does the state have a legal duty to arrest and surrender? Null only when "
        "status is unresolved.",
        examples=[True],
    )
    worst_case_exposure: Exposure = Field(
        description="The exposure if the name means the worst of the people it may mean: equal "
        "to exposure when resolved; the highest among the candidates when unresolved.",
        examples=["high"],
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
    confidence: Confidence = Field(
        description="Data confidence: the lowest confidence among the dataset records the "
        "answer rests on (how well the facts are established, not how sure the name match is: "
        "see match); low when a contested fact (see alternatives) changes the answer."
    )
    alternatives: list[AlternativeOutcome] = Field(
        default_factory=list,
        description="Contested facts the answer rests on: the answer under each other value.",
    )
    freshness: Freshness = Field(description="The datasets' as-of date and how far it is.")
    versions: Versions = Field(
        description="Versions of the datasets, rulebook and engine behind this answer."
    )


def contested_fields(fact: ContestedFact, registry: SourceRegistry) -> dict[str, Any]:
    """What every answer shows of a contested fact, whatever it adds (the answer or the timeline
    under the other value): where the fact is, both values, why the other, and its sources."""
    alt = fact.alternative
    return {
        "dataset": fact.dataset,
        "record": fact.record,
        "field": alt.field,
        "recorded": plain(fact.recorded),
        "alternative": plain(alt.value),
        "reason": alt.reason,
        "sources": source_refs(registry, alt.sources),
    }


def source_refs(registry: SourceRegistry, sources: Iterable[object]) -> list[SourceRef]:
    """Sources with their tiers, official first, each address once."""
    out: list[SourceRef] = []
    for found in registry.tiered(sources):
        # Validation refuses an untiered source on load; a hand-built Snapshot without a
        # registry still shows its sources, at the weakest tier.
        ref = SourceRef(url=found.url, tier=found.tier or "secondary")
        if ref.url not in {r.url for r in out}:
            out.append(ref)
    return out

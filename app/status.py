"""A country's (or territory's) relation to the Rome Statute on a date: status and timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.data.alternatives import applied, concerns, contested_facts
from app.data.snapshot import Snapshot
from app.resolve.countries import Country
from app.verdict import SourceRef, contested_fields, source_refs


class TimelineEvent(BaseModel):
    model_config = ConfigDict(frozen=True)
    date: dt.date = Field(description="When it happened.", examples=["2024-02-01"])
    event: str = Field(
        description="signature, deposit, entry_into_force, withdrawal_notified, "
        "withdrawal_effective, withdrawal_revoked, coverage_from, coverage_until, "
        "declaration_12_3, unsc_referral, noncompliance_finding",
        examples=["entry_into_force"],
    )
    detail: str = Field(description="What, in words.", examples=["Statute in force (Art. 126)"])
    sources: list[SourceRef] = Field(
        description="Sources of the record, official first.",
        examples=[
            [
                {
                    "url": "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XVIII-10&chapter=18",
                    "tier": "official",
                }
            ]
        ],
    )


class ComplianceItem(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str = Field(
        description="Failure-to-arrest record id (compliance.yaml).",
        examples=["mongolia-putin-2024"],
    )
    person: str = Field(description="Id of the person not arrested.", examples=["putin-vladimir"])
    visit_from: dt.date | None = Field(
        description="First day on its territory; null: there all along (own state).",
        examples=["2024-09-02"],
    )
    visit_to: dt.date | None = Field(
        description="Last day on its territory; null if not known.", examples=["2024-09-03"]
    )
    finding: dt.date | None = Field(
        description="Judicial non-compliance finding.", examples=["2024-10-24"]
    )
    sources: list[SourceRef] = Field(
        description="Sources of the record, official first.",
        examples=[[{"url": "ICC-01/22-90", "tier": "official"}]],
    )


class AlternativeTimeline(BaseModel):
    """A country's status and timeline under a contested fact's other value."""

    model_config = ConfigDict(frozen=True)
    dataset: str = Field(
        description="Dataset file of the record.", examples=["states_parties.yaml"]
    )
    record: str = Field(description="Record id or code.", examples=["BFA"])
    field: str = Field(description="The contested field.", examples=["withdrawals"])
    recorded: Any = Field(description="The value the datasets record.", examples=[[]])
    alternative: Any = Field(
        description="The other value.",
        examples=[[{"notified": "2026-01-15", "effective": "2027-01-15"}]],
    )
    reason: str = Field(description="Why the other value is not the recorded one, in one line.")
    sources: list[SourceRef] = Field(description="Sources of the other value, official first.")
    state_party: bool = Field(description="Bound by the Statute on the date under the other value.")
    timeline: list[TimelineEvent] = Field(description="The timeline under the other value.")


class CountryStatus(BaseModel):
    """Status on the date asked about, and everything dated that bears on it."""

    model_config = ConfigDict(frozen=True)
    iso2: str = Field(description="ISO 3166-1 alpha-2.", examples=["MN"])
    iso3: str = Field(description="ISO 3166-1 alpha-3.", examples=["MNG"])
    name: str = Field(description="Short name.", examples=["Mongolia"])
    date: dt.date = Field(description="The date asked about.", examples=["2025-06-01"])
    state_party: bool = Field(description="Bound by the Rome Statute on the date.")
    party_since: dt.date | None = Field(
        description="Entry into force for it.", examples=["2002-07-01"]
    )
    former_party: bool = Field(description="Its withdrawal has taken effect by the date.")
    withdrawal_pending: bool = Field(description="Withdrawal notified, not yet effective.")
    withdrawal_effective: dt.date | None = Field(description="When a withdrawal takes effect.")
    territory_of: str | None = Field(description="Sovereign, for a territory.", examples=[None])
    territory_excluded: bool = Field(description="Sovereign is a party; ratification excludes it.")
    confidence: str | None = Field(
        description="Confidence of the membership record.", examples=["high"]
    )
    notes: str | None = Field(description="Conflicts and caveats of the membership record.")
    timeline: list[TimelineEvent] = Field(description="Dated events, oldest first.")
    declarations_12_3: list[str] = Field(description="Art. 12(3) declarations (ids).")
    referrals: list[str] = Field(description="Security Council referrals that bind it (ids).")
    compliance: list[ComplianceItem] = Field(description="Its compliance record.")
    alternatives: list[AlternativeTimeline] = Field(
        default_factory=list,
        description="Contested facts of its records: its status and timeline under each other "
        "value some sources give (the recorded value is what the answers use).",
    )

    def lines(self) -> list[str]:
        out = []
        if self.territory_of:
            out.append(
                f"territory of {self.territory_of}"
                + (" (excluded from its ratification)" if self.territory_excluded else "")
            )
        if self.party_since:
            out.append(f"in force since {self.party_since}")
        if self.withdrawal_pending:
            out.append(f"withdrawal pending, effective {self.withdrawal_effective}")
        if self.former_party:
            out.append(f"former party: withdrawal effective {self.withdrawal_effective}")
        for e in self.timeline:
            out.append(f"{e.date}  {e.event:22} {e.detail}")
        for c in self.compliance:
            out.append(f"compliance: {c.id} (finding {c.finding or 'none'})")
        return out


def country_status(
    snapshot: Snapshot, country: Country, day: dt.date, *, alternatives: bool = True
) -> CountryStatus:
    """Status on ``day`` and timeline; with the timeline under each contested fact of its
    records (``alternatives``)."""

    def refs(sources: Iterable[object]) -> list[SourceRef]:
        return source_refs(snapshot.source_registry, sources)

    m = snapshot.membership(country.iso3, day)
    timeline: list[TimelineEvent] = []
    territory = snapshot.territories.get(country.iso3)
    state = snapshot.states.get(
        territory.sovereign if territory and territory.sovereign else country.iso3
    )
    if state is not None:
        src = refs(state.sources)
        if state.signature:
            timeline.append(
                TimelineEvent(
                    date=state.signature,
                    event="signature",
                    detail=f"{state.name} signed the Statute",
                    sources=src,
                )
            )
        timeline.append(
            TimelineEvent(
                date=state.deposit,
                event="deposit",
                detail=f"{state.instrument} deposited by {state.name}",
                sources=src,
            )
        )
        timeline.append(
            TimelineEvent(
                date=state.entry_into_force,
                event="entry_into_force",
                detail=f"Statute in force for {state.name} (Art. 126)",
                sources=src,
            )
        )
        for w in state.withdrawals:
            wsrc = refs(w.sources)
            timeline.append(
                TimelineEvent(
                    date=w.notified,
                    event="withdrawal_notified",
                    detail="withdrawal notified to the UN Secretary-General",
                    sources=wsrc,
                )
            )
            if w.revoked:
                timeline.append(
                    TimelineEvent(
                        date=w.revoked,
                        event="withdrawal_revoked",
                        detail="withdrawal revoked before taking effect",
                        sources=wsrc,
                    )
                )
            else:
                timeline.append(
                    TimelineEvent(
                        date=w.effective,
                        event="withdrawal_effective",
                        detail="withdrawal takes effect (Art. 127(1))",
                        sources=wsrc,
                    )
                )
    if territory is not None:
        tsrc = refs(territory.sources)
        if territory.covered_from:
            timeline.append(
                TimelineEvent(
                    date=territory.covered_from,
                    event="coverage_from",
                    detail=f"{territory.sovereign}'s ratification covers {territory.name}",
                    sources=tsrc,
                )
            )
        if territory.covered_until:
            timeline.append(
                TimelineEvent(
                    date=territory.covered_until,
                    event="coverage_until",
                    detail=f"coverage of {territory.name} ends",
                    sources=tsrc,
                )
            )
    declarations = [d for d in snapshot.declarations if d.state == country.iso3]
    for d in declarations:
        accepted = {True: "accepted", False: "not accepted", None: "never ruled on"}[d.accepted]
        timeline.append(
            TimelineEvent(
                date=d.lodged,
                event="declaration_12_3",
                detail=f"Art. 12(3) declaration {d.id} ({accepted})",
                sources=refs(d.sources),
            )
        )
    referrals = [r for r in snapshot.referrals if country.iso3 in r.binds]
    for r in referrals:
        timeline.append(
            TimelineEvent(
                date=r.adopted,
                event="unsc_referral",
                detail=f"{r.resolution} binds it",
                sources=refs(r.sources),
            )
        )
    failures = [f for f in snapshot.failures if f.state == country.iso3]
    for f in failures:
        if f.finding:
            timeline.append(
                TimelineEvent(
                    date=f.finding,
                    event="noncompliance_finding",
                    detail=f"non-compliance finding ({f.person})",
                    sources=refs(f.sources),
                )
            )
    timeline.sort(key=lambda e: e.date)
    record = territory or state
    return CountryStatus(
        iso2=country.iso2,
        iso3=country.iso3,
        name=country.name,
        date=day,
        state_party=m.state_party,
        party_since=m.party_since if m.state_party else None,
        former_party=m.former_party,
        withdrawal_pending=m.withdrawal_pending,
        withdrawal_effective=m.withdrawal_effective,
        territory_of=country.sovereign,
        territory_excluded=m.territory_excluded,
        confidence=record.confidence.value if record else None,
        notes=record.notes if record else None,
        timeline=timeline,
        declarations_12_3=[d.id for d in declarations],
        referrals=[r.id for r in referrals],
        compliance=[
            ComplianceItem(
                id=f.id,
                person=f.person,
                visit_from=f.visit_from,
                visit_to=f.visit_to,
                finding=f.finding,
                sources=refs(f.sources),
            )
            for f in failures
        ],
        alternatives=_alternatives(snapshot, country, day) if alternatives else [],
    )


#: Datasets whose contested facts change a country's own status and timeline.
COUNTRY_DATASETS = ("states_parties.yaml", "territories.yaml", "declarations_12_3.yaml")


def _alternatives(snapshot: Snapshot, country: Country, day: dt.date) -> list[AlternativeTimeline]:
    out = []
    for fact in contested_facts(snapshot):
        if fact.dataset not in COUNTRY_DATASETS:
            continue
        if not concerns(fact, snapshot, None, country.iso3):
            continue
        other = country_status(applied(snapshot, fact), country, day, alternatives=False)
        out.append(
            AlternativeTimeline(
                **contested_fields(fact, snapshot.source_registry),
                state_party=other.state_party,
                timeline=other.timeline,
            )
        )
    return out

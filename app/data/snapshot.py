"""The immutable Snapshot of all datasets, and its date-aware queries (pure; no I/O)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from app.data.models import (
    Application,
    Area,
    CountryAliasesFile,
    Declaration,
    Failure,
    Person,
    Position,
    Referral,
    Situation,
    StateParty,
    Summons,
    Territory,
    Warrant,
)
from app.data.sources import SourceRegistry

ONE_DAY = dt.timedelta(days=1)


def code_in(codes: Iterable[str], wanted: set[str]) -> bool:
    return any(c in wanted for c in codes)


@dataclass(frozen=True)
class FileInfo:
    """A loaded dataset file: name, content hash and record count."""

    name: str
    sha256: str
    records: int


@dataclass(frozen=True)
class Membership:
    """A country's (or territory's) relation to the Rome Statute on one date."""

    iso3: str
    day: dt.date
    state_party: bool
    party_since: dt.date | None = None
    former_party: bool = False
    withdrawal_pending: bool = False
    withdrawal_notified: dt.date | None = None
    withdrawal_effective: dt.date | None = None
    territory_of: str | None = None
    territory_excluded: bool = False
    record: StateParty | None = None
    territory: Territory | None = None


@dataclass(frozen=True)
class Snapshot:
    """All facts, loaded once. Every collection is read-only; queries are pure functions."""

    as_of: dt.date
    version: str
    files: tuple[FileInfo, ...]
    states: Mapping[str, StateParty]
    territories: Mapping[str, Territory]
    situations: Mapping[str, Situation]
    declarations: tuple[Declaration, ...]
    referrals: tuple[Referral, ...]
    people: Mapping[str, Person]
    warrants: Mapping[str, Warrant]
    summonses: tuple[Summons, ...]
    applications: tuple[Application, ...]
    failures: tuple[Failure, ...]
    positions: tuple[Position, ...]
    country_aliases: CountryAliasesFile
    source_registry: SourceRegistry = field(default_factory=SourceRegistry)
    areas: tuple[Area, ...] = ()
    _warrants_by_person: Mapping[str, tuple[Warrant, ...]] = field(repr=False, default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        as_of: dt.date,
        version: str,
        files: Iterable[FileInfo],
        states: Iterable[StateParty],
        territories: Iterable[Territory],
        situations: Iterable[Situation],
        declarations: Iterable[Declaration],
        referrals: Iterable[Referral],
        people: Iterable[Person],
        warrants: Iterable[Warrant],
        summonses: Iterable[Summons],
        failures: Iterable[Failure],
        applications: Iterable[Application] = (),
        positions: Iterable[Position],
        country_aliases: CountryAliasesFile,
        source_registry: SourceRegistry | None = None,
        areas: Iterable[Area] = (),
    ) -> Snapshot:
        """Index the records (ids are assumed unique: the loader checked)."""
        warrant_map = {w.id: w for w in warrants}
        by_person: dict[str, list[Warrant]] = {}
        for w in sorted(warrant_map.values(), key=lambda w: (w.issued, w.id)):
            by_person.setdefault(w.person, []).append(w)
        return cls(
            as_of=as_of,
            version=version,
            files=tuple(files),
            states=MappingProxyType({s.iso3: s for s in states}),
            territories=MappingProxyType({t.iso3: t for t in territories}),
            situations=MappingProxyType({s.id: s for s in situations}),
            declarations=tuple(declarations),
            referrals=tuple(referrals),
            people=MappingProxyType({p.id: p for p in people}),
            warrants=MappingProxyType(warrant_map),
            summonses=tuple(summonses),
            applications=tuple(sorted(applications, key=lambda a: (a.filed, a.id))),
            failures=tuple(failures),
            positions=tuple(positions),
            country_aliases=country_aliases,
            source_registry=source_registry or SourceRegistry(),
            areas=tuple(areas),
            _warrants_by_person=MappingProxyType({k: tuple(v) for k, v in by_person.items()}),
        )

    def replacing(self, attr: str, records: Iterable[object]) -> Snapshot:
        """A copy with one collection replaced (``"warrants"``, ``"states"`` ...), re-indexed.

        Used to answer under a contested fact's other value; the version gains a suffix so
        that nothing keyed on it mistakes the copy for the original.
        """
        fields = {
            "states": list(self.states.values()),
            "territories": list(self.territories.values()),
            "situations": list(self.situations.values()),
            "declarations": list(self.declarations),
            "referrals": list(self.referrals),
            "people": list(self.people.values()),
            "warrants": list(self.warrants.values()),
            "summonses": list(self.summonses),
            "failures": list(self.failures),
            "positions": list(self.positions),
        }
        if attr not in fields:
            raise KeyError(attr)
        fields[attr] = list(records)
        return Snapshot.build(
            as_of=self.as_of,
            version=self.version + "+alternative",
            files=self.files,
            country_aliases=self.country_aliases,
            source_registry=self.source_registry,
            areas=self.areas,
            **fields,  # type: ignore[arg-type]
        )

    # --- membership ---------------------------------------------------------------------------

    def membership(self, iso3: str, day: dt.date) -> Membership:
        """Whether ``iso3`` is bound by the Statute on ``day`` (a territory through its sovereign).

        A party from its entry into force (Art. 126) until a withdrawal takes effect (Art.
        127(1)); while a withdrawal is pending the state is still a party with all its duties.
        """
        territory = self.territories.get(iso3)
        if territory is not None:
            return self._territory_membership(territory, day)
        state = self.states.get(iso3)
        if state is None or day < state.entry_into_force:
            return Membership(iso3=iso3, day=day, state_party=False, record=state)
        for w in state.withdrawals:
            if w.takes_effect and w.effective <= day:
                return Membership(
                    iso3=iso3,
                    day=day,
                    state_party=False,
                    former_party=True,
                    party_since=state.entry_into_force,
                    withdrawal_notified=w.notified,
                    withdrawal_effective=w.effective,
                    record=state,
                )
        pending = next(
            (
                w
                for w in state.withdrawals
                if w.notified <= day and (w.revoked is None or day < w.revoked)
            ),
            None,
        )
        return Membership(
            iso3=iso3,
            day=day,
            state_party=True,
            party_since=state.entry_into_force,
            withdrawal_pending=pending is not None,
            withdrawal_notified=pending.notified if pending else None,
            withdrawal_effective=pending.effective if pending else None,
            record=state,
        )

    def _territory_membership(self, territory: Territory, day: dt.date) -> Membership:
        if territory.sovereign is None:
            return Membership(iso3=territory.iso3, day=day, state_party=False, territory=territory)
        sovereign = self.membership(territory.sovereign, day)
        covered = (
            territory.covered_from is not None
            and territory.covered_from <= day
            and (territory.covered_until is None or day < territory.covered_until)
        )
        return Membership(
            iso3=territory.iso3,
            day=day,
            state_party=sovereign.state_party and covered,
            party_since=(
                max(territory.covered_from, sovereign.party_since)
                if covered and territory.covered_from and sovereign.party_since
                else None
            ),
            former_party=sovereign.former_party,
            withdrawal_pending=sovereign.withdrawal_pending and covered,
            withdrawal_notified=sovereign.withdrawal_notified,
            withdrawal_effective=sovereign.withdrawal_effective,
            territory_of=territory.sovereign,
            territory_excluded=sovereign.state_party and not covered,
            record=sovereign.record,
            territory=territory,
        )

    def parties_on(self, day: dt.date) -> list[str]:
        """ISO3 codes of the States Parties on ``day`` (states only, not territories)."""
        return sorted(iso3 for iso3 in self.states if self.membership(iso3, day).state_party)

    def counts(self) -> dict[str, int]:
        """Records by kind, and what holds on the as-of date."""
        day = self.as_of
        return {
            "states": len(self.states),
            "states_parties_on_as_of": len(self.parties_on(day)),
            "territories": len(self.territories),
            "situations": len(self.situations),
            "declarations_12_3": len(self.declarations),
            "referrals": len(self.referrals),
            "people": len(self.people),
            "warrants": len(self.warrants),
            "warrants_outstanding_on_as_of": sum(
                1 for w in self.warrants.values() if w.outstanding_on(day)
            ),
            "summonses": len(self.summonses),
            "applications": len(self.applications),
            "applications_pending_on_as_of": sum(1 for a in self.applications if a.pending_on(day)),
            "compliance_failures": len(self.failures),
            "compliance_positions": len(self.positions),
            "country_aliases": len(self.country_aliases.aliases),
            "areas": len(self.areas),
        }

    # --- warrants -----------------------------------------------------------------------------

    def warrants_of(self, person_id: str) -> tuple[Warrant, ...]:
        """All warrants against a person, oldest first."""
        return self._warrants_by_person.get(person_id, ())

    def applications_of(self, person_id: str) -> tuple[Application, ...]:
        """The Prosecutor's public applications naming the person, by filing date."""
        return tuple(a for a in self.applications if a.person == person_id)

    def pending_application(self, person_id: str, day: dt.date) -> Application | None:
        """The latest application naming the person that is pending on ``day``, if any."""
        pending = [a for a in self.applications_of(person_id) if a.pending_on(day)]
        return pending[-1] if pending else None

    def outstanding_warrants(self, person_id: str, day: dt.date) -> list[Warrant]:
        """Warrants against a person that are outstanding on ``day`` (sealed ones included)."""
        return [w for w in self.warrants_of(person_id) if w.outstanding_on(day)]

    # --- declarations, referrals, compliance --------------------------------------------------

    def declarations_for(self, iso3: str, situation: str, day: dt.date) -> list[Declaration]:
        """Accepted Art. 12(3) declarations by ``iso3`` for ``situation`` lodged by ``day``."""
        return [
            d
            for d in self.declarations
            if d.state == iso3
            and d.situation == situation
            and d.accepted is True
            and d.lodged <= day
        ]

    def referrals_binding(self, iso3: str, situation: str, day: dt.date) -> list[Referral]:
        """Security Council referrals of ``situation`` adopted by ``day`` that oblige ``iso3``."""
        return [
            r
            for r in self.referrals
            if r.situation == situation and iso3 in r.binds and r.adopted <= day
        ]

    def failures_before(self, iso3: str, person_id: str, day: dt.date) -> list[Failure]:
        """Failures of ``iso3`` to arrest ``person_id`` complete before ``day``.

        A visit is a failure once the person has left: the record counts only what had
        happened before the date asked about.
        """
        return [
            f
            for f in self.failures
            if f.state == iso3 and f.person == person_id and f.complete_on < day
        ]

    def findings_before(self, iso3: str, day: dt.date) -> list[Failure]:
        """Judicial non-compliance findings against ``iso3`` (any person) made by ``day``."""
        return [f for f in self.failures if f.state == iso3 and f.finding and f.finding <= day]

    def positions_of(self, iso3: str, person_id: str, day: dt.date) -> list[Position]:
        """Stated positions of ``iso3`` on ``person_id`` made by ``day``."""
        return [
            p for p in self.positions if p.state == iso3 and p.person == person_id and p.date <= day
        ]

    # --- change dates -------------------------------------------------------------------------

    def change_dates(
        self, person_id: str | None, iso3: str, area: Area | None = None
    ) -> list[dt.date]:
        """Every date on which the facts for (person, country) can change, sorted.

        A stay that spans one of these dates is split there. Dates are the first day on
        which the new state of affairs holds.
        """
        days: set[dt.date] = set()
        if area is not None:  # an occupied area: control begins and (perhaps) ends
            days.update(d for d in (area.since, area.until) if d)
        territory = self.territories.get(iso3)
        countries = {iso3}
        if territory is not None:
            if territory.covered_from:
                days.add(territory.covered_from)
            if territory.covered_until:
                days.add(territory.covered_until)
            if territory.sovereign:
                countries.add(territory.sovereign)
        for code in countries:
            state = self.states.get(code)
            if state is not None:
                days.add(state.entry_into_force)
                for w in state.withdrawals:
                    days.update(d for d in (w.notified, w.effective, w.revoked) if d)
            for d in self.declarations:
                if d.state == code:
                    days.add(d.lodged)
            for r in self.referrals:
                if code in r.binds:
                    days.add(r.adopted)
        if person_id is not None:
            for warrant in self.warrants_of(person_id):
                days.update(h.date for h in warrant.history)
                days.update(r.date for r in warrant.requests if code_in(r.states, countries))
                if warrant.made_public:
                    days.add(warrant.made_public)
            for p in self.positions:
                if p.person == person_id and p.state in countries:
                    days.add(p.date)
            for f in self.failures:
                if f.person == person_id and f.state in countries:
                    days.add(f.complete_on + ONE_DAY)
            for a in self.applications_of(person_id):
                days.add(a.filed)
                if a.decided:
                    days.add(a.decided)
            person = self.people.get(person_id)
            if person is not None:
                if person.died:
                    days.add(person.died)
                for role in person.roles:
                    if role.from_:
                        days.add(role.from_)
                    if role.to:
                        days.add(role.to + ONE_DAY)
        for f in self.failures:
            if f.state in countries and f.finding:
                days.add(f.finding)
        return sorted(days)

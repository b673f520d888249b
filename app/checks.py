"""The use case: resolve, build facts, evaluate, aggregate a Verdict. Pure over the Snapshot.

``Checker`` is built once per (Snapshot, Rulebook) generation. It memoises the decision on the
fact record: the engine runs once per distinct fact record, however many people, legs or
requests ask the same question.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from app.data.models import CONFIDENCE_ORDER, Confidence, Person, Warrant
from app.data.snapshot import Membership, Snapshot
from app.engine.facts import CountryFacts, FactRecord, Mode, PersonFacts, QueryFacts, WarrantFacts
from app.engine.language import EXPOSURE_RANK, Exposure
from app.engine.rulebook import ENGINE_VERSION, Decision, PlacedRule, Rulebook, aggregate
from app.errors import InvalidInput
from app.resolve.countries import Country, CountryResolver
from app.resolve.people import PersonMatch, PersonResolver
from app.verdict import (
    AreaRef,
    ContestedPoint,
    CountryRef,
    Evidence,
    PersonRef,
    TraceItem,
    Verdict,
    Versions,
    WarrantOutcome,
)

TROIKA = {"head_of_state", "head_of_government", "minister_foreign_affairs", "foreign_minister"}
MEMO_SIZE = 65_536
ANSWER_CACHE = 20_000
#: Stands for the decision id in a cached answer; every response gets a fresh one.
DECISION_PLACEHOLDER = "d-" + "0" * 32


def _role_key(role: str) -> str:
    return role.strip().lower().replace(" ", "_").replace("-", "_")


def person_facts(person: Person | None, day: dt.date) -> PersonFacts:
    if person is None:
        return PersonFacts(
            id="", name="", nationality="", sitting_head_of_state=False, troika=False
        )
    held = {_role_key(r.role) for r in person.roles if r.held_on(day)}
    unrecognised = any(
        _role_key(r.role) in TROIKA and not r.recognised for r in person.roles if r.held_on(day)
    )
    return PersonFacts(
        id=person.id,
        name=person.name,
        nationality=person.nationality[0] if person.nationality else "",
        sitting_head_of_state="head_of_state" in held,
        deceased=person.died is not None and person.died <= day,
        troika=bool(held & TROIKA),
        unrecognised_government=unrecognised,
    )


def warrant_facts(warrant: Warrant | None, day: dt.date, situation_name: str = "") -> WarrantFacts:
    if warrant is None:
        return WarrantFacts(id="", situation="", status="none")
    status = warrant.status_on(day)
    return WarrantFacts(
        id=warrant.id,
        situation=warrant.situation,
        situation_name=situation_name or warrant.situation,
        status="not_yet_issued" if status is None else "active" if status == "issued" else status,
        issued=warrant.issued,
        public=warrant.made_public is not None and warrant.made_public <= day,
        article=warrant.article,
    )


def country_facts(
    snapshot: Snapshot,
    country: Country,
    membership: Membership,
    person: Person | None,
    warrant: Warrant | None,
    day: dt.date,
) -> CountryFacts:
    iso3 = country.iso3
    situation = snapshot.situations.get(warrant.situation) if warrant else None
    positions = snapshot.positions_of(iso3, person.id, day) if person else []
    effective = membership.withdrawal_effective
    # Art. 127(2): the duty survives only for proceedings "commenced prior to" the withdrawal
    # taking effect: the situation opened AND this warrant issued (or the request for arrest
    # received) before then. A situation opened earlier is not enough for a later warrant.
    began = (
        min(d for d in (situation.opened, situation.preliminary_examination) if d is not None)
        if situation is not None and (situation.opened or situation.preliminary_examination)
        else None
    )
    investigated_before = bool(
        membership.former_party
        and began is not None
        and effective is not None
        and began < effective
    )
    residual = bool(
        investigated_before
        and warrant is not None
        and effective is not None
        and (
            warrant.issued < effective
            or warrant.requested_from(iso3, effective - dt.timedelta(days=1))
        )
    )
    area = country.area
    own_offices = (
        {r.country for r in person.roles if r.held_on(day) and _role_key(r.role) in TROIKA}
        if person
        else set()
    )
    return CountryFacts(
        iso3=iso3,
        name=country.name,
        state_party=membership.state_party,
        party_since=membership.party_since if membership.state_party else None,
        withdrawal_pending=membership.withdrawal_pending,
        former_party=membership.former_party,
        residual_duty=residual,
        investigation_before_withdrawal=investigated_before,
        request_received=bool(warrant and warrant.requested_from(iso3, day)),
        effective_control=area.controlled_by if area and area.controlled_on(day) else "",
        self_referral=bool(
            situation and situation.country == iso3 and iso3 in situation.referred_by
        ),
        own_leader=iso3 in own_offices,
        declaration_12_3=bool(warrant and snapshot.declarations_for(iso3, warrant.situation, day)),
        unsc_bound=bool(warrant and snapshot.referrals_binding(iso3, warrant.situation, day)),
        territory=country.is_territory,
        territory_excluded=membership.territory_excluded,
        own_national=bool(person and iso3 in person.nationality),
        situation_country=bool(situation and situation.country == iso3),
        noncompliance_with_person=bool(person and snapshot.failures_before(iso3, person.id, day)),
        noncompliance_findings=len(snapshot.findings_before(iso3, day)),
        position=max(positions, key=lambda p: p.date).position if positions else "none",
    )


def build_facts(
    snapshot: Snapshot,
    person: Person | None,
    warrant: Warrant | None,
    country: Country,
    day: dt.date,
    mode: Mode,
) -> FactRecord:
    """The fact record for one (person, warrant, country, date, mode)."""
    membership = snapshot.membership(country.iso3, day)
    return FactRecord(
        query=QueryFacts(date=day, mode=mode, after_as_of=day > snapshot.as_of),
        person=person_facts(person, day),
        warrant=warrant_facts(
            warrant,
            day,
            snapshot.situations[warrant.situation].name
            if warrant and warrant.situation in snapshot.situations
            else "",
        ),
        country=country_facts(snapshot, country, membership, person, warrant, day),
    )


def severity(decision: Decision) -> tuple[int, int]:
    return (EXPOSURE_RANK[decision.exposure], int(decision.obligation))


@dataclass(frozen=True)
class Evaluated:
    """One warrant's fact record and decision."""

    warrant: Warrant | None
    facts: FactRecord
    decision: Decision


class Checker:
    """Answers checks on one generation of datasets and rules."""

    def __init__(self, snapshot: Snapshot, rulebook: Rulebook) -> None:
        self.snapshot = snapshot
        self.rulebook = rulebook
        self.countries = CountryResolver(snapshot)
        self.people = PersonResolver(snapshot)
        self.versions = Versions(
            datasets=snapshot.version, rules=rulebook.version, engine=ENGINE_VERSION
        )
        self._memo: OrderedDict[tuple[Any, ...], tuple[PlacedRule, ...]] = OrderedDict()
        self._memo_lock = threading.Lock()
        self.memo_hits = 0
        self.memo_misses = 0
        self._matches: dict[tuple[str, dt.date | None, str | None], PersonMatch] = {}
        self._answers: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()

    # --- evaluation ---------------------------------------------------------------------------

    def fired(self, facts: FactRecord) -> tuple[PlacedRule, ...]:
        """The rules that fire for a fact record: durable-rules runs once per distinct value of
        the facts the conditions test; the rest is a memo hit."""
        key = self.rulebook.key(facts)
        with self._memo_lock:
            found = self._memo.get(key)
            if found is not None:
                self._memo.move_to_end(key)
                self.memo_hits += 1
                return found
        fired = tuple(self.rulebook.fire(facts))
        with self._memo_lock:
            self.memo_misses += 1
            self._memo[key] = fired
            if len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        return fired

    def decide(self, facts: FactRecord) -> Decision:
        """The decision for a fact record, explanations rendered for it."""
        return aggregate(self.fired(facts), facts.flat())

    def evaluate(
        self, person: Person | None, country: Country, day: dt.date, mode: Mode
    ) -> list[Evaluated]:
        """One evaluation per warrant against the person (one with status none if none)."""
        warrants: list[Warrant | None] = (
            list(self.snapshot.warrants_of(person.id)) if person else []
        )
        if not warrants:
            warrants = [None]
        out = []
        for warrant in warrants:
            facts = build_facts(self.snapshot, person, warrant, country, day, mode)
            out.append(Evaluated(warrant, facts, self.decide(facts)))
        return out

    def worst_decision(self, person: str, country: str, day: dt.date, mode: Mode) -> Decision:
        """The most severe decision over the person's warrants (rule tests use it)."""
        match = self.resolve_person(person)
        evaluated = self.evaluate(match.person, self.countries.resolve(country), day, mode)
        return max((e.decision for e in evaluated), key=severity)

    # --- the check ----------------------------------------------------------------------------

    def resolve_person(
        self,
        name: str,
        birth_date: dt.date | None = None,
        nationality: str | None = None,
    ) -> PersonMatch:
        key = (name, birth_date, nationality)
        found = self._matches.get(key)
        if found is not None:
            return found
        nat = None
        if nationality:
            nat = self.countries.resolve(nationality, field="nationality").iso3
        match = self.people.match(name, birth_date=birth_date, nationality=nat)
        if len(self._matches) >= MEMO_SIZE:
            self._matches.clear()
        self._matches[key] = match
        return match

    def check_json(
        self,
        person: str,
        country: str,
        day: dt.date,
        mode: Mode = "visit",
        *,
        birth_date: dt.date | None = None,
        nationality: str | None = None,
    ) -> tuple[bytes, str, bytes]:
        """The Verdict as JSON, its decision id, and the cached JSON it was made from (with
        DECISION_PLACEHOLDER for the id). An answer depends only on the question and this
        generation's data and rules, so its JSON is made once and reused with a new id."""
        key = (person, country, day, mode, birth_date, nationality)
        decision_id = "d-" + uuid.uuid4().hex
        with self._memo_lock:
            template = self._answers.get(key)
            if template is not None:
                self._answers.move_to_end(key)
        if template is None:
            verdict = self.check(
                person, country, day, mode, birth_date=birth_date, nationality=nationality
            )
            template = (
                verdict.model_copy(update={"decision_id": DECISION_PLACEHOLDER})
                .model_dump_json()
                .encode()
            )
            with self._memo_lock:
                self._answers[key] = template
                if len(self._answers) > ANSWER_CACHE:
                    self._answers.popitem(last=False)
        content = template.replace(DECISION_PLACEHOLDER.encode(), decision_id.encode(), 1)
        return content, decision_id, template

    def check(
        self,
        person: str,
        country: str,
        day: dt.date,
        mode: Mode = "visit",
        *,
        birth_date: dt.date | None = None,
        nationality: str | None = None,
    ) -> Verdict:
        """The Verdict for a person and a country as typed."""
        resolved_country = self.countries.resolve(country)
        match = self.resolve_person(person, birth_date, nationality)
        return self.verdict(match, resolved_country, day, mode)

    def verdict(self, match: PersonMatch, country: Country, day: dt.date, mode: Mode) -> Verdict:
        if day.year < 1998 or day.year > 2100:
            raise InvalidInput("the date must fall between 1998 and 2100", field="date")
        evaluated = self.evaluate(match.person, country, day, mode)
        worst = max(evaluated, key=lambda e: severity(e.decision))
        decision = worst.decision
        notes: list[str] = []
        for e in evaluated:
            notes.extend(n for n in e.decision.notes if n not in notes)
        trace = [
            TraceItem(
                warrant=e.warrant.id if e.warrant else None,
                rule=f.placed.rule.id,
                title=f.placed.rule.title,
                where=f.placed.where,
                priority=f.placed.rule.priority,
                explanation=f.explanation,
                basis=list(f.placed.rule.basis),
                exposure=f.placed.rule.then.exposure,
                obligation=f.placed.rule.then.obligation,
            )
            for e in evaluated
            for f in e.decision.fired
        ]
        evidence = self._evidence(match.person, country, evaluated, day)
        confidence = min(
            (ev.confidence for ev in evidence),
            key=CONFIDENCE_ORDER.__getitem__,
            default=Confidence.high,
        )
        return Verdict(
            decision_id="d-" + uuid.uuid4().hex,
            as_of=day,
            mode=mode,
            query=match.query,
            person=person_ref(match),
            candidates=candidate_refs(match),
            country=country_ref(country, day),
            exposure=decision.exposure,
            obligation=decision.obligation,
            summary=_summary(worst),
            notes=notes,
            contested=_contested(evaluated),
            warrants=[
                WarrantOutcome(
                    id=e.warrant.id,
                    situation=e.warrant.situation,
                    case=e.warrant.case,
                    issued=e.warrant.issued,
                    made_public=e.warrant.made_public,
                    status=e.facts.warrant.status,
                    exposure=e.decision.exposure,
                    obligation=e.decision.obligation,
                    decided_by=e.decision.decided_by,
                )
                for e in evaluated
                if e.warrant is not None
            ],
            trace=trace,
            evidence=evidence,
            confidence=confidence,
            versions=self.versions,
        )

    def _evidence(
        self, person: Person | None, country: Country, evaluated: list[Evaluated], day: dt.date
    ) -> list[Evidence]:
        snap = self.snapshot
        items: list[Evidence] = []

        def add(dataset: str, record: str, obj: Any) -> None:
            if obj is None:
                return
            ev = Evidence(
                dataset=dataset,
                record=record,
                sources=list(obj.sources),
                confidence=obj.confidence,
            )
            if ev not in items:
                items.append(ev)

        if country.area is not None:
            add("areas.yaml", country.area.id, country.area)
        territory = snap.territories.get(country.iso3)
        if territory is not None:
            add("territories.yaml", territory.iso3, territory)
        state_code = territory.sovereign if territory and territory.sovereign else country.iso3
        add("states_parties.yaml", state_code, snap.states.get(state_code))
        if person is not None:
            add("people.yaml", person.id, person)
        for e in evaluated:
            w = e.warrant
            if w is None:
                continue
            add("warrants.yaml", w.id, w)
            add("situations.yaml", w.situation, snap.situations.get(w.situation))
            for d in snap.declarations_for(country.iso3, w.situation, day):
                add("declarations_12_3.yaml", d.id, d)
            for r in snap.referrals_binding(country.iso3, w.situation, day):
                add("referrals.yaml", r.id, r)
        if person is not None:
            for f in snap.failures_before(country.iso3, person.id, day):
                add("compliance.yaml", f.id, f)
            for p in snap.positions_of(country.iso3, person.id, day):
                add("compliance.yaml", p.id, p)
        return items


def person_ref(match: PersonMatch) -> PersonRef | None:
    """The person matched for sure, as answers show it."""
    if match.person is None:
        return None
    return PersonRef(
        id=match.person.id,
        name=match.person.name,
        matched=match.matched,
        score=round(match.score, 4),
    )


def candidate_refs(match: PersonMatch, limit: int = 5) -> list[PersonRef]:
    """'Did you mean': the candidates, when no person matched for sure."""
    if match.person is not None:
        return []
    return [
        PersonRef(id=c.person.id, name=c.person.name, matched=c.matched, score=c.score)
        for c in match.candidates[:limit]
    ]


def country_ref(country: Country, day: dt.date | None = None) -> CountryRef:
    area = country.area
    return CountryRef(
        iso2=country.iso2,
        iso3=country.iso3,
        name=country.name,
        territory_of=country.sovereign,
        area=AreaRef(
            id=area.id,
            name=area.name,
            controlled_by=area.controlled_by,
            since=area.since,
            until=area.until,
            controlled_on_date=day is not None and area.controlled_on(day),
        )
        if area is not None
        else None,
    )


def _contested(evaluated: list[Evaluated]) -> list[ContestedPoint]:
    """Every contested point the decisions rest on, once each."""
    out: list[ContestedPoint] = []
    for e in evaluated:
        for rule, c in e.decision.contested:
            item = ContestedPoint(rule=rule, point=c.point, other_reading=c.other_reading)
            if item not in out:
                out.append(item)
    return out


def _summary(worst: Evaluated) -> str:
    decision = worst.decision
    decisive = decision.decided_by.get("exposure")
    parts = [f.explanation for f in decision.fired if f.placed.rule.id == decisive]
    others = [
        f.explanation
        for f in decision.fired
        if f.placed.rule.id == decision.decided_by.get("obligation")
        and f.placed.rule.id != decisive
    ]
    text = " ".join(parts + others).strip()
    return text or f"Exposure {decision.exposure.value}."


__all__ = ["Checker", "Evaluated", "Exposure", "build_facts"]

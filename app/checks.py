"""The use case: resolve, build facts, evaluate, aggregate a Verdict. Pure over the Snapshot.

``Checker`` is built once per (Snapshot, Rulebook) generation. It memoises the decision on the
fact record: the engine runs once per distinct fact record, however many people, legs or
requests ask the same question.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from app.answers import AnswerCache
from app.data.alternatives import ContestedFact, applied, concerns, contested_facts
from app.data.models import CONFIDENCE_ORDER, Application, Area, Confidence, Person, Warrant
from app.data.snapshot import Membership, Snapshot
from app.engine.facts import (
    FLAT_NAMES,
    CountryFacts,
    FactRecord,
    Mode,
    PersonFacts,
    QueryFacts,
    WarrantFacts,
)
from app.engine.language import EXPOSURE_RANK, Exposure
from app.engine.rulebook import ENGINE_VERSION, Decision, Rulebook, Ruling, ruling_of
from app.errors import AmbiguousPerson, InvalidInput
from app.freshness import freshness, today_utc
from app.resolve.countries import Country, CountryResolver
from app.resolve.people import Candidate, PersonMatch, PersonResolver
from app.resolve.places import PlaceMatch, PlaceResolver
from app.types import DATE_MAX, DATE_MIN, DATE_RANGE_MESSAGE
from app.verdict import (
    MATCH_MEANING,
    AlternativeOutcome,
    AreaRef,
    CandidateRef,
    ContestedPoint,
    CountryRef,
    Evidence,
    MatchInfo,
    PersonRef,
    SourceRef,
    TraceItem,
    Verdict,
    Versions,
    WarrantOutcome,
    contested_fields,
    source_refs,
)
from app.world import WorldViews

#: Candidates shown (and weighed for the worst case) when a name is not pinned down.
CANDIDATES_SHOWN = 5
TROIKA = {"head_of_state", "head_of_government", "minister_foreign_affairs", "foreign_minister"}
MEMO_SIZE = 65_536
ONE_DAY = dt.timedelta(days=1)
#: Stands for the decision id in a cached answer; every response gets a fresh one.
DECISION_PLACEHOLDER = "d-" + "0" * 32
#: Random bytes read from the OS at once for this many decision ids: one system call per 256
#: answers instead of one per answer (each call gives up the GIL and waits to take it back,
#: which under load costs the event loop more than the call itself).
_IDS_PER_READ = 256
_random_pool: list[bytes] = []
_random_lock = threading.Lock()
# A forked child must not hand out the ids its parent still holds.
os.register_at_fork(after_in_child=_random_pool.clear)


def new_decision_id() -> str:
    """A decision id: 128 random bits from the OS's CSPRNG (as uuid4 and secrets.token_hex give),
    "d-" and 32 hex digits. Ids are bearer references to logged answers, so never guessable."""
    with _random_lock:
        if not _random_pool:
            block = secrets.token_bytes(16 * _IDS_PER_READ)
            _random_pool.extend(block[i : i + 16] for i in range(0, len(block), 16))
        return "d-" + _random_pool.pop().hex()


def _role_key(role: str) -> str:
    return role.strip().lower().replace(" ", "_").replace("-", "_")


def person_facts(
    person: Person | None, day: dt.date, application: Application | None = None
) -> PersonFacts:
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
        application_pending=application is not None,
        application_filed=application.filed if application else None,
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


@dataclass(frozen=True)
class Grounds:
    """The facts of one (person, warrant, country, date) but the query's: a fact record is
    these and the query (date, mode), so the three modes of a day share one Grounds."""

    warrant: Warrant | None
    person: PersonFacts
    warrant_facts: WarrantFacts
    country: CountryFacts
    as_of: dt.date  # the Snapshot's: whether the date is after it is a query fact
    _rest: dict[str, Any] = field(init=False, repr=False, compare=False)

    def query(self, day: dt.date, mode: Mode) -> QueryFacts:
        return QueryFacts(date=day, mode=mode, after_as_of=day > self.as_of)

    def record(self, query: QueryFacts) -> FactRecord:
        """The fact record for ``query`` (its date must be the one these were built for, or
        a day alike: between the same two change dates)."""
        return FactRecord(
            query=query, person=self.person, warrant=self.warrant_facts, country=self.country
        )

    def flat(self, query: QueryFacts) -> dict[str, Any]:
        """``self.record(query).flat()``, without making the record."""
        out = {key: query.__dict__[name] for name, key in _QUERY_NAMES}
        out.update(self._rest)
        return out

    def __post_init__(self) -> None:
        # The flat names of the groups but the query's, read once for every mode and warrant.
        rest: dict[str, Any] = {}
        for group, names in FLAT_NAMES[1:]:
            values = getattr(self, _GROUND_FIELDS[group]).__dict__
            for name, key in names:
                rest[key] = values[name]
        object.__setattr__(self, "_rest", rest)


#: FactRecord's groups as Grounds holds them.
_GROUND_FIELDS = {"person": "person", "warrant": "warrant_facts", "country": "country"}
_QUERY_NAMES = FLAT_NAMES[0][1]
assert FLAT_NAMES[0][0] == "query" and tuple(g for g, _ in FLAT_NAMES[1:]) == tuple(_GROUND_FIELDS)


def build_grounds(
    snapshot: Snapshot,
    person: Person | None,
    warrants: Iterable[Warrant | None],
    country: Country,
    day: dt.date,
) -> tuple[Grounds, ...]:
    """The Grounds of (person, country, day) for each of ``warrants`` (the person's facts and
    the country's membership are the same for every warrant: looked up once)."""
    membership = snapshot.membership(country.iso3, day)
    person_group = person_facts(
        person, day, snapshot.pending_application(person.id, day) if person else None
    )
    return tuple(
        Grounds(
            warrant=warrant,
            person=person_group,
            warrant_facts=warrant_facts(
                warrant,
                day,
                snapshot.situations[warrant.situation].name
                if warrant and warrant.situation in snapshot.situations
                else "",
            ),
            country=country_facts(snapshot, country, membership, person, warrant, day),
            as_of=snapshot.as_of,
        )
        for warrant in warrants
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
    (grounds,) = build_grounds(snapshot, person, [warrant], country, day)
    return grounds.record(grounds.query(day, mode))


def severity(decision: Decision | Ruling) -> tuple[int, int]:
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
        self._memo: OrderedDict[tuple[Any, ...], Ruling] = OrderedDict()
        self._memo_lock = threading.Lock()
        self.memo_hits = 0
        self.memo_misses = 0
        self._matches: dict[tuple[str, dt.date | None, str | None], PersonMatch] = {}
        self.answers = AnswerCache(self, self.question_bounds)
        self._change_days: dict[tuple[str | None, str, str | None], tuple[dt.date, ...]] = {}
        #: The clock answers read (freshness); tests set a fixed one.
        self.today: Callable[[], dt.date] = today_utc
        self.contested: tuple[ContestedFact, ...] = tuple(contested_facts(snapshot))
        self._alternate: dict[tuple[str, str, int], Snapshot] = {}
        self.world = WorldViews(self)
        #: What holds between two change dates for (person id, iso3, area id, mode, interval),
        #: rendered for batch rows (app.batch.Interval): the same in every batch of this
        #: generation, so kept here, not per batch (a 20-row batch is then look-ups, not 20
        #: evaluations). Bounded in app.batch; written by several threads, each value computed
        #: in full before it is stored (a race computes one twice, never half of one).
        self.leg_intervals: dict[tuple[str | None, str, str | None, str, int], Any] = {}
        self._places: PlaceResolver | None = None
        self._places_lock = threading.Lock()

    @property
    def places(self) -> PlaceResolver:
        """Airports and cities -> countries; built on first use (about 1 s), not at start-up, so
        a check that names no place never pays for it."""
        places = self._places
        if places is None:
            with self._places_lock:
                if self._places is None:
                    self._places = PlaceResolver(self.countries)
                places = self._places
        return places

    def locate(self, country: str | None, place: str | None) -> tuple[Country, PlaceMatch | None]:
        """The country a leg is in: from ``country`` (names and ISO codes) or from ``place``
        (airport codes, cities, then country names); exactly one of them is given."""
        if place and not country:
            match = self.places.resolve(place)
            return match.place.country, match
        if country and not place:
            return self.countries.resolve(country), None
        if country and place:
            raise InvalidInput("give a country or a place, not both", field="place")
        raise InvalidInput("a country or a place is required", field="country")

    def change_days(
        self, person_id: str | None, iso3: str, area: Area | None = None
    ) -> tuple[dt.date, ...]:
        """The days on which the facts for (person, country) change, the as-of date's next day,
        the rules' own date literals and the change dates under each contested fact's other
        value that bears on them included: between two of them every day is alike.
        Kept per (person, country, area), as a tuple: the collector does not track a tuple of
        dates, and a server keeps thousands of these."""
        key = (person_id, iso3, area.id if area else None)
        found = self._change_days.get(key)
        if found is None:
            from app.contested import alternative_dates  # app.contested builds on this module

            days = set(self.snapshot.change_dates(person_id, iso3, area))
            days.update(alternative_dates(self, person_id, iso3, area))
            days.add(self.snapshot.as_of + ONE_DAY)
            days.update(self.rulebook.date_cuts)
            found = self._change_days[key] = tuple(sorted(days))
        return found

    def question_bounds(
        self, person: str, country: str, birth_date: dt.date | None, nationality: str | None
    ) -> tuple[dt.date, ...]:
        """The change dates of a check as typed: those of the person matched, or of every
        candidate shown, and those under each contested fact's other value (the answer's
        alternatives are computed under it)."""
        where = self.countries.resolve(country)
        match = self.resolve_person(person, birth_date, nationality)
        ids: list[str | None] = [None]
        if match.person is not None:
            ids.append(match.person.id)
        else:
            ids.extend(c.person.id for c in match.candidates[:CANDIDATES_SHOWN])
        days: set[dt.date] = set()
        for person_id in ids:
            days.update(self.change_days(person_id, where.iso3, where.area))
            for fact in self.contested:
                other = self.alternate_snapshot(fact)
                days.update(other.change_dates(person_id, where.iso3, where.area))
        return tuple(sorted(days))

    # --- evaluation ---------------------------------------------------------------------------

    def ruling(self, flat: dict[str, Any]) -> Ruling:
        """What the rules decide for a flat fact record, explanations aside: durable-rules runs
        once per distinct value of the facts the conditions test; the rest is a memo hit."""
        key = self.rulebook.key_of(flat)
        with self._memo_lock:
            found = self._memo.get(key)
            if found is not None:
                self._memo.move_to_end(key)
                self.memo_hits += 1
                return found
        found = ruling_of(self.rulebook.fire_flat(flat))
        with self._memo_lock:
            self.memo_misses += 1
            self._memo[key] = found
            if len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        return found

    def decide(self, facts: FactRecord) -> Decision:
        """The decision for a fact record, explanations rendered for it."""
        flat = facts.flat()  # once: the memo key, the engine and the explanations read it
        return self.ruling(flat).explained(flat)

    def grounds(
        self,
        person: Person | None,
        country: Country,
        day: dt.date,
        snapshot: Snapshot | None = None,
    ) -> tuple[Grounds, ...]:
        """The facts but the query's, per warrant against the person (one with status none if
        none), on this generation's Snapshot or on ``snapshot`` (a contested fact's other
        value): what ``evaluate`` decides on, for any mode."""
        snap = snapshot or self.snapshot
        if person is not None and snapshot is not None:
            person = snap.people.get(person.id, person)
        warrants: list[Warrant | None] = list(snap.warrants_of(person.id)) if person else []
        return build_grounds(snap, person, warrants or [None], country, day)

    def evaluate(
        self,
        person: Person | None,
        country: Country,
        day: dt.date,
        mode: Mode,
        snapshot: Snapshot | None = None,
    ) -> list[Evaluated]:
        """One evaluation per warrant against the person (one with status none if none), on
        this generation's Snapshot or on ``snapshot`` (a contested fact's other value)."""
        out = []
        for grounds in self.grounds(person, country, day, snapshot):
            query = grounds.query(day, mode)
            flat = grounds.flat(query)  # once: the memo key, the engine and the explanations
            decision = self.ruling(flat).explained(flat)
            out.append(Evaluated(grounds.warrant, grounds.record(query), decision))
        return out

    def rulings(
        self, grounds: Iterable[Grounds], day: dt.date, mode: Mode
    ) -> list[tuple[dict[str, Any], Ruling]]:
        """``evaluate`` from Grounds at hand, without rendering any explanation: per warrant,
        the flat fact record and what the rules decide (the batch renders only the deciding
        rule's explanation, once per interval)."""
        out = []
        for g in grounds:
            flat = g.flat(g.query(day, mode))
            out.append((flat, self.ruling(flat)))
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
        cached_only: bool = False,
    ) -> tuple[bytes, str, bytes] | None:
        """The Verdict as JSON, its decision id, and the cached JSON it was made from (with
        DECISION_PLACEHOLDER for the id). An answer depends only on the question and this
        generation's data and rules, so its JSON is made once and reused with a new id.
        With ``cached_only`` (cheap enough for the event loop), None when not made yet."""
        # Freshness depends on the day the answer is given (today): the cache fills it in.
        question = (person, country, mode, birth_date, nationality)
        today = self.today()
        decision_id = new_decision_id()
        template = self.answers.lookup(question, day, today)
        if template is None:
            if cached_only:
                return None
            template = self._verdict_json(person, country, day, mode, birth_date, nationality)
            self.answers.store(question, day, today, template)
            other = self.answers.partner(question, day)
            if other is not None:  # confirm the interval's new template now (app/answers.py)
                self.answers.store(
                    question,
                    other,
                    today,
                    self._verdict_json(person, country, other, mode, birth_date, nationality),
                )
        content = template.replace(DECISION_PLACEHOLDER.encode(), decision_id.encode(), 1)
        return content, decision_id, template

    def _verdict_json(
        self,
        person: str,
        country: str,
        day: dt.date,
        mode: Mode,
        birth_date: dt.date | None,
        nationality: str | None,
    ) -> bytes:
        """The Verdict's JSON computed in full, DECISION_PLACEHOLDER for its decision id."""
        verdict = self.check(
            person, country, day, mode, birth_date=birth_date, nationality=nationality
        )
        return (
            verdict.model_copy(update={"decision_id": DECISION_PLACEHOLDER})
            .model_dump_json()
            .encode()
        )

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

    def choice(
        self, candidate: Candidate, country: Country, day: dt.date, mode: Mode
    ) -> CandidateRef:
        """A person the name may mean, with their own answer on the date (same rules)."""
        person = candidate.person
        evaluated = self.evaluate(person, country, day, mode)
        worst = max(evaluated, key=lambda e: severity(e.decision)).decision
        return CandidateRef(
            id=person.id,
            name=person.name,
            matched=candidate.matched,
            score=round(candidate.score, 4),
            active_warrant=bool(self.snapshot.outstanding_warrants(person.id, day)),
            exposure=worst.exposure,
            obligation=worst.obligation,
        )

    def choices(
        self, match: PersonMatch, country: Country, day: dt.date, mode: Mode
    ) -> list[CandidateRef]:
        """The candidates of a name not pinned down, best first, each with its answer."""
        return [self.choice(c, country, day, mode) for c in match.candidates[:CANDIDATES_SHOWN]]

    def verdict(self, match: PersonMatch, country: Country, day: dt.date, mode: Mode) -> Verdict:
        """The Verdict; AmbiguousPerson (422) when two or more people are plausible."""
        if not DATE_MIN <= day <= DATE_MAX:
            raise InvalidInput(DATE_RANGE_MESSAGE, field="date")
        if match.person is None and match.level == "ambiguous":
            raise ambiguous_person(match, self.choices(match, country, day, mode), day)
        if match.person is None and match.level != "none":
            return self._unresolved(match, country, day, mode)
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
        alternatives = self.alternatives(match.person, country, day, mode, decision, evidence)
        summary = _summary(worst)
        if any(a.changes_answer for a in alternatives):
            # A fact the sources disagree on decides the answer: never round that doubt down.
            confidence = Confidence.low
            summary = " ".join(
                [summary, *(uncertainty(a) for a in alternatives if a.changes_answer)]
            )
        return Verdict(
            decision_id=new_decision_id(),
            as_of=day,
            mode=mode,
            query=match.query,
            status="ok",
            match=match_info(match),
            person=person_ref(match),
            candidates=[],
            country=country_ref(country, day),
            exposure=decision.exposure,
            obligation=decision.obligation,
            worst_case_exposure=decision.exposure,
            summary=summary,
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
            alternatives=alternatives,
            freshness=freshness(self.snapshot.as_of, day, self.today()),
            versions=self.versions,
        )

    def _unresolved(
        self, match: PersonMatch, country: Country, day: dt.date, mode: Mode
    ) -> Verdict:
        """A name with candidates but no person pinned down: never "none"; each candidate's
        own answer, and the worst case among them."""
        choices = self.choices(match, country, day, mode)
        worst_case = max(
            (c.exposure for c in choices), key=EXPOSURE_RANK.__getitem__, default=Exposure.none
        )
        evidence = self._evidence(None, country, [], day)
        for c in choices:
            person = self.snapshot.people[c.id]
            ev = Evidence(
                dataset="people.yaml",
                record=person.id,
                sources=self.source_refs(person.sources),
                confidence=person.confidence,
            )
            if ev not in evidence:
                evidence.append(ev)
        confidence = min(
            (ev.confidence for ev in evidence),
            key=CONFIDENCE_ORDER.__getitem__,
            default=Confidence.high,
        )
        return Verdict(
            decision_id=new_decision_id(),
            as_of=day,
            mode=mode,
            query=match.query,
            status="unresolved",
            match=match_info(match),
            person=None,
            candidates=choices,
            country=country_ref(country, day),
            exposure=None,
            obligation=None,
            worst_case_exposure=worst_case,
            summary=unresolved_summary(match.query, choices, country.name, day),
            notes=[
                "No answer is given for a name that could not be pinned down to one person: "
                "give the full name, a birth date or a nationality, or a person id."
            ],
            warrants=[],
            trace=[],
            evidence=evidence,
            confidence=confidence,
            freshness=freshness(self.snapshot.as_of, day, self.today()),
            versions=self.versions,
        )

    def alternate_snapshot(self, fact: ContestedFact) -> Snapshot:
        """The Snapshot with the contested fact's other value applied (built once)."""
        with self._memo_lock:
            found = self._alternate.get(fact.key)
        if found is None:
            found = applied(self.snapshot, fact)
            with self._memo_lock:
                self._alternate[fact.key] = found
        return found

    def alternative_outcome(
        self, fact: ContestedFact, exposure: Exposure, obligation: bool, changes: bool
    ) -> AlternativeOutcome:
        """A contested fact as answers show it: the other value, its sources and the answer under
        it (one shape for the Verdict, itinerary legs and batch rows)."""
        return AlternativeOutcome(
            **contested_fields(fact, self.snapshot.source_registry),
            exposure=exposure,
            obligation=obligation,
            changes_answer=changes,
        )

    def alternatives(
        self,
        person: Person | None,
        country: Country,
        day: dt.date,
        mode: Mode,
        decision: Decision,
        evidence: list[Evidence] | None = None,
    ) -> list[AlternativeOutcome]:
        """The answer under each contested fact that bears on (person, country): listed when
        its record is in the evidence, or when the other value changes the answer."""
        used = {(e.dataset, e.record) for e in evidence or []}
        out: list[AlternativeOutcome] = []
        for fact in self.contested:
            if not concerns(fact, self.snapshot, person.id if person else None, country.iso3):
                continue
            other = self.alternate_snapshot(fact)
            evaluated = self.evaluate(person, country, day, mode, snapshot=other)
            worst = max((e.decision for e in evaluated), key=severity)
            changes = (worst.exposure, worst.obligation) != (decision.exposure, decision.obligation)
            if not changes and (fact.dataset, fact.record) not in used:
                continue
            out.append(self.alternative_outcome(fact, worst.exposure, worst.obligation, changes))
        return out

    def source_refs(self, sources: Iterable[object]) -> list[SourceRef]:
        """Sources with their tiers, official first, each address once."""
        return source_refs(self.snapshot.source_registry, sources)

    def _evidence(
        self, person: Person | None, country: Country, evaluated: list[Evaluated], day: dt.date
    ) -> list[Evidence]:
        snap = self.snapshot
        items: list[Evidence] = []

        def add(dataset: str, record: str, obj: Any) -> None:
            if obj is None:
                return
            # Every source of the record: its own, and those of its withdrawals and status
            # changes, which the answer may rest on as much as on the record's own.
            sources = list(obj.sources)
            for part in [*getattr(obj, "withdrawals", ()), *getattr(obj, "history", ())]:
                sources.extend(part.sources)
            ev = Evidence(
                dataset=dataset,
                record=record,
                sources=self.source_refs(sources),
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
            application = snap.pending_application(person.id, day)
            if application is not None:
                add("applications.yaml", application.id, application)
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


def taken_as(match: PersonMatch, candidate: Candidate) -> PersonMatch:
    """The match as if the name meant this candidate (to compute each candidate's answer)."""
    return PersonMatch(
        query=match.query,
        person=candidate.person,
        score=candidate.score,
        matched=candidate.matched,
        candidates=(),
        level="sure",
    )


def match_info(match: PersonMatch) -> MatchInfo:
    """The match block: how sure the person match is."""
    if match.person is not None:
        level = "probable" if match.level == "probable" else "sure"
        matched = match.matched
    elif match.level == "none" or not match.candidates:
        level, matched = ("none", None) if match.level == "none" else ("candidates", None)
    else:
        level, matched = "candidates", match.candidates[0].matched
    return MatchInfo(
        level=level,
        score=round(match.score, 4),
        matched=matched,
        meaning=MATCH_MEANING[level],
    )


def _choice_text(c: CandidateRef, day: dt.date) -> str:
    warrant = "a warrant outstanding" if c.active_warrant else "no warrant outstanding"
    return f"{c.name} ({c.id}: {warrant} on {day}, exposure {c.exposure.value})"


def unresolved_summary(query: str, choices: list[CandidateRef], country: str, day: dt.date) -> str:
    """One paragraph: the name could not be pinned down, and who it may be."""
    if not choices:
        return f"{query!r} could not be pinned down to one person."
    worst = max(choices, key=lambda c: EXPOSURE_RANK[c.exposure])
    return (
        f"{query!r} could not be pinned down to one person. It may mean "
        + "; ".join(_choice_text(c, day) for c in choices)
        + f". If it means {worst.name}, the exposure in {country} is {worst.exposure.value}."
    )


def ambiguous_person(
    match: PersonMatch, choices: list[CandidateRef], day: dt.date
) -> AmbiguousPerson:
    """The 422 for a name two or more people fit, with each choice's answer on the date."""
    names = ", ".join(c.name for c in choices)
    return AmbiguousPerson(
        f"{match.query!r} may mean {names}: say which (a fuller name, a birth date, a "
        "nationality or a person id)",
        field="person",
        choices=[c.model_dump(mode="json") for c in choices],
        date=day.isoformat(),
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


def uncertainty(alt: AlternativeOutcome) -> str:
    """One sentence naming a contested fact that changes the answer."""
    recorded = short(alt.recorded)
    other = short(alt.alternative)
    return (
        f"Uncertain: {alt.field} of {alt.record} ({alt.dataset}) is recorded as {recorded}, "
        f"but other sources give {other} ({alt.reason.rstrip('.')}); under that value the "
        f"exposure would be {alt.exposure.value} and the obligation "
        f"{'yes' if alt.obligation else 'no'}."
    )


def short(value: Any) -> str:
    if value is None or value == []:
        return "none"
    if isinstance(value, list):
        return "; ".join(short(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items() if v not in (None, [], ""))
    return str(value)


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


__all__ = ["Checker", "Evaluated", "Exposure", "Grounds", "build_facts", "build_grounds"]

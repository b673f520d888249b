"""Itineraries: legs (country, arrive, depart, mode) checked segment by segment.

A stay that spans a change (an entry into force, a withdrawal taking effect, a warrant issued or
executed, a compliance record, the datasets' as-of date, or such a date under a contested fact's
other value) is split at the change dates; the leg reports the worst segment with its dates and
every segment's verdict, the answer under each contested fact's other value where it differs,
and how fresh the facts are. Facts only change on those dates, so evaluating each segment on its
first day is exact.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.checks import (
    CANDIDATES_SHOWN,
    Checker,
    candidate_refs,
    country_ref,
    person_ref,
    severity,
    taken_as,
    uncertainty,
)
from app.contested import (
    LegAlternative,
    OtherAnswer,
    differences,
    other_answers,
    outcome,
)
from app.data.models import Area
from app.engine.facts import Mode
from app.engine.language import EXPOSURE_RANK, Exposure
from app.errors import InvalidInput
from app.freshness import leg_freshness
from app.resolve.countries import Country
from app.resolve.people import PersonMatch
from app.resolve.places import PlaceKind, PlaceMatch
from app.types import CountryText, IsoDate, PersonText, QueryDate
from app.verdict import CandidateRef, CountryRef, Freshness, PersonRef

#: ok: the traveller was resolved (or nobody came close); ambiguous: two or more people are
#: plausible; unresolved: only candidates. The last two carry no exposure, only the candidates'.
LegStatus = Literal["ok", "ambiguous", "unresolved"]

ONE_DAY = dt.timedelta(days=1)
MAX_STAY_DAYS = 3660


class Leg(BaseModel):
    """One stay (or a day visit, a transit landing, an overflight)."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(max_length=200)] | None = Field(
        default=None, description="The caller's leg id, echoed back.", examples=["leg-1"]
    )
    country: CountryText | None = Field(
        default=None,
        description="Country or territory: name, alias or ISO code (or give `place`).",
        examples=["Mongolia"],
    )
    place: CountryText | None = Field(
        default=None,
        description="Instead of `country`: an airport code (IATA 3 letters, ICAO 4 letters) or "
        "a city in any common spelling; the leg is in the country or territory the place is in. "
        "A code that is also an ISO code (CAN) is an airport here. A place in an occupied or "
        "de facto area (Sevastopol, SIP) answers as that area typed as `country` would.",
        examples=["ULN"],
    )
    arrive: QueryDate = Field(description="First day there.", examples=["2024-09-02"])
    depart: QueryDate | None = Field(
        default=None,
        description="Last day there; the arrival day if absent.",
        examples=["2024-09-03"],
    )
    mode: Mode = Field(default="visit", description="visit, transit or overflight.")

    @model_validator(mode="after")
    def _ordered(self) -> Leg:
        if (self.country is None) == (self.place is None):
            raise ValueError("give either 'country' or 'place'")
        if self.depart is not None and self.depart < self.arrive:
            raise ValueError("'depart' is before 'arrive'")
        if self.depart is not None and (self.depart - self.arrive).days > MAX_STAY_DAYS:
            raise ValueError(f"a stay is at most {MAX_STAY_DAYS} days")
        return self


class Traveller(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PersonText = Field(description="Name in any script, or a person id.", examples=["Putin"])
    birth_date: IsoDate | None = Field(default=None, description="Narrows the name match.")
    nationality: CountryText | None = Field(default=None, description="Narrows the name match.")


class Itinerary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    traveller: Traveller = Field(
        description="Who travels: a name, narrowed by birth date and nationality if given.",
        examples=[{"name": "Putin"}],
    )
    legs: list[Leg] = Field(min_length=1, max_length=200, description="In travel order.")


class Segment(BaseModel):
    start: dt.date = Field(description="First day of the segment.", examples=["2024-09-02"])
    end: dt.date = Field(description="Last day of the segment.", examples=["2024-09-03"])
    exposure: Exposure = Field(
        description="Exposure in this segment: none < low < medium < high.", examples=["high"]
    )
    obligation: bool = Field(
        description="Whether the state must arrest and surrender in this segment.",
        examples=[True],
    )
    rules: list[str] = Field(
        description="Rules fired (all warrants).", examples=[["state-party-obligation"]]
    )
    summary: str = Field(description="The decisive reason.")


class LegResult(BaseModel):
    id: str | None = Field(description="The caller's leg id.", examples=["leg-1"])
    index: int = Field(description="Position of the leg in the itinerary (0-based).", examples=[0])
    country: CountryRef = Field(description="The country or territory the leg's text names.")
    place: PlaceRef | None = Field(
        default=None, description="The place the leg named, when it gave `place`."
    )
    arrive: dt.date = Field(description="First day there.", examples=["2024-09-02"])
    depart: dt.date = Field(
        description="Last day there (the arrival day when none was given).",
        examples=["2024-09-03"],
    )
    mode: Mode = Field(description="visit, transit or overflight.", examples=["visit"])
    status: LegStatus = Field(
        default="ok",
        description="ok; ambiguous (two or more people fit the traveller's name) or unresolved "
        "(only candidates): then exposure and obligation are null and each candidate carries "
        "its own answer for the stay.",
        examples=["ok"],
    )
    exposure: Exposure | None = Field(
        description="The worst segment's exposure; null when ambiguous or unresolved.",
        examples=["high"],
    )
    obligation: bool | None = Field(
        description="The worst segment's obligation; null when ambiguous or unresolved.",
        examples=[True],
    )
    worst_case_exposure: Exposure = Field(
        description="Equal to exposure when resolved; otherwise the highest exposure among the "
        "candidates for this stay, so an unresolved leg never passes silently.",
        examples=["high"],
    )
    candidates: list[CandidateRef] = Field(
        default_factory=list,
        description="When ambiguous or unresolved: the people the name may mean, each with the "
        "worst exposure of the stay and whether a warrant was outstanding during it.",
    )
    worst: Segment | None = Field(
        description="The worst segment, with its dates; null when ambiguous or unresolved."
    )
    segments: list[Segment] = Field(
        description="Every segment, in order; empty when ambiguous or unresolved."
    )
    summary: str | None = Field(
        default=None,
        description="The worst segment's reason and, for each contested fact whose other value "
        "changes the leg's answer, one sentence naming the doubt; null when ambiguous or "
        "unresolved.",
        examples=[
            "France is bound by the Rome Statute on 2026-03-01 ... Uncertain: died of "
            "gaddafi-saif-al-islam (people.yaml) is recorded as 2026-02-03, but other sources "
            "give none (...); under that value the exposure would be high and the obligation yes."
        ],
    )
    alternatives: list[LegAlternative] = Field(
        default_factory=list,
        description="Contested facts (a record's field that sources give differently) whose "
        "other value changes the answer on some day of the stay: the other value, the leg's "
        "worst exposure and obligation under it (same rules, same engine), the days it changes "
        "(start, end) and whether it changes the leg's answer (changes_answer). Empty when no "
        "contested fact bears on the leg.",
        examples=[
            [
                {
                    "dataset": "people.yaml",
                    "record": "gaddafi-saif-al-islam",
                    "field": "died",
                    "recorded": "2026-02-03",
                    "alternative": None,
                    "reason": "The death is reported by his lawyer, political team and press; "
                    "the Court has not recorded it or terminated the case.",
                    "sources": [
                        {"url": "https://www.icc-cpi.int/libya/gaddafi", "tier": "official"}
                    ],
                    "exposure": "high",
                    "obligation": True,
                    "changes_answer": True,
                    "start": "2026-03-01",
                    "end": "2026-03-05",
                }
            ]
        ],
    )
    freshness: Freshness = Field(
        description="The datasets' as-of date, days from it to the leg's last day "
        "(days_after_as_of) and to today (days_since_as_of), and a caveat when the leg runs "
        "past the as-of date or the answer is given more than 30 days after it.",
        examples=[
            {
                "datasets_as_of": "2026-11-26",
                "days_after_as_of": 35,
                "days_since_as_of": 4,
                "caveat": "The leg is after the datasets' as-of date (2026-11-26): only changes "
                "already scheduled then (such as a notified withdrawal) are known.",
            }
        ],
    )


class PlaceRef(BaseModel):
    """A place a leg named, as resolved."""

    query: str = Field(description="The place as written.", examples=["ULN"])
    kind: PlaceKind = Field(description="airport, city or country.", examples=["airport"])
    name: str = Field(
        description="The airport's or city's name.", examples=["Chinggis Khaan International"]
    )
    code: str | None = Field(
        default=None, description="The airport's IATA (or ICAO) code.", examples=["ULN"]
    )
    note: str | None = Field(
        default=None,
        description="Set when a city name several countries share was taken as the much "
        "larger city: which, and why.",
        examples=[None],
    )


def place_ref(match: PlaceMatch) -> PlaceRef:
    place = match.place
    return PlaceRef(
        query=match.query, kind=place.kind, name=place.name, code=place.code, note=match.note
    )


class LegError(BaseModel):
    id: str | None = Field(description="The caller's leg id.")
    index: int = Field(description="Position of the leg in the itinerary (0-based).")
    error: str = Field(
        description="What was wrong.", examples=["no country or territory is called 'Atlantis'"]
    )
    field: str | None = Field(default=None, description="Where.", examples=["country"])
    choices: list[dict[str, str]] | None = Field(
        default=None,
        description="For an ambiguous country or place: what it may mean (iso3, name; for a "
        "place also place and kind).",
        examples=[
            [
                {"iso3": "GUY", "name": "Guyana", "place": "Georgetown", "kind": "city"},
                {"iso3": "MYS", "name": "Malaysia", "place": "George Town", "kind": "city"},
            ]
        ],
    )


class ItineraryResult(BaseModel):
    status: LegStatus = Field(
        description="ok; ambiguous or unresolved when the traveller's name could not be pinned "
        "down to one person (every leg then has that status, with candidates).",
        examples=["ok"],
    )
    person: PersonRef | None = Field(description="The traveller matched; null when none for sure.")
    candidates: list[PersonRef] = Field(description="'Did you mean' when no sure match.")
    exposure: Exposure | None = Field(
        description="Highest exposure over all legs; null when ambiguous or unresolved.",
        examples=["high"],
    )
    worst_case_exposure: Exposure = Field(
        description="Highest worst-case exposure over all legs (equal to exposure when resolved).",
        examples=["high"],
    )
    first_obligation: int | None = Field(
        description="Index of the first leg where a state must arrest.", examples=[1]
    )
    counts: dict[str, int] = Field(
        description="Legs by exposure; legs whose traveller is ambiguous or unresolved are "
        "counted under that status.",
        examples=[{"high": 1, "low": 2}],
    )
    legs: list[LegResult | LegError] = Field(description="One result or error per leg, in order.")


def boundaries(
    checker: Checker, person_id: str | None, iso3: str, area: Area | None = None
) -> tuple[dt.date, ...]:
    """The days on which the facts for (person, country) change, the as-of date's next day
    included, and those under every contested fact's other value that bears on them: a stay is
    cut at each of these, and between two of them every day is the same. Kept by the Checker
    (computed once per person and country)."""
    return checker.change_days(person_id, iso3, area)


def segments_of(
    checker: Checker,
    match: PersonMatch,
    country: Country,
    arrive: dt.date,
    depart: dt.date,
    mode: Mode,
) -> list[Segment]:
    """The stay cut at every change date inside it, each piece with its verdict."""
    return [s for s, _ in answered_segments(checker, match, country, arrive, depart, mode)]


def answered_segments(
    checker: Checker,
    match: PersonMatch,
    country: Country,
    arrive: dt.date,
    depart: dt.date,
    mode: Mode,
    others: bool = False,
) -> list[tuple[Segment, tuple[OtherAnswer, ...]]]:
    """The segments, each with its answers under the contested facts' other values (only with
    ``others``: the candidates of an unresolved name do without)."""
    person = match.person
    cuts = [
        day
        for day in boundaries(checker, person.id if person else None, country.iso3, country.area)
        if arrive < day <= depart
    ]
    starts = [arrive, *cuts]
    out: list[tuple[Segment, tuple[OtherAnswer, ...]]] = []
    for i, start in enumerate(starts):
        end = starts[i + 1] - ONE_DAY if i + 1 < len(starts) else depart
        evaluated = checker.evaluate(person, country, start, mode)
        worst = max(evaluated, key=lambda e: severity(e.decision))
        decision = worst.decision
        decisive = decision.decided_by.get("exposure")
        summary = next(
            (f.explanation for f in decision.fired if f.placed.rule.id == decisive),
            f"Exposure {decision.exposure.value}.",
        )
        rules: list[str] = []
        for e in evaluated:
            rules.extend(
                f.placed.rule.id for f in e.decision.fired if f.placed.rule.id not in rules
            )
        segment = Segment(
            start=start,
            end=end,
            exposure=decision.exposure,
            obligation=decision.obligation,
            rules=rules,
            summary=summary,
        )
        alternatives = other_answers(checker, person, country, start, mode) if others else ()
        out.append((segment, alternatives))
    return out


def worst_segment(segments: list[Segment]) -> Segment:
    """The most severe segment; the earliest among equals."""
    return max(
        segments, key=lambda s: (EXPOSURE_RANK[s.exposure], int(s.obligation), -s.start.toordinal())
    )


def leg_status(match: PersonMatch) -> LegStatus:
    """ok when a person is matched or nobody came close; otherwise the level says which."""
    if match.person is not None or match.level == "none":
        return "ok"
    return "ambiguous" if match.level == "ambiguous" else "unresolved"


def stay_choice(
    checker: Checker,
    match: PersonMatch,
    index: int,
    country: Country,
    arrive: dt.date,
    depart: dt.date,
    mode: Mode,
) -> CandidateRef:
    """Candidate ``index`` of a name not pinned down, with the worst segment of the stay."""
    candidate = match.candidates[index]
    segments = segments_of(checker, taken_as(match, candidate), country, arrive, depart, mode)
    worst = worst_segment(segments)
    person = candidate.person
    return CandidateRef(
        id=person.id,
        name=person.name,
        matched=candidate.matched,
        score=round(candidate.score, 4),
        active_warrant=any(
            checker.snapshot.outstanding_warrants(person.id, s.start) for s in segments
        ),
        exposure=worst.exposure,
        obligation=worst.obligation,
    )


def check_leg(checker: Checker, match: PersonMatch, leg: Leg, index: int) -> LegResult:
    country, place = checker.locate(leg.country, leg.place)
    depart = leg.depart or leg.arrive
    status = leg_status(match)
    fresh = leg_freshness(checker.snapshot.as_of, leg.arrive, depart, checker.today())
    if status != "ok":
        choices = [
            stay_choice(checker, match, i, country, leg.arrive, depart, leg.mode)
            for i in range(min(len(match.candidates), CANDIDATES_SHOWN))
        ]
        return LegResult(
            id=leg.id,
            index=index,
            country=country_ref(country, leg.arrive),
            arrive=leg.arrive,
            depart=depart,
            mode=leg.mode,
            status=status,
            exposure=None,
            obligation=None,
            worst_case_exposure=max(
                (c.exposure for c in choices),
                key=EXPOSURE_RANK.__getitem__,
                default=Exposure.none,
            ),
            candidates=choices,
            worst=None,
            segments=[],
            freshness=fresh,
        )
    answered = answered_segments(checker, match, country, leg.arrive, depart, leg.mode, others=True)
    segments = [s for s, _ in answered]
    worst = worst_segment(segments)
    alternatives = [
        LegAlternative(
            **outcome(checker, d).model_dump(),
            start=segments[d.first].start,
            end=segments[d.last].end,
        )
        for d in differences(
            [(s.exposure, s.obligation, o) for s, o in answered],
            (worst.exposure, worst.obligation),
        )
    ]
    return LegResult(
        id=leg.id,
        index=index,
        country=country_ref(country, worst.start),
        place=place_ref(place) if place else None,
        arrive=leg.arrive,
        depart=depart,
        mode=leg.mode,
        exposure=worst.exposure,
        obligation=worst.obligation,
        worst_case_exposure=worst.exposure,
        worst=worst,
        segments=segments,
        summary=" ".join(
            [worst.summary, *(uncertainty(a) for a in alternatives if a.changes_answer)]
        ),
        alternatives=alternatives,
        freshness=fresh,
    )


def check_itinerary(checker: Checker, itinerary: Itinerary) -> ItineraryResult:
    """Every leg, in order; a bad leg is an error record and the others go on."""
    t = itinerary.traveller
    match = checker.resolve_person(t.name, t.birth_date, t.nationality)
    legs: list[LegResult | LegError] = []
    for index, leg in enumerate(itinerary.legs):
        try:
            legs.append(check_leg(checker, match, leg, index))
        except InvalidInput as exc:
            legs.append(
                LegError(
                    id=leg.id,
                    index=index,
                    error=exc.detail,
                    field=exc.field,
                    choices=exc.extra.get("choices"),
                )
            )
    results = [leg for leg in legs if isinstance(leg, LegResult)]
    counts: dict[str, int] = {}
    for r in results:
        key = r.exposure.value if r.exposure is not None else r.status
        counts[key] = counts.get(key, 0) + 1
    status = leg_status(match)
    return ItineraryResult(
        status=status,
        person=person_ref(match),
        candidates=candidate_refs(match),
        exposure=None
        if status != "ok"
        else max(
            (r.exposure for r in results if r.exposure is not None),
            key=EXPOSURE_RANK.__getitem__,
            default=Exposure.none,
        ),
        worst_case_exposure=max(
            (r.worst_case_exposure for r in results),
            key=EXPOSURE_RANK.__getitem__,
            default=Exposure.none,
        ),
        first_obligation=next((r.index for r in results if r.obligation), None),
        counts=counts,
        legs=legs,
    )

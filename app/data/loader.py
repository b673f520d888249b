"""Load datasets/*.yaml into a Snapshot: per-record validation, then cross-file checks.

Every problem found is reported at once, each as ``file:line: field: message``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pycountry
from pydantic import BaseModel

from app.data import models as m
from app.data.snapshot import FileInfo, Snapshot
from app.data.sources import SourceRegistry
from app.yamlio import FileProblems, Located, Problem, load_file

Locate = Callable[[str, Sequence[int | str], str, str], Problem]


def load_snapshot(directory: Path, *, check_sources: bool = True) -> Snapshot:
    """Load and check every dataset file in ``directory``; raise FileProblems if any is wrong.

    ``check_sources=False`` loads an older version for comparison (``data diff``): one written
    before the source registry existed, or before a domain was refused, still loads.
    """
    located: dict[str, Located] = {}
    parsed: dict[str, Any] = {}
    problems: list[Problem] = []
    infos: list[FileInfo] = []
    digest = hashlib.sha256()
    for name, model in m.FILES.items():
        path = directory / name
        shown = f"{directory.name}/{name}"
        if not path.is_file() and name == "source_tiers.yaml" and not check_sources:
            continue
        if not path.is_file():
            problems.append(Problem(shown, None, "", "missing dataset file"))
            continue
        raw = path.read_bytes()
        digest.update(name.encode() + b"\0" + raw + b"\0")
        try:
            loc = load_file(path, shown)
            located[name] = loc
            parsed[name] = loc.validate(model)
        except FileProblems as exc:
            problems.extend(exc.problems)
            continue
        infos.append(FileInfo(name, hashlib.sha256(raw).hexdigest(), _count(parsed[name])))
    if problems:
        raise FileProblems(problems)

    def locate(file: str, loc: Sequence[int | str], field: str, message: str) -> Problem:
        return Problem(located[file].file, located[file].line_of(loc), field, message)

    problems.extend(cross_check(parsed, locate))
    problems.extend(alternative_problems(parsed, locate))
    tiers = parsed.get("source_tiers.yaml")
    registry = registry_of(tiers) if tiers is not None else SourceRegistry()
    for name in m.FILES:
        if name != "source_tiers.yaml" and check_sources:
            problems.extend(source_problems(name, located[name].data, registry, locate))
    if problems:
        raise FileProblems(problems)

    states: m.StatesFile = parsed["states_parties.yaml"]
    compliance: m.ComplianceFile = parsed["compliance.yaml"]
    return Snapshot.build(
        as_of=states.as_of,
        version="sha256:" + digest.hexdigest(),
        files=infos,
        states=states.states,
        territories=parsed["territories.yaml"].territories,
        situations=parsed["situations.yaml"].situations,
        declarations=parsed["declarations_12_3.yaml"].declarations,
        referrals=parsed["referrals.yaml"].referrals,
        people=parsed["people.yaml"].people,
        warrants=parsed["warrants.yaml"].warrants,
        summonses=parsed["summonses.yaml"].summonses,
        applications=parsed["applications.yaml"].applications,
        failures=compliance.failures,
        positions=compliance.positions,
        country_aliases=parsed["country_aliases.yaml"],
        source_registry=registry,
        areas=parsed["areas.yaml"].areas,
    )


def alternative_problems(parsed: dict[str, Any], locate: Locate) -> Iterable[Problem]:
    """Each alternative names a contestable field and makes a valid record when applied."""
    from app.data.alternatives import check_alternative

    for name, content in parsed.items():
        for key, value in content.__dict__.items():
            if not isinstance(value, list):
                continue
            for i, record in enumerate(value):
                for j, alt in enumerate(getattr(record, "alternatives", None) or []):
                    message = check_alternative(record, alt)
                    if message:
                        where = (key, i, "alternatives", j)
                        yield locate(name, where, _field_name(where), message)


def registry_of(tiers: m.SourceTiersFile) -> SourceRegistry:
    """The source registry from its file."""
    return SourceRegistry.build(
        official=tiers.official,
        press=tiers.press,
        secondary=tiers.secondary,
        refused=tiers.refused,
        refused_prefixes=tiers.refused_prefixes,
        tracking=tiers.tracking_parameters,
        official_citations=tiers.official_citations,
    )


def _field_name(loc: Sequence[int | str]) -> str:
    return ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(".[", "[")


def source_problems(
    file: str, data: Any, registry: SourceRegistry, locate: Locate
) -> Iterable[Problem]:
    """Every source anywhere in a file: a known, not refused domain without tracking
    parameters; and a `confidence: high` record cites at least one official source."""

    def walk(node: Any, loc: tuple[int | str, ...]) -> Iterable[Problem]:
        if isinstance(node, dict):
            sources = node.get("sources")
            tiers: list[str | None] = []
            if isinstance(sources, list):
                for j, item in enumerate(sources):
                    source = (
                        m.SourceOverride.model_validate(item) if isinstance(item, dict) else item
                    )
                    found = registry.classify(source)
                    tiers.append(found.tier)
                    if found.problem:
                        where = (*loc, "sources", j)
                        yield locate(file, where, _field_name(where), found.problem)
            high = node.get("confidence") == "high" and isinstance(sources, list)
            if high and "official" not in tiers:
                where = (*loc, "confidence")
                yield locate(
                    file,
                    where,
                    _field_name(where),
                    "confidence high needs at least one official source (the Court, "
                    "the UN, a government or a court of a state); lower it or cite one",
                )
            for key, value in node.items():
                if key != "sources":
                    yield from walk(value, (*loc, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, (*loc, i))

    yield from walk(data, ())


def _count(model: BaseModel) -> int:
    total = 0
    for value in model.__dict__.values():
        if isinstance(value, list | dict):
            total += len(value)
    return total


def known_country_codes(
    aliases: m.CountryAliasesFile, territories: Iterable[m.Territory]
) -> set[str]:
    """ISO alpha-3 codes the datasets may name: pycountry's, Kosovo's, and the territories'."""
    codes = {c.alpha_3 for c in pycountry.countries}
    codes.update(e.iso3 for e in aliases.extra_countries)
    codes.update(t.iso3 for t in territories)
    return codes


def _duplicates(
    file: str, key: str, items: Sequence[Any], attr: str, locate: Locate
) -> Iterable[Problem]:
    counts = Counter(getattr(i, attr) for i in items)
    for index, item in enumerate(items):
        value = getattr(item, attr)
        if counts[value] > 1:
            yield locate(
                file, (key, index, attr), f"{key}[{index}].{attr}", f"duplicate {attr} {value!r}"
            )


def cross_check(parsed: dict[str, Any], locate: Locate) -> list[Problem]:
    """Checks that span records or files: unique ids, references, Art. 126, date order."""
    out: list[Problem] = []
    states: list[m.StateParty] = parsed["states_parties.yaml"].states
    territories: list[m.Territory] = parsed["territories.yaml"].territories
    situations: list[m.Situation] = parsed["situations.yaml"].situations
    declarations: list[m.Declaration] = parsed["declarations_12_3.yaml"].declarations
    referrals: list[m.Referral] = parsed["referrals.yaml"].referrals
    people: list[m.Person] = parsed["people.yaml"].people
    warrants: list[m.Warrant] = parsed["warrants.yaml"].warrants
    summonses: list[m.Summons] = parsed["summonses.yaml"].summonses
    applications: list[m.Application] = parsed["applications.yaml"].applications
    compliance: m.ComplianceFile = parsed["compliance.yaml"]
    aliases: m.CountryAliasesFile = parsed["country_aliases.yaml"]
    areas: list[m.Area] = parsed["areas.yaml"].areas

    S, T, SI, D, R = (
        "states_parties.yaml",
        "territories.yaml",
        "situations.yaml",
        "declarations_12_3.yaml",
        "referrals.yaml",
    )
    P, W, SU, C, A = (
        "people.yaml",
        "warrants.yaml",
        "summonses.yaml",
        "compliance.yaml",
        "country_aliases.yaml",
    )
    out += _duplicates(S, "states", states, "iso3", locate)
    out += _duplicates(T, "territories", territories, "iso3", locate)
    out += _duplicates(SI, "situations", situations, "id", locate)
    out += _duplicates(D, "declarations", declarations, "id", locate)
    out += _duplicates(R, "referrals", referrals, "id", locate)
    out += _duplicates(P, "people", people, "id", locate)
    out += _duplicates(W, "warrants", warrants, "id", locate)
    out += _duplicates(SU, "summonses", summonses, "id", locate)
    out += _duplicates("applications.yaml", "applications", applications, "id", locate)
    out += _duplicates(C, "failures", compliance.failures, "id", locate)
    out += _duplicates(C, "positions", compliance.positions, "id", locate)
    AR = "areas.yaml"
    out += _duplicates(AR, "areas", areas, "id", locate)

    codes = known_country_codes(aliases, territories)
    state_codes = {s.iso3 for s in states}
    situation_ids = {s.id for s in situations}
    person_ids = {p.id for p in people}
    warrant_map = {w.id: w for w in warrants}

    def ref(
        file: str, loc: tuple[int | str, ...], value: str | None, known: set[str], what: str
    ) -> None:
        if value is not None and value not in known:
            field = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(
                ".[", "["
            )
            out.append(locate(file, loc, field, f"unknown {what} {value!r}"))

    for i, s in enumerate(states):
        ref(S, ("states", i, "iso3"), s.iso3, codes, "country code")
        expected = s.art126_entry_into_force
        if expected is not None and s.entry_into_force != expected:
            out.append(
                locate(
                    S,
                    ("states", i, "entry_into_force"),
                    f"states[{i}].entry_into_force",
                    f"{s.name}: Art. 126 gives {expected} for a deposit on {s.deposit}, "
                    f"not {s.entry_into_force}",
                )
            )
    for i, t in enumerate(territories):
        ref(T, ("territories", i, "sovereign"), t.sovereign, codes, "country code")
        if t.iso3 in state_codes:
            out.append(
                locate(
                    T,
                    ("territories", i, "iso3"),
                    f"territories[{i}].iso3",
                    f"{t.iso3} is a State Party in its own right",
                )
            )
        if t.covered_from is not None:
            sovereign = next((s for s in states if s.iso3 == t.sovereign), None)
            if sovereign is None:
                out.append(
                    locate(
                        T,
                        ("territories", i, "covered_from"),
                        f"territories[{i}].covered_from",
                        f"covered, but its sovereign {t.sovereign} is not a State Party",
                    )
                )
            elif t.covered_from < sovereign.entry_into_force:
                out.append(
                    locate(
                        T,
                        ("territories", i, "covered_from"),
                        f"territories[{i}].covered_from",
                        f"before the sovereign's entry into force ({sovereign.entry_into_force})",
                    )
                )
    for i, si in enumerate(situations):
        ref(SI, ("situations", i, "country"), si.country, codes, "country code")
        for j, code in enumerate(si.referred_by):
            ref(SI, ("situations", i, "referred_by", j), code, codes, "country code")
    # A division or an airport lies in one area at most: two claims would make a place's area
    # depend on the file's order.
    claimed: dict[str, str] = {}
    for i, area in enumerate(areas):
        ref(AR, ("areas", i, "state"), area.state, codes, "country code")
        for field_name in ("geonames_admin1", "airports"):
            for j, code in enumerate(getattr(area, field_name)):
                other = claimed.setdefault(code, area.id)
                if other != area.id:
                    out.append(
                        locate(
                            AR,
                            ("areas", i, field_name, j),
                            f"areas[{i}].{field_name}[{j}]",
                            f"{code} is already in area {other!r}",
                        )
                    )
    for i, d in enumerate(declarations):
        ref(D, ("declarations", i, "state"), d.state, codes, "country code")
        ref(D, ("declarations", i, "situation"), d.situation, situation_ids, "situation")
    for i, r in enumerate(referrals):
        ref(R, ("referrals", i, "situation"), r.situation, situation_ids, "situation")
        for j, code in enumerate(r.binds):
            ref(R, ("referrals", i, "binds", j), code, codes, "country code")
    for i, p in enumerate(people):
        for j, code in enumerate(p.nationality):
            ref(P, ("people", i, "nationality", j), code, codes, "country code")
        for j, role in enumerate(p.roles):
            ref(P, ("people", i, "roles", j, "country"), role.country, codes, "country code")
            if role.from_ and role.to and role.to < role.from_:
                out.append(
                    locate(
                        P,
                        ("people", i, "roles", j),
                        f"people[{i}].roles[{j}]",
                        "'to' is before 'from'",
                    )
                )
        # The same spelling may stand for several languages; the same (name, lang) twice is a slip.
        names = Counter((a.name.casefold(), a.lang) for a in p.aliases)
        for j, a in enumerate(p.aliases):
            if names[(a.name.casefold(), a.lang)] > 1:
                out.append(
                    locate(
                        P,
                        ("people", i, "aliases", j),
                        f"people[{i}].aliases[{j}]",
                        f"duplicate alias {a.name!r} ({a.lang})",
                    )
                )
                names[(a.name.casefold(), a.lang)] = 1  # report once
    for i, w in enumerate(warrants):
        ref(W, ("warrants", i, "person"), w.person, person_ids, "person")
        ref(W, ("warrants", i, "situation"), w.situation, situation_ids, "situation")
        for j, req in enumerate(w.requests):
            for k, code in enumerate(req.states):
                ref(W, ("warrants", i, "requests", j, "states", k), code, codes, "country code")
    for i, su in enumerate(summonses):
        ref(SU, ("summonses", i, "person"), su.person, person_ids, "person")
        ref(SU, ("summonses", i, "situation"), su.situation, situation_ids, "situation")
    out += _check_applications(applications, warrant_map, person_ids, situation_ids, locate)
    named = (
        {w.person for w in warrants}
        | {s.person for s in summonses}
        | {a.person for a in applications}
    )
    for i, p in enumerate(people):
        if p.id not in named:
            out.append(
                locate(
                    P,
                    ("people", i, "id"),
                    f"people[{i}].id",
                    f"{p.id!r} has no warrant, summons or application",
                )
            )
    for i, f in enumerate(compliance.failures):
        ref(C, ("failures", i, "state"), f.state, codes, "country code")
        ref(C, ("failures", i, "person"), f.person, person_ids, "person")
        ref(C, ("failures", i, "warrant"), f.warrant, set(warrant_map), "warrant")
        fw = warrant_map.get(f.warrant)
        if fw is not None and fw.person != f.person:
            out.append(
                locate(
                    C,
                    ("failures", i, "warrant"),
                    f"failures[{i}].warrant",
                    f"warrant {fw.id!r} is against {fw.person!r}, not {f.person!r}",
                )
            )
        start = f.visit_from or f.complete_on
        if fw is not None and not fw.outstanding_on(start):
            out.append(
                locate(
                    C,
                    ("failures", i, "visit_from"),
                    f"failures[{i}].visit_from",
                    f"warrant {fw.id!r} was not outstanding on {start}",
                )
            )
    for i, po in enumerate(compliance.positions):
        ref(C, ("positions", i, "state"), po.state, codes, "country code")
        ref(C, ("positions", i, "person"), po.person, person_ids, "person")
    for name, code in aliases.aliases.items():
        ref(A, ("aliases", name), code, codes, "country code")
    for code in aliases.display_names:
        ref(A, ("display_names", code), code, codes, "country code")
    for name, choices in aliases.ambiguous.items():
        for j, code in enumerate(choices):
            ref(A, ("ambiguous", name, j), code, codes, "country code")
    as_of: dt.date = parsed["states_parties.yaml"].as_of
    for i, ap in enumerate(applications):
        for name, day in (("filed", ap.filed), ("decided", ap.decided)):
            if day is not None and day > as_of:
                out.append(
                    locate(
                        "applications.yaml",
                        ("applications", i, name),
                        f"applications[{i}].{name}",
                        f"after the datasets' as-of date {as_of}",
                    )
                )
    for i, w in enumerate(warrants):
        if w.issued > as_of:
            out.append(
                locate(
                    W,
                    ("warrants", i, "issued"),
                    f"warrants[{i}].issued",
                    f"after the datasets' as-of date {as_of}",
                )
            )
    return out


def _check_applications(
    applications: list[m.Application],
    warrants: dict[str, m.Warrant],
    person_ids: set[str],
    situation_ids: set[str],
    locate: Locate,
) -> list[Problem]:
    """References, and an outcome that agrees with its dates and its warrant."""
    AP = "applications.yaml"
    out: list[Problem] = []

    def problem(i: int, field: str, message: str) -> None:
        out.append(locate(AP, ("applications", i, field), f"applications[{i}].{field}", message))

    for i, a in enumerate(applications):
        if a.person not in person_ids:
            problem(i, "person", f"unknown person {a.person!r}")
        if a.situation not in situation_ids:
            problem(i, "situation", f"unknown situation {a.situation!r}")
        if a.decided is not None and a.decided < a.filed:
            problem(i, "decided", f"{a.decided} is before the filing date {a.filed}")
        if (a.outcome == "pending") != (a.decided is None):
            problem(
                i, "decided", "a decision date is given exactly when the outcome is not pending"
            )
        if a.outcome == "granted":
            w = warrants.get(a.warrant or "")
            if w is None:
                problem(i, "warrant", "a granted application names its warrant (warrants.yaml)")
            elif w.person != a.person:
                problem(i, "warrant", f"warrant {w.id!r} is against {w.person!r}, not {a.person!r}")
            elif w.issued != a.decided:
                problem(i, "decided", f"warrant {w.id!r} was issued on {w.issued}, not {a.decided}")
        elif a.warrant is not None:
            problem(i, "warrant", f"only a granted application has a warrant, not {a.outcome}")
    return out

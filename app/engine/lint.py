"""Lint a rulebook by evaluating its rules over the finite domain of the facts they test.

Schema errors, unknown facts and duplicate ids already fail loading. Lint adds:
- a rule that can never fire (no value of its facts makes its condition hold);
- two rules at equal priority whose outcomes conflict and that can fire together;
- fact records for which no rule decides the exposure or the obligation;
- any disagreement between the compiled durable-rules form and the reference interpreter,
  over every fact record lint builds (so the whole rulebook is compiled and run);
- too many rules in one file (durable-rules fails near 70 range rules matching one input);
- a rule whose conclusion is marked contested but sets exposure high (doubt is never rounded
  up into certainty: a contested duty is at most medium).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from app.engine.facts import FACTS, FactInfo, FactRecord
from app.engine.language import facts_of, literals_of
from app.engine.reference import holds
from app.engine.rulebook import PlacedRule, Rulebook

MAX_RULES_PER_FILE = 50
EXHAUSTIVE_LIMIT = 20_000
SAMPLES = 12_000
OTHER_TEXT = "(any other text)"


@dataclass(frozen=True)
class Finding:
    """A lint finding, located at a rule."""

    level: str  # "error" or "warning"
    where: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.level}: {self.rule}: {self.message}"


def base_flat() -> dict[str, Any]:
    """A neutral fact record (no warrant, a public one when a test sets a status, a non-party),
    flat: the background for lint and tests."""
    return base_record().flat()


def base_record() -> FactRecord:
    return FactRecord.model_validate(
        {
            "query": {"date": dt.date(2025, 1, 1), "mode": "visit"},
            "person": {
                "id": "",
                "name": "",
                "nationality": "",
                "sitting_head_of_state": False,
                "troika": False,
            },
            # Neutral means public: a sealed warrant binds only known recipients, which a rule
            # test should say when it means it.
            "warrant": {"id": "", "situation": "", "status": "none", "public": True},
            "country": {"iso3": "XXX", "name": "Nowhere", "state_party": False},
        }
    )


def record_from_flat(flat: dict[str, Any]) -> FactRecord:
    """Build a FactRecord from a flat mapping (validated by the model)."""
    nested: dict[str, dict[str, Any]] = {}
    for name, value in flat.items():
        group, field = name.split(".", 1)
        nested.setdefault(group, {})[field] = value
    return FactRecord.model_validate(nested)


def domain(info: FactInfo, literals: Iterable[Any]) -> list[Any]:
    """The values worth trying for one fact: its type's values and the rules' literals around."""
    values: list[Any]
    lits = list(literals)
    if info.kind == "bool":
        values = [False, True]
    elif info.kind == "enum":
        values = list(info.values)
    elif info.kind == "int":
        values = sorted({0, *lits, *(v + 1 for v in lits), *(max(v - 1, 0) for v in lits)})
    elif info.kind == "date":
        day = dt.timedelta(days=1)
        values = sorted(
            {dt.date(2025, 1, 1), *lits, *(v + day for v in lits), *(v - day for v in lits)}
        )
    else:
        # Any other text stands for every value no rule names (a controlling party's name).
        values = sorted({"", *lits, OTHER_TEXT})
    if info.nullable:
        values.append(None)
    return values


def _possible(assignment: dict[str, Any], base: dict[str, Any]) -> bool:
    try:
        record_from_flat({**base, **assignment})
    except ValueError:
        return False
    return True


def _assignments(facts: list[str], literals: dict[str, set[Any]]) -> Iterator[dict[str, Any]]:
    """Every combination when few, else a seeded sample; only possible fact records."""
    base = base_flat()
    for assignment in _all_assignments(facts, literals):
        if _possible(assignment, base):
            yield assignment


def _all_assignments(facts: list[str], literals: dict[str, set[Any]]) -> Iterator[dict[str, Any]]:
    domains = [domain(FACTS[f], literals.get(f, ())) for f in facts]
    size = 1
    for d in domains:
        size *= len(d)
    if size <= EXHAUSTIVE_LIMIT:
        for combo in itertools.product(*domains):
            yield dict(zip(facts, combo, strict=True))
    else:
        rng = random.Random(20021)
        for _ in range(SAMPLES):
            yield {f: rng.choice(d) for f, d in zip(facts, domains, strict=True)}


def _facts_and_literals(rules: Iterable[PlacedRule]) -> tuple[list[str], dict[str, set[Any]]]:
    facts: set[str] = set()
    literals: dict[str, set[Any]] = {}
    for placed in rules:
        for name, values in literals_of(placed.rule.when).items():
            literals.setdefault(name, set()).update(values)
        facts.update(facts_of(placed.rule.when))
    return sorted(facts), literals


def _conflict(a: PlacedRule, b: PlacedRule) -> str | None:
    ta, tb = a.rule.then, b.rule.then
    if ta.exposure is not None and tb.exposure is not None and ta.exposure != tb.exposure:
        return f"exposure {ta.exposure.value} vs {tb.exposure.value}"
    if ta.obligation is not None and tb.obligation is not None and ta.obligation != tb.obligation:
        return f"obligation {ta.obligation} vs {tb.obligation}"
    return None


def lint(rulebook: Rulebook) -> list[Finding]:
    """Every finding for the rulebook, errors first."""
    findings: list[Finding] = []
    base = base_flat()

    per_file: dict[str, int] = {}
    for placed in rulebook.rules:
        per_file[placed.file] = per_file.get(placed.file, 0) + 1
    for file, count in per_file.items():
        if count > MAX_RULES_PER_FILE:
            findings.append(
                Finding(
                    "error",
                    file,
                    "-",
                    f"{count} rules in one file; keep it under "
                    f"{MAX_RULES_PER_FILE} (durable-rules fails near 70 matching rules)",
                )
            )

    for placed in rulebook.rules:
        then = placed.rule.then
        if then.contested is not None and then.exposure == "high":
            findings.append(
                Finding(
                    "error",
                    placed.where,
                    placed.rule.id,
                    "a contested conclusion sets exposure high; keep it at most medium",
                )
            )
        facts, literals = _facts_and_literals([placed])
        if not any(holds(placed.rule.when, {**base, **a}) for a in _assignments(facts, literals)):
            findings.append(
                Finding(
                    "error",
                    placed.where,
                    placed.rule.id,
                    f"can never fire: no value of {', '.join(facts)} satisfies its condition",
                )
            )

    for a, b in itertools.combinations(rulebook.rules, 2):
        if a.rule.priority != b.rule.priority:
            continue
        clash = _conflict(a, b)
        if clash is None:
            continue
        facts, literals = _facts_and_literals([a, b])
        for assignment in _assignments(facts, literals):
            flat = {**base, **assignment}
            if holds(a.rule.when, flat) and holds(b.rule.when, flat):
                example = ", ".join(f"{k}={v}" for k, v in assignment.items())
                findings.append(
                    Finding(
                        "error",
                        a.where,
                        a.rule.id,
                        f"conflicts with {b.rule.id} "
                        f"({b.where}) at priority {a.rule.priority}: {clash}, both fire "
                        f"when {example}",
                    )
                )
                break

    facts, literals = _facts_and_literals(rulebook.rules)
    undecided: dict[str, str] = {}
    disagreements = 0
    checked = 0
    for assignment in _assignments(facts, literals):
        flat = {**base, **assignment}
        record = record_from_flat(flat)
        checked += 1
        compiled = {p.rule.id for p in rulebook.fire(record)}
        reference = {p.rule.id for p in rulebook.fire_reference(record)}
        if compiled != reference:
            disagreements += 1
            if disagreements <= 3:
                findings.append(
                    Finding(
                        "error",
                        "-",
                        "-",
                        f"engine and reference disagree on "
                        f"{assignment}: engine {sorted(compiled)}, reference {sorted(reference)}",
                    )
                )
        fired = rulebook.fire_reference(record)
        for outcome in ("exposure", "obligation"):
            if not any(getattr(p.rule.then, outcome) is not None for p in fired):
                undecided.setdefault(outcome, ", ".join(f"{k}={v}" for k, v in assignment.items()))
    for outcome, example in undecided.items():
        findings.append(
            Finding("warning", "-", "-", f"no rule decides the {outcome} when {example}")
        )
    findings.append(
        Finding(
            "info",
            "-",
            "-",
            f"compiled and ran the rulebook on {checked} fact records; "
            f"{disagreements} disagreement(s) with the reference interpreter",
        )
    )
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: order.get(f.level, 3))

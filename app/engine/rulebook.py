"""The rulebook: rule files loaded with their lines, compiled, evaluated and aggregated."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import __version__
from app.engine.durable import CompiledRulebook
from app.engine.facts import FactRecord
from app.engine.language import (
    EXPOSURE_RANK,
    Contested,
    Exposure,
    Rule,
    RuleFile,
    facts_of,
    literals_of,
)
from app.engine.reference import Failed, holds, why_not
from app.yamlio import FileProblems, Located, Problem, load_file, load_text

ENGINE_VERSION = f"icc-exposure {__version__} / durable-rules 2.0.28"


@dataclass(frozen=True)
class PlacedRule:
    """A rule and where it is written."""

    rule: Rule
    file: str
    line: int | None
    order: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Fired:
    """A fired rule with its explanation rendered for one fact record."""

    placed: PlacedRule
    explanation: str


@dataclass(frozen=True)
class Decision:
    """The outcome for one fact record: what the highest-priority rules say, and all that fired."""

    exposure: Exposure
    obligation: bool
    fired: tuple[Fired, ...]
    notes: tuple[str, ...]
    decided_by: dict[str, str] = field(default_factory=dict)
    #: (rule id, point) for every fired rule whose conclusion is legally contested.
    contested: tuple[tuple[str, Contested], ...] = ()

    @property
    def rank(self) -> int:
        return EXPOSURE_RANK[self.exposure]


@dataclass(frozen=True)
class Rulebook:
    """All rules, their files, the content hash, and the compiled engine."""

    rules: tuple[PlacedRule, ...]
    files: tuple[str, ...]
    version: str
    compiled: CompiledRulebook = field(repr=False, compare=False)
    _tested: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _by_id: dict[str, PlacedRule] = field(init=False, repr=False, compare=False)
    _date_cuts: tuple[dt.date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Derived once: they are read on every check, leg and world row.
        object.__setattr__(self, "_tested", self.tested)
        object.__setattr__(self, "_by_id", {p.rule.id: p for p in self.rules})
        object.__setattr__(self, "_date_cuts", self._cuts())

    @property
    def by_id(self) -> dict[str, PlacedRule]:
        return self._by_id

    @property
    def tested(self) -> tuple[str, ...]:
        """The facts some rule's condition tests: all that can change which rules fire."""
        names: set[str] = set()
        for placed in self.rules:
            names |= facts_of(placed.rule.when)
        return tuple(sorted(names))

    @property
    def date_cuts(self) -> tuple[dt.date, ...]:
        """Days on which a rule's test of the query date can change (a literal date d, and the
        day after it for gt and lte): answers are constant between change dates only if these
        are change dates too."""
        return self._date_cuts

    def _cuts(self) -> tuple[dt.date, ...]:
        days: set[dt.date] = set()
        for placed in self.rules:
            for value in literals_of(placed.rule.when).get("query.date", ()):
                if isinstance(value, dt.date):
                    days.update((value, value + dt.timedelta(days=1)))
        return tuple(sorted(days))

    def key(self, facts: FactRecord) -> tuple[Any, ...]:
        """What decides which rules fire: the tested facts' values (names and dates that only
        appear in explanations are left out, so equal decisions share one engine run)."""
        return self.key_of(facts.flat())

    def key_of(self, flat: dict[str, Any]) -> tuple[Any, ...]:
        """``key`` of a fact record already flattened."""
        return tuple(flat[name] for name in self._tested)

    def fire(self, facts: FactRecord) -> list[PlacedRule]:
        """The rules the engine fires for ``facts``, highest priority first, then file order."""
        return self.fire_flat(facts.flat())

    def fire_flat(self, flat: dict[str, Any]) -> list[PlacedRule]:
        """``fire`` on a fact record already flattened."""
        ids = set(self.compiled.fire(flat))
        return sorted(
            (p for p in self.rules if p.rule.id in ids),
            key=lambda p: (-p.rule.priority, p.order),
        )

    def fire_reference(self, facts: FactRecord) -> list[PlacedRule]:
        """The same decision by the reference interpreter (tests, lint)."""
        flat = facts.flat()
        return sorted(
            (p for p in self.rules if holds(p.rule.when, flat)),
            key=lambda p: (-p.rule.priority, p.order),
        )

    def decide(self, facts: FactRecord) -> Decision:
        return aggregate(self.fire(facts), facts.flat())

    def why_not(self, facts: FactRecord) -> dict[str, Failed]:
        """For each rule that did not fire, the first test that failed."""
        flat = facts.flat()
        out = {}
        for placed in self.rules:
            failed = why_not(placed.rule.when, flat)
            if failed is not None:
                out[placed.rule.id] = failed
        return out


@dataclass(frozen=True, slots=True)
class Ruling:
    """What the fired rules decide, explanations aside: the same for every fact record whose
    tested facts are the same, so computed once per distinct record (``Checker.ruling``).
    Slotted: the memo keeps one per distinct record for the generation's life, and an instance
    dict would be one more object per entry for the garbage collector to walk."""

    fired: tuple[PlacedRule, ...]
    exposure: Exposure
    obligation: bool
    notes: tuple[str, ...]
    decided_by: dict[str, str]
    contested: tuple[tuple[str, Contested], ...]

    def explained(self, flat: dict[str, Any]) -> Decision:
        """The Decision, each fired rule's explanation rendered for the fact record ``flat``."""
        return Decision(
            exposure=self.exposure,
            obligation=self.obligation,
            fired=tuple(Fired(p, p.rule.render(flat)) for p in self.fired),
            notes=self.notes,
            decided_by=dict(self.decided_by),  # the caller's own: this one is shared
            contested=self.contested,
        )


def ruling_of(fired: list[PlacedRule] | tuple[PlacedRule, ...]) -> Ruling:
    """Exposure and obligation each come from the highest-priority fired rule that sets them."""
    exposure: Exposure | None = None
    obligation: bool | None = None
    decided_by: dict[str, str] = {}
    notes: list[str] = []
    for placed in fired:
        outcome = placed.rule.then
        if exposure is None and outcome.exposure is not None:
            exposure = outcome.exposure
            decided_by["exposure"] = placed.rule.id
        if obligation is None and outcome.obligation is not None:
            obligation = outcome.obligation
            decided_by["obligation"] = placed.rule.id
        notes.extend(n for n in outcome.notes if n not in notes)
    # A contested conclusion matters only where it decided something (or is a note): a
    # residual-duty point is moot when the person is dead and a higher rule said none.
    contested = tuple(
        (p.rule.id, p.rule.then.contested)
        for p in fired
        if p.rule.then.contested is not None
        and (
            p.rule.id in decided_by.values()
            or (p.rule.then.exposure is None and p.rule.then.obligation is None)
        )
    )
    if exposure is None or obligation is None:
        notes.append("No rule decided this case; the rulebook should cover it (see rules lint).")
    return Ruling(
        fired=tuple(fired),
        exposure=exposure or Exposure.none,
        obligation=bool(obligation),
        notes=tuple(notes),
        decided_by=decided_by,
        contested=contested,
    )


def aggregate(fired: list[PlacedRule] | tuple[PlacedRule, ...], flat: dict[str, Any]) -> Decision:
    """The Decision for the rules fired on ``flat``, every explanation rendered."""
    return ruling_of(fired).explained(flat)


def rule_files(directory: Path) -> list[Path]:
    """The rule files of a rulebook folder: ``*.yaml`` directly in it (not tests/, schema/)."""
    return sorted(p for p in directory.glob("*.yaml") if p.is_file())


def parse_rule_file(located: Located) -> tuple[RuleFile, list[PlacedRule]]:
    parsed = located.validate(RuleFile)
    placed = [
        PlacedRule(rule=r, file=located.file, line=located.line_of(("rules", i)), order=i)
        for i, r in enumerate(parsed.rules)
    ]
    return parsed, placed


def load_rulebook(directory: Path, extra: dict[str, str] | None = None) -> Rulebook:
    """Load, check and compile every rule file in ``directory``; raise FileProblems if wrong.

    ``extra`` maps a file name to YAML text that replaces or adds to the folder's files (used to
    test a rule change before it is written).
    """
    sources: dict[str, bytes] = {}
    if not directory.is_dir():
        raise FileProblems([Problem(str(directory), None, "", "rules folder not found")])
    for path in rule_files(directory):
        sources[f"{directory.name}/{path.name}"] = path.read_bytes()
    for name, text in (extra or {}).items():
        sources[f"{directory.name}/{name}"] = text.encode()
    if not sources:
        raise FileProblems([Problem(str(directory), None, "", "no rule files (*.yaml)")])
    problems: list[Problem] = []
    placed_all: list[PlacedRule] = []
    per_file: list[tuple[str, list[Rule]]] = []
    digest = hashlib.sha256()
    for name in sorted(sources):
        raw = sources[name]
        # The version is the files' contents and names inside the folder, not the folder's own
        # name: the same rules copied elsewhere are the same rulebook.
        relative = name.split("/", 1)[1]
        digest.update(relative.encode() + b"\0" + raw + b"\0")
        try:
            located = load_text(raw.decode("utf-8"), name)
            _, placed = parse_rule_file(located)
        except UnicodeDecodeError:
            problems.append(Problem(name, None, "", "not UTF-8 text"))
            continue
        except FileProblems as exc:
            problems.extend(exc.problems)
            continue
        order0 = len(placed_all)
        placed_all.extend(PlacedRule(p.rule, p.file, p.line, order0 + p.order) for p in placed)
        per_file.append((name, [p.rule for p in placed]))
    counts = Counter(p.rule.id for p in placed_all)
    for p in placed_all:
        if counts[p.rule.id] > 1:
            problems.append(Problem(p.file, p.line, "id", f"duplicate rule id {p.rule.id!r}"))
    if problems:
        raise FileProblems(problems)
    return Rulebook(
        rules=tuple(placed_all),
        files=tuple(name for name, _ in per_file),
        version="sha256:" + digest.hexdigest(),
        compiled=CompiledRulebook(per_file),
    )


__all__ = [
    "Decision",
    "Fired",
    "PlacedRule",
    "Rulebook",
    "Ruling",
    "load_file",
    "load_rulebook",
    "ruling_of",
]

"""The rule language (rules/*.yaml): pydantic models, and checks of facts and values.

A rule: ``id``, ``title``, ``priority``, ``when`` (a condition), ``then`` (an outcome),
``basis`` (legal citations) and ``explain`` (a template over the facts). Conditions are
``all`` / ``any`` / ``not`` over leaf tests ``{fact: country.state_party, is: true}``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from enum import StrEnum
from typing import Annotated, Any, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
    model_validator,
)

from app.engine.facts import FACTS, LABELS, FactInfo

Scalar = Union[bool, int, dt.date, str]  # noqa: UP007 - pydantic keeps this order in the schema
OPERATORS = ("is", "in", "not_in", "gt", "gte", "lt", "lte", "exists")
ORDERED = ("gt", "gte", "lt", "lte")


class Exposure(StrEnum):
    """How strongly a warrant exposes the person to arrest: none < low < medium < high."""

    none = "none"
    low = "low"
    medium = "medium"
    high = "high"


EXPOSURE_RANK = {Exposure.none: 0, Exposure.low: 1, Exposure.medium: 2, Exposure.high: 3}


def did_you_mean(name: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_value(info: FactInfo, op: str, value: Any) -> Any:
    """Check a literal against the fact's type; return it normalised."""
    if op == "exists":
        if not isinstance(value, bool):
            raise ValueError("'exists' takes true or false")
        return value
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            raise ValueError(f"'{op}' takes a non-empty list")
        return [_check_value(info, "is", v) for v in value]
    if op in ORDERED and info.kind not in ("int", "date"):
        raise ValueError(f"'{op}' compares numbers and dates; {info.name} is {info.kind}")
    expected: tuple[type, ...]
    if info.kind == "bool":
        expected = (bool,)
    elif info.kind == "int":
        expected = (int,)
    elif info.kind == "date":
        expected = (dt.date,)
    else:
        expected = (str,)
    if isinstance(value, bool) and bool not in expected:
        raise ValueError(f"{info.name} is {info.kind}, got {value!r}")
    if not isinstance(value, expected):
        raise ValueError(f"{info.name} is {info.kind}, got {value!r}")
    if info.kind == "enum" and value not in info.values:
        raise ValueError(
            f"{info.name} is one of {', '.join(info.values)}; got {value!r}"
            + did_you_mean(str(value), info.values)
        )
    return value


class Leaf(BaseModel):
    """A test of one fact: exactly one operator."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    fact: str = Field(description="A fact name, e.g. country.state_party.")
    is_: Scalar | None = Field(default=None, alias="is", description="Equal to.")
    in_: list[Scalar] | None = Field(default=None, alias="in", description="One of.")
    not_in: list[Scalar] | None = Field(default=None, description="None of (or unknown).")
    gt: int | dt.date | None = Field(default=None, description="Greater than.")
    gte: int | dt.date | None = Field(default=None, description="Greater than or equal.")
    lt: int | dt.date | None = Field(default=None, description="Less than.")
    lte: int | dt.date | None = Field(default=None, description="Less than or equal.")
    exists: bool | None = Field(default=None, description="Has a value (true) or not (false).")

    @field_validator("fact")
    @classmethod
    def _known_fact(cls, name: str) -> str:
        if name not in FACTS:
            raise ValueError(f"unknown fact {name!r}" + did_you_mean(name, tuple(FACTS)))
        return name

    @model_validator(mode="before")
    @classmethod
    def _one_operator(cls, data: Any) -> Any:
        if isinstance(data, dict):
            ops = [k for k in data if k in OPERATORS]
            if len(ops) != 1:
                unknown = [k for k in data if k not in (*OPERATORS, "fact")]
                hint = (
                    f"unknown operator {unknown[0]!r}" + did_you_mean(unknown[0], OPERATORS)
                    if unknown
                    else f"a test needs exactly one operator of {', '.join(OPERATORS)}"
                )
                raise ValueError(hint)
            fact = data.get("fact")
            if isinstance(fact, str) and fact in FACTS and "is" in data and data["is"] is None:
                raise ValueError("use 'exists: false' to test for no value")
        return data

    @model_validator(mode="after")
    def _typed(self) -> Leaf:
        info = FACTS[self.fact]
        op, value = self.operation
        _check_value(info, op, value)
        return self

    @property
    def operation(self) -> tuple[str, Any]:
        for op in OPERATORS:
            value = getattr(self, op + "_" if op in ("is", "in") else op)
            if value is not None:
                return op, value
        raise AssertionError("validated to have one operator")

    def describe(self) -> str:
        op, value = self.operation
        shown = (
            "[" + ", ".join(_show(v) for v in value) + "]"
            if isinstance(value, list)
            else _show(value)
        )
        return f"{self.fact} {op} {shown}"


class All(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    all: list[Condition] = Field(min_length=1, description="Every condition holds.")


class Any_(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    any: list[Condition] = Field(min_length=1, description="At least one condition holds.")


class Not(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    not_: Condition = Field(alias="not", description="The condition does not hold.")


def _kind(value: Any) -> str:
    """Pick the condition's kind by its key, so errors come from that kind alone."""
    if isinstance(value, dict):
        for key in ("all", "any", "not"):
            if key in value:
                return f"<{key}>"
        return "<test>"
    if isinstance(value, All):
        return "<all>"
    if isinstance(value, Any_):
        return "<any>"
    return "<not>" if isinstance(value, Not) else "<test>"


Condition = Annotated[
    Union[  # noqa: UP007
        Annotated[All, Tag("<all>")],
        Annotated[Any_, Tag("<any>")],
        Annotated[Not, Tag("<not>")],
        Annotated[Leaf, Tag("<test>")],
    ],
    Discriminator(_kind),
]


class Contested(BaseModel):
    """A legal point no court has settled, and the reading the rule does not follow."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    point: Annotated[str, StringConstraints(min_length=10, strip_whitespace=True)] = Field(
        description="The unsettled question, in one sentence.",
        examples=["Whether art. 127(2) reaches arrest warrants issued before a withdrawal."],
    )
    other_reading: Annotated[str, StringConstraints(min_length=10, strip_whitespace=True)] = Field(
        description="The competing reading, in one sentence.",
        examples=["Only requests already pending on the day the withdrawal took effect."],
    )


class Outcome(BaseModel):
    """What a rule concludes; unset fields leave the decision to other rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    exposure: Exposure | None = Field(default=None, description="none < low < medium < high.")
    obligation: bool | None = Field(
        default=None, description="Does the state have a legal duty to arrest and surrender?"
    )
    notes: list[str] = Field(default_factory=list, description="Caveats shown with the answer.")
    contested: Contested | None = Field(
        default=None,
        description="The rule's conclusion rests on a point no court has settled: the answer "
        "lists it with the other reading (Verdict.contested). Lint refuses exposure high here.",
    )

    @field_validator("notes", mode="before")
    @classmethod
    def _one_note(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class Rule(BaseModel):
    """One rule of the rulebook."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")] = Field(
        description="Stable id, unique in the rulebook.", examples=["state-party-obligation"]
    )
    title: Annotated[str, StringConstraints(min_length=3)] = Field(description="One line.")
    priority: int = Field(
        ge=0, le=1000, description="Higher wins when fired rules set the same outcome."
    )
    when: Condition = Field(description="The condition over the fact record.")
    then: Outcome = Field(description="The outcome when the condition holds.")
    basis: list[str] = Field(
        min_length=1, description="Legal basis: articles, resolutions, decisions."
    )
    explain: str = Field(description="A template over the facts: {country.name} ...")

    @field_validator("explain")
    @classmethod
    def _template_fields(cls, text: str) -> str:
        for field in _PLACEHOLDER.findall(text):
            if field not in FACTS:
                raise ValueError(
                    f"unknown fact {{{field}}} in template" + did_you_mean(field, tuple(FACTS))
                )
        return text

    def render(self, flat: dict[str, Any]) -> str:
        """The explanation with facts filled in (dates ISO, unknown values as 'unknown')."""
        return _PLACEHOLDER.sub(lambda m: _show(flat.get(m.group(1)), m.group(1)), self.explain)


def _show(value: Any, fact: str = "") -> str:
    label = LABELS.get(fact, {}).get(value) if isinstance(value, str) else None
    if label is not None:
        return label
    if value is None or value == "":
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class RuleFile(BaseModel):
    """A rule file: an optional description and its rules."""

    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(default=None, description="What this file's rules decide.")
    rules: list[Rule] = Field(min_length=1)


def facts_of(condition: Condition) -> set[str]:
    """The fact names a condition tests."""
    if isinstance(condition, Leaf):
        return {condition.fact}
    if isinstance(condition, Not):
        return facts_of(condition.not_)
    children = condition.all if isinstance(condition, All) else condition.any
    out: set[str] = set()
    for child in children:
        out |= facts_of(child)
    return out


def literals_of(condition: Condition) -> dict[str, set[Any]]:
    """Per fact, the literal values a condition compares it with (for lint's domains)."""
    out: dict[str, set[Any]] = {}
    if isinstance(condition, Leaf):
        op, value = condition.operation
        if op != "exists":
            for v in value if isinstance(value, list) else [value]:
                out.setdefault(condition.fact, set()).add(v)
        return out
    children = (
        [condition.not_]
        if isinstance(condition, Not)
        else condition.all
        if isinstance(condition, All)
        else condition.any
    )
    for child in children:
        for k, v in literals_of(child).items():
            out.setdefault(k, set()).update(v)
    return out


All.model_rebuild()
Any_.model_rebuild()
Not.model_rebuild()
Rule.model_rebuild()
RuleFile.model_rebuild()

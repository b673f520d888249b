"""Compile rule conditions into durable-rules JSON expressions.

durable-rules has no ``not``, no ``in`` and no dates, so:
- ``not`` is pushed down to the leaves (De Morgan). A comparison with an unknown (absent) fact is
  false, so its negation is "the opposite comparison, or the fact is absent";
- ``in`` becomes an ``$or`` of equalities, ``not_in`` an ``$and`` of inequalities or absence;
- dates compare as day numbers (``date.toordinal()``);
- every rule is anchored on a positive discriminator (``kind == "fact"``): a rule whose condition
  is only negative would otherwise also match the engine's own state record and re-fire.
Facts travel flat, with keys that durable-rules treats as plain names (``country__state_party``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.engine.language import All, Any_, Condition, Leaf, Not

DISCRIMINATOR = {"kind": "fact"}
_OPPOSITE = {"gt": "$lte", "gte": "$lt", "lt": "$gte", "lte": "$gt"}
_DIRECT = {"gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}


def key(fact: str) -> str:
    """The engine's name for a fact: ``country.state_party`` -> ``country__state_party``."""
    return fact.replace(".", "__")


def encode(value: Any) -> Any:
    """A fact or literal as the engine compares it (dates as day numbers)."""
    if isinstance(value, dt.date):
        return value.toordinal()
    return value


def engine_message(flat: dict[str, Any]) -> dict[str, Any]:
    """The message for one fact record: absent keys stand for unknown (None) values."""
    return {key(k): encode(v) for k, v in flat.items() if v is not None}


def _eq(fact: str, value: Any) -> dict[str, Any]:
    return {key(fact): encode(value)}


def _neq(fact: str, value: Any) -> dict[str, Any]:
    return {"$neq": {key(fact): encode(value)}}


def _exists(fact: str) -> dict[str, Any]:
    return {"$ex": {key(fact): 1}}


def _absent(fact: str) -> dict[str, Any]:
    return {"$nex": {key(fact): 1}}


def _or(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return parts[0] if len(parts) == 1 else {"$or": parts}


def _and(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _leaf(leaf: Leaf, negated: bool) -> dict[str, Any]:
    op, value = leaf.operation
    fact = leaf.fact
    if op == "exists":
        return _exists(fact) if value != negated else _absent(fact)
    if op == "is":
        # A comparison with an unknown fact is false, so 'not is' also holds when it is unknown.
        return _or([_neq(fact, value), _absent(fact)]) if negated else _eq(fact, value)
    if op in ("in", "not_in"):
        positive = op == "in"
        if positive != negated:
            return _or([_eq(fact, v) for v in value])
        return _or([_and([_neq(fact, v) for v in value]), _absent(fact)])
    if negated:
        return _or([{_OPPOSITE[op]: {key(fact): encode(value)}}, _absent(fact)])
    return {_DIRECT[op]: {key(fact): encode(value)}}


def compile_condition(condition: Condition, negated: bool = False) -> dict[str, Any]:
    """A durable-rules expression equivalent to ``condition`` (negated if asked)."""
    if isinstance(condition, Leaf):
        return _leaf(condition, negated)
    if isinstance(condition, Not):
        return compile_condition(condition.not_, not negated)
    if isinstance(condition, All):
        parts = [compile_condition(c, negated) for c in condition.all]
        return _or(parts) if negated else _and(parts)
    if isinstance(condition, Any_):
        parts = [compile_condition(c, negated) for c in condition.any]
        return _and(parts) if negated else _or(parts)
    raise TypeError(f"not a condition: {condition!r}")


def compile_rule(condition: Condition) -> dict[str, Any]:
    """The rule's whole match expression, anchored on the discriminator."""
    return {"$and": [DISCRIMINATOR, compile_condition(condition)]}

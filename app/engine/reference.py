"""The reference semantics of the rule language: a small pure-Python interpreter.

Used to cross-check the compiled durable-rules form (tests, lint) and to answer "why not":
for a rule that did not fire, the first condition that failed, with actual and expected values.
Semantics: a comparison with an unknown (None) fact is false; ``not`` negates; ``not_in`` is
``not in``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.engine.language import All, Any_, Condition, Leaf, Not


def holds(condition: Condition, flat: dict[str, Any]) -> bool:
    """Whether ``condition`` holds for the flat fact record."""
    if isinstance(condition, Leaf):
        return _leaf(condition, flat)
    if isinstance(condition, Not):
        return not holds(condition.not_, flat)
    if isinstance(condition, All):
        return all(holds(c, flat) for c in condition.all)
    if isinstance(condition, Any_):
        return any(holds(c, flat) for c in condition.any)
    raise TypeError(f"not a condition: {condition!r}")


def _leaf(leaf: Leaf, flat: dict[str, Any]) -> bool:
    op, expected = leaf.operation
    actual = flat.get(leaf.fact)
    if op == "exists":
        return bool((actual is not None) == expected)
    if op == "not_in":
        return actual is None or actual not in expected
    if actual is None:
        return False
    if op == "is":
        return bool(actual == expected and type(actual) is type(expected))
    if op == "in":
        return actual in expected
    if op == "gt":
        return bool(actual > expected)
    if op == "gte":
        return bool(actual >= expected)
    if op == "lt":
        return bool(actual < expected)
    if op == "lte":
        return bool(actual <= expected)
    raise AssertionError(op)


@dataclass(frozen=True)
class Failed:
    """The first test that kept a rule from firing."""

    path: str
    test: str
    actual: Any

    def __str__(self) -> str:
        return f"{self.path}: {self.test}, but it is {_show(self.actual)}"


def _show(value: Any) -> str:
    return (
        "unknown"
        if value is None
        else str(value).lower()
        if isinstance(value, bool)
        else str(value)
    )


def why_not(condition: Condition, flat: dict[str, Any], path: str = "when") -> Failed | None:
    """The first failing test of a condition that does not hold (None if it holds)."""
    if holds(condition, flat):
        return None
    if isinstance(condition, Leaf):
        return Failed(path, condition.describe(), flat.get(condition.fact))
    if isinstance(condition, Not):
        return Failed(path + ".not", "expected this not to hold", "holding")
    if isinstance(condition, All):
        for i, child in enumerate(condition.all):
            failed = why_not(child, flat, f"{path}.all[{i}]")
            if failed is not None:
                return failed
    if isinstance(condition, Any_):
        first = why_not(condition.any[0], flat, f"{path}.any[0]")
        if len(condition.any) == 1:
            return first
        return Failed(
            path + ".any",
            f"none of {len(condition.any)} alternatives holds; the first: "
            f"{first.test if first else '?'}",
            first.actual if first else None,
        )
    return None

"""The supported Pythons: durable-rules' C extension imports and decides on the running
interpreter (3.13 needs it built with -DPyEval_CallObject=PyObject_CallObject, see the Makefile)."""

from __future__ import annotations

import sys
import tomllib

from app.checks import Checker
from app.engine.durable import CompiledRulebook
from app.engine.language import Rule
from app.engine.lint import base_flat

from .conftest import ROOT, d


def test_durable_rules_fires_a_rule_on_the_running_interpreter() -> None:
    print(f"\nPython {sys.version.split()[0]} ({sys.executable})")
    from durable.engine import durable_rules_engine  # the C extension, built for this Python

    assert durable_rules_engine.__file__
    rule = Rule.model_validate(
        {
            "id": "party",
            "title": "a State Party",
            "priority": 1,
            "when": {"fact": "country.state_party", "is": True},
            "then": {},
            "basis": ["Art. 86"],
            "explain": "x",
        }
    )
    compiled = CompiledRulebook([("f.yaml", [rule])])
    assert compiled.fire({**base_flat(), "country.state_party": True}) == ["party"]
    assert compiled.fire({**base_flat(), "country.state_party": False}) == []


def test_the_shipped_rulebook_answers_on_the_running_interpreter(checker: Checker) -> None:
    verdict = checker.check("Putin", "Japan", d("2024-01-01"), "visit")
    assert verdict.exposure.value == "high" and verdict.obligation is True


def test_the_running_interpreter_is_one_pyproject_allows() -> None:
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert spec == ">=3.11,<3.14"
    assert (3, 11) <= sys.version_info[:2] < (3, 14)

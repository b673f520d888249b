"""The compiled durable-rules rulebook: the engine decides, safely, and agrees with the reference
interpreter."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine.durable import CompiledRulebook, EngineFailure, _recorder
from app.engine.facts import FACTS, FactRecord
from app.engine.language import Rule
from app.engine.lint import base_flat, lint, record_from_flat
from app.engine.rulebook import Rulebook, load_rulebook
from app.yamlio import FileProblems

from .conftest import RULES


def rule(text: dict[str, Any]) -> Rule:
    base = {"id": "r", "title": "a rule", "priority": 1, "then": {}, "basis": ["x"], "explain": "x"}
    return Rule.model_validate({**base, **text})


def _value(info: Any) -> st.SearchStrategy[Any]:
    if info.kind == "bool":
        strategy: st.SearchStrategy[Any] = st.booleans()
    elif info.kind == "enum":
        strategy = st.sampled_from(info.values)
    elif info.kind == "int":
        strategy = st.integers(min_value=0, max_value=4)
    elif info.kind == "date":
        strategy = st.dates(min_value=dt.date(2002, 1, 1), max_value=dt.date(2027, 12, 31))
    else:
        strategy = st.sampled_from(["", "ukraine", "darfur", "putin-vladimir"])
    return st.one_of(st.none(), strategy) if info.nullable else strategy


@st.composite
def fact_records(draw: st.DrawFn) -> FactRecord:
    flat = base_flat()
    for name, info in FACTS.items():
        if name in ("query.date", "country.iso3", "country.name", "person.name", "person.id"):
            continue
        flat[name] = draw(_value(info))
    try:
        return record_from_flat(flat)
    except ValueError:
        from hypothesis import reject

        reject()
        raise


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(fact_records())
def test_compiled_rulebook_agrees_with_the_reference(
    rulebook: Rulebook, record: FactRecord
) -> None:
    engine = [p.rule.id for p in rulebook.fire(record)]
    reference = [p.rule.id for p in rulebook.fire_reference(record)]
    assert engine == reference


def test_the_engine_decides_which_rules_fire(rulebook: Rulebook) -> None:
    # Fire through durable-rules only, bypassing the reference interpreter entirely.
    record = record_from_flat(
        {**base_flat(), "warrant.status": "active", "country.state_party": True}
    )
    fired = set(rulebook.compiled.fire(record.flat()))
    assert "state-party-obligation" in fired and "non-party-no-obligation" not in fired


def test_negative_only_rule_fires_once_and_stops() -> None:
    # A rule whose condition is only negative would also match durable-rules' own state record.
    compiled = CompiledRulebook(
        [
            (
                "f.yaml",
                [rule({"id": "neg", "when": {"not": {"fact": "country.state_party", "is": True}}})],
            )
        ]
    )
    assert compiled.fire(base_flat()) == ["neg"]


def test_a_record_no_rule_matches_is_handled() -> None:
    compiled = CompiledRulebook(
        [("f.yaml", [rule({"when": {"fact": "country.state_party", "is": True}})])]
    )
    assert compiled.fire(base_flat()) == []


def test_rules_of_several_files_fire_together_in_one_evaluation() -> None:
    # The files are compiled into one ruleset: a record both files' rules match fires them all,
    # and a rule id given twice (in two files) is refused, not silently replaced.
    party = rule({"id": "a", "when": {"fact": "country.state_party", "is": True}})
    active = rule({"id": "b", "when": {"fact": "warrant.status", "is": "active"}})
    neither = rule({"id": "c", "when": {"fact": "warrant.status", "is": "executed"}})
    compiled = CompiledRulebook([("one.yaml", [party]), ("two.yaml", [active, neither])])
    flat = {**base_flat(), "country.state_party": True, "warrant.status": "active"}
    assert sorted(compiled.fire(flat)) == ["a", "b"]
    assert compiled.fire({**flat, "country.state_party": False}) == ["b"]
    with pytest.raises(ValueError, match="duplicate rule id 'a'"):
        CompiledRulebook([("one.yaml", [party]), ("two.yaml", [party])])


def test_in_and_not_in_compile_without_an_in_operator() -> None:
    r_in = rule({"id": "a", "when": {"fact": "warrant.status", "in": ["withdrawn", "terminated"]}})
    r_not = rule({"id": "b", "when": {"fact": "warrant.status", "not_in": ["none", "active"]}})
    compiled = CompiledRulebook([("f.yaml", [r_in, r_not])])
    assert sorted(compiled.fire({**base_flat(), "warrant.status": "terminated"})) == ["a", "b"]
    assert compiled.fire({**base_flat(), "warrant.status": "active"}) == []


def test_dates_compare_as_dates() -> None:
    r = rule({"when": {"fact": "warrant.issued", "gte": dt.date(2023, 3, 17)}})
    compiled = CompiledRulebook([("f.yaml", [r])])
    assert compiled.fire({**base_flat(), "warrant.issued": dt.date(2023, 3, 17)}) == ["r"]
    assert compiled.fire({**base_flat(), "warrant.issued": dt.date(2023, 3, 16)}) == []
    assert compiled.fire({**base_flat(), "warrant.issued": None}) == [], "unknown is not >="


def test_states_are_deleted_after_each_evaluation() -> None:
    # The C core holds at most 1,024 live states; 3,000 evaluations only pass if each is deleted.
    compiled = CompiledRulebook(
        [("f.yaml", [rule({"when": {"fact": "country.state_party", "is": True}})])]
    )
    flat = {**base_flat(), "country.state_party": True}
    for _ in range(3000):
        assert compiled.fire(flat) == ["r"]


def test_concurrent_callers_get_the_serial_answers(rulebook: Rulebook) -> None:
    records = [
        record_from_flat({**base_flat(), **extra})
        for extra in (
            {"warrant.status": "active", "country.state_party": True},
            {"warrant.status": "active"},
            {"warrant.status": "executed"},
            {"warrant.status": "active", "country.unsc_bound": True, "query.mode": "overflight"},
        )
    ]
    serial = [sorted(rulebook.compiled.fire(r.flat())) for r in records]
    results: list[list[list[str]]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append([sorted(rulebook.compiled.fire(r.flat())) for r in records * 100])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for result in results:
        assert result == serial * 100


def test_a_failing_action_is_a_failure_never_an_answer() -> None:
    compiled = CompiledRulebook(
        [("f.yaml", [rule({"when": {"fact": "country.state_party", "is": False}})])]
    )
    assert compiled._box[0] is None  # outside fire(): an action must raise, not record
    with pytest.raises(EngineFailure):
        _recorder(compiled._box, "r")(None)


def test_the_shipped_rulebook_lints_clean(rulebook: Rulebook) -> None:
    findings = lint(rulebook)
    assert [str(f) for f in findings if f.level in ("error", "warning")] == []


def test_a_new_rulebook_does_not_disturb_the_old_one(rulebook: Rulebook, tmp_path: Path) -> None:
    (tmp_path / "only.yaml").write_text(
        (RULES / "warrant.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    smaller = load_rulebook(tmp_path)
    record = record_from_flat(
        {**base_flat(), "warrant.status": "active", "country.state_party": True}
    )
    assert smaller.fire(record) == []
    assert rulebook.fire(record)[0].rule.id == "state-party-obligation"


# --- the rule language's errors name the place ------------------------------------------------


def write_rules(directory: Path, text: str) -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
rules:
  - id: one
    title: One rule
    priority: 1
    when:
      all:
        - {fact: warrant.status, is: active}
        - {fact: country.state_party, is: true}
    then: {exposure: high}
    basis: [art. 89(1)]
    explain: "{country.name}"
"""


def problems_of(tmp_path: Path, text: str) -> list[str]:
    write_rules(tmp_path / "rules", text)
    with pytest.raises(FileProblems) as caught:
        load_rulebook(tmp_path / "rules")
    return [str(p) for p in caught.value.problems]


def test_an_unknown_fact_names_file_line_and_suggests(tmp_path: Path) -> None:
    found = problems_of(tmp_path, GOOD.replace("country.state_party", "country.stateparty"))
    assert found == [
        "rules/bad.yaml:8: rules[0].when.all[1].fact: unknown fact 'country.stateparty' "
        "(did you mean 'country.state_party'?)"
    ]


def test_a_wrong_value_type_is_located(tmp_path: Path) -> None:
    [found] = problems_of(tmp_path, GOOD.replace("is: true}", "is: yes please}"))
    assert found.startswith("rules/bad.yaml:8:") and "bool" in found


def test_an_enum_typo_is_located_with_a_suggestion(tmp_path: Path) -> None:
    [found] = problems_of(tmp_path, GOOD.replace("is: active}", "is: activ}"))
    assert found.startswith("rules/bad.yaml:7:") and "did you mean 'active'?" in found


def test_an_unknown_operator_is_located(tmp_path: Path) -> None:
    [found] = problems_of(tmp_path, GOOD.replace("is: active}", "equals: active}"))
    assert found.startswith("rules/bad.yaml:7:") and "unknown operator 'equals'" in found


def test_an_unknown_template_fact_is_refused(tmp_path: Path) -> None:
    [found] = problems_of(tmp_path, GOOD.replace('"{country.name}"', '"{country.nam}"'))
    assert "explain" in found and "country.name" in found


def test_duplicate_rule_ids_are_refused(tmp_path: Path) -> None:
    rules = GOOD + GOOD.split("rules:\n", 1)[1]
    found = problems_of(tmp_path, rules)
    assert any("duplicate rule id 'one'" in p for p in found)


def test_no_code_from_rule_yaml(tmp_path: Path) -> None:
    found = problems_of(tmp_path, "rules: !!python/object/apply:os.system ['true']\n")
    assert found and found[0].startswith("rules/bad.yaml")


def test_lint_finds_a_rule_that_can_never_fire(tmp_path: Path) -> None:
    dead = GOOD.replace(
        "        - {fact: country.state_party, is: true}",
        "        - {fact: country.state_party, is: true}\n"
        "        - {fact: country.former_party, is: true}",
    )
    write_rules(tmp_path / "rules", dead)
    findings = lint(load_rulebook(tmp_path / "rules"))
    assert any(f.level == "error" and "can never fire" in f.message for f in findings)


def test_lint_finds_conflicting_rules_at_equal_priority(tmp_path: Path) -> None:
    other = GOOD.split("rules:\n", 1)[1].replace("id: one", "id: two").replace("high", "low")
    write_rules(tmp_path / "rules", GOOD + other)
    findings = lint(load_rulebook(tmp_path / "rules"))
    assert any("conflicts with two" in f.message for f in findings)


def test_compiling_a_rulebook_starts_no_background_threads() -> None:
    # durable-rules' default Host starts dispatch and timer threads that can run an action on
    # another thread and hand back an empty answer.
    before = threading.active_count()
    CompiledRulebook([("f.yaml", [rule({"when": {"fact": "country.state_party", "is": True}})])])
    assert threading.active_count() == before

"""The check, through the CLI on the shipped data and rules: the answers users rely on."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from app.checks import Checker
from app.cli import app
from app.engine import schema

from .conftest import RULES, d

runner = CliRunner()


def check(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["check", *args, "--json"])
    assert result.exit_code == 0, result.output
    verdict: dict[str, Any] = json.loads(result.stdout)
    return verdict


def fired(verdict: dict[str, Any]) -> set[str]:
    return {t["rule"] for t in verdict["trace"]}


def test_putin_in_japan_before_the_warrant() -> None:
    v = check("Vladimir Putin", "Japan", "--date", "2023-03-01")
    assert (v["exposure"], v["obligation"]) == ("none", False)
    assert "warrant-not-yet-issued" in fired(v)


def test_putin_in_japan_after_the_warrant() -> None:
    v = check("Vladimir Putin", "Japan", "--date", "2023-03-20")
    assert (v["exposure"], v["obligation"]) == ("high", True)
    assert v["person"]["id"] == "putin-vladimir"
    assert v["country"] == {
        "iso2": "JP",
        "iso3": "JPN",
        "name": "Japan",
        "territory_of": None,
        "area": None,
    }


def test_putin_in_mongolia_during_the_visit_has_no_record_yet() -> None:
    v = check("Putin", "Mongolia", "--date", "2024-09-03")
    assert (v["exposure"], v["obligation"]) == ("high", True)
    assert "noncompliance-record" not in fired(v)


def test_putin_in_mongolia_after_the_visit_counts_the_record() -> None:
    v = check("Putin", "Mongolia", "--date", "2025-06-01")
    assert (v["exposure"], v["obligation"]) == ("medium", True)
    assert "noncompliance-record" in fired(v)
    assert any(e["dataset"] == "compliance.yaml" for e in v["evidence"])


def test_putin_in_ukraine_under_its_article_12_3_declaration() -> None:
    v = check("Путин", "Ukraine", "--date", "2024-06-01")
    assert (v["exposure"], v["obligation"]) == ("high", True)
    assert "declaration-12-3-obligation" in fired(v)


def test_putin_in_ukraine_as_a_state_party() -> None:
    v = check("Putin", "Ukraine", "--date", "2025-06-01")
    assert "state-party-obligation" in fired(v) and v["obligation"] is True


def test_netanyahu_in_the_united_states() -> None:
    v = check("Netanyahu", "United States", "--date", "2025-04-07")
    assert (v["exposure"], v["obligation"]) == ("low", False)


def test_duterte_in_the_netherlands_in_custody() -> None:
    v = check("Duterte", "Netherlands", "--date", "2025-03-13")
    assert (v["exposure"], v["obligation"]) == ("none", False)
    assert v["warrants"][0]["status"] == "executed"


def test_macron_in_france_no_warrant() -> None:
    v = check("Emmanuel Macron", "France", "--date", "2025-01-01")
    assert (v["exposure"], v["obligation"]) == ("none", False)
    assert v["person"] is None and v["warrants"] == []


def test_al_bashir_in_sudan_bound_by_resolution_1593() -> None:
    v = check("Omar al-Bashir", "Sudan", "--date", "2020-01-01")
    assert v["obligation"] is True
    assert "unsc-referral-obligation" in fired(v)
    assert any(e["dataset"] == "referrals.yaml" for e in v["evidence"])


def test_a_misspelled_name_and_a_country_typed_as_a_user_would() -> None:
    v = check("vladimir puttin", "japan", "--date", "2024-01-01")
    assert v["person"]["id"] == "putin-vladimir" and v["exposure"] == "high"


def test_the_verdict_carries_evidence_confidence_and_versions() -> None:
    v = check("Putin", "Japan", "--date", "2024-01-01")
    assert v["evidence"] and all(e["sources"] for e in v["evidence"])
    assert v["confidence"] in ("high", "medium", "low")
    assert v["versions"]["datasets"].startswith("sha256:")
    assert v["versions"]["rules"].startswith("sha256:")
    for item in v["trace"]:
        assert item["where"].startswith("rules/") and ":" in item["where"] and item["basis"]


def test_readable_output_explains_the_decision() -> None:
    result = runner.invoke(app, ["check", "Putin", "Mongolia", "--date", "2025-06-01"])
    assert result.exit_code == 0
    assert "MEDIUM" in result.stdout and "noncompliance-record" in result.stdout
    assert "rules/practice.yaml:" in result.stdout


def test_explain_full_says_why_other_rules_did_not_fire() -> None:
    result = runner.invoke(
        app, ["check", "Putin", "Japan", "--date", "2024-01-01", "--explain", "full"]
    )
    assert result.exit_code == 0
    assert "non-party-no-obligation" in result.stdout
    assert "country.state_party is false, but it is true" in result.stdout


def test_an_ambiguous_country_is_an_error_with_choices() -> None:
    result = runner.invoke(app, ["check", "Putin", "Congo", "--date", "2024-01-01"])
    assert result.exit_code == 2
    assert "COD" in result.output and "COG" in result.output


def test_a_bad_date_is_refused() -> None:
    result = runner.invoke(app, ["check", "Putin", "Japan", "--date", "2024-13-01"])
    # Worded as the API words it (tests/test_rough_edges.py).
    assert result.exit_code == 2 and "2024-13-01 is not a calendar date" in result.output


def test_a_date_after_the_as_of_date_carries_a_caveat(checker: Checker) -> None:
    v = checker.check("Putin", "Japan", d("2027-01-01"))
    assert "after-as-of" in {t.rule for t in v.trace}


def test_the_memo_runs_the_engine_once_per_distinct_fact_record(
    snapshot: Any, rulebook: Any
) -> None:
    fresh = Checker(snapshot, rulebook)
    for _ in range(5):
        fresh.check("Putin", "Japan", d("2024-01-01"))
    assert (fresh.memo_misses, fresh.memo_hits) == (1, 4)
    # Another date with the same tested facts: the explanation names the new date, no new run.
    later = fresh.check("Putin", "Japan", d("2024-06-01"))
    assert fresh.memo_misses == 1 and "2024-06-01" in later.summary
    fresh.check("Putin", "United States", d("2024-01-01"))  # a non-party: other facts
    assert fresh.memo_misses == 2


def test_rule_tests_pass_through_the_cli() -> None:
    result = runner.invoke(app, ["rules", "test"])
    assert result.exit_code == 0, result.output
    assert " 0 failed" in result.stdout


def test_rule_tests_fail_loudly(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "tests" / "wrong.yaml").write_text(
        "tests:\n  - name: wrong on purpose\n    facts: {warrant.status: none}\n"
        "    expect: {exposure: high}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["rules", "test", "--rules-dir", str(rules)])
    assert result.exit_code == 1
    assert "FAIL rules/tests/wrong.yaml:2: wrong on purpose" in result.stdout
    assert "1 failed" in result.stdout


def test_rules_lint_passes_on_the_shipped_rulebook() -> None:
    result = runner.invoke(app, ["rules", "lint"])
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.stdout


def test_published_schemas_are_in_sync_with_the_models() -> None:
    for name, text in schema.rendered().items():
        assert (RULES / "schema" / name).read_text(encoding="utf-8") == text, (
            f"rules/schema/{name} is stale: run `icc-exposure rules schema --write`"
        )


def test_settings_point_every_command_at_another_rulebook(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    # A rulebook of one file: only the warrant gates. A State Party then decides nothing.
    shutil.copy(RULES / "warrant.yaml", rules / "warrant.yaml")
    env = {**os.environ, "ICC_EXPOSURE_RULES_DIR": str(rules)}
    result = subprocess.run(
        [sys.executable, "-m", "app", "check", "Putin", "Japan", "--date", "2024-01-01", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["exposure"] == "none" and verdict["trace"] == []
    assert "No rule decided this case" in " ".join(verdict["notes"])


def test_settings_point_every_command_at_other_datasets(tmp_path: Path) -> None:
    datasets = tmp_path / "datasets"
    shutil.copytree(RULES.parent / "datasets", datasets)
    path = datasets / "warrants.yaml"
    # Move Putin's warrant (the first record dated 2023-03-17) one day later.
    path.write_text(
        path.read_text(encoding="utf-8").replace("2023-03-17", "2023-03-18", 3), encoding="utf-8"
    )
    env = {**os.environ, "ICC_EXPOSURE_DATASETS_DIR": str(datasets)}
    result = subprocess.run(
        [sys.executable, "-m", "app", "check", "Putin", "Japan", "--date", "2023-03-17", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["exposure"] == "none"

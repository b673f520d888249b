"""Broken data fails with `file:line: field: message` and a non-zero exit, never a traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from app.data import load_snapshot
from app.yamlio import FileProblems

from .conftest import DATASETS


@pytest.fixture
def datasets(tmp_path: Path) -> Path:
    """A private copy of the shipped datasets to break."""
    target = tmp_path / "datasets"
    shutil.copytree(DATASETS, target)
    return target


def replace_once(path: Path, old: str, new: str) -> int:
    """Replace the first occurrence; return its 1-based line."""
    text = path.read_text(encoding="utf-8")
    index = text.index(old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:index].count("\n") + 1


def problems(directory: Path) -> list[str]:
    with pytest.raises(FileProblems) as caught:
        load_snapshot(directory)
    return [str(p) for p in caught.value.problems]


def test_an_impossible_date_is_located(datasets: Path) -> None:
    line = replace_once(
        datasets / "states_parties.yaml", "deposit: 2007-07-17", "deposit: 2007-13-17"
    )
    found = problems(datasets)
    assert any(
        p.startswith(f"datasets/states_parties.yaml:{line}:") and "deposit" in p for p in found
    )


def test_a_wrong_entry_into_force_breaks_article_126(datasets: Path) -> None:
    line = replace_once(
        datasets / "states_parties.yaml",
        "entry_into_force: 2024-02-01",
        "entry_into_force: 2024-01-01",
    )
    [found] = problems(datasets)
    assert found.startswith(f"datasets/states_parties.yaml:{line}: ")
    assert "Art. 126 gives 2024-02-01" in found


def test_an_unknown_reference_is_located(datasets: Path) -> None:
    line = replace_once(
        datasets / "warrants.yaml", "person: putin-vladimir", "person: putin-vladmir"
    )
    found = problems(datasets)
    assert f"datasets/warrants.yaml:{line}: warrants[" in found[0]
    assert "unknown person 'putin-vladmir'" in found[0]


def test_an_unknown_field_is_located(datasets: Path) -> None:
    line = replace_once(
        datasets / "people.yaml", "    birth_date: 1952-10-07", "    birthdate: 1952-10-07"
    )
    found = problems(datasets)
    assert any(f"people.yaml:{line}:" in p and "birthdate: unknown field" in p for p in found)


def test_a_record_without_sources_is_refused(datasets: Path) -> None:
    yaml = YAML()
    path = datasets / "referrals.yaml"
    data = yaml.load(path)
    data["referrals"][0]["sources"] = []
    yaml.dump(data, path)
    assert any("referrals[0].sources" in p and "at least 1" in p for p in problems(datasets))


def test_yaml_syntax_errors_are_located(datasets: Path) -> None:
    (datasets / "situations.yaml").write_text("situations:\n  - id: [unclosed\n", encoding="utf-8")
    [found] = problems(datasets)
    assert found.startswith("datasets/situations.yaml:") and "YAML" in found


def test_no_code_runs_from_yaml(datasets: Path) -> None:
    (datasets / "situations.yaml").write_text(
        "situations: !!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8"
    )
    [found] = problems(datasets)
    assert "situations.yaml" in found


def test_every_problem_is_reported_at_once(datasets: Path) -> None:
    replace_once(
        datasets / "states_parties.yaml",
        "entry_into_force: 2024-02-01",
        "entry_into_force: 2024-01-01",
    )
    replace_once(datasets / "warrants.yaml", "person: putin-vladimir", "person: nobody-at-all")
    assert len(problems(datasets)) >= 2


def test_cli_validate_prints_located_problems_and_exits_non_zero(datasets: Path) -> None:
    replace_once(
        datasets / "states_parties.yaml",
        "entry_into_force: 2024-02-01",
        "entry_into_force: 2024-01-01",
    )
    result = subprocess.run(
        [sys.executable, "-m", "app", "data", "validate", "--datasets-dir", str(datasets)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "datasets/states_parties.yaml:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_cli_validate_prints_counts_on_the_shipped_data() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "data", "validate"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "datasets valid" in result.stdout
    assert "warrants" in result.stdout

"""The CLI's cache of loaded datasets and parsed rules (app/cache.py): same answers, never stale."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.cache import cached_rulebook, cached_snapshot
from app.checks import Checker
from app.data import Snapshot

from .conftest import DATASETS, RULES, d


def test_a_cached_snapshot_and_rulebook_answer_as_loaded_ones(
    tmp_path: Path, checker: Checker
) -> None:
    cold = Checker(cached_snapshot(DATASETS, tmp_path), cached_rulebook(RULES, tmp_path))
    assert len(list(tmp_path.glob("snapshot-*.pickle"))) == 1
    assert len(list(tmp_path.glob("rules-*.pickle"))) == 1
    warm = Checker(cached_snapshot(DATASETS, tmp_path), cached_rulebook(RULES, tmp_path))
    for who, where, day in [("Putin", "Mongolia", "2024-09-03"), ("Netanyahu", "FR", "2025-01-01")]:
        expected = checker.check(who, where, d(day), "visit")
        for c in (cold, warm):
            got = c.check(who, where, d(day), "visit")
            assert got.model_dump(exclude={"decision_id"}) == expected.model_dump(
                exclude={"decision_id"}
            )
    assert warm.rulebook.version == checker.rulebook.version
    assert [p.where for p in warm.rulebook.rules] == [p.where for p in checker.rulebook.rules]


def test_a_changed_dataset_file_is_a_miss_not_a_stale_answer(tmp_path: Path) -> None:
    data = tmp_path / "datasets"
    shutil.copytree(DATASETS, data)
    cache = tmp_path / "cache"
    first: Snapshot = cached_snapshot(data, cache)
    people = data / "people.yaml"
    people.write_text(people.read_text().replace("Vladimir Vladimirovich Putin", "V. V. Putin"))
    second = cached_snapshot(data, cache)
    assert first.people["putin-vladimir"].name == "Vladimir Vladimirovich Putin"
    assert second.people["putin-vladimir"].name == "V. V. Putin"
    assert second.version != first.version


def test_a_broken_cache_file_falls_back_to_loading(tmp_path: Path) -> None:
    cached_snapshot(DATASETS, tmp_path)
    (pickled,) = tmp_path.glob("snapshot-*.pickle")
    pickled.write_bytes(b"not a pickle")
    assert "putin-vladimir" in cached_snapshot(DATASETS, tmp_path).people

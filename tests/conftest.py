"""Shared fixtures. Everything runs on the shipped datasets and rules (loaded once per session)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.checks import Checker
from app.data import Snapshot, load_snapshot
from app.engine.rulebook import Rulebook, load_rulebook

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT / "datasets"
RULES = ROOT / "rules"


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture(scope="session")
def snapshot() -> Snapshot:
    """The shipped datasets."""
    return load_snapshot(DATASETS)


@pytest.fixture(scope="session")
def rulebook() -> Rulebook:
    """The shipped rulebook, compiled into durable-rules."""
    return load_rulebook(RULES)


@pytest.fixture(scope="session")
def checker(snapshot: Snapshot, rulebook: Rulebook) -> Checker:
    return Checker(snapshot, rulebook)

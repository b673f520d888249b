"""What the service holds while it runs: the Snapshot (and later the rulebook), swapped whole."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from app.checks import Checker
from app.data import Snapshot, load_snapshot
from app.decisions import DecisionLog
from app.engine.rulebook import Rulebook, load_rulebook
from app.errors import NotReady
from app.settings import Settings

log = logging.getLogger("icc_exposure")


@dataclass(frozen=True)
class Loaded:
    """One consistent generation of everything the checks read."""

    snapshot: Snapshot
    rulebook: Rulebook
    checker: Checker


class Runtime:
    """Holds the current generation; readers take one reference, reloads replace it atomically."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._current: Loaded | None = None
        self._lock = threading.Lock()
        self.decisions: DecisionLog | None = None

    def open_decision_log(self) -> None:
        if self.settings.decision_log and self.decisions is None:
            self.decisions = DecisionLog(
                self.settings.decision_database, self.settings.decision_retention_days
            )

    def close(self) -> None:
        if self.decisions is not None:
            self.decisions.close()
            self.decisions = None

    def load(self) -> Loaded:
        """Load datasets and rules; on failure (FileProblems) the last good generation stays."""
        snapshot = load_snapshot(self.settings.datasets_dir)
        rulebook = load_rulebook(self.settings.rules_dir)
        loaded = Loaded(snapshot=snapshot, rulebook=rulebook, checker=Checker(snapshot, rulebook))
        with self._lock:
            self._current = loaded
        log.info(
            "datasets and rules loaded",
            extra={"datasets_version": snapshot.version, "rules_version": rulebook.version},
        )
        return loaded

    @property
    def ready(self) -> bool:
        return self._current is not None

    @property
    def current(self) -> Loaded:
        loaded = self._current
        if loaded is None:
            raise NotReady("the datasets are not loaded yet")
        return loaded

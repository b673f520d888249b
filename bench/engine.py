"""Checks per second in process, memo cold and warm, and the share of time in durable-rules.

    .venv/bin/python bench/engine.py [--checks 20000]

Cold: a fresh Checker per pass, so every distinct fact record runs durable-rules. Warm: the same
checks again on the same Checker. Prints figures and ratios from one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.checks import Checker  # noqa: E402
from app.data import load_snapshot  # noqa: E402
from app.engine.rulebook import load_rulebook, ruling_of  # noqa: E402

PEOPLE = [
    "putin-vladimir",
    "netanyahu-benjamin",
    "al-bashir-omar",
    "kony-joseph",
    "duterte-rodrigo",
]
COUNTRIES = ["JPN", "MNG", "HUN", "UKR", "SDN", "PHL", "BDI", "FRA", "USA", "TJK", "GRL", "DEU"]
MODES = ["visit", "transit", "overflight"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", type=int, default=20_000)
    args = parser.parse_args()
    snapshot = load_snapshot(ROOT / "datasets")
    rulebook = load_rulebook(ROOT / "rules")
    rng = random.Random(3)
    start = dt.date(2015, 1, 1).toordinal()
    queries = [
        (
            rng.choice(PEOPLE),
            rng.choice(COUNTRIES),
            dt.date.fromordinal(start + rng.randint(0, 4300)),
            rng.choice(MODES),
        )
        for _ in range(args.checks)
    ]

    # Time spent inside durable-rules: wrap the compiled rulebook's fire.
    in_engine = [0.0]
    compiled = rulebook.compiled
    original = compiled.fire

    def timed_fire(flat: dict[str, object]) -> list[str]:
        t = time.perf_counter()
        try:
            return original(flat)
        finally:
            in_engine[0] += time.perf_counter() - t

    compiled.fire = timed_fire  # type: ignore[method-assign]

    checker = Checker(snapshot, rulebook)
    people = {pid: snapshot.people[pid] for pid in PEOPLE}
    countries = {iso3: checker.countries.get(iso3) for iso3 in COUNTRIES}

    def run(c: Checker) -> float:
        t = time.perf_counter()
        for pid, iso3, day, mode in queries:
            c.evaluate(people[pid], countries[iso3], day, mode)  # type: ignore[arg-type]
        return time.perf_counter() - t

    cold = run(checker)
    misses = checker.memo_misses
    engine_cold = in_engine[0]
    in_engine[0] = 0.0
    warm = run(checker)
    engine_warm = in_engine[0]

    # No memo: every check's fact records through durable-rules.
    class NoMemo(Checker):
        def ruling(self, flat):  # type: ignore[no-untyped-def]
            return ruling_of(self.rulebook.fire_flat(flat))

    in_engine[0] = 0.0
    no_memo = run(NoMemo(snapshot, rulebook))
    engine_none = in_engine[0]

    # The engine alone: one fact record through durable-rules.
    records = [
        e.facts
        for pid, iso3, day, mode in queries[:2000]
        for e in checker.evaluate(people[pid], countries[iso3], day, mode)  # type: ignore[arg-type]
    ]
    t = time.perf_counter()
    for record in records:
        original(record.flat())
    per_engine_run = (time.perf_counter() - t) / len(records)

    n = len(queries)
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    print(f"rulebook: {len(rulebook.rules)} rules in {len(rulebook.files)} files")
    print(f"checks: {n:,} (person x country x date x mode), distinct engine keys: {misses:,}")
    print(
        f"memo cold : {n / cold:>10,.0f} checks/s  ({cold / n * 1e6:7.1f} us/check), "
        f"durable-rules share {engine_cold / cold:5.1%}"
    )
    print(
        f"memo warm : {n / warm:>10,.0f} checks/s  ({warm / n * 1e6:7.1f} us/check), "
        f"durable-rules share {engine_warm / warm:5.1%}"
    )
    print(
        f"no memo   : {n / no_memo:>10,.0f} checks/s  ({no_memo / n * 1e6:7.1f} us/check), "
        f"durable-rules share {engine_none / no_memo:5.1%}"
    )
    print(f"warm / cold speed-up: {cold / warm:.2f}x; warm / no memo: {no_memo / warm:.2f}x")
    print(
        f"one durable-rules evaluation (one ruleset, {len(rulebook.rules)} rules): "
        f"{per_engine_run * 1e6:.1f} us"
    )


if __name__ == "__main__":
    main()

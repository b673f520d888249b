"""Time per name matched by the person resolver (the hot path of every uncached request).

    .venv/bin/python bench/names.py [--names 5000] [--rounds 3]

Names: every alias as written (all scripts), and a seeded sample of distinct names with one
typing error (tests/name_edits.py: deletions, transpositions, sampled substitutions and
insertions, each word alone and within its alias). Each name is matched once per round on one
PersonResolver (it keeps no cache: the Checker's memo sits above it); the best round is kept.
Prints mean, p50, p99 and max per name, per group.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.data import load_snapshot  # noqa: E402
from app.resolve.people import PersonResolver  # noqa: E402
from tests.name_edits import typed_with_one_edit  # noqa: E402


def timings(resolver: PersonResolver, names: list[str], rounds: int) -> list[float]:
    """Microseconds per name, the best of ``rounds`` for each."""
    best = [float("inf")] * len(names)
    for _ in range(rounds):
        for i, name in enumerate(names):
            t0 = time.perf_counter()
            resolver.match(name)
            best[i] = min(best[i], (time.perf_counter() - t0) * 1e6)
    return best


def line(label: str, us: list[float]) -> str:
    ordered = sorted(us)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"{label:<26} {len(us):>6} names  mean {statistics.fmean(us):8.1f} us  "
        f"p50 {statistics.median(us):8.1f} us  p99 {p99:8.1f} us  max {ordered[-1]:8.1f} us"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--names", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    snapshot = load_snapshot(ROOT / "datasets")
    t0 = time.perf_counter()
    resolver = PersonResolver(snapshot)
    built = (time.perf_counter() - t0) * 1e3
    aliases = sorted(
        {a for p in snapshot.people.values() for a in [p.name, *(x.name for x in p.aliases)]}
    )
    typed = [t.query for t in typed_with_one_edit(snapshot)]
    sample = random.Random(7).sample(sorted(set(typed)), min(args.names, len(set(typed))))
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(f"people: {len(snapshot.people)}, resolver built in {built:.1f} ms")
    print(line("aliases as written", timings(resolver, aliases, args.rounds)))
    print(line("one typing error", timings(resolver, sample, args.rounds)))


if __name__ == "__main__":
    main()

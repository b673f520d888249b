"""Time per name matched by the person resolver (the hot path of every uncached request).

    .venv/bin/python bench/names.py [--names 5000] [--rounds 3] [--baseline OLD.py]

--baseline times another version of app/resolve/people.py in the same run, for a ratio:
    git show b42afac:app/resolve/people.py > /tmp/people_before.py
    .venv/bin/python bench/names.py --baseline /tmp/people_before.py

Names: every alias as written (all scripts), and a seeded sample of distinct names with one
typing error (tests/name_edits.py: deletions, transpositions, sampled substitutions and
insertions, each word alone and within its alias). Each name is matched once per round on one
PersonResolver (the Checker's memo of whole names sits above it and is not used). The first
round is the cold figure (the resolver's cache of fuzzy look-ups per typed token is empty); the
best of all rounds, per name, the warm one. Prints mean, p50, p99 and max per name, per group.
"""

from __future__ import annotations

import argparse
import importlib.util
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


def timings(resolver: PersonResolver, names: list[str], rounds: int) -> tuple[list[float], ...]:
    """Microseconds per name: the first round, and the best of ``rounds`` for each."""
    first: list[float] = []
    best = [float("inf")] * len(names)
    for round_ in range(rounds):
        for i, name in enumerate(names):
            t0 = time.perf_counter()
            resolver.match(name)
            took = (time.perf_counter() - t0) * 1e6
            best[i] = min(best[i], took)
            if round_ == 0:
                first.append(took)
    return first, best


def line(label: str, us: list[float]) -> str:
    ordered = sorted(us)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"{label:<30} {len(us):>6} names  mean {statistics.fmean(us):8.1f} us  "
        f"p50 {statistics.median(us):8.1f} us  p99 {p99:8.1f} us  max {ordered[-1]:8.1f} us"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--names", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", help="another version of app/resolve/people.py")
    args = parser.parse_args()
    snapshot = load_snapshot(ROOT / "datasets")
    aliases = sorted(
        {a for p in snapshot.people.values() for a in [p.name, *(x.name for x in p.aliases)]}
    )
    typed = [t.query for t in typed_with_one_edit(snapshot)]
    sample = random.Random(7).sample(sorted(set(typed)), min(args.names, len(set(typed))))
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(
        f"people: {len(snapshot.people)}, {len(aliases)} aliases, {len(sample)} typed names",
        flush=True,
    )
    versions: list[tuple[str, type[PersonResolver]]] = [("this version", PersonResolver)]
    if args.baseline:
        spec = importlib.util.spec_from_file_location("people_baseline", args.baseline)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
        versions.insert(0, ("baseline", module.PersonResolver))
    means: dict[str, float] = {}
    for label, cls in versions:
        t0 = time.perf_counter()
        resolver = cls(snapshot)
        built = (time.perf_counter() - t0) * 1e3
        print(f"{label}: resolver built in {built:.1f} ms")
        cold, warm = timings(resolver, aliases, args.rounds)
        print(line("  aliases as written, cold", cold))
        print(line("  aliases as written, warm", warm))
        cold, warm = timings(resolver, sample, args.rounds)
        print(line("  one typing error, cold", cold))
        print(line("  one typing error, warm", warm))
        means[label] = statistics.fmean(cold)
    if len(means) == 2:
        print(
            f"one typing error, cold: baseline / this version {means['baseline'] / means['this version']:.1f}x"
        )


if __name__ == "__main__":
    main()

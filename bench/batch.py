"""Batch throughput: legs per second CSV -> NDJSON, peak memory, and two ratios from one run.

    .venv/bin/python bench/batch.py [--legs 1000000] [--sample 5000] [--huge 10000000]

- floor: the same file only read and written by Python's csv module (csv.reader/csv.writer);
- ours: `icc-exposure batch legs.csv -o out.ndjson` (the columnar path) in a child process (its
  peak RSS measured), on the full file, on a tenth of it and, with --huge, on ten times it
  (written to /dev/null), to show memory does not grow with the input;
- the row path (`--row-path`, the reference implementation) on the same file, for the ratio;
- no memo: every leg through durable-rules (a Checker whose memo is off, legs split as the batch
  splits them), timed on a sample and compared per leg.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PY = sys.executable
CLI = [PY, "-m", "app", "batch"]


def generate(path: Path, legs: int) -> None:
    subprocess.run(
        [PY, str(ROOT / "examples" / "generate.py"), str(legs), "-o", str(path)], check=True
    )


def floor(path: Path, out: Path) -> float:
    t = time.perf_counter()
    with (
        path.open(newline="", encoding="utf-8") as f,
        out.open("w", newline="", encoding="utf-8") as g,
    ):
        writer = csv.writer(g)
        for row in csv.reader(f):
            writer.writerow(row)
    return time.perf_counter() - t


def output_floor(path: Path, out: Path, line: str) -> float:
    """Read with the csv module and write one line of our output's average size per row: the
    cost of the bytes alone, without any answer."""
    t = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as f, out.open("w", encoding="utf-8") as g:
        write = g.write
        for _row in csv.reader(f):
            write(line)
    return time.perf_counter() - t


def ours(path: Path, out: Path, *extra: str) -> tuple[float, float, float]:
    """(wall seconds, startup seconds, peak RSS in MB) of the batch command in a child process."""
    t = time.perf_counter()
    child = subprocess.Popen(
        [*CLI, str(path), "-o", str(out), "--no-progress", "--out-format", "ndjson", *extra],
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t
    if status != 0:
        raise SystemExit(f"batch failed: {status}")
    # Startup (load datasets, compile rules) measured on an empty file.
    empty = path.with_name("empty.csv")
    empty.write_text("id,person,country,arrive\n", encoding="utf-8")
    t = time.perf_counter()
    subprocess.run(
        [*CLI, str(empty), "-o", os.devnull, "--no-progress"],
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    startup = time.perf_counter() - t
    return wall, startup, usage.ru_maxrss / 1024


def no_memo_per_leg(path: Path, sample: int) -> float:
    from app.batch import BatchRunner
    from app.checks import Checker
    from app.data import load_snapshot
    from app.engine.rulebook import load_rulebook
    from app.itinerary import Leg, check_leg

    class NoMemo(Checker):
        def fired(self, facts):  # type: ignore[no-untyped-def]
            return tuple(self.rulebook.fire(facts))

    checker = NoMemo(load_snapshot(ROOT / "datasets"), load_rulebook(ROOT / "rules"))
    runner = BatchRunner(checker)
    rows = []
    with path.open(newline="", encoding="utf-8") as f:
        for i, (_, _, values) in enumerate(runner.rows(f, "csv")):
            if i >= sample:
                break
            rows.append(values)
    t = time.perf_counter()
    done = 0
    for person, country, arrive, depart, mode, *_ in rows:  # type: ignore[misc]
        try:
            leg = Leg(country=country, arrive=arrive, depart=depart or None, mode=mode or "visit")
            check_leg(checker, checker.resolve_person(person), leg, 0)
        except Exception:
            pass
        done += 1
    return (time.perf_counter() - t) / done


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--legs", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=5_000)
    parser.add_argument("--huge", type=int, default=0, help="also this many legs, for memory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp, "legs.csv"), Path(tmp, "legs_small.csv")
        generate(big, args.legs)
        generate(small, args.legs // 10)
        size_mb = big.stat().st_size / 1e6
        floor_s = floor(big, Path(tmp, "floor.csv"))
        wall, startup, peak = ours(big, Path(tmp, "out.ndjson"), "--columnar")
        _, _, peak_small = ours(small, Path(tmp, "out_small.ndjson"), "--columnar")
        row_wall, _, row_peak = ours(big, Path(tmp, "out_rows.ndjson"), "--row-path")
        same = Path(tmp, "out.ndjson").read_bytes() == Path(tmp, "out_rows.ndjson").read_bytes()
        Path(tmp, "out_rows.ndjson").unlink()
        out_mb = Path(tmp, "out.ndjson").stat().st_size / 1e6
        average = int(out_mb * 1e6 / args.legs)
        bytes_s = output_floor(big, Path(tmp, "bytes.ndjson"), "x" * (average - 1) + "\n")
        per_leg = (wall - startup) / args.legs
        no_memo = no_memo_per_leg(big, args.sample)
        huge = None
        if args.huge:
            for f in ("out.ndjson", "bytes.ndjson", "floor.csv"):
                Path(tmp, f).unlink()
            path = Path(tmp, "legs_huge.csv")
            generate(path, args.huge)
            huge = ours(path, Path(os.devnull), "--columnar")
            path.unlink()
    print(f"input: {args.legs:,} legs, {size_mb:.0f} MB CSV -> {out_mb:.0f} MB NDJSON")
    print(f"floor (csv module read+write): {floor_s:6.2f} s  {args.legs / floor_s:>10,.0f} legs/s")
    print(
        f"icc-exposure batch           : {wall:6.2f} s  {args.legs / wall:>10,.0f} legs/s "
        f"(startup {startup:.2f} s; {1 / per_leg:,.0f} legs/s after it)"
    )
    print(
        f"ratio to the floor           : {wall / floor_s:6.2f}x  ({(wall - startup) / floor_s:.2f}x without startup)"
    )
    print(
        f"output floor (csv read, {average} B written per leg): {bytes_s:6.2f} s; "
        f"ratio to it {wall / bytes_s:.2f}x"
    )
    print(
        f"peak memory                  : {peak:6.0f} MB at {args.legs:,} legs, {peak_small:.0f} MB at {args.legs // 10:,}"
    )
    print(
        f"no memo (sample {args.sample:,} legs)   : {no_memo * 1e6:8.1f} us/leg  {1 / no_memo:>10,.0f} legs/s"
    )
    print(f"speed-up over no memo        : {no_memo / per_leg:6.1f}x")
    print(
        f"row path (reference)         : {row_wall:6.2f} s  {args.legs / row_wall:>10,.0f} legs/s, "
        f"peak {row_peak:.0f} MB; columnar is {row_wall / wall:.2f}x faster; same output: {same}"
    )
    if huge is not None:
        h_wall, _, h_peak = huge
        print(
            f"huge: {args.huge:,} legs in {h_wall:.1f} s ({args.huge / h_wall:,.0f} legs/s), "
            f"peak memory {h_peak:.0f} MB"
        )


if __name__ == "__main__":
    main()

"""CLI start-up: ``--help``, and one ``check`` with a cold and a warm cache (app/cache.py).

    .venv/bin/python bench/cli.py [--runs 5]

Each figure is the median of the runs: wall time, and CPU time (user + system) of the process,
which moves less when other work shares the machine. Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = str(Path(sys.executable).parent / "icc-exposure")
CHECK = [CLI, "check", "Putin", "Japan", "--date", "2024-01-01"]


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def report(name: str, samples: list[tuple[float, float]]) -> None:
    wall = statistics.median(s[0] for s in samples)
    cpu = statistics.median(s[1] for s in samples)
    print(f"{name:<22} wall {wall:6.2f} s   cpu {cpu:6.2f} s   ({len(samples)} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cache = Path(tempfile.mkdtemp(prefix="icc-bench-cache-"))
    env = {**os.environ, "ICC_EXPOSURE_CACHE_DIR": str(cache)}
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    try:
        report("--help", [timed([CLI, "--help"], env) for _ in range(args.runs)])
        cold = []
        for _ in range(args.runs):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(timed(CHECK, env))
        report("check, cold cache", cold)
        report("check, warm cache", [timed(CHECK, env) for _ in range(args.runs)])
    finally:
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()

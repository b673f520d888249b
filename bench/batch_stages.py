"""Per-stage wall time of the columnar batch path, the stages run one after the other on one
thread (the CLI runs them on three), so that their sum is the work, not the CLI's wall time.

    .venv/bin/python bench/batch_stages.py legs.csv      # e.g. examples/generate.py 1000000
"""

from __future__ import annotations

import gc
import io
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

T: Counter[str] = Counter()


def timed(cls: Any, name: str, label: str) -> None:
    """Adds the wall time of every call of ``cls.name`` to ``T[label]``."""
    original: Callable[..., Any] = getattr(cls, name)

    def wrapper(self: Any, *args: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(self, *args)
        finally:
            T[label] += time.perf_counter() - start

    setattr(cls, name, wrapper)


def _timed_function(function: Callable[..., Any], label: str) -> Callable[..., Any]:
    def wrapper(*args: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args)
        finally:
            T[label] += time.perf_counter() - start

    return wrapper


def main() -> None:
    t0 = time.perf_counter()
    import app.batch_columnar as bc
    from app.batch_columnar import ColumnarRunner
    from app.cli.common import checker_or_exit

    t1 = time.perf_counter()
    checker = checker_or_exit(None, None)
    gc.freeze()  # as the CLI does
    t2 = time.perf_counter()
    bc._grown = _timed_function(bc._grown, "  template table grown")
    for name, label in [
        ("_key_query", "names, places, intervals, keys (the query)"),
        ("_resolve_new", "  new names and places"),
        ("_made", "templates made (incl. _leg)"),
        ("_count", "summary counts"),
        ("_template_shape", "template shape"),
        ("_leg", "  _leg (templates and row path)"),
        ("_interval", "  _interval (the Checker)"),
        ("answer", "row path rows"),
    ]:
        timed(ColumnarRunner, name, label)
    runner = ColumnarRunner(checker)
    pc = time.perf_counter
    with open(sys.argv[1], "rb") as f:
        chunks = runner._csv_chunks(io.BufferedReader(f, 1 << 16))
        start = pc()
        while True:
            a = pc()
            frame = next(chunks, None)
            T["read and parse"] += pc() - a
            if frame is None:
                break
            a = pc()
            frame = bc._checked(frame)
            T["checks"] += pc() - a
            a = pc()
            block = runner._prepared(frame)
            T["prepared (all of the Python half)"] += pc() - a
            a = pc()
            ColumnarRunner._lines(block)
            T["lines"] += pc() - a
    print(f"import {t1 - t0:.2f} s, load {t2 - t1:.2f} s, stages {pc() - start:.2f} s")
    for label, seconds in T.items():
        print(f"  {label:36s} {seconds:6.2f} s")


if __name__ == "__main__":
    main()

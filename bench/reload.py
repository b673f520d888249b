"""Memory over reloads: 100 loads of datasets and rules in one process, as POST
/v1/admin/reload does, each replacing the last; prints resident memory and the rulesets the
durable-rules C core still holds.

    .venv/bin/python bench/reload.py [reloads]
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.engine import durable  # noqa: E402
from app.runtime import Runtime  # noqa: E402
from app.settings import Settings  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    reloads = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    runtime = Runtime(Settings())
    runtime.load()
    runtime.current.checker.check("Putin", "JP", runtime.current.snapshot.as_of)
    gc.collect()
    start = rss_mb()
    print(
        f"after the first load: {start:7.1f} MB, rulesets in the C core: {durable.live_rulesets()}"
    )
    marks = {1, 10, 25, 50, reloads}
    first_ten = 0.0
    for i in range(1, reloads + 1):
        runtime.load()
        runtime.current.checker.check("Putin", "JP", runtime.current.snapshot.as_of)
        if i in marks:
            gc.collect()
            now = rss_mb()
            if i == 10:
                first_ten = now
            print(
                f"after {i:3d} reloads: {now:7.1f} MB ({now - start:+6.1f} MB), rulesets in the C core: {durable.live_rulesets()}"
            )
    end = rss_mb()
    per = (end - first_ten) / max(1, reloads - 10)
    print(
        f"growth from reload 10 to {reloads}: {end - first_ten:+.1f} MB ({per * 1024:+.0f} KB a reload)"
    )


if __name__ == "__main__":
    main()

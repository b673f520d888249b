"""The mixed load of bench/mixed.py driven by wrk (C, one thread per kind), so that the client
costs little of the 2 cores it shares with the server: per-kind p50/p90/p99, req/s and the
server's own CPU time per request, against `icc-exposure serve` with 1 and then 2 workers.

    .venv/bin/python bench/mixed_wrk.py [seconds per run] [workers ...]   (WARM_UP=30 seconds)
    CONNECTIONS='{"exposure": 45, "healthz": 6}' .venv/bin/python bench/mixed_wrk.py 20 2

One wrk process per kind runs at the same time as the others, each over its own connections
(64 in all, split like the mix: 45 exposure, 6 healthz, 5 world, 5 itinerary, 3 batch). The
questions are drawn before the run, distinct (30,000 exposure checks over 10 names x 24
countries x 8,400 days x 3 modes), written to files a Lua script reads, and never repeated
within a run. A warm-up (30 s unless WARM_UP says otherwise) first asks other questions of
the same kinds, as a server that has run for a while has been asked: it fills the caches of
change-date intervals, not of the questions measured. A health probe waits `HEALTHZ_PAUSE_MS` between
requests on its connection, as a load balancer's probe does, so that `/healthz` measures how
long a probe waits behind the real work rather than adding hundreds of requests a second of its
own. Every other kind is closed-loop: a connection sends its next request when the answer is in.
Needs wrk (Debian: apt-get install wrk).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.mixed import COUNTRIES, PEOPLE, WORLD_PEOPLE, itinerary_body, random_day, start_server  # noqa: E402

#: Connections per kind; CONNECTIONS='{"exposure": 45, "healthz": 6}' (JSON) runs a subset, to see
#: what each kind adds to the others' latency.
CONNECTIONS: dict[str, int] = json.loads(
    os.environ.get(
        "CONNECTIONS", '{"exposure": 45, "healthz": 6, "world": 5, "itinerary": 5, "batch": 3}'
    )
)
HEALTHZ_PAUSE_MS = 50
QUESTIONS = {"exposure": 30_000, "world": 3_000, "itinerary": 3_000, "batch": 1_000, "healthz": 1}

LUA = r"""
local requests = {}
local n = 0
local pause = %(pause)d

function init(args)
  for line in io.lines("%(path)s") do
    local method, path, ctype, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {}
    if ctype ~= "" then headers["Content-Type"] = ctype end
    if body == "" then body = nil else body = body:gsub("|", "\n") end
    n = n + 1
    requests[n] = wrk.format(method, path, headers, body)
  end
end

local i = 0
function request()
  i = i + 1
  if i > n then i = 1 end
  return requests[i]
end

if pause > 0 then
  function delay() return pause end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "p50": %%d, "p90": %%d, "p99": %%d, "max": %%d, ' ..
    '"mean": %%.1f, "connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.status,
    e.timeout))
end
"""


def question(kind: str, rng: random.Random) -> tuple[str, str, str, str]:
    """(method, path, content type, body) of one request of this kind."""
    if kind == "exposure":
        params = {"person": rng.choice(PEOPLE), "country": rng.choice(COUNTRIES),
                  "date": random_day(rng), "mode": rng.choice(["visit", "transit", "overflight"])}  # fmt: skip
        return "GET", "/v1/exposure?" + urlencode(params), "", ""
    if kind == "world":
        params = {"date": random_day(rng), "mode": rng.choice(["visit", "overflight"])}
        return "GET", f"/v1/people/{rng.choice(WORLD_PEOPLE)}/world?{urlencode(params)}", "", ""
    if kind == "itinerary":
        return "POST", "/v1/itineraries", "application/json", json.dumps(itinerary_body(rng))
    if kind == "batch":
        rows = ["id,person,country,arrive,depart"]
        for i in range(20):
            rows.append(f"{i},{rng.choice(PEOPLE)},{rng.choice(COUNTRIES)},{random_day(rng)},")
        return "POST", "/v1/batch", "text/csv", "|".join(rows) + "|"
    return "GET", "/healthz", "", ""


def write_scripts(folder: Path, seed: int) -> dict[str, Path]:
    scripts = {}
    for kind in CONNECTIONS:
        rng = random.Random(f"{seed}-{kind}")
        data = folder / f"{kind}-{seed}.tsv"
        with data.open("w", encoding="utf-8") as out:
            for _ in range(QUESTIONS[kind]):
                out.write("\t".join(question(kind, rng)) + "\n")
        script = folder / f"{kind}-{seed}.lua"
        pause = HEALTHZ_PAUSE_MS if kind == "healthz" else 0
        script.write_text(LUA % {"path": data, "pause": pause}, encoding="utf-8")
        scripts[kind] = script
    return scripts


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its live descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = fields
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        if p in stats:
            total += (int(stats[p][11]) + int(stats[p][12])) / tick
        todo.extend(children.get(p, []))
    return total


def tree_rss_mb(pid: int) -> float:
    """Resident memory (MB) of a process and its live children (the workers)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(entry.name) == pid or fields.get("PPid", "").strip() == str(pid):
            total += int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
    return total


def run_wrk(base: str, scripts: dict[str, Path], seconds: float) -> dict[str, dict[str, float]]:
    procs = {
        kind: subprocess.Popen(
            [
                "wrk",
                "-t1",
                f"-c{CONNECTIONS[kind]}",
                f"-d{seconds:g}s",
                "--timeout",
                "30s",
                "-s",
                str(scripts[kind]),
                base,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for kind in CONNECTIONS
    }
    out = {}
    for kind, proc in procs.items():
        text, _ = proc.communicate(timeout=seconds + 120)
        line = next((x for x in text.splitlines() if x.startswith("{")), None)
        if line is None:
            raise RuntimeError(f"wrk ({kind}) printed no summary:\n{text}")
        out[kind] = json.loads(line)
    return out


def run(workers: int, seconds: float, warm_up: float, folder: Path) -> None:
    server, base = start_server(workers, ICC_EXPOSURE_DATA_DIR=str(folder / f"var{workers}"))
    try:
        run_wrk(base, write_scripts(folder, 1), warm_up)  # other questions, not counted
        load = os.getloadavg()[0]
        cpu0, wall0 = tree_cpu(server.pid), time.monotonic()
        client0 = os.times()
        results = run_wrk(base, write_scripts(folder, 100 + workers), seconds)
        client1 = os.times()
        cpu = tree_cpu(server.pid) - cpu0
        wall = time.monotonic() - wall0
        rss = tree_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
    client = (client1.children_user + client1.children_system) - (
        client0.children_user + client0.children_system
    )
    total = sum(int(r["requests"]) for r in results.values())
    print(
        f"{workers} worker(s), {sum(CONNECTIONS.values())} connections, {seconds:g} s, "
        f"load average before {load:.2f}: {total} requests, {total / seconds:.0f} req/s; "
        f"server CPU {cpu:.1f} s ({cpu / wall * 100:.0f}% of one core, "
        f"{cpu / max(total, 1) * 1000:.2f} ms a request), wrk CPU {client:.1f} s, "
        f"server memory {rss:.0f} MB"
    )
    for kind, r in results.items():
        errors = int(r["connect"] + r["read"] + r["write"] + r["timeout"])
        print(
            f"  {kind:10s} c={CONNECTIONS[kind]:2d} n={int(r['requests']):6d} "
            f"{r['requests'] / seconds:6.0f} req/s  p50 {r['p50'] / 1000:7.1f} ms  "
            f"p90 {r['p90'] / 1000:7.1f} ms  p99 {r['p99'] / 1000:7.1f} ms  "
            f"max {r['max'] / 1000:7.1f} ms  non-2xx {int(r['status'])}  errors {errors}"
        )


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 20
    counts = [int(a) for a in sys.argv[2:]] or [1, 2]
    warm_up = float(os.environ.get("WARM_UP", "30"))
    print(
        f"machine: {os.cpu_count()} cores; connections {CONNECTIONS}; healthz probe pause "
        f"{HEALTHZ_PAUSE_MS} ms; distinct questions per run {QUESTIONS}; warm-up {warm_up:g} s"
    )
    with tempfile.TemporaryDirectory(prefix="mixed-wrk-") as tmp:
        for workers in counts:
            run(workers, seconds, warm_up, Path(tmp))


if __name__ == "__main__":
    main()

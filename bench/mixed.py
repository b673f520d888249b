"""A mixed load on loopback: exposure checks over thousands of distinct questions, world views,
itineraries, small batches and /healthz together, at 64 connections, against `icc-exposure
serve` with 1 and then 2 workers. Prints p50/p99 per kind. Bounded in time; loopback only.

    .venv/bin/python bench/mixed.py [seconds per run] [connections]

The load generator is Python (httpx, asyncio) on the same 2 cores as the server, so absolute
throughput is lower than with wrk; the latencies under load are what this measures.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = ["Putin", "Netanyahu", "Gallant", "al-Bashir", "Duterte", "Kony", "Путин", "Lvova-Belova",
          "Haftar", "Unknown Person"]  # fmt: skip
COUNTRIES = ["JP", "MN", "HU", "FR", "US", "ZA", "UA", "RU", "DE", "TJ", "PH", "GB", "IL", "KE",
             "BR", "IN", "CN", "AR", "NL", "Italy", "Ivory Coast", "Holland", "Greenland", "SD"]  # fmt: skip
WORLD_PEOPLE = ["putin-vladimir", "netanyahu-benjamin", "al-bashir-omar", "duterte-rodrigo"]
# Share of requests per kind (of each connection's picks).
MIX = {"exposure": 70, "world": 8, "itinerary": 8, "batch": 4, "healthz": 10}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def random_day(rng: random.Random) -> str:
    return str(dt.date(2003, 1, 1) + dt.timedelta(days=rng.randrange(8400)))


def itinerary_body(rng: random.Random) -> dict[str, object]:
    """One traveller's itinerary of 2-5 legs, random countries and days."""
    legs = []
    for i in range(rng.randrange(2, 6)):
        arrive = dt.date.fromisoformat(random_day(rng))
        legs.append({"id": str(i), "country": rng.choice(COUNTRIES), "arrive": str(arrive),
                     "depart": str(arrive + dt.timedelta(days=rng.randrange(0, 20)))})  # fmt: skip
    return {"itineraries": {"t": {"traveller": {"name": rng.choice(PEOPLE)}, "legs": legs}}}


def request_for(kind: str, rng: random.Random) -> tuple[str, str, dict[str, object]]:
    if kind == "exposure":
        params = {"person": rng.choice(PEOPLE), "country": rng.choice(COUNTRIES),
                  "date": random_day(rng), "mode": rng.choice(["visit", "transit", "overflight"])}  # fmt: skip
        return "GET", "/v1/exposure", {"params": params}
    if kind == "world":
        params = {"date": random_day(rng), "mode": rng.choice(["visit", "overflight"])}
        return "GET", f"/v1/people/{rng.choice(WORLD_PEOPLE)}/world", {"params": params}
    if kind == "itinerary":
        return "POST", "/v1/itineraries", {"json": itinerary_body(rng)}
    if kind == "batch":
        rows = ["id,person,country,arrive,depart"]
        for i in range(20):
            rows.append(f"{i},{rng.choice(PEOPLE)},{rng.choice(COUNTRIES)},{random_day(rng)},")
        return "POST", "/v1/batch", {"content": "\n".join(rows) + "\n",
                                     "headers": {"content-type": "text/csv"}}  # fmt: skip
    return "GET", "/healthz", {}


async def load(base: str, seconds: float, connections: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {kind: [] for kind in MIX}
    errors: dict[str, int] = {kind: 0 for kind in MIX}
    kinds = [k for k, w in MIX.items() for _ in range(w)]
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def worker(seed: int) -> None:
            rng = random.Random(seed)
            while time.monotonic() < deadline:
                kind = rng.choice(kinds)
                method, path, options = request_for(kind, rng)
                start = time.perf_counter()
                try:
                    response = await client.request(method, path, **options)  # type: ignore[arg-type]
                    ok = response.status_code < 500
                except httpx.HTTPError as exc:
                    ok = False
                    if not any(errors.values()):
                        print(f"  first error: {kind}: {exc!r}")
                times[kind].append(time.perf_counter() - start)
                if not ok:
                    errors[kind] += 1

        await asyncio.gather(*(worker(i) for i in range(connections)))
    for kind, count in errors.items():
        if count:
            print(f"  {kind}: {count} errors")
    return times


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def start_server(workers: int, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    """`icc-exposure serve` on a free loopback port, once /readyz answers (and every worker has
    had time to start); the caller terminates it."""
    port = free_port()
    env = {**os.environ, "ICC_EXPOSURE_WORKERS": str(workers), "ICC_EXPOSURE_PORT": str(port),
           "ICC_EXPOSURE_LOG_LEVEL": "warning", **env}  # fmt: skip
    server = subprocess.Popen([str(ROOT / ".venv/bin/icc-exposure"), "serve"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    else:
        server.terminate()
        raise RuntimeError("the server did not start")
    time.sleep(3 if workers > 1 else 0)  # let every worker finish its start-up
    return server, base


def run(workers: int, seconds: float, connections: int) -> None:
    server, base = start_server(workers)
    try:
        asyncio.run(load(base, 3, connections))  # warm-up, not counted
        times = asyncio.run(load(base, seconds, connections))
    finally:
        server.terminate()
        server.wait(timeout=30)
    total = sum(len(v) for v in times.values())
    print(
        f"{workers} worker(s), {connections} connections, {seconds:.0f} s: {total} requests, {total / seconds:.0f} req/s"
    )
    for kind, values in times.items():
        print(
            f"  {kind:10s} n={len(values):6d}  p50 {percentile(values, 0.5):8.1f} ms  p99 {percentile(values, 0.99):8.1f} ms  mean {statistics.fmean(values) * 1000 if values else 0:8.1f} ms"
        )


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 20
    connections = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    print(
        f"machine: {os.cpu_count()} cores; mix {MIX}; questions drawn from {len(PEOPLE)} names x {len(COUNTRIES)} countries x 8,400 days x 3 modes"
    )
    for workers in (1, 2):
        run(workers, seconds, connections)


if __name__ == "__main__":
    main()

"""Heavy work off the event loop, in a thread pool sized on purpose.

A check that misses its caches, a world view computed for a new interval, a country's suggestions
or an itinerary cost from a millisecond to tens of them: on the event loop they would stall every
other request, health checks included. They run here instead. The pool is small (setting
ICC_EXPOSURE_WORK_THREADS, default 4) because the work is pure Python under one GIL and engine
calls are serialised by a lock (app/engine/durable.py): more threads add switching, not speed,
and a small pool leaves the GIL to the event loop often enough for cache hits and /healthz.
"""

from __future__ import annotations

import functools
import gc
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
from starlette.requests import Request

T = TypeVar("T")

#: Seconds a thread may hold the GIL while another waits for it (CPython's default: 0.005).
#: The event loop waits for the GIL after each I/O callback while a pool thread computes; at
#: 5 ms a wait, a loop serving tens of connections (and every /healthz behind them) falls
#: seconds behind. At 0.5 ms the loop gets it back ten times sooner, for a little switching.
SWITCH_INTERVAL = 0.0005


def share_the_gil() -> None:
    """Let the event loop take the GIL back from pool threads quickly (see SWITCH_INTERVAL)."""
    sys.setswitchinterval(SWITCH_INTERVAL)


def settle_the_heap() -> None:
    """After a load: collect once, then move every object alive (datasets, rules, indexes: tens
    of thousands) into the collector's permanent generation. A full collection otherwise walks
    them all, stopping the process for tens of milliseconds (80 ms measured on the shipped
    data) at moments no request chooses; frozen, it walks only what came after (about 1 ms).
    The previous generation is unfrozen first, so what a reload left behind is collected."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


async def off_loop(request: Request, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``function`` in the work pool and wait for it without blocking the event loop."""
    limiter: anyio.CapacityLimiter | None = getattr(request.app.state, "work_limiter", None)
    if limiter is None:  # first use in this process (and event loop): make the pool's limiter
        limiter = anyio.CapacityLimiter(request.app.state.runtime.settings.work_threads)
        request.app.state.work_limiter = limiter
    return await anyio.to_thread.run_sync(
        functools.partial(function, *args, **kwargs), limiter=limiter
    )

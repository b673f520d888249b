"""Typed dependencies, in one place, so routes stay short."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.checks import Checker
from app.data import Snapshot
from app.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_snapshot(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Snapshot:
    return runtime.current.snapshot


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]


async def get_checker(request: Request) -> Checker:
    # One dependency, no chain: this runs on every check.
    runtime: Runtime = request.app.state.runtime
    return runtime.current.checker


CheckerDep = Annotated[Checker, Depends(get_checker)]

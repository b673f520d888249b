"""Administration: reload datasets and rules without a restart (admin key)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from app.api.deps import RuntimeDep
from app.api.models import ReloadResult
from app.api.security import AdminKey
from app.api.work import settle_the_heap
from app.errors import InvalidInput
from app.yamlio import FileProblems

router = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[AdminKey])


@router.post(
    "/reload",
    operation_id="admin-reload",
    summary="Reload datasets and rules; on any problem the last good generation keeps serving",
    responses={
        401: {"description": "No admin key, or an unknown one (problem+json)."},
        403: {"description": "Admin endpoints are off: no ICC_EXPOSURE_ADMIN_KEYS (problem+json)."},
        422: {"description": "The new files have problems; nothing changed (problem+json)."},
    },
)
async def reload(runtime: RuntimeDep) -> ReloadResult:
    try:
        loaded = await run_in_threadpool(runtime.load)
    except FileProblems as exc:
        raise InvalidInput(
            f"{len(exc.problems)} problem(s); the previous datasets and rules keep serving",
            problems=[str(p) for p in exc.problems],
        ) from None
    await run_in_threadpool(settle_the_heap)
    return ReloadResult(datasets=loaded.snapshot.version, rules=loaded.rulebook.version)

"""The one place that maps errors to RFC 9457 problem+json responses."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import DomainError

log = logging.getLogger("icc_exposure")
PROBLEM = "application/problem+json"
TYPE_BASE = "https://icc-exposure.example/problems/"


def problem(
    status: int, title: str, detail: str, slug: str, instance: str, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _where(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("query", "path", "body", "header"):
        return parts[0] + ":" + ".".join(parts[1:]) if len(parts) > 1 else parts[0]
    return ".".join(parts)


def install(app: FastAPI) -> None:
    """Register the handlers: domain errors, request validation, HTTP errors, the unexpected."""

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return problem(
            exc.status,
            exc.title,
            exc.detail,
            exc.type_slug,
            request.url.path,
            field=exc.field,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": _where(tuple(e.get("loc", ()))),
                "message": str(e.get("msg", "")).removeprefix("Value error, "),
                **({"input": e["input"]} if isinstance(e.get("input"), str | int | float) else {}),
            }
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
        return problem(
            422, "Invalid input", detail, "invalid-input", request.url.path, errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = {404: "Not found", 405: "Method not allowed", 413: "Content too large"}.get(
            exc.status_code, "HTTP error"
        )
        return problem(
            exc.status_code,
            title,
            str(exc.detail),
            title.lower().replace(" ", "-"),
            request.url.path,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem(
            500,
            "Internal error",
            "the server failed to answer; the error was logged",
            "internal",
            request.url.path,
        )

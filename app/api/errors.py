"""The one place that maps errors to RFC 9457 problem+json responses."""

from __future__ import annotations

import logging
import math
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


def _echoable(value: Any) -> bool:
    """Whether an invalid input can be shown back: short text, or a number JSON can write.
    NaN, Infinity (1e999 reads as that) and ints past 2**53 cannot be, and must not turn a
    422 into a 500."""
    if isinstance(value, bool):
        return True
    if isinstance(value, str):
        return len(value) <= 1000
    if isinstance(value, int):
        return abs(value) < 2**53
    if isinstance(value, float):
        return math.isfinite(value)
    return False


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
                **({"input": e["input"]} if _echoable(e.get("input")) else {}),
            }
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
        return problem(
            422, "Invalid input", detail, "invalid-input", request.url.path, errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = {
            400: "Bad request",
            404: "Not found",
            405: "Method not allowed",
            413: "Content too large",
        }.get(exc.status_code, "HTTP error")
        if exc.status_code == 400:
            # FastAPI's words for a body that is not UTF-8 or nests too deep to parse.
            return problem(
                400,
                title,
                "the request body could not be read: it must be UTF-8 JSON, nested at most a "
                "few hundred levels, with integers of at most 4,300 digits",
                "bad-request",
                request.url.path,
                field="body",
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

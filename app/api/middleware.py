"""ASGI middleware: version headers, a JSON access log line per request, the API key when keys
are required, and bounds on reading a request body: its size, and how long it may stall (idle)
and take in all (total).

Plain ASGI rather than BaseHTTPMiddleware: it adds no task or copy per request, and it can stop
an oversized or stalled body while it streams in (a client sending 1 byte a second must not hold
a worker thread for ever).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.security import PUBLIC_PATHS, key_from_headers, key_matches
from app.runtime import Runtime

access = logging.getLogger("icc_exposure.access")


class BodyStopped(Exception):
    """Reading the request body was stopped; the answer is a problem with this status."""

    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BodyTooLarge(BodyStopped):
    status = 413
    title = "Content too large"
    slug = "content-too-large"


class KeyRequired(BodyStopped):
    """Keys are required and the request carries none that matches (checked before the body)."""

    status = 401
    title = "Unauthorized"
    slug = "unauthorized"


class BodyTimeout(BodyStopped):
    status = 408
    title = "Request timeout"
    slug = "request-timeout"


class ServiceMiddleware:
    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        settings = self.runtime.settings
        streamed = scope.get("path") == "/v1/batch"
        limit = settings.batch_max_bytes if streamed else settings.max_body_bytes
        status = {"code": 500, "started": False}
        headers = dict(scope.get("headers") or [])
        # Here rather than as a route dependency: it then covers every path (the page, /docs,
        # /openapi.json, static files) but the public ones, and costs nothing when off.
        if settings.require_key and scope.get("path") not in PUBLIC_PATHS:
            given = key_from_headers(headers)
            if not key_matches(given, [*settings.api_keys, *settings.admin_keys]):
                await self._problem(
                    scope,
                    send,
                    KeyRequired(
                        "an API key is required (X-API-Key header or Authorization: Bearer)"
                    ),
                    extra_headers=[(b"www-authenticate", b'Bearer realm="icc-exposure"')],
                )
                self._log(scope, 401, start)
                return
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await self._problem(
                scope, send, BodyTooLarge(f"the request body is over {limit} bytes")
            )
            self._log(scope, 413, start)
            return
        received = 0
        done = False
        idle = settings.body_idle_timeout
        deadline = anyio.current_time() + settings.body_total_timeout

        async def limited_receive() -> Message:
            nonlocal received, done
            if done:  # the body is in: what follows is a wait for the disconnect, unbounded
                return await receive()
            wait = min(idle, deadline - anyio.current_time())
            message: Message | None = None
            with anyio.move_on_after(max(wait, 0)):
                message = await receive()
            if message is None:
                raise BodyTimeout(
                    f"the request body stalled for {idle:g} s"
                    if wait == idle
                    else f"the request body took over {settings.body_total_timeout:g} s"
                )
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(f"the request body is over {limit} bytes")
                done = not message.get("more_body", False)
            else:
                done = True
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                status["started"] = True
                extra = list(message.get("headers", []))
                extra.extend(self._version_headers(scope))
                message = {**message, "headers": extra}
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyStopped as stopped:
            if not status["started"]:
                await self._problem(scope, send, stopped)
            status["code"] = stopped.status
        self._log(scope, int(status["code"]), start)

    def _version_headers(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        out: list[tuple[bytes, bytes]] = []
        if self.runtime.ready:
            checker = self.runtime.current.checker
            out.append((b"x-datasets-version", checker.versions.datasets.encode()))
            out.append((b"x-rules-version", checker.versions.rules.encode()))
        decision = (scope.get("state") or {}).get("decision_id")
        if decision:
            out.append((b"x-decision-id", str(decision).encode()))
        return out

    async def _problem(
        self,
        scope: Scope,
        send: Send,
        stopped: BodyStopped,
        extra_headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        body = json.dumps(
            {
                "type": f"https://icc-exposure.example/problems/{stopped.slug}",
                "title": stopped.title,
                "status": stopped.status,
                "detail": stopped.detail,
                "instance": scope.get("path", ""),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": stopped.status,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                    *(extra_headers or []),
                    *self._version_headers(scope),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _log(self, scope: Scope, status: int, start: float) -> None:
        if not access.isEnabledFor(logging.INFO):
            return
        extra: dict[str, Any] = {
            "method": scope.get("method"),
            "path": scope.get("path"),
            "status": status,
            "latency_ms": round((time.perf_counter() - start) * 1000, 3),
        }
        decision = (scope.get("state") or {}).get("decision_id")
        if decision:
            extra["decision_id"] = decision
        if self.runtime.ready:
            extra["datasets_version"] = self.runtime.current.snapshot.version
            extra["rules_version"] = self.runtime.current.rulebook.version
        access.info("request", extra=extra)

"""ASGI middleware: version headers, a JSON access log line per request, a body size limit, and
the API key when keys are required.

Plain ASGI rather than BaseHTTPMiddleware: it adds no task or copy per request, and it can stop
an oversized body while it streams in.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.security import PUBLIC_PATHS, key_from_headers, key_matches
from app.runtime import Runtime

access = logging.getLogger("icc_exposure.access")


class BodyTooLarge(Exception):
    pass


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
                    401,
                    "Unauthorized",
                    "an API key is required (X-API-Key header or Authorization: Bearer)",
                    extra_headers=[(b"www-authenticate", b'Bearer realm="icc-exposure"')],
                )
                self._log(scope, 401, start)
                return
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await self._too_large(scope, send, limit)
            self._log(scope, 413, start)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
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
        except BodyTooLarge:
            if not status["started"]:
                await self._too_large(scope, send, limit)
            status["code"] = 413
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

    async def _too_large(self, scope: Scope, send: Send, limit: int) -> None:
        await self._problem(
            scope, send, 413, "Content too large", f"the request body is over {limit} bytes"
        )

    async def _problem(
        self,
        scope: Scope,
        send: Send,
        status: int,
        title: str,
        detail: str,
        extra_headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        body = json.dumps(
            {
                "type": "https://icc-exposure.example/problems/" + title.lower().replace(" ", "-"),
                "title": title,
                "status": status,
                "detail": detail,
                "instance": scope.get("path", ""),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
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

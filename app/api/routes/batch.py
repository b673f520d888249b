"""Itineraries keyed by the caller's ids, and streamed batches of legs (NDJSON or CSV)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
from anyio.abc import ObjectReceiveStream
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.types import Receive, Scope, Send

from app.api.deps import CheckerDep, RuntimeDep
from app.api.work import off_loop
from app.batch import BatchRunner, Format
from app.errors import ContentTooLarge, UnsupportedMedia
from app.itinerary import Itinerary, ItineraryResult, check_itinerary

router = APIRouter(prefix="/v1", tags=["batch"])

NDJSON = "application/x-ndjson"
CSV = "text/csv"


class DuplexStreamingResponse(StreamingResponse):
    """Streams the answer while the request body is still coming in.

    Starlette's StreamingResponse (under ASGI spec 2.3, as uvicorn reports) listens for a
    disconnect by reading ``receive``: that would swallow the request body this endpoint reads
    as it answers. Here the body iterator reads it, and a client that goes away ends the
    iterator (its send fails, or the request stream reports the disconnect).
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.stream_response(send)
        if self.background is not None:
            await self.background()


class ItinerariesRequest(BaseModel):
    itineraries: dict[Annotated[str, Field(min_length=1, max_length=200)], Itinerary] = Field(
        description="Itineraries keyed by the caller's ids.",
        examples=[
            {
                "trip-1": {
                    "traveller": {"name": "Putin"},
                    "legs": [
                        {
                            "id": "a",
                            "country": "Mongolia",
                            "arrive": "2024-09-02",
                            "depart": "2024-09-03",
                        }
                    ],
                }
            }
        ],
    )


class ItinerariesResponse(BaseModel):
    results: dict[str, ItineraryResult] = Field(description="Results keyed by the same ids.")


@router.post(
    "/itineraries",
    operation_id="batch-itineraries",
    summary="Check itineraries: each leg split at change dates, worst segment reported",
    responses={413: {"description": "Too many itineraries (problem+json)."}},
)
async def itineraries(
    checker: CheckerDep, runtime: RuntimeDep, request: Request, body: ItinerariesRequest
) -> ItinerariesResponse:
    limit = runtime.settings.max_itineraries
    if len(body.itineraries) > limit:
        raise ContentTooLarge(
            f"{len(body.itineraries)} itineraries in one request; at most {limit} "
            "(use POST /v1/batch to stream more)",
            limit=limit,
        )

    def work() -> ItinerariesResponse:
        return ItinerariesResponse(
            results={key: check_itinerary(checker, it) for key, it in body.itineraries.items()}
        )

    return await off_loop(request, work)


def _input_format(content_type: str) -> Format:
    lowered = content_type.lower()
    if "csv" in lowered:
        return "csv"
    if "ndjson" in lowered or "jsonl" in lowered or "json-seq" in lowered:
        return "ndjson"
    raise UnsupportedMedia(
        f"send text/csv or application/x-ndjson, not {content_type or 'nothing'}",
        field="header:content-type",
    )


class _Chunks(io.RawIOBase):
    """A blocking byte stream, in the worker thread, over chunks the event loop receives."""

    def __init__(self, receive: ObjectReceiveStream[bytes]) -> None:
        self._receive = receive
        self._pending = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending and not self._done:
            try:
                self._pending = anyio.from_thread.run(self._receive.receive)
            except anyio.EndOfStream:
                self._done = True
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


@router.post(
    "/batch",
    operation_id="batch-stream",
    summary="Stream legs in (NDJSON or CSV), answers out (NDJSON or CSV), one per row, in order",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                CSV: {
                    "schema": {"type": "string"},
                    "example": "id,person,country,arrive,depart,mode\n"
                    "1,Putin,Mongolia,2024-09-02,2024-09-03,visit\n",
                },
                NDJSON: {
                    "schema": {"type": "string"},
                    "example": '{"id": "1", "person": "Putin", '
                    '"country": "MN", "arrive": "2024-09-02"}\n',
                },
            },
        }
    },
    responses={
        200: {"content": {NDJSON: {}, CSV: {}}, "description": "One record per input row."},
        415: {"description": "Not CSV or NDJSON (problem+json)."},
    },
)
async def batch(
    request: Request, checker: CheckerDep, runtime: RuntimeDep
) -> DuplexStreamingResponse:
    fmt_in = _input_format(request.headers.get("content-type", ""))
    fmt_out: Format = "csv" if CSV in request.headers.get("accept", "") else "ndjson"
    settings = runtime.settings
    runner = BatchRunner(checker, max_rows=settings.batch_max_rows)

    async def body() -> AsyncIterator[str]:
        send_in, receive_in = anyio.create_memory_object_stream[bytes](16)
        send_out, receive_out = anyio.create_memory_object_stream[str](16)

        async def feed() -> None:
            async with send_in:
                async for chunk in request.stream():
                    if chunk:
                        await send_in.send(chunk)

        def work() -> None:
            # The rows are parsed and answered in a worker thread: the event loop stays free.
            stream = io.TextIOWrapper(
                io.BufferedReader(_Chunks(receive_in), 65536),
                encoding="utf-8-sig",
                errors="replace",
                newline="",
            )
            try:
                for piece in runner.run(stream, fmt_in, fmt_out):
                    anyio.from_thread.run(send_out.send, piece)
            finally:
                anyio.from_thread.run(send_out.aclose)

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(feed)
            tasks.start_soon(anyio.to_thread.run_sync, work)
            async with receive_out:
                async for piece in receive_out:
                    yield piece

    media = f"{CSV}; charset=utf-8" if fmt_out == "csv" else NDJSON
    return DuplexStreamingResponse(body(), media_type=media)


__all__ = ["router"]

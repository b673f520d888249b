"""Itineraries keyed by the caller's ids, and streamed batches of legs (NDJSON or CSV)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import anyio
from anyio.abc import ObjectReceiveStream
from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field
from starlette.types import Receive, Scope, Send

from app.api.deps import CheckerDep, RuntimeDep
from app.api.middleware import BodyStopped
from app.api.work import off_loop
from app.batch import Format
from app.batch_columnar import SMALL_BYTES, ColumnarRunner
from app.errors import Busy, ContentTooLarge, TooManyRequests, UnsupportedMedia
from app.itinerary import Itinerary, ItineraryResult, check_itinerary
from app.runtime import Runtime

router = APIRouter(prefix="/v1", tags=["batch"])

NDJSON = "application/x-ndjson"
CSV = "text/csv"
#: Bytes of upload answered at a time (about 4,000 legs): answers go out as the upload comes in.
API_BLOCK_BYTES = 256 << 10
#: Real records (the shipped data), shown in the OpenAPI document.
BATCH_NDJSON_EXAMPLE = (
    '{"row":2,"id":"paris","status":"ok","person":{"id":"gaddafi-saif-al-islam",'
    '"name":"Saif Al-Islam Gaddafi","matched":"Saif Al-Islam Gaddafi"},"candidates":[],'
    '"country":"FRA","place":null,"arrive":"2026-03-01","depart":"2026-03-01","mode":"visit",'
    '"exposure":"none","obligation":false,"worst_case_exposure":"none",'
    '"worst":{"start":"2026-03-01","end":"2026-03-01"},"summary":"Saif Al-Islam Gaddafi is '
    "reported dead by 2026-03-01; ... Uncertain: died of gaddafi-saif-al-islam (people.yaml) is "
    "recorded as 2026-02-03, but other sources give none (...); under that value the exposure "
    'would be high and the obligation yes.","alternatives":[{"dataset":"people.yaml",'
    '"record":"gaddafi-saif-al-islam","field":"died","recorded":"2026-02-03","alternative":null,'
    '"reason":"The death is reported by his lawyer, political team and press ...",'
    '"sources":[{"url":"https://www.icc-cpi.int/libya/gaddafi","tier":"official"}],'
    '"exposure":"high","obligation":true,"changes_answer":true,"start":"2026-03-01",'
    '"end":"2026-03-01"}],"freshness":{"datasets_as_of":"2026-11-26","caveat":null},'
    '"segments":[{"start":"2026-03-01","end":"2026-03-01","exposure":"none",'
    '"obligation":false,"rules":["person-deceased","state-party-obligation"]}]}\n'
)
BATCH_CSV_EXAMPLE = (
    "row,id,status,person_id,person_name,country,arrive,depart,mode,exposure,obligation,"
    "worst_start,worst_end,segments,summary,error,field,candidates,worst_case_exposure,place,"
    "datasets_as_of,freshness_caveat,alternatives\r\n"
    "2,niamey,ok,putin-vladimir,Vladimir Vladimirovich Putin,NER,2027-07-01,2027-07-01,visit,"
    'medium,true,2027-07-01,2027-07-01,1,"Niger withdrew ... Uncertain: withdrawals of NER '
    '(states_parties.yaml) ...",,,,medium,NIM Diori Hamani International Airport,2026-11-26,'
    "The leg is after the datasets' as-of date (2026-11-26): only changes already scheduled "
    'then (such as a notified withdrawal) are known.,"states_parties.yaml NER withdrawals=none '
    '(2027-07-01..2027-07-01): exposure high, obligation true"\r\n'
)


class DuplexStreamingResponse(StreamingResponse):
    """Streams the answer while the request body is still coming in.

    Starlette's StreamingResponse (under ASGI spec 2.3, as uvicorn reports) listens for a
    disconnect by reading ``receive``: that would swallow the request body this endpoint reads
    as it answers. Here the body iterator reads it, and a client that goes away ends the
    iterator (its send fails, or the request stream reports the disconnect).

    The status line goes out with the first piece of the answer, not before: an upload found
    too large or stalled before any answer is ready is still a problem (413, 408), not a 200.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        start = {"type": "http.response.start", "status": self.status_code}
        started = False
        try:
            async for chunk in self.body_iterator:
                if not started:
                    await send({**start, "headers": self.raw_headers})
                    started = True
                data = chunk if isinstance(chunk, bytes | memoryview) else chunk.encode()
                await send({"type": "http.response.body", "body": bytes(data), "more_body": True})
        finally:
            close = getattr(self.body_iterator, "aclose", None)
            if close is not None:  # ends the reader and frees the upload slot now, not at GC
                await close()
        if not started:
            await send({**start, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        if self.background is not None:
            await self.background()


class UploadSlots:
    """Bounds streamed batches: a few per client address, a fixed number in all, each in a
    thread of its own pool. Without it, 45 uploads at 1 byte/s held every thread of the shared
    pool and blocked /v1/itineraries for everyone."""

    def __init__(self, per_client: int, total: int) -> None:
        self.per_client = per_client
        self.total = total
        self.limiter = anyio.CapacityLimiter(total)
        self._running: dict[str, int] = {}
        self._count = 0

    @contextmanager
    def take(self, client: str) -> Iterator[None]:
        if self._running.get(client, 0) >= self.per_client:
            raise TooManyRequests(
                f"{self.per_client} batches from this address are running; wait for one to end",
                limit=self.per_client,
            )
        if self._count >= self.total:
            raise Busy(f"{self.total} batches are running; try again shortly", limit=self.total)
        # Taken and released on the event loop thread: no lock needed.
        self._running[client] = self._running.get(client, 0) + 1
        self._count += 1
        try:
            yield
        finally:
            self._count -= 1
            left = self._running[client] - 1
            if left:
                self._running[client] = left
            else:
                del self._running[client]


def _slots(request: Request, runtime: Runtime) -> UploadSlots:
    slots: UploadSlots | None = getattr(request.app.state, "upload_slots", None)
    if slots is None:
        settings = runtime.settings
        slots = UploadSlots(settings.batch_uploads_per_client, settings.batch_uploads)
        request.app.state.upload_slots = slots
    return slots


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
    response_model=ItinerariesResponse,
    responses={413: {"description": "Too many itineraries (problem+json)."}},
)
async def itineraries(
    checker: CheckerDep, runtime: RuntimeDep, request: Request, body: ItinerariesRequest
) -> Response:
    limit = runtime.settings.max_itineraries
    if len(body.itineraries) > limit:
        raise ContentTooLarge(
            f"{len(body.itineraries)} itineraries in one request; at most {limit} "
            "(use POST /v1/batch to stream more)",
            limit=limit,
        )

    def work() -> bytes:
        # Serialised here, off the event loop, as FastAPI would have on it (pydantic's JSON,
        # by alias): the same bytes, and the loop keeps serving checks and health probes.
        answer = ItinerariesResponse(
            results={key: check_itinerary(checker, it) for key, it in body.itineraries.items()}
        )
        return answer.model_dump_json(by_alias=True).encode()

    return Response(await off_loop(request, work), media_type="application/json")


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


class UploadEnded(Exception):
    """The upload was stopped (too large, stalled): the reader ends the batch with a record."""

    def __init__(self, stopped: BodyStopped) -> None:
        super().__init__(stopped.detail)
        self.stopped = stopped


class _Chunks(io.RawIOBase):
    """A blocking byte stream, in the worker thread, over chunks the event loop receives."""

    def __init__(
        self, receive: ObjectReceiveStream[bytes], stopped: Callable[[], BodyStopped | None]
    ) -> None:
        self._receive = receive
        self._stopped = stopped
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
                stopped = self._stopped()
                if stopped is not None:
                    # Not the end of the input: the last line may be cut, so no row is read.
                    raise UploadEnded(stopped) from None
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


@router.post(
    "/batch",
    operation_id="batch-stream",
    summary="Stream legs in (NDJSON or CSV), answers out (NDJSON or CSV), one per row, in order",
    description="Answers go out while the upload comes in, a block of about 256 KB at a time. "
    "An upload of at most 32 KB with a Content-Length is read whole and answered in one "
    "response, with the same records.",
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
        200: {
            "content": {
                NDJSON: {"schema": {"type": "string"}, "example": BATCH_NDJSON_EXAMPLE},
                CSV: {"schema": {"type": "string"}, "example": BATCH_CSV_EXAMPLE},
            },
            "description": "One record per input row, in order: `row`, `id`, `status` (ok, "
            "error, ambiguous, unresolved), the person, country and place, `exposure`, "
            "`obligation`, `worst_case_exposure`, the worst segment, `summary` and `segments`; "
            "`freshness` ({datasets_as_of, caveat}: the caveat is set when the leg begins after "
            "or runs past the datasets' as-of date, or the answer is given more than 30 days "
            "after it) and `alternatives` (each contested fact whose other value changes the "
            "answer on some day of the stay: the other value, the leg's worst exposure and "
            "obligation under it, changes_answer, and the first and last day it changes, start "
            "and end). CSV has the same in columns, the last three `datasets_as_of`, "
            "`freshness_caveat` and `alternatives` (one per fact, joined by '|').",
        },
        408: {"description": "The upload stalled or took too long before any answer."},
        413: {"description": "The upload is over the size limit before any answer."},
        415: {"description": "Not CSV or NDJSON (problem+json)."},
        429: {"description": "Too many batches from this client address at once."},
        503: {"description": "Too many batches running at once."},
    },
)
async def batch(request: Request, checker: CheckerDep, runtime: RuntimeDep) -> Response:
    fmt_in = _input_format(request.headers.get("content-type", ""))
    fmt_out: Format = "csv" if CSV in request.headers.get("accept", "") else "ndjson"
    settings = runtime.settings
    # The columnar path, as the CLI's; blocks smaller than the CLI's so that answers go out
    # while a slow upload is still coming in.
    runner = ColumnarRunner(
        checker, max_rows=settings.batch_max_rows, fmt_out=fmt_out, block_bytes=API_BLOCK_BYTES
    )
    slots = _slots(request, runtime)
    client = request.client.host if request.client else ""
    slot = slots.take(client)
    slot.__enter__()  # refused here (429, 503) before any answer; released when the stream ends
    media = f"{CSV}; charset=utf-8" if fmt_out == "csv" else NDJSON
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) <= SMALL_BYTES:
        # A small upload (a few hundred rows at most): read whole, answered in one call to the
        # batch pool, one response. Streaming both ways buys nothing at this size, and each
        # passage between the worker thread and a busy event loop waits for the loop's turn
        # (20-row batches took 300-440 ms at the median under the mixed load, for 6 ms of CPU).
        try:
            data = await request.body()  # the body limits and timeouts apply (413, 408)

            def answer() -> bytes:
                raw = io.BufferedReader(io.BytesIO(data))
                return b"".join(runner.stream(raw, fmt_in, fmt_out))

            content = await anyio.to_thread.run_sync(answer, limiter=slots.limiter)
        finally:
            slot.__exit__(None, None, None)
        return Response(content, media_type=media)

    async def body() -> AsyncIterator[bytes]:
        send_in, receive_in = anyio.create_memory_object_stream[bytes](16)
        send_out, receive_out = anyio.create_memory_object_stream[bytes](4)
        stopped: list[BodyStopped] = []
        produced: list[bool] = []  # set by the reader once it has an answer to send

        async def feed() -> None:
            async with send_in:
                try:
                    async for chunk in request.stream():
                        if chunk:
                            await send_in.send(chunk)
                except BodyStopped as exc:
                    stopped.append(exc)
                except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                    pass  # the reader is done (row limit): the rest of the upload is not read

        def work() -> None:
            # The rows are parsed and answered in a worker thread: the event loop stays free.
            stream = io.BufferedReader(_Chunks(receive_in, lambda: stopped[0] if stopped else None))
            try:
                for piece in runner.stream(stream, fmt_in, fmt_out):
                    produced.append(True)
                    anyio.from_thread.run(send_out.send, piece)
            except UploadEnded as ended:
                if produced:  # answers are out: the stream ends with a record saying why
                    record = runner.stop_record(ended.stopped.detail).encode()
                    anyio.from_thread.run(send_out.send, record)
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                pass  # the client went away: nobody reads the answers any more
            finally:
                anyio.from_thread.run(send_out.aclose)

        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(feed)
                tasks.start_soon(_run_in(slots.limiter, work))
                async with receive_out:
                    async for piece in receive_out:
                        yield piece
                # The answers are all out. Stop reading what is left of the upload (a batch
                # over the row limit): receive_in closes, uvicorn closes the connection.
                receive_in.close()
                tasks.cancel_scope.cancel()
        finally:
            slot.__exit__(None, None, None)
        if stopped and not produced:
            raise stopped[0]  # before any answer: the middleware answers 413 or 408

    return DuplexStreamingResponse(body(), media_type=media)


def _run_in(limiter: anyio.CapacityLimiter, work: Callable[[], None]) -> Callable[[], Any]:
    async def run() -> None:
        await anyio.to_thread.run_sync(work, limiter=limiter)

    return run


__all__ = ["router"]

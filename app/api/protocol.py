"""uvicorn's HTTP protocol (httptools) with a response's head and body sent in one system call.

uvicorn writes a response's status line and headers, then its body, as two writes to the
socket, so every response costs the event loop two ``send`` calls. On loopback (a proxy or a
load balancer on the same host, the benchmarks) each call also runs the receiver's side of
TCP, and a profile of a worker under the mixed load (bench/mixed_wrk.py) put about a quarter
of the event loop's samples in those two writes. ``HeadWithBody`` holds the head until the
body's first write, then hands both to the transport at once (``writelines``: one ``writev``
under uvloop, no copy). A head whose body does not follow in the same turn of the event loop
(a streamed response whose first piece is still being made) goes out on the loop's next turn,
so a client never waits for headers longer than before but by one turn.

Used by ``icc-exposure serve`` (``http="app.api.protocol:HeadWithBody"``), and by uvicorn run
directly with ``--http app.api.protocol:HeadWithBody``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: What ``_HeadHeld`` has seen of its response: nothing yet, the head held, the head sent.
_NOTHING, _HELD, _SENT = 0, 1, 2


class _HeadHeld:
    """One response's transport as its request cycle writes to it: the first write (the head)
    is held until the next one (the body), and both go out in one call."""

    __slots__ = ("_head", "_loop", "_state", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._state = _NOTHING
        self._head = b""

    def write(self, data: bytes) -> None:
        if self._state == _SENT:
            self._transport.write(data)
        elif self._state == _NOTHING:
            self._head, self._state = data, _HELD
            self._loop.call_soon(self._flush)  # in case no body follows in this turn
        else:
            head, self._head, self._state = self._head, b"", _SENT
            self._transport.writelines((head, data))

    def _flush(self) -> None:
        if self._state == _HELD:
            head, self._head, self._state = self._head, b"", _SENT
            if not self._transport.is_closing():
                self._transport.write(head)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:  # is_closing, get_extra_info, ...: the transport's
        return getattr(self._transport, name)


class HeadWithBody(HttpToolsProtocol):
    """uvicorn's httptools protocol, each request cycle writing through ``_HeadHeld``."""

    def on_headers_complete(self) -> None:
        before = self.cycle
        super().on_headers_complete()
        cycle = self.cycle
        if cycle is not None and cycle is not before:  # a new request (not an upgrade)
            cycle.transport = _HeadHeld(self.transport, self.loop)  # type: ignore[assignment]

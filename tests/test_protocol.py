"""A response's head and body go out in one system call (app/api/protocol.py): against a live
uvicorn running the protocol (the conftest server), whole responses and streamed ones arrive
complete and in order, and the transport sees one write per whole response."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import httpx

from app.api.protocol import _HeadHeld

from .conftest import live_server


class _Transport:
    """What _HeadHeld hands on: the calls, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.closing = False

    def write(self, data: bytes) -> None:
        self.calls.append(("write", data))

    def writelines(self, data: Any) -> None:
        self.calls.append(("writelines", b"".join(data)))

    def close(self) -> None:
        self.calls.append(("close", None))
        self.closing = True

    def is_closing(self) -> bool:
        return self.closing

    def get_extra_info(self, name: str) -> str:
        return f"info:{name}"


def test_a_whole_response_is_one_write_and_a_streamed_head_goes_out_on_the_next_turn() -> None:
    async def run() -> list[tuple[str, Any]]:
        loop = asyncio.get_running_loop()
        whole = _Transport()
        held = _HeadHeld(whole, loop)  # type: ignore[arg-type]
        held.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        held.write(b"{}")
        await asyncio.sleep(0)
        assert whole.calls == [("writelines", b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")]

        streamed = _Transport()
        held = _HeadHeld(streamed, loop)  # type: ignore[arg-type]
        held.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
        assert streamed.calls == []  # held for this turn of the loop
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        held.write(b"2\r\n{}\r\n")
        held.close()
        assert held.get_extra_info("peername") == "info:peername"
        return streamed.calls

    assert asyncio.run(run()) == [
        ("write", b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"),
        ("write", b"2\r\n{}\r\n"),
        ("close", None),
    ]


def test_a_head_not_sent_before_close_is_sent_at_close() -> None:
    async def run() -> list[tuple[str, Any]]:
        transport = _Transport()
        held = _HeadHeld(transport, asyncio.get_running_loop())  # type: ignore[arg-type]
        held.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        held.close()
        await asyncio.sleep(0)  # the scheduled flush finds nothing left to send
        return transport.calls

    assert asyncio.run(run()) == [("write", b"HTTP/1.1 204 No Content\r\n\r\n"), ("close", None)]


def test_the_live_server_answers_pipelined_and_streamed_requests_whole() -> None:
    with live_server() as base:
        # Two requests sent at once on one connection (HTTP/1.1 pipelining): two whole
        # responses, in order, each head with its body.
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            ask = "GET {} HTTP/1.1\r\nHost: x\r\n\r\n"
            sock.sendall((ask.format("/healthz") + ask.format("/readyz")).encode())
            data = b""
            while data.count(b"HTTP/1.1 200") < 2 or not data.endswith(b"}"):
                chunk = sock.recv(65536)
                assert chunk, data
                data += chunk
        first, second = data.split(b"HTTP/1.1 200 OK")[1:]
        assert json.loads(first.split(b"\r\n\r\n", 1)[1]) == {"status": "ok"}
        assert b'"status"' in second.split(b"\r\n\r\n", 1)[1]
        # A streamed batch: every record, in order.
        rows = "".join(f"{i},Putin,Mongolia,2024-09-{1 + i % 28:02d}\n" for i in range(2000))
        with httpx.stream(
            "POST",
            base + "/v1/batch",
            content=("id,person,country,arrive\n" + rows).encode(),
            headers={"content-type": "text/csv", "accept": "application/x-ndjson"},
            timeout=60,
        ) as response:
            assert response.status_code == 200
            records = [json.loads(line) for line in response.iter_lines() if line]
        assert [r["id"] for r in records] == [str(i) for i in range(2000)]
        assert {r["status"] for r in records} == {"ok"}

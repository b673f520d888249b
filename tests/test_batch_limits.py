"""Streamed batches end, whatever the client sends: over the row limit, rows the parsers refuse,
uploads too large or too slow, too many at once. Against a live uvicorn on loopback; every wait
is bounded by a socket or client timeout, and the server must stop when told (the fixture's
terminate-and-wait fails after 10 s)."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from .conftest import live_server

LIMITS = {
    "ICC_EXPOSURE_BATCH_MAX_ROWS": "5",
    "ICC_EXPOSURE_BATCH_MAX_BYTES": "200000",
    "ICC_EXPOSURE_BODY_IDLE_TIMEOUT": "1",
    "ICC_EXPOSURE_BATCH_UPLOADS_PER_CLIENT": "2",
}
GOOD = '{"id": "%s", "person": "Putin", "country": "Mongolia", "arrive": "2024-09-03"}\n'
NDJSON = {"content-type": "application/x-ndjson"}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with live_server(LIMITS) as base:
        yield base


@pytest.fixture(scope="module")
def roomy() -> Iterator[str]:
    """The default row limit, for batches with bad rows in the middle."""
    with live_server() as base:
        yield base


def records(response: httpx.Response) -> list[dict[str, Any]]:
    return [json.loads(line) for line in response.text.splitlines()]


def raw_request(base: str, path: str, headers: dict[str, str], body: bytes) -> socket.socket:
    """A request sent by hand, its body (partly) written and the socket left open."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    sock.sendall(head.encode() + body)
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (bounded by the timeout)."""
    out = b""
    while chunk := sock.recv(65536):
        out += chunk
    return out


def test_a_batch_over_the_row_limit_ends_and_the_connection_closes(server: str) -> None:
    body = "".join(GOOD % i for i in range(2000)).encode()  # 160 kB, under the size limit
    sock = raw_request(
        server,
        "/v1/batch",
        {**NDJSON, "Content-Length": str(len(body))},
        body[:50_000],  # the rest is never sent: the server must not wait for it
    )
    with sock:
        answer = read_all(sock)  # returns only when the server closes: no CLOSE-WAIT
    head, _, rest = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert b"batch limit of 5 rows reached" in rest
    assert rest.count(b'"status":"ok"') == 5
    assert httpx.get(server + "/healthz", timeout=10).status_code == 200


def test_bad_rows_are_error_records_and_the_batch_goes_on(roomy: str) -> None:
    lines = [
        GOOD % "before",
        '{"a":' * 1000 + "1" + "}" * 1000 + "\n",  # nested 1,000 deep
        '{"id": ' + "9" * 4400 + "}\n",  # an integer over Python's 4,300 digits
        '{"id": ' + "9" * 4300 + ', "person": "Putin", "country": "MN", "arrive": "2024-09-03"}\n',
        '{"id": "n", "person": {"name": "Putin"}, "country": "MN", "arrive": "2024-09-03"}\n',
        GOOD % "after",
    ]
    response = httpx.post(
        roomy + "/v1/batch", content="".join(lines).encode(), headers=NDJSON, timeout=30
    )
    got = records(response)
    assert [r["status"] for r in got] == ["ok", "error", "error", "ok", "error", "ok"]
    # The same words on every Python (3.13's parser takes the depth 3.11 and 3.12 refuse).
    assert "nested too deeply" in got[1]["error"]
    assert "4300 digits" in got[2]["error"]
    assert got[3]["id"] == "9" * 4300
    assert "nested too deeply" in got[4]["error"]
    assert got[5]["id"] == "after"


def test_a_csv_field_over_the_csv_limit_is_one_error_record(roomy: str) -> None:
    text = (
        "id,person,country,arrive\n"
        "a,Putin,Mongolia,2024-09-03\n"
        f"b,{'x' * 140_000},Mongolia,2024-09-03\n"
        "c,Putin,Mongolia,2024-09-03\n"
    )
    response = httpx.post(
        roomy + "/v1/batch", content=text.encode(), headers={"content-type": "text/csv"}, timeout=30
    )
    got = records(response)
    assert [r["status"] for r in got] == ["ok", "error", "ok"]
    assert "field larger than field limit" in got[1]["error"]
    assert got[2]["id"] == "c"


def test_an_oversized_chunked_upload_is_a_413_before_any_answer(server: str) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer encoding
        for _ in range(10):
            yield b"x" * 50_000

    response = httpx.post(server + "/v1/batch", content=chunks(), headers=NDJSON, timeout=30)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert "over 200000 bytes" in response.json()["detail"]


def test_a_stalled_upload_is_a_408_problem(server: str) -> None:
    sock = raw_request(server, "/v1/batch", {**NDJSON, "Content-Length": "1000"}, b'{"id": ')
    with sock:
        answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 408")
    assert b"stalled for 1 s" in answer


def test_too_many_uploads_from_one_client_are_refused_and_others_still_answer(
    server: str,
) -> None:
    slow = [
        raw_request(server, "/v1/batch", {**NDJSON, "Content-Length": "100000"}, b"")
        for _ in range(2)
    ]
    try:
        time.sleep(0.3)  # not a timed assert: lets the server take both uploads first
        third = httpx.post(server + "/v1/batch", content=GOOD % 1, headers=NDJSON, timeout=10)
        assert third.status_code == 429
        assert third.headers["content-type"] == "application/problem+json"
        # The slow uploads hold no thread the other endpoints need.
        body = {
            "itineraries": {
                "t": {
                    "traveller": {"name": "Putin"},
                    "legs": [{"country": "Mongolia", "arrive": "2024-09-03"}],
                }
            }
        }
        ok = httpx.post(server + "/v1/itineraries", json=body, timeout=10)
        assert ok.status_code == 200
    finally:
        for sock in slow:
            sock.close()

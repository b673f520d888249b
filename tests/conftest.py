"""Shared fixtures. Everything runs on the shipped datasets and rules (loaded once per session)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from app.checks import Checker
from app.data import Snapshot, load_snapshot
from app.engine.rulebook import Rulebook, load_rulebook

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT / "datasets"
RULES = ROOT / "rules"


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture(scope="session")
def snapshot() -> Snapshot:
    """The shipped datasets."""
    return load_snapshot(DATASETS)


@pytest.fixture(scope="session")
def rulebook() -> Rulebook:
    """The shipped rulebook, compiled into durable-rules."""
    return load_rulebook(RULES)


@pytest.fixture(scope="session")
def checker(snapshot: Snapshot, rulebook: Rulebook) -> Checker:
    return Checker(snapshot, rulebook)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def live_server(env: dict[str, str] | None = None) -> Iterator[str]:
    """uvicorn serving the shipped data on a free loopback port, as `make run` does; yields its
    base address once /readyz answers. ``env`` adds settings (ICC_EXPOSURE_...) to this one."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    command += ["--http", "app.api.protocol:HeadWithBody"]  # as `icc-exposure serve` runs it
    # The log goes to a file: a pipe nobody reads fills up (64 KB of access lines) and then
    # blocks the server mid-request.
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    proc = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=log, env={**os.environ, **(env or {})}
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(base + "/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(log.read().decode(errors="replace") or "server died")
            time.sleep(0.05)
        else:
            raise RuntimeError("server did not become ready")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()

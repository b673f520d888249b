"""The decision log: every answer the API gives, kept under its decision id (SQLite).

So that an answer can be produced again exactly as it was given, with the datasets and rules
versions it rested on. Answers to the same question differ only in their decision id, so each
distinct answer is stored once (with a placeholder for the id) and each decision is a small row
pointing at it. Writes go through a queue to one writer thread, in batches: a check never waits
for the disk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import queue
import sqlite3
import threading
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("icc_exposure")

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (hash BLOB PRIMARY KEY, template BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    answer BLOB NOT NULL REFERENCES answers(hash)
);
"""
SEEN_LIMIT = 100_000
#: How the decision id is written in a stored answer.
PLACEHOLDER = b"\x00DECISION\x00"


#: A decision to write: (id, unix time, the answer with `placeholder` for the id, placeholder).
Entry = tuple[str, float, bytes, bytes]


@dataclass(frozen=True)
class _Marker:
    done: threading.Event


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///path`` URL; other databases are refused."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or len(url) == len(prefix):
        raise ValueError(f"only sqlite:///PATH is supported as the database URL, not {url!r}")
    return Path(url[len(prefix) :])


class DecisionLog:
    """Appends answers from any thread; one writer thread owns the connection's writes."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with closing(self._connect()) as db, db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
        self._queue: queue.Queue[Entry | _Marker | None] = queue.Queue(maxsize=100_000)
        self._writer = threading.Thread(target=self._write, name="decision-log", daemon=True)
        self._writer.start()
        self.dropped = 0

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10, check_same_thread=False)

    def record(self, decision_id: str, template: bytes, placeholder: bytes) -> None:
        """Log a decision: its id and its answer (given as a template with a placeholder)."""
        try:
            self._queue.put_nowait((decision_id, time.time(), template, placeholder))
        except queue.Full:  # never slow an answer down; say so in the logs
            self.dropped += 1
            log.warning("decision log queue full; decision not recorded", extra={"id": decision_id})

    def get(self, decision_id: str) -> bytes | None:
        """The answer given under ``decision_id``, byte for byte; None if unknown."""
        self.flush()
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT a.template FROM decisions d JOIN answers a ON a.hash = d.answer "
                "WHERE d.id = ?",
                (decision_id,),
            ).fetchone()
        if row is None:
            return None
        return bytes(row[0]).replace(PLACEHOLDER, decision_id.encode(), 1)

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until everything recorded so far is written."""
        done = threading.Event()
        self._queue.put(_Marker(done))
        done.wait(timeout)

    def close(self) -> None:
        self._queue.put(None)
        self._writer.join(timeout=10)

    def _write(self) -> None:
        db = self._connect()
        seen: dict[int, bytes] = {}  # id(template) -> hash: templates are shared objects
        stored: set[bytes] = set()
        try:
            while True:
                item = self._queue.get()
                batch: list[Entry] = []
                markers: list[_Marker] = []
                stop = False
                while True:
                    if item is None:
                        stop = True
                    elif isinstance(item, _Marker):
                        markers.append(item)
                    else:
                        batch.append(item)
                    if len(batch) >= 500:
                        break
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                if batch:
                    answers = []
                    rows = []
                    for decision_id, at, template, placeholder in batch:
                        digest = seen.get(id(template))
                        if digest is None:
                            canonical = template.replace(placeholder, PLACEHOLDER, 1)
                            digest = hashlib.blake2b(canonical, digest_size=16).digest()
                            if len(seen) >= SEEN_LIMIT:
                                seen.clear()
                                stored.clear()
                            seen[id(template)] = digest
                            if digest not in stored:
                                stored.add(digest)
                                answers.append((digest, canonical))
                        when = dt.datetime.fromtimestamp(at, dt.UTC).isoformat(
                            timespec="milliseconds"
                        )
                        rows.append((decision_id, when, digest))
                    with db:
                        db.executemany(
                            "INSERT OR IGNORE INTO answers (hash, template) VALUES (?, ?)", answers
                        )
                        db.executemany(
                            "INSERT OR REPLACE INTO decisions (id, at, answer) VALUES (?, ?, ?)",
                            rows,
                        )
                for marker in markers:
                    marker.done.set()
                if stop:
                    return
        except sqlite3.Error:
            log.exception("decision log writer failed")
        finally:
            db.close()

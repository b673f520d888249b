"""The decision log: every answer the API gives, kept under its decision id (SQLite or PostgreSQL).

So that an answer can be produced again exactly as it was given, with the datasets and rules
versions it rested on. Answers to the same question differ only in their decision id, so each
distinct answer is stored once, under a hash of its bytes (with a placeholder for the id), and
each decision is a small row pointing at it. Writes go through a queue to one writer thread, in
batches: a check never waits for the database.

What is stored: for each decision, its id, the time it was given (UTC) and the answer's JSON,
which names the person asked about (as typed and as matched), the country, the date and mode,
and the answer itself. Nothing about the caller (no address, no key). Rows older than the
retention setting are purged by the writer (at start, then hourly).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import queue
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

log = logging.getLogger("icc_exposure")

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (hash {blob} PRIMARY KEY, template {blob} NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    answer {blob} NOT NULL REFERENCES answers(hash)
);
CREATE INDEX IF NOT EXISTS decisions_at ON decisions (at);
CREATE INDEX IF NOT EXISTS decisions_answer ON decisions (answer);
"""
# Both SQLite (3.24+) and PostgreSQL speak ON CONFLICT; only the parameter marks differ.
INSERT_ANSWER = "INSERT INTO answers (hash, template) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING"
INSERT_DECISION = (
    "INSERT INTO decisions (id, at, answer) VALUES (?, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET at = excluded.at, answer = excluded.answer"
)
SELECT_ANSWER = (
    "SELECT a.template FROM decisions d JOIN answers a ON a.hash = d.answer WHERE d.id = ?"
)
PURGE_DECISIONS = "DELETE FROM decisions WHERE at < ?"
PURGE_ANSWERS = (
    "DELETE FROM answers WHERE NOT EXISTS (SELECT 1 FROM decisions d WHERE d.answer = answers.hash)"
)
#: How the decision id is written in a stored answer.
PLACEHOLDER = b"\x00DECISION\x00"
#: Hashes of answers this process wrote, remembered so that a repeated answer is not sent again.
STORED_LIMIT = 100_000
#: ...but only this long (seconds): a purge, in any process sharing the database, deletes only
#: answers no decision younger than the retention (a day at least) points to, so an answer
#: this process wrote or confirmed within the last hour cannot have been purged.
STORED_TTL = 3600.0
PURGE_EVERY = 3600.0
BATCH = 500


#: A decision to write: (id, unix time, the answer with `placeholder` for the id, placeholder).
Entry = tuple[str, float, bytes, bytes]


@dataclass(frozen=True)
class Database:
    """Where the log lives: a SQLite file or a PostgreSQL server."""

    kind: Literal["sqlite", "postgresql"]
    path: Path | None = None
    url: str = field(default="", repr=False)  # may hold a password: never in a message

    @property
    def safe(self) -> str:
        """The location, for logs and errors: no password."""
        if self.kind == "sqlite":
            return f"sqlite:///{self.path}"
        parts = urlsplit(self.url)
        return f"postgresql://{parts.hostname or 'localhost'}{parts.path}"


def parse_database_url(url: str) -> Database:
    """``sqlite:///PATH`` or ``postgresql://...`` (also ``postgres://``, ``postgresql+psycopg://``);
    anything else is refused. The URL is never repeated in the error (it may hold a password)."""
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return Database("sqlite", path=Path(url[len("sqlite:///") :]))
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return Database("postgresql", url="postgresql://" + url.split("://", 1)[1])
    raise ValueError(
        "the database URL must be sqlite:///PATH or postgresql://USER@HOST/DB "
        f"(got a URL with scheme {scheme or 'none'!r})"
    )


@dataclass(frozen=True)
class _Marker:
    done: threading.Event
    purge: bool = False


class DecisionLog:
    """Appends answers from any thread; one writer thread owns the writes."""

    def __init__(self, database: Database | Path, retention_days: int = 0) -> None:
        if isinstance(database, Path):
            database = Database("sqlite", path=database)
        self.database = database
        self.retention_days = retention_days
        self._param = "?" if database.kind == "sqlite" else "%s"
        if database.kind == "sqlite":
            assert database.path is not None
            _private_file(database.path)
        db = self._connect()
        try:
            if database.kind == "sqlite":
                db.execute("PRAGMA journal_mode=WAL")
            cursor = db.cursor()
            blob = "BLOB" if database.kind == "sqlite" else "BYTEA"
            for statement in SCHEMA.format(blob=blob).split(";"):
                if statement.strip():
                    cursor.execute(statement)
            db.commit()
        finally:
            db.close()
        self._queue: queue.Queue[Entry | _Marker | None] = queue.Queue(maxsize=100_000)
        self.dropped = 0
        self.failed = 0
        self._reader: Any = None
        self._reader_lock = threading.Lock()
        self._writer = threading.Thread(target=self._write, name="decision-log", daemon=True)
        self._writer.start()

    @property
    def path(self) -> Path | None:
        """The SQLite file, if the log is one."""
        return self.database.path

    def _connect(self, autocommit: bool = False) -> Any:
        if self.database.kind == "sqlite":
            assert self.database.path is not None
            return sqlite3.connect(
                self.database.path,
                timeout=10,
                check_same_thread=False,
                isolation_level=None if autocommit else "DEFERRED",
            )
        import psycopg  # only needed for PostgreSQL: pip install 'icc-exposure[postgres]'

        return psycopg.connect(self.database.url, connect_timeout=10, autocommit=autocommit)

    def _sql(self, statement: str) -> str:
        return statement if self._param == "?" else statement.replace("?", self._param)

    def record(
        self, decision_id: str, template: bytes, placeholder: bytes, at: float | None = None
    ) -> None:
        """Log a decision: its id and its answer (given as a template with a placeholder)."""
        try:
            self._queue.put_nowait(
                (decision_id, time.time() if at is None else at, template, placeholder)
            )
        except queue.Full:  # never slow an answer down; say so in the logs
            self.dropped += 1
            log.warning("decision log queue full; decision not recorded", extra={"id": decision_id})

    def get(self, decision_id: str) -> bytes | None:
        """The answer given under ``decision_id``, byte for byte; None if unknown."""
        self.flush()
        with self._reader_lock:
            # One reader connection, autocommit so each read sees every committed write.
            for attempt in (1, 2):
                try:
                    if self._reader is None:
                        self._reader = self._connect(autocommit=True)
                    cursor = self._reader.cursor()
                    cursor.execute(self._sql(SELECT_ANSWER), (decision_id,))
                    row = cursor.fetchone()
                    break
                except Exception:
                    self._close_reader()
                    if attempt == 2:
                        raise
        if row is None:
            return None
        return bytes(row[0]).replace(PLACEHOLDER, decision_id.encode(), 1)

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until everything recorded so far is written."""
        done = threading.Event()
        self._queue.put(_Marker(done))
        done.wait(timeout)

    def purge(self, timeout: float = 30.0) -> None:
        """Delete decisions older than the retention now (the writer also does it hourly)."""
        done = threading.Event()
        self._queue.put(_Marker(done, purge=True))
        done.wait(timeout)

    def close(self) -> None:
        self._queue.put(None)
        self._writer.join(timeout=10)
        with self._reader_lock:
            self._close_reader()

    def _close_reader(self) -> None:
        if self._reader is not None:
            try:
                self._reader.close()
            except Exception:
                log.debug("closing the reader connection failed")
            self._reader = None

    # --- the writer thread ----------------------------------------------------------------------

    def _write(self) -> None:
        db: Any = None
        stored: dict[bytes, float] = {}  # answer hash -> when this process last wrote it
        next_purge = 0.0
        while True:
            try:
                item = self._queue.get(timeout=max(0.1, next_purge - time.monotonic()))
            except queue.Empty:
                item = _Marker(threading.Event(), purge=True)
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
                if len(batch) >= BATCH:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            purge = any(m.purge for m in markers) or time.monotonic() >= next_purge
            try:
                if db is None:
                    db = self._connect()
                if batch:
                    self._store(db, batch, stored)
                if purge and self.retention_days > 0:
                    self._purge(db)
                    stored.clear()
            except Exception:  # a database that went away: drop this batch, reconnect next time
                self.failed += len(batch)
                log.exception("decision log write failed", extra={"database": self.database.safe})
                stored.clear()
                if db is not None:
                    try:
                        db.close()
                    except Exception:
                        log.debug("closing a failed connection failed too")
                    db = None
            if purge:
                next_purge = time.monotonic() + PURGE_EVERY
            for marker in markers:
                marker.done.set()
            if stop:
                if db is not None:
                    db.close()
                return

    def _store(self, db: Any, batch: list[Entry], stored: dict[bytes, float]) -> None:
        now = time.monotonic()
        answers: list[tuple[bytes, bytes]] = []
        rows: list[tuple[str, str, bytes]] = []
        for decision_id, at, template, placeholder in batch:
            # Keyed by content: equal bytes give the same hash, whatever object holds them.
            canonical = template.replace(placeholder, PLACEHOLDER, 1)
            digest = hashlib.blake2b(canonical, digest_size=16).digest()
            written = stored.get(digest)
            if written is None or now - written > STORED_TTL:
                if len(stored) >= STORED_LIMIT:
                    stored.clear()
                stored[digest] = now
                answers.append((digest, canonical))
            when = dt.datetime.fromtimestamp(at, dt.UTC).isoformat(timespec="milliseconds")
            rows.append((decision_id, when, digest))
        try:
            cursor = db.cursor()
            if answers:
                cursor.executemany(self._sql(INSERT_ANSWER), answers)
            cursor.executemany(self._sql(INSERT_DECISION), rows)
            db.commit()
        except Exception:
            for digest, _ in answers:  # not written after all
                stored.pop(digest, None)
            raise

    def _purge(self, db: Any) -> None:
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=self.retention_days)
        cursor = db.cursor()
        cursor.execute(self._sql(PURGE_DECISIONS), (cutoff.isoformat(timespec="milliseconds"),))
        purged = cursor.rowcount
        cursor.execute(PURGE_ANSWERS)
        db.commit()
        if purged:
            log.info("decision log purged", extra={"decisions": purged})


def _private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (SQLite gives its -wal and -shm files
    the same mode); an existing file is tightened to that too."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)

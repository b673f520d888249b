"""The batch path of ``icc-exposure batch`` and ``POST /v1/batch``, on a columnar engine (Polars):
the same records as the row path (``app.batch.BatchRunner``, kept as the reference the tests
compare against), row for row, with the per-row work in native code.

The input is read in bounded blocks of bytes (flat memory whatever its size); a CSV block
without quotes, blank lines or stray carriage returns is parsed by Polars, any other block (and
NDJSON) by the row path's own readers (the csv and json modules, so their rules hold exactly).
Then, per block: dates, modes and lengths are checked as columns; each distinct name and each
distinct country or place is resolved once per batch; a binary search on the sorted change dates
of every (person, country) gives each leg the interval between change dates it starts and ends
in; each distinct (person, place, mode, interval) is answered once, through the Checker
(durable-rules), by the row path's own ``BatchRunner._leg``, as a template with the leg's dates
left open; and each output line is the template with the leg's row number, id and dates spliced
in, written as bytes. Every other row (a bad row, a stay across a change date, a name with
several candidates) is answered by the row path itself, in place.

Three threads share the work, a block each: one reads, parses and checks the next block, one
(this generator's) resolves and templates a block (mostly Python), and one builds the lines of
the block before (native code, which releases the GIL).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import queue
import re
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal, TypeVar

import polars as pl

from app.batch import (
    CSV_OUT,
    KEY_FIELDS,
    MODES,
    Answer,
    BatchRunner,
    Format,
    _render,
    _render_error,
    csv_names,
)
from app.errors import DomainError
from app.itinerary import MAX_STAY_DAYS, boundaries
from app.resolve.people import MAX_NAME, PersonMatch
from app.types import DATE_MAX, DATE_MIN

#: Bytes of CSV read per block (about 10,000 legs of 64 bytes; their answers are about 7 MB).
#: Three blocks are in hand at once (one read ahead, one prepared, one whose lines are built):
#: larger blocks are a little faster but raise the peak memory (768 KB: 280-298 MB at 1M legs,
#: 640 KB: about 262 MB, 512 KB: about 250 MB).
BLOCK_BYTES = 640 << 10
#: An input of at most this many bytes (an itinerary, an API call of a few hundred rows) is
#: answered row by row: same bytes, and the columnar engine's fixed cost per block is larger than
#: the rows' own (20 rows: about 28 ms of CPU columnar, 5 ms row by row; docs/benchmarks.md).
SMALL_BYTES = 32 << 10
#: Rows per block when the row path's readers parse (NDJSON, or CSV the fast reader refuses).
CHUNK_ROWS = 32_768
#: Most answer templates kept (each about 1 KB); past it they are made again as needed.
TEMPLATE_LIMIT = 50_000
#: Stand for the leg's dates in an answer template; filled in per row.
ARRIVE = "\u2063ARRIVE\u2063"
DEPART = "\u2063DEPART\u2063"
#: What Python's str.strip() removes (str.isspace): Polars' default set lacks U+001C..U+001F.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
#: Unicode category Cc, which app.types.plain_text refuses.
_CONTROL = r"[\x00-\x1f\x7f-\x9f]"
_ISO = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_CSV_SPECIAL = '[",\r\n]'
_JSON_PLAIN = r"^[\x20-\x21\x23-\x5b\x5d-\x7e]*$"  # printable ASCII but '"' and '\'
#: Days from 1900-01-01 to 1970-01-01 (Polars dates count from 1970); keys below pack a pair
#: of (person, country) and a day since 1900 into one sortable integer.
_EPOCH_1900 = 25_567
_DAY_BITS = 17
#: The engine of the lazy queries here: Polars' default ("auto") picks the streaming engine,
#: whose fixed cost per query is twice the in-memory engine's on a block of 10,000 rows.
ENGINE: Literal["in-memory"] = "in-memory"
_NO_PERSON = "\x00"  # a join key for "no person matched" (Polars joins skip nulls)
#: (row number, id, the row's fields or why the reader refused it)
Row = tuple[int, str, tuple[str, ...] | str]
_T = TypeVar("_T")


class ColumnarRunner(BatchRunner):
    """A BatchRunner that answers blocks of rows as columns; keep one per batch.

    ``block_bytes`` and ``chunk_rows`` trade speed for how soon the first answers go out."""

    def __init__(
        self,
        *args: Any,
        block_bytes: int = BLOCK_BYTES,
        chunk_rows: int = CHUNK_ROWS,
        small_bytes: int = SMALL_BYTES,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.block_bytes = block_bytes
        self.small_bytes = small_bytes
        self.chunk_rows = chunk_rows
        self._forget()
        # (person id, iso3, area id) -> its number in the search keys, and the keys themselves.
        self._pairs: dict[tuple[str | None, str, str | None], int] = {}
        self._pair_bounds: dict[int, tuple[dt.date, ...]] = {}
        self._pairs_table = _Table({"person_id": pl.String, "geo": pl.String, "pair": pl.Int64})
        self._search: tuple[pl.Series, pl.Series] | None = None

    def _forget(self) -> None:
        """Keys for names, places and templates, held across blocks so that a template is made
        once per batch; dropped together when they grow past the bound (flat memory)."""
        self._p_keys: dict[tuple[str, str, str], tuple[int, str, PersonMatch | None]] = {}
        self._l_keys: dict[tuple[str, str], tuple[int, str, Any]] = {}
        self._located: dict[int, Any] = {}
        self._matches: dict[int, PersonMatch] = {}
        # The first number given to a person matched by an alias, and to a country named
        # without a place: other spellings of the same take the same number.
        self._same_person: dict[tuple[str, str | None, str], int] = {}
        self._same_place: dict[str, int] = {}
        # The templates made: key, exposure, obligation, t0..tN, d1..dN (see _grown).
        self._table: pl.DataFrame | None = None
        self._shape: _Shape | None = None
        self._index: pl.DataFrame | None = None
        # What _template_shape reports of the table, kept up to date by _note_shape.
        self._empty: list[bool] = []
        self._kinds: list[set[int]] = []
        # The same as tables the block query joins on.
        self._people_table = _Table(
            {
                "person": pl.String,
                "birth_date": pl.String,
                "nationality": pl.String,
                "who": pl.Int64,
                "person_id": pl.String,
            }
        )
        self._places_table = _Table(
            {"country": pl.String, "place": pl.String, "loc": pl.Int64, "geo": pl.String}
        )

    # --- the stream -------------------------------------------------------------------------------

    def stream(self, raw: BinaryIO, fmt_in: Format, fmt_out: Format) -> Iterator[bytes]:
        """Output bytes, a block of records at a time; the CSV header first, with the first
        block (so that nothing is out before the first rows are read: the API can still
        refuse). ``raw`` is a buffered binary stream (``read1`` and ``readline``)."""
        if fmt_out != self.fmt_out:
            self.fmt_out = fmt_out
            self._answers.clear()
            self._table = None
            self._shape = None
            self._index = None
            self._empty, self._kinds = [], []
        head = raw.read(self.small_bytes + 1) if self.small_bytes else b""
        if self.small_bytes and len(head) <= self.small_bytes:
            # The whole input is small: the row path (the reference), read as the CLI's
            # --row-path reads it.
            whole = io.TextIOWrapper(
                io.BytesIO(head), encoding="utf-8-sig", errors="replace", newline=""
            )
            for piece in self.run(whole, fmt_in, fmt_out):
                yield piece.encode()
            return
        if head:
            raw = io.BufferedReader(_Prefixed(head, raw))
        header = (",".join(CSV_OUT) + "\r\n").encode() if fmt_out == "csv" else b""
        if fmt_in == "csv":
            chunks = self._csv_chunks(raw)
        else:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
            chunks = self._row_chunks(self.rows(text, fmt_in))
        checked: Iterator[pl.DataFrame] = map(_checked, chunks)
        if self.max_rows is None:
            # Read, parsed and checked on a thread of its own, a block ahead. Not under a row
            # limit: there the next block's size depends on the rows answered so far.
            checked = _ahead(checked)
        # Each block's lines are built (native code, the GIL released) on a second thread
        # while the next block is prepared (mostly Python): one block in each hand at most.
        with ThreadPoolExecutor(1, thread_name_prefix="batch-lines") as pool:
            pending: deque[tuple[Future[bytes], str | None]] = deque()
            for frame in checked:
                limited = self._limit(frame)
                if limited is None:
                    break
                frame, stop = limited
                pending.append((pool.submit(self._lines, self._prepared(frame)), stop))
                if stop is not None:
                    break
                while len(pending) > 1:
                    data = _output(pending.popleft())
                    if data or header:
                        yield header + data
                        header = b""
            while pending:
                data = _output(pending.popleft())
                if data or header:
                    yield header + data
                    header = b""
        if header:
            yield header

    def run_text(self, text: str, fmt_in: Format, fmt_out: Format) -> str:
        """A whole batch in memory (tests, small inputs)."""
        raw = io.BufferedReader(io.BytesIO(text.encode()))
        return b"".join(self.stream(raw, fmt_in, fmt_out)).decode()

    def _room(self) -> int:
        """Rows to read for the next block: never more than one past the row limit, so that a
        batch over it stops reading there."""
        if self.max_rows is None:
            return self.chunk_rows
        return max(1, min(self.chunk_rows, self.max_rows - self.stats.rows + 1))

    # --- reading ----------------------------------------------------------------------------------

    def _row_chunks(self, rows: Iterator[Row]) -> Iterator[pl.DataFrame]:
        """Blocks of the row path's own reader's rows (NDJSON, and CSV the fast reader refuses)."""
        block: list[Row] = []
        for row in rows:
            block.append(row)
            if len(block) >= self._room():
                yield _frame(block)
                block = []
        if block:
            yield _frame(block)

    def _csv_chunks(self, raw: BinaryIO) -> Iterator[pl.DataFrame]:
        first = raw.readline()
        if first.startswith(b"\xef\xbb\xbf"):
            first = first[3:]
        if not first.strip(b"\r\n") or b'"' in first or b"\r" in first.rstrip(b"\r\n"):
            # An odd header (blank, quoted, broken): the row path reads the whole stream.
            whole = io.TextIOWrapper(
                io.BufferedReader(_Prefixed(first, raw)),
                encoding="utf-8",
                errors="replace",
                newline="",
            )
            yield from self._row_chunks(self.rows(whole, "csv"))
            return
        names = csv_names(next(csv.reader([first.decode("utf-8", "replace")]), []))
        if names is None:
            self.stats.unreadable = (
                "the CSV header needs person, country (or place) and arrive (or date)"
            )
            yield _frame([(1, "", self.stats.unreadable)])
            return
        width = len(names)
        index = {name: i for i, name in enumerate(names)}
        row_number = 1
        while True:
            block = self._block(raw)
            if not block:
                return
            frame = _polars_csv(block, width)
            if frame is None:
                text = block.decode("utf-8", "replace")
                records = self.csv_records(
                    csv.reader(io.StringIO(text, newline="")), names, row_number
                )
                rows = list(records)
                row_number = self.csv_row
                yield _frame(rows)
                continue
            id_at = index.get("id")
            columns = [
                pl.int_range(row_number + 1, row_number + 1 + frame.height, dtype=pl.Int64).alias(
                    "row"
                ),
                (pl.col(f"c{id_at}").fill_null("") if id_at is not None else pl.lit("")).alias(
                    "id"
                ),
            ]
            for name in KEY_FIELDS:
                at = index.get(name)
                value = (
                    pl.col(f"c{at}").fill_null("").str.strip_chars(WHITESPACE)
                    if at is not None
                    else pl.lit("")
                )
                columns.append(value.alias(name))
            row_number += frame.height
            yield frame.select(*columns, pl.lit(None, dtype=pl.String).alias("error"))

    def _block(self, raw: BinaryIO) -> bytes:
        """The next whole lines of the input: about ``block_bytes`` of them, never more lines
        than the row limit leaves, and on to the end of a quoted field that goes on past it."""
        room = self._room()
        if room < self.chunk_rows:
            lines: list[bytes] = []
            while len(lines) < room and (line := raw.readline()):
                lines.append(line)
            block = b"".join(lines)
        else:
            block = raw.read(self.block_bytes)
            if block and not block.endswith(b"\n"):
                block += raw.readline()
        while b'"' in block and block.count(b'"') % 2:
            more = raw.readline()
            if not more:
                break
            block += more
        return block

    # --- the row limit ----------------------------------------------------------------------------

    def _limit(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, str | None] | None:
        """The block cut at the batch's row limit, with the record that says so."""
        if self.max_rows is None:
            return frame, None
        room = self.max_rows - self.stats.rows
        if frame.height <= room:
            return frame, None
        if room < 0:
            return None
        cut, ident = frame.row(room)[:2]  # the first row over the limit
        stop = _render_error(
            cut,
            ident,
            f"batch limit of {self.max_rows} rows reached; the remaining rows were not read",
            None,
            self.fmt_out,
        )
        self.stats.errors += 1
        return frame.head(room), stop

    # --- answering --------------------------------------------------------------------------------

    def _answer_chunk(self, frame: pl.DataFrame) -> bytes:
        """A block's output bytes (both halves of the work, one after the other)."""
        return self._lines(self._prepared(_checked(frame)))

    def _prepared(self, frame: pl.DataFrame) -> _Block:
        """What a block's lines are made of: its rows (checked by ``_checked``) resolved and
        templated, and the row path's lines for the rows it answers. The Python half of the
        work; ``_lines``, the native half, can run on another thread meanwhile."""
        stats = self.stats
        stats.rows += frame.height
        fmt = self.fmt_out
        made = self._table.height if self._table is not None else 0
        if made > TEMPLATE_LIMIT or len(self._p_keys) + len(self._l_keys) > 4 * TEMPLATE_LIMIT:
            self._forget()
        frame = self._keyed(frame)
        self._count(frame)
        # The row path answers every other row, exactly as it would have.
        slow = frame.filter(~pl.col("fast")).select("pos", "row", "id", "error", *KEY_FIELDS)
        positions: list[int] = []
        lines: list[str] = []
        for pos, row_number, ident, error, *values in slow.iter_rows():
            positions.append(pos)
            if error is not None:  # a row the reader refused
                stats.errors += 1
                lines.append(_render_error(row_number, ident, error, None, fmt))
                continue
            answer = self.answer(tuple(values))
            self.count(answer)
            lines.append(_render(row_number, ident, answer, fmt))
        kept = frame.select("row", "id", "arrive", "depart", "fast", "tid")
        return _Block(kept, positions, lines, self._template_shape(), fmt)

    def _keyed(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Each row's person (``who``), place (``loc``), pair of (person, country) whose change
        dates cut its stay (``pair``), the intervals between change dates it starts and ends in
        (``i``, ``j``), whether one template answers it (``fast``), that template's key and row
        in the table (``tid``), all in one query per block against tables of what the batch has
        resolved so far. Names, places and pairs not seen before (the first blocks, mostly) are
        resolved in Python, once per batch each, and the query is run again; then the templates
        not made yet are made (``_made``)."""
        frame = frame.with_row_index("pos")
        for _ in range(3):  # new names or places, then new pairs, then none
            keyed = self._key_query(frame)
            new_people, new_places, new_pairs, new_templates = keyed.select(
                (pl.col("ok") & pl.col("who").is_null()).any().alias("people"),
                (pl.col("ok") & pl.col("loc").is_null()).any().alias("places"),
                (pl.col("ok2") & pl.col("pair").is_null()).any().alias("pairs"),
                (pl.col("fast") & pl.col("tid").is_null()).any().alias("templates"),
            ).row(0)
            if new_people or new_places:
                self._resolve_new(keyed, new_people, new_places)
            elif new_pairs:
                self._pair_new(keyed)
            else:
                break
        if new_templates:
            self._made(keyed.filter(pl.col("fast") & pl.col("tid").is_null()))
            keyed = keyed.drop("tid", "exposure", "obligation").join(
                self._index_frame(), on="key", how="left", maintain_order="left"
            )
        return keyed

    def _key_query(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The one query of ``_keyed``: joins on the tables, the binary search of (pair, day) in
        the sorted (pair, change date) keys, the template key and its row in the table."""
        query = (
            frame.lazy()
            .join(
                self._people_table.frame().lazy(),
                on=["person", "birth_date", "nationality"],
                how="left",
                maintain_order="left",
            )
            .join(
                self._places_table.frame().lazy(),
                on=["country", "place"],
                how="left",
                maintain_order="left",
            )
            .with_columns(
                ok2=pl.col("ok")
                & (pl.col("who").fill_null(-1) >= 0)
                & (pl.col("loc").fill_null(-1) >= 0)
            )
            .join(
                self._pairs_table.frame().lazy(),
                on=["person_id", "geo"],
                how="left",
                maintain_order="left",
            )
        )
        keys, interval = self._search_keys()
        if keys.len():
            pair = pl.col("pair").fill_null(0) * (1 << _DAY_BITS)
            first = pair + pl.col("first").cast(pl.Int64).fill_null(0) + _EPOCH_1900
            last = pair + pl.col("last").cast(pl.Int64).fill_null(0) + _EPOCH_1900
            at_first = (pl.lit(keys).search_sorted(first, side="right") - 1).clip(0)
            at_last = (pl.lit(keys).search_sorted(last, side="right") - 1).clip(0)
            query = query.with_columns(
                i=pl.lit(interval).gather(at_first), j=pl.lit(interval).gather(at_last)
            )
        else:
            query = query.with_columns(i=pl.lit(0, dtype=pl.Int64), j=pl.lit(0, dtype=pl.Int64))
        mode = pl.col("mode").replace_strict(_MODE_CODE, default=len(MODES), return_dtype=pl.Int64)
        key = ((pl.col("who") * (1 << _LOC_BITS) + pl.col("loc")) * (1 << _MODE_BITS) + mode) * (
            1 << _I_BITS
        ) + pl.col("i")
        fast = (
            pl.col("ok2")
            & pl.col("pair").is_not_null()
            & (pl.col("i") == pl.col("j"))
            & (pl.col("i") < (1 << _I_BITS))
            & (pl.col("who") < (1 << _LOC_BITS))
            & (pl.col("loc") < (1 << _LOC_BITS))
        )
        return (
            query.with_columns(fast=fast.fill_null(False))
            .with_columns(key=pl.when(pl.col("fast")).then(key))
            .join(self._index_frame().lazy(), on="key", how="left", maintain_order="left")
            .collect(engine=ENGINE)
        )

    def _resolve_new(self, keyed: pl.DataFrame, people: bool, places: bool) -> None:
        """Names and places of the block's valid rows not seen before, resolved once per batch:
        a number for the person matched (``who``) and for the place (``loc``); a failure (-1)
        leaves the row to the row path."""
        ok = keyed.filter(pl.col("ok"))
        if people:
            rows: list[tuple[str, str, str, int, str]] = []
            fresh = ok.filter(pl.col("who").is_null()).select("person", "birth_date", "nationality")
            for person, birth, nationality in fresh.unique().iter_rows():
                key = (person, birth, nationality)
                found = self._p_keys.get(key)
                if found is None:
                    try:
                        match: PersonMatch | None = self._person(person, birth, nationality)
                    except (DomainError, ValueError):
                        match = None
                    if match is None or not self.per_interval(match):
                        found = (-1, _NO_PERSON, None)  # answered by the row path
                    else:
                        who = len(self._p_keys)
                        if match.person is not None:
                            # Spellings that match the same person by the same alias, as
                            # surely, share their templates (the answer shows the person and
                            # the alias).
                            alike = (match.person.id, match.matched, match.level)
                            who = self._same_person.setdefault(alike, who)
                        self._matches.setdefault(who, match)
                        found = (who, match.person.id if match.person else _NO_PERSON, match)
                    self._p_keys[key] = found
                rows.append((person, birth, nationality, found[0], found[1]))
            self._people_table.extend(rows)
        if places:
            places_rows: list[tuple[str, str, int, str]] = []
            fresh = ok.filter(pl.col("loc").is_null()).select("country", "place")
            for country, place in fresh.unique().iter_rows():
                key2 = (country, place)
                found2 = self._l_keys.get(key2)
                if found2 is None:
                    located = self._locate(country, place)
                    if located is None:
                        found2 = (-1, "", None)
                    else:
                        loc = len(self._l_keys)
                        where = located[0]
                        if located[1] is None:
                            # Names of one country (UK, United Kingdom) share their templates.
                            same = self._same_place.setdefault(where.iso3, loc)
                            if same != loc and self._located[same][0] == where:
                                loc = same
                        self._located.setdefault(loc, located)
                        geo = f"{where.iso3}|{where.area.id}" if where.area else where.iso3
                        found2 = (loc, geo, located)
                    self._l_keys[key2] = found2
                places_rows.append((country, place, found2[0], found2[1]))
            self._places_table.extend(places_rows)

    def _locate(self, country: str, place: str) -> Any:
        try:
            return self._country(country, place)
        except DomainError:
            return None

    def _pair_new(self, keyed: pl.DataFrame) -> None:
        """Pairs of (person, country) not seen before: their change dates, sorted into the
        search keys."""
        fresh = keyed.filter(pl.col("ok2") & pl.col("pair").is_null())
        pairs = fresh.select("person_id", "geo", "loc").unique(subset=["person_id", "geo"])
        pairs_rows: list[tuple[str, str, int]] = []
        for person_id, geo, loc in pairs.iter_rows():
            where = self._located[loc][0]
            key = (
                None if person_id == _NO_PERSON else person_id,
                where.iso3,
                where.area.id if where.area else None,
            )
            number = self._pairs.get(key)
            if number is None:
                number = self._pairs[key] = len(self._pairs)
                self._pair_bounds[number] = self._bounds.setdefault(
                    key, boundaries(self.checker, key[0], where.iso3, where.area)
                )
                self._search = None
            pairs_rows.append((person_id, geo, number))
        self._pairs_table.extend(pairs_rows)

    def _index_frame(self) -> pl.DataFrame:
        """Template key -> its row in the table (``tid``), with its exposure and obligation."""
        if self._index is None:
            table = self._table
            if table is None:
                self._index = pl.DataFrame(
                    schema={
                        "key": pl.Int64,
                        "tid": pl.UInt32,
                        "exposure": pl.String,
                        "obligation": pl.Boolean,
                    }
                )
            else:
                self._index = table.select("key", "exposure", "obligation").with_row_index("tid")
        return self._index

    def _search_keys(self) -> tuple[pl.Series, pl.Series]:
        """(pair, day) keys sorted, and the interval each starts: the pair's own key at day 0
        starts interval 0, its k-th change date interval k."""
        if self._search is None:
            keys: list[int] = []
            interval: list[int] = []
            for number in sorted(self._pair_bounds):
                base = number << _DAY_BITS
                keys.append(base)
                interval.append(0)
                for k, day in enumerate(self._pair_bounds[number], start=1):
                    offset = min(max(day.toordinal() - _ORDINAL_1900, 0), (1 << _DAY_BITS) - 1)
                    keys.append(base + offset)
                    interval.append(k)
            self._search = (
                pl.Series("key", keys, dtype=pl.Int64),
                pl.Series("interval", interval, dtype=pl.Int64),
            )
        return self._search

    def _made(self, new: pl.DataFrame) -> None:
        """Templates for keys not seen before: one per distinct (person matched, place, mode,
        interval) in the batch, made by the row path's own ``_leg`` (the Checker) with the
        leg's dates left open, added to the table that every block looks up."""
        keys = new.group_by("key").agg(pl.col("who", "loc", "mode").first(), pl.col("first").min())
        made: list[Template] = []
        for _key, who, loc, mode_name, first in keys.iter_rows():
            where, located = self._located[loc]
            answer = self._leg(
                self._matches[who], where, located, first, first, mode_name, ARRIVE, DEPART
            )
            made.append(Template.of(answer))
        self._note_shape(made)
        self._table = _grown(self._table, keys.select("key"), made)
        self._shape = None
        self._index = None

    def _note_shape(self, made: list[Template]) -> None:
        """Which text columns are empty in every template and which dates each gap holds, kept
        up to date as templates are added (``_grown`` pads every template to the widest: an
        empty text, date 0), so that the table is not scanned for them each time it grows."""
        empty, kinds = self._empty, self._kinds
        width = max([len(kinds), *(len(t.dates) for t in made)])
        had = self._table is not None and self._table.height > 0
        empty.extend([True] * (width + 1 - len(empty)))
        kinds.extend({0} if had else set() for _ in range(width - len(kinds)))
        for t in made:
            for k, text in enumerate(t.texts):
                if text:
                    empty[k] = False
            for k in range(width):
                kinds[k].add(t.dates[k] if k < len(t.dates) else 0)

    def _count(self, frame: pl.DataFrame) -> None:
        """The templated rows' answers added to the summary."""
        counts = (
            frame.lazy()
            .filter(pl.col("fast"))
            .group_by("exposure")
            .agg(pl.len(), pl.col("obligation").sum())
            .collect(engine=ENGINE)
        )
        for level, n, obligations in counts.iter_rows():
            if level is not None:
                self.stats.by_exposure[level] = self.stats.by_exposure.get(level, 0) + n
                self.stats.obligations += obligations

    def _template_shape(self) -> _Shape:
        """What the line builder needs of the template table, once per version of it."""
        if self._shape is None:
            table = self._table
            if table is None:
                self._shape = _Shape(None, (), ())
            else:
                width = _width(table)
                texts = [f"t{k}" for k in range(width + 1)]
                days = [f"d{k}" for k in range(1, width + 1)]
                self._shape = _Shape(
                    table.select(*texts, *days),
                    tuple(self._empty),
                    tuple(tuple(sorted(k)) for k in self._kinds),
                )
        return self._shape

    @staticmethod
    def _lines(block: _Block) -> bytes:
        """The block's output: each fast row's line is its row number and id, then its
        template's pieces with the leg's dates between them; each other row's line is the row
        path's, put in its place. All pieces of all lines are laid out row by row in one
        column and joined once (a many-column ``concat_str`` per row copies each line several
        times)."""
        frame, shape = block.frame, block.shape
        if not frame.height:
            return b""
        prefix = frame.select(_prefix(frame, block.fmt).alias("line")).to_series()
        if block.positions:
            prefix = prefix.scatter(block.positions, block.lines)
        if shape.texts is None or not frame["fast"].any():
            return prefix.str.join("").cast(pl.Binary).item()  # type: ignore[no-any-return]
        fast = pl.col("fast")
        arrive = pl.col("arrive")
        depart = pl.when(pl.col("depart") == "").then(arrive).otherwise(pl.col("depart"))
        pieces: list[pl.Expr] = []
        for k, empty in enumerate(shape.empty):
            if k:
                kinds = shape.kinds[k - 1]
                day = pl.col(f"d{k}")
                if kinds == (1,):  # the same date there in every template
                    pieces.append(pl.when(fast).then(arrive).alias(f"h{k}"))
                elif kinds == (2,):
                    pieces.append(pl.when(fast).then(depart).alias(f"h{k}"))
                elif kinds != (0,):
                    hole = pl.when(day == 1).then(arrive).when(day == 2).then(depart)
                    pieces.append(hole.alias(f"h{k}"))
            if not empty:
                pieces.append(pl.col(f"t{k}"))
        gathered = shape.texts[frame["tid"]]
        columns = frame.select("arrive", "depart", "fast").hstack(gathered).select(pieces)
        del gathered  # each step's input is let go of as soon as it is used: flat memory
        rows, width = frame.height, 1 + columns.width
        laid = pl.concat([prefix, *columns.get_columns()], rechunk=True)
        del prefix, columns
        at = pl.int_range(0, rows * width, dtype=pl.Int64)
        laid = laid.gather(pl.select((at % width) * rows + at // width).to_series())
        joined = laid.str.join("").cast(pl.Binary)
        del laid
        return joined.item()  # type: ignore[no-any-return]


def _prefix(frame: pl.DataFrame, fmt: Format) -> pl.Expr:
    """A fast row's line up to its template: row number and id."""
    ident = pl.col("id")
    if fmt == "ndjson":
        plain = ident.str.contains(_JSON_PLAIN)
        odd = frame.filter(pl.col("fast") & ~ident.str.contains(_JSON_PLAIN))
        quoted = pl.concat_str(pl.lit('"'), ident, pl.lit('"'))
        if odd.height:
            # Ids beyond printable ASCII (rare) are escaped by the json module, as the row
            # path escapes them.
            ids = odd["id"].to_list()
            mapping = {t: json.dumps(t, ensure_ascii=False) for t in ids}
            quoted = (
                pl.when(plain).then(quoted).otherwise(ident.replace_strict(mapping, default=""))
            )
        return pl.concat_str(
            pl.lit('{"row":'), pl.col("row").cast(pl.String), pl.lit(',"id":'), quoted, pl.lit(",")
        )
    quoted = pl.concat_str(pl.lit('"'), ident.str.replace_all('"', '""', literal=True), pl.lit('"'))
    ident_csv = pl.when(ident.str.contains(_CSV_SPECIAL)).then(quoted).otherwise(ident)
    return pl.concat_str(pl.col("row").cast(pl.String), pl.lit(","), ident_csv, pl.lit(","))


class _Table:
    """Rows a batch adds as it resolves names, places and pairs, and the table of them that the
    block query joins on, made again only after rows were added."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.rows: list[tuple[Any, ...]] = []
        self._frame: pl.DataFrame | None = None

    def extend(self, rows: list[Any]) -> None:
        self.rows.extend(rows)
        self._frame = None

    def frame(self) -> pl.DataFrame:
        if self._frame is None:
            self._frame = pl.DataFrame(self.rows, schema=self.schema, orient="row")
        return self._frame


@dataclass(frozen=True)
class _Shape:
    """The template table as the line builder reads it: ``texts`` (t0..tN, d1..dN), which
    text columns are empty in every template and which dates each gap holds across the
    templates (1 arrive, 2 depart, 0 none)."""

    texts: pl.DataFrame | None
    empty: tuple[bool, ...]
    kinds: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class _Block:
    """A block ready for ``ColumnarRunner._lines``: its rows, where the row path's lines go
    and what they are, and the template table as it was when the block was templated."""

    frame: pl.DataFrame
    positions: list[int]
    lines: list[str]
    shape: _Shape
    fmt: Format


_ORDINAL_1900 = dt.date(1900, 1, 1).toordinal()
_DATES = re.compile(f"({ARRIVE}|{DEPART})")


#: A template's key packs (who, loc, mode, i) into one integer: who and loc are numbered per
#: batch (fewer than 2**20: the keys are dropped past 4 * TEMPLATE_LIMIT), i counts change dates.
_LOC_BITS = 20
_MODE_BITS = 2
_I_BITS = 20
_MODE_CODE = {mode: code for code, mode in enumerate(MODES)}


def _width(table: pl.DataFrame | None) -> int:
    """How many dates the widest template in the table has."""
    return sum(name.startswith("d") for name in table.columns) if table is not None else 0


def _grown(table: pl.DataFrame | None, keys: pl.DataFrame, made: list[Template]) -> pl.DataFrame:
    """The template table with new templates added: each as its text between the dates
    (t0, t1, ...) and which date goes after each piece (d1, d2, ...: 1 arrive, 2 depart, 0 none
    where a template has fewer), every template padded to the widest."""
    old = _width(table)
    width = max(old, *(len(t.dates) for t in made))
    columns: dict[str, pl.Series] = {
        "exposure": pl.Series([t.exposure for t in made], dtype=pl.String),
        "obligation": pl.Series([t.obligation for t in made], dtype=pl.Boolean),
    }
    for k in range(width + 1):
        texts = [t.texts[k] if k < len(t.texts) else "" for t in made]
        columns[f"t{k}"] = pl.Series(texts, dtype=pl.String)
    for k in range(1, width + 1):
        dates = [t.dates[k - 1] if k <= len(t.dates) else 0 for t in made]
        columns[f"d{k}"] = pl.Series(dates, dtype=pl.Int8)
    new = keys.with_columns(**columns)
    if table is None:
        return new
    if width > old:
        table = table.with_columns(
            *(pl.lit("", dtype=pl.String).alias(f"t{k}") for k in range(old + 1, width + 1)),
            *(pl.lit(0, dtype=pl.Int8).alias(f"d{k}") for k in range(old + 1, width + 1)),
        )
    return pl.concat([table, new.select(table.columns)], rechunk=True)


@dataclass(frozen=True)
class Template:
    """An answer with the leg's dates left open: ``texts`` around them, ``dates`` saying
    which goes in each gap (1 arrive, 2 depart)."""

    exposure: str | None
    obligation: bool
    texts: tuple[str, ...]
    dates: tuple[int, ...]

    @classmethod
    def of(cls, answer: Answer) -> Template:
        parts = _DATES.split(answer.tail)
        dates = tuple(1 if mark == ARRIVE else 2 for mark in parts[1::2])
        return cls(answer.exposure, answer.obligation, tuple(parts[0::2]), dates)


class _Prefixed(io.RawIOBase):
    """Bytes already read, then the rest of a stream."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self._prefix = prefix
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._rest.read1(len(buffer))  # type: ignore[attr-defined]
        buffer[: len(data)] = data
        return len(data)


def _ahead(items: Iterator[_T]) -> Iterator[_T]:
    """The items of an iterator, made on a thread of their own one ahead of the consumer (the
    work is mostly native code that releases the GIL). The thread stops when the consumer
    does, and an error in it is raised in the consumer."""
    ready: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item: tuple[bool, Any]) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((True, item)):
                    return
            put((False, None))
        except BaseException as exc:  # raised again in the consumer
            put((False, exc))

    thread = threading.Thread(target=produce, name="batch-read", daemon=True)
    thread.start()
    try:
        while True:
            more, item = ready.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        thread.join()


def _output(done: tuple[Future[bytes], str | None]) -> bytes:
    """A block's bytes, and the record that says the batch stopped after it, if it did."""
    future, stop = done
    data = future.result()
    return data + stop.encode() if stop is not None else data


def _polars_csv(block: bytes, width: int) -> pl.DataFrame | None:
    """A block's lines read by Polars; None when the csv module must read them: a quote, a
    blank line, a carriage return not ending a line, a NUL, text that is not UTF-8, or a line
    longer than the csv module's field limit (it numbers, splits and refuses those its own way)."""
    if (
        b'"' in block
        or b"\x00" in block
        or (
            b"\r" in block  # found at once; the scans for pairs only where it is
            and (block.count(b"\r") != block.count(b"\r\n") or b"\n\r\n" in block)
        )
        or block.startswith((b"\n", b"\r\n"))
        or b"\n\n" in block
    ):
        return None
    lines = block.count(b"\n") + (not block.endswith(b"\n"))
    try:
        frame = pl.read_csv(
            block,
            has_header=False,
            schema={f"c{i}": pl.String for i in range(width)},
            truncate_ragged_lines=True,
            quote_char=None,
        )
    except pl.exceptions.PolarsError:  # among them text that is not UTF-8, as Python judges it
        return None
    if frame.height != lines or frame.width != width:
        return None
    limit = csv.field_size_limit()
    if (
        len(block) > limit
        and frame.select(pl.max_horizontal(pl.all().str.len_bytes().max()) > limit).item()
    ):
        return None
    return frame


def _frame(rows: list[Row]) -> pl.DataFrame:
    """Rows of the row path's readers as a block; a row they refused has its ``error``."""
    columns: dict[str, list[Any]] = {name: [] for name in ("row", "id", *KEY_FIELDS, "error")}
    blank = ("",) * len(KEY_FIELDS)
    for row_number, ident, values in rows:
        columns["row"].append(row_number)
        columns["id"].append(ident)
        error = values if isinstance(values, str) else None
        columns["error"].append(error)
        for name, value in zip(KEY_FIELDS, blank if error is not None else values, strict=True):
            columns[name].append(value)
    schema = {"row": pl.Int64, **{name: pl.String for name in columns if name != "row"}}
    return pl.DataFrame(columns, schema=schema)


def _checked(frame: pl.DataFrame) -> pl.DataFrame:
    """The checks of the row path that need no look-up, as columns: ``ok`` is false where the
    row path would (or might) answer an error (it then answers the row, with its own words)."""
    arrive = pl.col("arrive")
    depart = pl.col("depart")
    first = pl.when(arrive.str.contains(_ISO)).then(arrive.str.to_date("%Y-%m-%d", strict=False))
    last_given = pl.when(depart.str.contains(_ISO)).then(
        depart.str.to_date("%Y-%m-%d", strict=False)
    )
    frame = frame.with_columns(
        first=first,
        last=pl.when(depart == "").then(first).otherwise(last_given),
        mode=pl.when(pl.col("mode") == "").then(pl.lit("visit")).otherwise(pl.col("mode")),
    )
    return frame.with_columns(
        ok=pl.col("error").is_null()
        & (pl.col("person") != "")
        & (pl.col("person").str.len_chars() <= MAX_NAME)
        & ((pl.col("country") != "") | (pl.col("place") != ""))
        & pl.col("first").is_not_null()
        & pl.col("last").is_not_null()
        & (pl.col("last") >= pl.col("first"))
        & ((pl.col("last") - pl.col("first")).dt.total_days() <= MAX_STAY_DAYS)
        & pl.col("mode").is_in(MODES)
        # The row path's other refusals (app.types): control characters, dates out of range.
        & ~pl.col("person").str.contains(_CONTROL)
        & ~pl.col("country").str.contains(_CONTROL)
        & ~pl.col("place").str.contains(_CONTROL)
        & (pl.col("first") >= DATE_MIN)
        & (pl.col("last") <= DATE_MAX)
    )

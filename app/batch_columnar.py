"""The batch on a columnar engine (Polars): the same records as ``BatchRunner``, row for row,
with the per-row work done in native code.

A chunk of rows (``CHUNK_ROWS``; memory stays flat whatever the input) becomes a DataFrame. Dates,
modes and lengths are checked as columns; each distinct name and each distinct country or place
is resolved once; an as-of join on the sorted change dates of each (person, country) gives every
leg the interval it starts and ends in. A leg inside one interval (nearly all) takes its answer
from a template made once per distinct (person, place, mode, interval) by ``BatchRunner._leg``,
the same function the row path uses, with the leg's dates spliced in as columns. Every other row
(an error, a stay across a change date, input the fast reader cannot take whole) is answered by
the row path itself, so both paths give the same record.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any, TextIO

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
from app.itinerary import MAX_STAY_DAYS
from app.resolve.people import MAX_NAME

#: Rows per chunk: about 20 MB of NDJSON answers at a time.
CHUNK_ROWS = 32_768
#: Most answer templates kept (each about 1 KB).
TEMPLATE_LIMIT = 50_000
#: Stand for the leg's dates in an answer template; filled in per row.
ARRIVE = "\u2063ARRIVE\u2063"
DEPART = "\u2063DEPART\u2063"
_ISO = r"^\d{4}-\d{2}-\d{2}$"
_CSV_SPECIAL = '[",\r\n]'
_PLAIN_ID = r"^[\x20-\x7e]*$"
NONE_ID = ""  # stands for "no person matched" in join keys (Polars joins skip nulls)


class ColumnarRunner(BatchRunner):
    """A BatchRunner whose ``run`` answers chunks of rows as columns. ``chunk_rows`` trades
    speed for how soon the first answers go out (the API streams in smaller chunks)."""

    def __init__(self, *args: Any, chunk_rows: int = CHUNK_ROWS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chunk_rows = chunk_rows

    def _room(self) -> int:
        """Rows to read for the next chunk: never more than one past the row limit, so that a
        batch over it stops reading there."""
        if self.max_rows is None:
            return self.chunk_rows
        return max(1, min(self.chunk_rows, self.max_rows - self.stats.rows + 1))

    def run(self, stream: TextIO, fmt_in: Format, fmt_out: Format) -> Iterator[str]:
        if fmt_out != self.fmt_out:
            self.fmt_out = fmt_out
            self._answers.clear()
        header = ",".join(CSV_OUT) + "\r\n" if fmt_out == "csv" else ""
        chunks = self._csv_chunks(stream) if fmt_in == "csv" else self._row_chunks(stream, fmt_in)
        for frame, parse_errors in chunks:
            limited = self._limit(frame, parse_errors)
            if limited is None:
                break
            frame, parse_errors, stop = limited
            text = self._answer_chunk(frame, parse_errors)
            if stop is not None:
                text += stop
            if text or header:
                yield header + text
                header = ""
            if stop is not None:
                return
        if header:
            yield header

    # --- reading --------------------------------------------------------------------------------

    def _row_chunks(
        self, stream: TextIO, fmt: Format
    ) -> Iterator[tuple[pl.DataFrame, list[tuple[int, str, str]]]]:
        """Chunks from the row path's own reader (NDJSON, and CSV the fast reader cannot take)."""
        rows: list[tuple[int, str, tuple[str, ...]]] = []
        errors: list[tuple[int, str, str]] = []
        for row_number, ident, values in self.rows(stream, fmt):
            if isinstance(values, str):
                errors.append((row_number, ident, values))
            else:
                rows.append((row_number, ident, values))
            if len(rows) + len(errors) >= self._room():
                yield _frame(rows), errors
                rows, errors = [], []
        if rows or errors:
            yield _frame(rows), errors

    def _csv_chunks(
        self, stream: TextIO
    ) -> Iterator[tuple[pl.DataFrame, list[tuple[int, str, str]]]]:
        """CSV read by Polars in chunks of lines; a chunk with quotes, blank lines or ragged rows
        goes through the row path's reader instead (the csv module's rules, exactly)."""
        first = stream.readline()
        if not first:
            return
        header = next(csv.reader([first]), [])
        names = csv_names(header)
        if names is None:
            yield (
                _frame([]),
                [(1, "", "the CSV header needs person, country (or place) and arrive (or date)")],
            )
            return
        index = {name: i for i, name in enumerate(names)}
        width = len(names)
        row_number = 1
        while True:
            room = self._room()
            if room < self.chunk_rows:
                lines: list[str] = []
                while len(lines) < room and (line := stream.readline()):
                    lines.append(line)
            else:
                lines = stream.readlines(room * 64)
            if not lines:
                return
            text = "".join(lines)
            while text.count('"') % 2:  # a quoted field goes on past the chunk: read it whole
                more = stream.readline()
                if not more:
                    break
                lines.append(more)
                text += more
            frame = _polars_csv(text, lines, width) if '"' not in text else None
            if frame is None:
                rows: list[tuple[int, str, tuple[str, ...]]] = []
                errors: list[tuple[int, str, str]] = []
                records = self.csv_records(csv.reader(io.StringIO(text, newline="")), names, 0)
                for number, ident, values in records:
                    if isinstance(values, str):
                        errors.append((number + row_number, ident, values))
                    else:
                        rows.append((number + row_number, ident, values))
                row_number += self.csv_row
                yield _frame(rows), errors
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
                value = pl.col(f"c{at}").fill_null("").str.strip_chars() if at is not None else None
                columns.append((value if value is not None else pl.lit("")).alias(name))
            row_number += frame.height
            yield frame.select(columns), []

    # --- the row limit ----------------------------------------------------------------------------

    def _limit(
        self, frame: pl.DataFrame, errors: list[tuple[int, str, str]]
    ) -> tuple[pl.DataFrame, list[tuple[int, str, str]], str | None] | None:
        """The chunk cut at the batch's row limit, with the record that says so."""
        if self.max_rows is None:
            return frame, errors, None
        room = self.max_rows - self.stats.rows
        total = frame.height + len(errors)
        if total <= room:
            return frame, errors, None
        numbers = sorted([*frame["row"].to_list(), *(e[0] for e in errors)])
        if room < 0 or not numbers:
            return None
        cut = numbers[room]  # the first row over the limit
        ident = next((e[1] for e in errors if e[0] == cut), None)
        if ident is None:
            ident = frame.filter(pl.col("row") == cut)["id"][0]
        stop = _render_error(
            cut,
            ident,
            f"batch limit of {self.max_rows} rows reached; the remaining rows were not read",
            None,
            self.fmt_out,
        )
        self.stats.errors += 1
        return (
            frame.filter(pl.col("row") < cut),
            [e for e in errors if e[0] < cut],
            stop,
        )

    def _fresh_keys(self) -> None:
        """Keys for names and places that hold across chunks, so that an answer template is
        made once per batch; dropped together when they grow past the bound (flat memory)."""
        if not hasattr(self, "_templates") or len(self._templates) > TEMPLATE_LIMIT:
            self._p_keys: dict[tuple[str, str, str], int] = {}
            self._l_keys: dict[tuple[str, str], int] = {}
            self._matches: dict[int, Any] = {}
            self._located: dict[int, Any] = {}
            self._templates: dict[tuple[int, int, str, int], Answer] = {}

    # --- answering ------------------------------------------------------------------------------

    def _answer_chunk(self, frame: pl.DataFrame, errors: list[tuple[int, str, str]]) -> str:
        stats = self.stats
        stats.rows += frame.height + len(errors)
        stats.errors += len(errors)
        fmt = self.fmt_out
        slow_rows: list[int] = [e[0] for e in errors]
        slow_lines: list[str] = [_render_error(n, i, m, None, fmt) for n, i, m in errors]
        if frame.height == 0:
            return _ordered(slow_rows, slow_lines)

        frame = _checked(frame)
        frame = self._resolved(frame)
        frame = self._intervals_of(frame)
        fast = frame.filter(pl.col("fast"))
        # Everything else is answered by the row path, exactly as it would have been.
        for row_number, ident, *values in (
            frame.filter(~pl.col("fast")).select("row", "id", *KEY_FIELDS).iter_rows()
        ):
            answer = self.answer(tuple(values))
            self.count(answer)
            slow_rows.append(row_number)
            slow_lines.append(_render(row_number, ident, answer, fmt))
        fast_lines = self._fast_lines(fast)
        lines = pl.concat(
            [
                fast_lines,
                pl.DataFrame(
                    {"row": slow_rows, "line": slow_lines},
                    schema={"row": pl.Int64, "line": pl.String},
                ),
            ]
        ).sort("row")
        return str(lines["line"].str.join("")[0]) if lines.height else ""

    def _resolved(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Each distinct name and place resolved once; a failure leaves the row to the row path."""
        people = frame.filter(pl.col("ok")).select("person", "birth_date", "nationality").unique()
        p_ok: list[bool] = []
        p_id: list[str] = []
        p_key: list[int] = []
        self._fresh_keys()
        for person, birth, nationality in people.iter_rows():
            try:
                match = self._person(person, birth, nationality)
            except (DomainError, ValueError):
                match = None
            if match is None or not self.per_interval(match):
                p_ok.append(False)  # answered by the row path
                p_id.append(NONE_ID)
                p_key.append(-1)
                continue
            key = self._p_keys.setdefault((person, birth, nationality), len(self._p_keys))
            self._matches[key] = match
            p_ok.append(True)
            p_id.append(match.person.id if match.person else NONE_ID)
            p_key.append(key)
        people = people.with_columns(
            pl.Series("p_ok", p_ok, dtype=pl.Boolean),
            pl.Series("person_id", p_id, dtype=pl.String),
            pl.Series("p_key", p_key, dtype=pl.Int64),
        )
        places = frame.filter(pl.col("ok")).select("country", "place").unique()
        l_ok: list[bool] = []
        iso3: list[str] = []
        l_key: list[int] = []
        self._places_by_key: dict[str, Any] = {}
        for country, place in places.iter_rows():
            try:
                located = self._country(country, place)
            except DomainError:
                l_ok.append(False)
                iso3.append("")
                l_key.append(-1)
                continue
            key = self._l_keys.setdefault((country, place), len(self._l_keys))
            self._located[key] = located
            l_ok.append(True)
            where = located[0]
            # An occupied area is answered apart from its state: its own change dates.
            iso3.append(f"{where.iso3}|{where.area.id}" if where.area else where.iso3)
            self._places_by_key[iso3[-1]] = where
            l_key.append(key)
        places = places.with_columns(
            pl.Series("l_ok", l_ok, dtype=pl.Boolean),
            pl.Series("iso3", iso3, dtype=pl.String),
            pl.Series("l_key", l_key, dtype=pl.Int64),
        )
        frame = frame.join(people, on=["person", "birth_date", "nationality"], how="left")
        frame = frame.join(places, on=["country", "place"], how="left")
        return frame.with_columns(
            ok=pl.col("ok") & pl.col("p_ok").fill_null(False) & pl.col("l_ok").fill_null(False)
        )

    def _intervals_of(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The interval between change dates each leg starts and ends in (as-of joins)."""
        pairs = frame.filter(pl.col("ok")).select("person_id", "iso3").unique()
        b_pid: list[str] = []
        b_iso: list[str] = []
        b_day: list[dt.date] = []
        b_k: list[int] = []
        for person_id, iso3 in pairs.iter_rows():
            where = self._places_by_key[iso3]
            key = (person_id or None, where.iso3, where.area.id if where.area else None)
            bounds = self._bounds.get(key)
            if bounds is None:
                from app.itinerary import boundaries

                bounds = self._bounds[key] = boundaries(
                    self.checker, key[0], where.iso3, where.area
                )
            for k, day in enumerate(bounds, start=1):
                b_pid.append(person_id)
                b_iso.append(iso3)
                b_day.append(day)
                b_k.append(k)
        bounds_frame = pl.DataFrame(
            {"person_id": b_pid, "iso3": b_iso, "bound": b_day, "k": b_k},
            schema={"person_id": pl.String, "iso3": pl.String, "bound": pl.Date, "k": pl.Int64},
        ).sort("bound")
        ok = frame.filter(pl.col("ok"))
        rest = frame.filter(~pl.col("ok"))

        def index_at(column: str, name: str) -> pl.DataFrame:
            return (
                ok.select("row", "person_id", "iso3", column)
                .sort(column)
                .join_asof(
                    bounds_frame,
                    left_on=column,
                    right_on="bound",
                    by=["person_id", "iso3"],
                    strategy="backward",
                    check_sortedness=False,  # sorted on the dates; 'by' groups hide that from it
                )
                .select("row", pl.col("k").fill_null(0).alias(name))
            )

        ok = ok.join(index_at("first", "i"), on="row").join(index_at("last", "j"), on="row")
        ok = ok.with_columns(fast=pl.col("i") == pl.col("j"))
        rest = rest.with_columns(
            i=pl.lit(None, dtype=pl.Int64), j=pl.lit(None, dtype=pl.Int64), fast=pl.lit(False)
        )
        return pl.concat([ok, rest.select(ok.columns)])

    def _fast_lines(self, fast: pl.DataFrame) -> pl.DataFrame:
        """Legs inside one interval: one template per distinct (person, place, mode, interval),
        made by the row path's own ``_leg``, the dates spliced in per row."""
        if fast.height == 0:
            return pl.DataFrame(schema={"row": pl.Int64, "line": pl.String})
        keys = fast.group_by("p_key", "l_key", "mode", "i").agg(pl.col("first").min())
        tails: list[str] = []
        exposure: list[str | None] = []
        obligation: list[bool] = []
        for p_key, l_key, mode, i, first in keys.iter_rows():
            answer = self._templates.get((p_key, l_key, mode, i))
            if answer is None:
                where, located = self._located[l_key]
                answer = self._templates[(p_key, l_key, mode, i)] = self._leg(
                    self._matches[p_key], where, located, first, first, mode, ARRIVE, DEPART
                )
            tails.append(answer.tail)
            exposure.append(answer.exposure)
            obligation.append(answer.obligation)
        keys = keys.drop("first").with_columns(
            pl.Series("tail", tails, dtype=pl.String),
            pl.Series("exposure", exposure, dtype=pl.String),
            pl.Series("obligation", obligation, dtype=pl.Boolean),
        )
        fast = fast.join(keys, on=["p_key", "l_key", "mode", "i"], how="left")
        counts = fast.group_by("exposure").agg(pl.len(), pl.col("obligation").sum())
        for level, n, obligations in counts.iter_rows():
            if level is not None:
                self.stats.by_exposure[level] = self.stats.by_exposure.get(level, 0) + n
                self.stats.obligations += obligations
        depart = pl.when(pl.col("depart") == "").then(pl.col("arrive")).otherwise(pl.col("depart"))
        tail = (
            pl.col("tail")
            .str.replace_all(ARRIVE, pl.col("arrive"), literal=True)
            .str.replace_all(DEPART, depart, literal=True)
        )
        if self.fmt_out == "ndjson":
            plain = pl.col("id").str.contains(_PLAIN_ID) & ~pl.col("id").str.contains(r'["\\]')
            # when/then computes both branches on every row: escape the rare other ids apart.
            odd = fast.filter(~plain).select("row", "id")
            if odd.height:
                escaped = pl.DataFrame(
                    {
                        "row": odd["row"],
                        "id_json": [_json_text_slow(text) for text in odd["id"].to_list()],
                    },
                    schema={"row": pl.Int64, "id_json": pl.String},
                )
                fast = fast.join(escaped, on="row", how="left")
            else:
                fast = fast.with_columns(id_json=pl.lit(None, dtype=pl.String))
            ident = (
                pl.when(plain)
                .then(pl.concat_str(pl.lit('"'), pl.col("id"), pl.lit('"')))
                .otherwise(pl.col("id_json"))
            )
            line = pl.concat_str(
                pl.lit('{"row":'), pl.col("row").cast(pl.String), pl.lit(',"id":'), ident,
                pl.lit(","), tail,
            )  # fmt: skip
        else:
            quoted = pl.concat_str(
                pl.lit('"'), pl.col("id").str.replace_all('"', '""', literal=True), pl.lit('"')
            )
            ident = (
                pl.when(pl.col("id").str.contains(_CSV_SPECIAL))
                .then(quoted)
                .otherwise(pl.col("id"))
            )
            line = pl.concat_str(
                pl.col("row").cast(pl.String), pl.lit(","), ident, pl.lit(","), tail
            )
        return fast.select(pl.col("row").cast(pl.Int64), line.alias("line"))


def _json_text_slow(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def _polars_csv(text: str, lines: list[str], width: int) -> pl.DataFrame | None:
    """Lines without quotes, read by Polars; None when the csv module must read them (a blank
    line or a stray carriage return, which it numbers and splits its own way)."""
    if "\r" in text.replace("\r\n", "\n") or not all(line.strip("\r\n") for line in lines):
        return None
    if max(map(len, lines)) > csv.field_size_limit():  # the csv module refuses such a field
        return None
    try:
        frame = pl.read_csv(
            text.encode(),
            has_header=False,
            new_columns=[f"c{i}" for i in range(width)],
            schema_overrides=[pl.String] * width,
            infer_schema=False,
            truncate_ragged_lines=True,
            quote_char=None,
        )
    except pl.exceptions.PolarsError:
        return None
    if frame.height != len(lines) or frame.width != width:
        return None
    return frame


def _frame(rows: list[tuple[int, str, tuple[str, ...]]]) -> pl.DataFrame:
    columns: dict[str, list[Any]] = {"row": [], "id": [], **{name: [] for name in KEY_FIELDS}}
    for row_number, ident, values in rows:
        columns["row"].append(row_number)
        columns["id"].append(ident)
        for name, value in zip(KEY_FIELDS, values, strict=True):
            columns[name].append(value)
    schema = {"row": pl.Int64, "id": pl.String, **{name: pl.String for name in KEY_FIELDS}}
    return pl.DataFrame(columns, schema=schema)


def _checked(frame: pl.DataFrame) -> pl.DataFrame:
    """The checks of the row path that need no look-up, as columns: ``ok`` is false where the
    row path would answer an error (it then answers it, with its own message)."""
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
        ok=(pl.col("person") != "")
        & (pl.col("person").str.len_chars() <= MAX_NAME)
        & ((pl.col("country") != "") | (pl.col("place") != ""))
        & pl.col("first").is_not_null()
        & pl.col("last").is_not_null()
        & (pl.col("last") >= pl.col("first"))
        & ((pl.col("last") - pl.col("first")).dt.total_days() <= MAX_STAY_DAYS)
        & pl.col("mode").is_in(MODES)
    )


def _ordered(rows: list[int], lines: list[str]) -> str:
    return "".join(line for _, line in sorted(zip(rows, lines, strict=True)))

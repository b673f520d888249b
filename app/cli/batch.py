"""``icc-exposure batch``: many legs, streamed, one record per row."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer
from rich.table import Table

from app.cli.common import DatasetsOpt, RulesOpt, checker_or_exit, err


class FormatOpt(StrEnum):
    csv = "csv"
    ndjson = "ndjson"


class _Counting(io.RawIOBase):
    """Counts the bytes read from a binary stream, for the progress bar."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


class _CannotWrite(Exception):
    """Writing the output failed (a full disk, a closed pipe); the message says why."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror or str(error))


class _Writer:
    """Writes the output and, when done, flushes and closes the file (standard output is only
    flushed); an error doing so (a full disk, a closed pipe) is raised as ``_CannotWrite``."""

    def __init__(self, sink: BinaryIO) -> None:
        self._sink = sink

    def write(self, piece: bytes) -> None:
        try:
            self._sink.write(piece)
        except OSError as exc:
            raise _CannotWrite(exc) from None

    def finish(self) -> None:
        try:
            if self._sink is sys.stdout.buffer:
                self._sink.flush()
            else:
                self._sink.close()
        except OSError as exc:
            raise _CannotWrite(exc) from None


def batch(
    source: Annotated[str, typer.Argument(help="Legs file (CSV or NDJSON), or - for stdin.")],
    output: Annotated[
        str, typer.Option("--output", "-o", help="Results file, or - for stdout.")
    ] = "-",
    in_format: Annotated[
        FormatOpt | None, typer.Option(help="Input format (default: by extension, else csv).")
    ] = None,
    out_format: Annotated[
        FormatOpt | None, typer.Option(help="Output format (default: by extension, else ndjson).")
    ] = None,
    progress: Annotated[
        bool | None, typer.Option(help="Progress bar (default: when stderr is a terminal).")
    ] = None,
    row_path: Annotated[
        bool,
        typer.Option(
            "--row-path",
            help="Answer row by row in Python: the reference the columnar path (the default) is "
            "tested against; the same records, several times slower.",
        ),
    ] = False,
    datasets_dir: DatasetsOpt = None,
    rules_dir: RulesOpt = None,
) -> None:
    """Check many legs: one answer or error record per input row, in order, streamed.

    Columns (CSV header or NDJSON keys): id, person, country, arrive (or date), depart, mode,
    birth_date, nationality, place (an airport code or a city, instead of country). Exit code 0
    even when rows have errors (they are records in the output); 2 when the input cannot be read
    (including a CSV header without the required columns). Answered on the columnar path
    (Polars, blocks of about 10,000 legs, flat memory); --row-path runs the reference.
    """
    import gc
    import time

    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from app.batch import BatchRunner, format_for
    from app.batch_columnar import ColumnarRunner

    fmt_in = in_format.value if in_format else format_for(None if source == "-" else source)
    fmt_out = (
        out_format.value
        if out_format
        else format_for(None if output == "-" else output, default="ndjson")
    )
    try:
        raw: BinaryIO = sys.stdin.buffer if source == "-" else open(source, "rb")  # noqa: SIM115
    except OSError as exc:
        err.print(f"[red]error[/red]: cannot read {source}: {exc.strerror}")
        raise typer.Exit(code=2) from None
    total = None
    if source != "-":
        try:
            total = Path(source).stat().st_size
        except OSError:
            total = None
    counting = _Counting(raw)
    buffered = io.BufferedReader(counting, 1 << 16)
    checker = checker_or_exit(datasets_dir, rules_dir)
    # What the load left alive (datasets, rules, resolvers) is frozen out of the collector's
    # walk: a batch allocates enough to run it often (about 1 s in 14 at 1M legs).
    gc.freeze()
    pieces: Iterator[bytes]
    if row_path:
        reference = BatchRunner(checker)
        text = io.TextIOWrapper(buffered, encoding="utf-8-sig", errors="replace", newline="")
        pieces = (piece.encode() for piece in reference.run(text, fmt_in, fmt_out))
        runner: BatchRunner = reference
    else:
        columnar = ColumnarRunner(checker)
        pieces = columnar.stream(buffered, fmt_in, fmt_out)
        runner = columnar
    sink: BinaryIO = sys.stdout.buffer if output == "-" else open(output, "wb")  # noqa: SIM115
    show = progress if progress is not None else err.is_terminal
    started = time.perf_counter()
    bar = Progress(
        TextColumn("[bold]{task.fields[rows]:,} rows"),
        BarColumn(),
        TextColumn("{task.fields[rate]:,.0f} rows/s"),
        TimeRemainingColumn(),
        console=err,
        disable=not show,
        transient=True,
    )
    writer = _Writer(sink)
    try:
        try:
            with bar:
                task = bar.add_task("batch", total=total, rows=0, rate=0.0)
                for piece in pieces:
                    writer.write(piece)
                    elapsed = time.perf_counter() - started
                    bar.update(
                        task,
                        completed=counting.count,
                        rows=runner.stats.rows,
                        rate=runner.stats.rows / elapsed if elapsed else 0.0,
                    )
        finally:
            buffered.close()
            writer.finish()
    except _CannotWrite as exc:
        err.print(f"[red]error[/red]: cannot write {output}: {exc}", highlight=False)
        raise typer.Exit(code=2) from None
    elapsed = time.perf_counter() - started
    stats = runner.stats
    table = Table(title="batch summary", title_justify="left")
    table.add_column("")
    table.add_column("count", justify="right")
    table.add_row("rows", f"{stats.rows:,}")
    for level in ("high", "medium", "low", "none"):
        table.add_row(f"exposure {level}", f"{stats.by_exposure.get(level, 0):,}")
    for status in ("ambiguous", "unresolved"):  # no answer: the person was not pinned down
        table.add_row(f"person {status}", f"{stats.by_exposure.get(status, 0):,}")
    table.add_row("obligation to arrest", f"{stats.obligations:,}")
    table.add_row("errors", f"{stats.errors:,}")
    table.add_row("rows per second", f"{stats.rows / elapsed:,.0f}" if elapsed else "-")
    err.print(table)
    if stats.unreadable:
        err.print(f"[red]error[/red]: {stats.unreadable}", highlight=False)
        raise typer.Exit(code=2)

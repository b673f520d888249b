"""The columnar batch gives the same records, row for row, as the row path it replaced (kept as
the reference): on 100,000 random legs with bad rows of every kind among them."""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.batch import BatchRunner, Format
from app.batch_columnar import ColumnarRunner
from app.checks import Checker
from app.cli import app
from app.main import create_app
from app.settings import Settings

from .conftest import ROOT, live_server

sys.path.insert(0, str(ROOT / "examples"))
import generate  # the synthetic generator the benchmark uses

HEADER = ["id", "person", "country", "arrive", "depart", "mode", "place"]
ODD = [
    # Bad or unusual rows the generator does not make: every one must come out the same.
    ["x1", "", "Mongolia", "2024-09-03", "", "visit", ""],
    ["x2", "Putin", "", "2024-09-03", "", "visit", "ULN"],
    ["x3", "Putin", "", "2024-09-03", "", "", "Georgetown"],
    ["x4", "Putin", "Mongolia", "2024-09-03", "2024-09-01", "visit", ""],
    ["x5", "Putin", "Mongolia", "2024-09-03", "2040-01-01", "visit", ""],
    ["x6", "Putin", "Mongolia", "2024-02-30", "", "visit", ""],
    ["x7", "Putin", "Mongolia", "2024-09-03", "", "swim", ""],
    ["x8", "P" * 300, "Mongolia", "2024-09-03", "", "visit", ""],
    ['x9 "quoted", id', " Putin ", " Mongolia ", "2024-09-03", "", "visit", ""],
    ["x10", "Netanyahu", "Hungary", "2025-03-30", "2025-04-10", "visit", ""],
    ["x11", "Путин", "Kiev", "2024-09-03", "", "transit", ""],
    ["x12", "Putin", "Mongolia", "2024-09-03", "", "visit", "ULN"],
    ["x13", "Putn", "Ukraine", "2024-12-30", "2025-01-02", "overflight", ""],
    ["x14\u00e9", "Putin", "MN", " 2024-09-03", "", "visit", ""],
]


def legs(n: int, seed: int) -> list[list[str]]:
    rows = [[*row, ""] for row in generate.rows(n, seed, bad_share=0.03)]
    rng = random.Random(seed)
    for odd in ODD:
        for _ in range(20):
            rows.insert(rng.randrange(len(rows)), odd)
    return rows


def as_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def as_ndjson(rows: list[list[str]]) -> str:
    return "".join(json.dumps(dict(zip(HEADER, r, strict=True))) + "\n" for r in rows)


def both(checker: Checker, text: str, fmt_in: Format, fmt_out: Format) -> tuple[str, str]:
    reference = "".join(BatchRunner(checker).run(io.StringIO(text, newline=""), fmt_in, fmt_out))
    got = ColumnarRunner(checker, small_bytes=0).run_text(text, fmt_in, fmt_out)
    return reference, got


def assert_same(reference: str, got: str) -> None:
    ref_lines, got_lines = reference.splitlines(), got.splitlines()
    assert len(got_lines) == len(ref_lines)
    differ = [i for i, (a, b) in enumerate(zip(ref_lines, got_lines, strict=True)) if a != b]
    assert not differ, (ref_lines[differ[0]], got_lines[differ[0]])


def test_columnar_equals_the_row_path_on_100000_csv_legs(checker: Checker) -> None:
    text = as_csv(legs(100_000, seed=11))
    reference, got = both(checker, text, "csv", "ndjson")
    assert reference.count('"status":"error"') > 3000  # bad rows are in the comparison
    assert_same(reference, got)


def test_columnar_equals_the_row_path_ndjson_in_csv_out(checker: Checker) -> None:
    text = as_ndjson(legs(10_000, seed=12))
    assert_same(*both(checker, text, "ndjson", "csv"))


def test_columnar_equals_the_row_path_with_quotes_blank_lines_and_broken_rows(
    checker: Checker,
) -> None:
    text = as_csv(legs(3_000, seed=13))
    lines = text.splitlines(keepends=True)
    lines.insert(50, "\r\n")  # a blank line
    lines.insert(900, 'q1,"Putin\r\nVladimir",Mongolia,2024-09-03,,visit,\r\n')  # a quoted newline
    lines.insert(1500, "short,Putin\r\n")  # a ragged row
    lines.insert(2000, f"big,{'x' * 140_000},Mongolia,2024-09-03,,visit,\r\n")  # over the limit
    assert_same(*both(checker, "".join(lines), "csv", "csv"))


def test_columnar_equals_the_row_path_when_its_tables_are_dropped_mid_batch(
    checker: Checker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past its bound the batch drops its templates and the tables of names and places it
    joins on, and numbers them afresh: the records stay the same."""
    import app.batch_columnar as columnar

    monkeypatch.setattr(columnar, "TEMPLATE_LIMIT", 40)
    text = as_csv(legs(6_000, seed=23))
    runner = ColumnarRunner(checker, small_bytes=0, block_bytes=16 << 10)
    forgotten = 0
    forget = runner._forget

    def counting() -> None:
        nonlocal forgotten
        forgotten += 1
        forget()

    monkeypatch.setattr(runner, "_forget", counting)
    got = runner.run_text(text, "csv", "ndjson")
    reference = "".join(BatchRunner(checker).run(io.StringIO(text, newline=""), "csv", "ndjson"))
    assert forgotten >= 3  # dropped several times over the batch
    assert_same(reference, got)


def test_text_that_is_not_utf8_reads_as_the_row_path_reads_it(checker: Checker) -> None:
    """Bytes that are not UTF-8 (in a name, in a column the batch does not use, in a field past
    the header's width) are read with replacement characters, as the row path reads them."""
    text = as_csv(legs(2_000, seed=19))
    lines = text.encode().splitlines(keepends=True)
    lines[0] = lines[0].rstrip(b"\r\n") + b",note\r\n"
    lines[300] = b"u1,Put\xffin,Mongolia,2024-09-03,,visit,,\r\n"
    lines[700] = b"u2,Putin,Mongolia,2024-09-03,,visit,,caf\xe9\r\n"
    lines[900] = b"u3,Putin,Mongolia,2024-09-03,,visit,,,\xed\xa0\x80\r\n"
    data = b"".join(lines)
    for fmt_out in ("ndjson", "csv"):
        text_in = io.TextIOWrapper(
            io.BytesIO(data), encoding="utf-8-sig", errors="replace", newline=""
        )
        reference = "".join(BatchRunner(checker).run(text_in, "csv", fmt_out))
        raw = io.BufferedReader(io.BytesIO(data))
        runner = ColumnarRunner(checker, small_bytes=0, block_bytes=16 << 10)
        got = b"".join(runner.stream(raw, "csv", fmt_out)).decode()
        assert all(f"u{i}" in reference for i in (1, 2, 3))
        assert_same(reference, got)


def test_the_summary_counts_agree(checker: Checker) -> None:
    text = as_csv(legs(5_000, seed=14))
    reference = BatchRunner(checker)
    "".join(reference.run(io.StringIO(text, newline=""), "csv", "ndjson"))
    columnar = ColumnarRunner(checker, small_bytes=0)
    columnar.run_text(text, "csv", "ndjson")
    assert columnar.stats == reference.stats


def test_the_row_limit_cuts_at_the_same_row(checker: Checker) -> None:
    text = as_csv(legs(500, seed=15))
    reference = "".join(
        BatchRunner(checker, max_rows=123).run(io.StringIO(text, newline=""), "csv", "ndjson")
    )
    got = ColumnarRunner(checker, max_rows=123, chunk_rows=50, small_bytes=0).run_text(
        text, "csv", "ndjson"
    )
    assert_same(reference, got)
    assert "batch limit of 123 rows reached" in got.splitlines()[-1]


def test_the_whitespace_stripped_is_pythons(checker: Checker) -> None:
    """The fast reader strips what str.strip() strips, U+001C..U+001F included (Polars' own set
    lacks them): a name padded with them answers as the row path answers it."""
    from app.batch_columnar import WHITESPACE

    assert set(WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}
    rows = [["w1", "\x1fPutin\u3000", "\x1cMongolia", "2024-09-03", "", "visit", ""]] * 3
    assert_same(*both(checker, as_csv(rows), "csv", "ndjson"))


# --- flat memory, and one path for the CLI and the API ----------------------------------------

MEASURE = """
import resource, sys
from app.batch_columnar import ColumnarRunner
from app.cli.common import checker_or_exit

runner = ColumnarRunner(checker_or_exit(None, None), block_bytes=64 << 10, small_bytes=0)
with open(sys.argv[1], "rb") as raw, open("/dev/null", "wb") as sink:
    for piece in runner.stream(raw, "csv", "ndjson"):
        sink.write(piece)
assert runner.stats.rows == int(sys.argv[2]), runner.stats.rows
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def peak_mb(path: Path, rows: int) -> int:
    """Peak resident memory (MB) of a fresh process answering the file on the columnar path."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), str(rows)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return int(done.stdout.split()[-1])


def test_memory_stays_flat_at_ten_times_the_rows(tmp_path: Path) -> None:
    """Peak memory does not grow with the input: 200,000 legs (about 200 blocks of 64 KB) take
    no more memory than 20,000. (A traceback kept on a cached error once held every block's
    frames: 1.2 GB more per million rows.)"""
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    small.write_text(as_csv([[*r, ""] for r in generate.rows(20_000, 21, 0.03)]), "utf-8")
    large.write_text(as_csv([[*r, ""] for r in generate.rows(200_000, 22, 0.03)]), "utf-8")
    small_mb, large_mb = peak_mb(small, 20_000), peak_mb(large, 200_000)
    assert large_mb < small_mb + 25, (small_mb, large_mb)


def test_the_cli_and_the_api_answer_on_the_columnar_path(
    checker: Checker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """POST /v1/batch and `icc-exposure batch` both run ColumnarRunner.stream and give the
    row path's records, byte for byte."""
    text = as_csv(legs(2_000, seed=16))
    reference = "".join(BatchRunner(checker).run(io.StringIO(text, newline=""), "csv", "ndjson"))
    calls: list[str] = []
    stream = ColumnarRunner.stream

    def spy(self: ColumnarRunner, *args: Any) -> Iterator[bytes]:
        calls.append(type(self).__name__)
        return stream(self, *args)

    monkeypatch.setattr(ColumnarRunner, "stream", spy)
    with TestClient(create_app(Settings())) as client:
        response = client.post("/v1/batch", content=text, headers={"content-type": "text/csv"})
    assert response.status_code == 200 and calls == ["ColumnarRunner"]
    assert_same(reference, response.text)

    source, out = tmp_path / "legs.csv", tmp_path / "out.ndjson"
    source.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["batch", str(source), "-o", str(out), "--no-progress"])
    assert result.exit_code == 0 and calls == ["ColumnarRunner", "ColumnarRunner"]
    assert_same(reference, out.read_text(encoding="utf-8"))


def test_the_live_api_streams_the_same_records(checker: Checker) -> None:
    text = as_csv(legs(3_000, seed=17))
    reference = "".join(BatchRunner(checker).run(io.StringIO(text, newline=""), "csv", "csv"))
    with (
        live_server() as base,
        httpx.stream(
            "POST",
            base + "/v1/batch",
            content=text.encode(),
            headers={"content-type": "text/csv", "accept": "text/csv"},
            timeout=60,
        ) as response,
    ):
        got = b"".join(response.iter_bytes()).decode()
    assert response.status_code == 200
    assert_same(reference, got)


def test_a_small_input_is_answered_row_by_row_and_a_large_one_by_columns(
    checker: Checker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below ``small_bytes`` (an itinerary, an API call of a few rows) the row path answers: the
    same bytes, without the columnar engine's fixed cost; above it, the engine."""
    small = as_csv(legs(20, seed=21))
    large = as_csv(legs(2_000, seed=22))
    assert len(small.encode()) <= 32 << 10 < len(large.encode())
    calls: list[int] = []
    engine = ColumnarRunner._prepared

    def counted(self: ColumnarRunner, frame: Any) -> Any:
        calls.append(frame.height)
        return engine(self, frame)

    monkeypatch.setattr(ColumnarRunner, "_prepared", counted)
    for text in (small, large):
        for fmt_out in ("csv", "ndjson"):
            reference = "".join(
                BatchRunner(checker).run(io.StringIO(text, newline=""), "csv", fmt_out)
            )
            assert_same(reference, ColumnarRunner(checker).run_text(text, "csv", fmt_out))
        if text is small:
            assert calls == []
    assert calls and sum(calls) == 2 * (len(large.splitlines()) - 1)  # every row, both formats

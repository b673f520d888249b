"""The columnar batch gives the same records, row for row, as the row path it replaced (kept as
the reference): on 100,000 random legs with bad rows of every kind among them."""

from __future__ import annotations

import csv
import io
import json
import random
import sys

from app.batch import BatchRunner, Format
from app.batch_columnar import ColumnarRunner
from app.checks import Checker

from .conftest import ROOT

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
    got = ColumnarRunner(checker).run_text(text, fmt_in, fmt_out)
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


def test_the_summary_counts_agree(checker: Checker) -> None:
    text = as_csv(legs(5_000, seed=14))
    reference = BatchRunner(checker)
    "".join(reference.run(io.StringIO(text, newline=""), "csv", "ndjson"))
    columnar = ColumnarRunner(checker)
    columnar.run_text(text, "csv", "ndjson")
    assert columnar.stats == reference.stats


def test_the_row_limit_cuts_at_the_same_row(checker: Checker) -> None:
    text = as_csv(legs(500, seed=15))
    reference = "".join(
        BatchRunner(checker, max_rows=123).run(io.StringIO(text, newline=""), "csv", "ndjson")
    )
    got = ColumnarRunner(checker, max_rows=123, chunk_rows=50).run_text(text, "csv", "ndjson")
    assert_same(reference, got)
    assert "batch limit of 123 rows reached" in got.splitlines()[-1]

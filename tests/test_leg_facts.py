"""Itinerary legs and batch rows carry what a single answer carries: how fresh the facts are, and
the answer under each contested fact's other value, on the shipped datasets.

The contested records used (datasets/): Saif al-Islam Gaddafi's reported death (people.yaml, other
value: alive), the day of the July 2023 Tarhunah warrants (warrants.yaml, 18 or 28 July) and
Niger's withdrawal notice (states_parties.yaml, other value: no notice).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.batch import CSV_OUT, BatchRunner, run_text
from app.batch_columnar import ColumnarRunner
from app.checks import Checker
from app.itinerary import Itinerary, LegResult, check_itinerary
from app.main import create_app
from app.settings import Settings

from .conftest import ROOT, live_server

AS_OF = "2026-11-26"
GADDAFI = "Saif al-Islam Gaddafi"
SHAQAQI = "Abdelbari al-Shaqaqi"


@pytest.fixture
def clock(checker: Checker) -> Iterator[Checker]:
    """The session checker with its clock set back to the real one afterwards."""
    saved = checker.today
    yield checker
    checker.today = saved


def legs(checker: Checker, name: str, *legs: dict[str, Any]) -> list[LegResult]:
    result = check_itinerary(
        checker, Itinerary.model_validate({"traveller": {"name": name}, "legs": list(legs)})
    )
    out = [leg for leg in result.legs if isinstance(leg, LegResult)]
    assert len(out) == len(legs)
    return out


# --- alternatives on itinerary legs ---------------------------------------------------------


def test_a_leg_after_a_reported_death_shows_the_answer_if_he_is_alive(checker: Checker) -> None:
    [leg] = legs(checker, GADDAFI, {"country": "France", "arrive": "2026-03-01"})
    assert (leg.exposure, leg.obligation) == ("none", False)
    [alt] = leg.alternatives
    assert (alt.record, alt.field, alt.alternative) == ("gaddafi-saif-al-islam", "died", None)
    assert (alt.exposure, alt.obligation, alt.changes_answer) == ("high", True, True)
    assert (alt.start, alt.end) == (dt.date(2026, 3, 1), dt.date(2026, 3, 1))
    assert any(s.tier == "official" for s in alt.sources)
    assert leg.summary is not None and "Uncertain: died of gaddafi-saif-al-islam" in leg.summary
    assert "exposure would be high" in leg.summary


def test_a_leg_across_the_reported_death_shows_the_days_that_depend_on_it(
    checker: Checker,
) -> None:
    [leg] = legs(
        checker, GADDAFI, {"country": "France", "arrive": "2026-01-20", "depart": "2026-02-10"}
    )
    assert leg.exposure == "high"  # alive on the first days: the leg's worst is unchanged
    [alt] = leg.alternatives
    assert (alt.start, alt.end) == (dt.date(2026, 2, 3), dt.date(2026, 2, 10))
    assert alt.changes_answer is False
    assert leg.summary is not None and "Uncertain" not in leg.summary


def test_a_stay_is_cut_where_the_other_warrant_date_would_change_the_answer(
    checker: Checker,
) -> None:
    [leg] = legs(
        checker, SHAQAQI, {"country": "France", "arrive": "2023-07-15", "depart": "2023-08-05"}
    )
    starts = [s.start.isoformat() for s in leg.segments]
    assert starts == ["2023-07-15", "2023-07-18", "2023-07-28"]
    [alt] = leg.alternatives
    assert (alt.recorded, alt.alternative) == ("2023-07-18", "2023-07-28")
    assert (alt.start.isoformat(), alt.end.isoformat()) == ("2023-07-18", "2023-07-27")
    assert (alt.exposure, alt.changes_answer) == ("low", False)


def test_a_leg_inside_the_disputed_days_is_none_under_the_other_date(checker: Checker) -> None:
    [leg] = legs(checker, SHAQAQI, {"country": "France", "arrive": "2023-07-20"})
    assert leg.exposure == "low"
    [alt] = leg.alternatives
    assert (alt.exposure, alt.changes_answer) == ("none", True)


def test_a_leg_no_contested_fact_bears_on_has_no_alternatives(checker: Checker) -> None:
    [leg] = legs(checker, "Putin", {"country": "Japan", "arrive": "2024-01-01"})
    assert leg.alternatives == []
    assert leg.summary == leg.segments[0].summary


def test_niger_after_its_withdrawal_shows_the_answer_without_the_notice(checker: Checker) -> None:
    [leg] = legs(checker, "Putin", {"country": "Niger", "arrive": "2027-07-01"})
    assert (leg.exposure, leg.obligation) == ("medium", True)
    [alt] = leg.alternatives
    assert (alt.record, alt.field, alt.alternative) == ("NER", "withdrawals", [])
    assert (alt.exposure, alt.changes_answer) == ("high", True)


# --- freshness on itinerary legs ---------------------------------------------------------------


def test_a_leg_after_the_as_of_date_carries_the_caveat(clock: Checker) -> None:
    clock.today = lambda: dt.date(2026, 11, 30)
    later, earlier = legs(
        clock,
        "Putin",
        {"country": "Japan", "arrive": "2027-01-01", "depart": "2027-01-05"},
        {"country": "Japan", "arrive": "2024-01-01"},
    )
    assert str(later.freshness.datasets_as_of) == AS_OF
    assert later.freshness.days_after_as_of == 40  # to the leg's last day
    assert later.freshness.caveat is not None
    assert f"after the datasets' as-of date ({AS_OF})" in later.freshness.caveat
    assert earlier.freshness.caveat is None


def test_an_answer_given_long_after_the_as_of_date_says_how_long(clock: Checker) -> None:
    clock.today = lambda: dt.date(2027, 1, 10)
    [leg] = legs(clock, "Putin", {"country": "Japan", "arrive": "2024-01-01"})
    assert leg.freshness.days_since_as_of == 45
    assert leg.freshness.caveat is not None and "given 45 days after" in leg.freshness.caveat


def test_a_leg_of_an_unresolved_name_carries_freshness_too(clock: Checker) -> None:
    clock.today = lambda: dt.date(2026, 11, 30)
    [leg] = legs(clock, "Sokolov", {"country": "Japan", "arrive": "2027-01-01"})
    assert leg.status == "unresolved"
    assert leg.freshness.caveat is not None and "after the datasets' as-of date" in (
        leg.freshness.caveat
    )


# --- batch rows --------------------------------------------------------------------------------

ROWS = [
    {"id": "dead", "person": GADDAFI, "country": "France", "arrive": "2026-03-01"},
    {"id": "july", "person": SHAQAQI, "country": "France", "arrive": "2023-07-15",
     "depart": "2023-08-05"},
    {"id": "niger", "person": "Putin", "country": "Niger", "arrive": "2027-07-01",
     "depart": "2027-07-03"},
    {"id": "plain", "person": "Putin", "country": "Japan", "arrive": "2024-01-01"},
    {"id": "across", "person": "Putin", "country": "Japan", "arrive": "2026-11-20",
     "depart": "2026-12-03"},
    {"id": "bad", "person": "", "country": "Japan", "arrive": "2024-01-01"},
]  # fmt: skip


def as_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, ["id", "person", "country", "arrive", "depart"])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def by_id(text: str, fmt: str) -> dict[str, dict[str, Any]]:
    if fmt == "csv":
        return {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    return {r["id"]: r for r in map(json.loads, text.splitlines())}


def test_ndjson_rows_carry_alternatives_and_freshness(checker: Checker) -> None:
    rows = by_id(run_text(checker, as_csv(ROWS), "csv", "ndjson"), "ndjson")
    dead = rows["dead"]
    [alt] = dead["alternatives"]
    assert (alt["field"], alt["alternative"], alt["exposure"]) == ("died", None, "high")
    assert (alt["changes_answer"], alt["start"], alt["end"]) == (True, "2026-03-01", "2026-03-01")
    assert "Uncertain: died of gaddafi-saif-al-islam" in dead["summary"]
    assert dead["freshness"] == {"datasets_as_of": AS_OF, "caveat": None}
    july = rows["july"]
    assert [s["start"] for s in july["segments"]] == ["2023-07-15", "2023-07-18", "2023-07-28"]
    assert (july["alternatives"][0]["start"], july["alternatives"][0]["end"]) == (
        "2023-07-18",
        "2023-07-27",
    )
    niger = rows["niger"]
    assert niger["alternatives"][0]["exposure"] == "high"
    assert "after the datasets' as-of date" in niger["freshness"]["caveat"]
    assert rows["plain"]["alternatives"] == [] and rows["plain"]["freshness"]["caveat"] is None
    assert "runs past the datasets' as-of date" in rows["across"]["freshness"]["caveat"]
    assert "freshness" not in rows["bad"]  # an error record answers nothing


def test_csv_rows_carry_the_same_in_three_columns(checker: Checker) -> None:
    text = run_text(checker, as_csv(ROWS), "csv", "csv")
    assert text.splitlines()[0].split(",")[-3:] == [
        "datasets_as_of",
        "freshness_caveat",
        "alternatives",
    ]
    rows = by_id(text, "csv")
    assert set(rows["dead"]) == set(CSV_OUT)
    assert rows["dead"]["datasets_as_of"] == AS_OF
    assert rows["dead"]["alternatives"] == (
        "people.yaml gaddafi-saif-al-islam died=none (2026-03-01..2026-03-01): "
        "exposure high, obligation true"
    )
    assert rows["july"]["alternatives"].endswith("same worst answer")
    assert rows["niger"]["freshness_caveat"].startswith("The leg is after")
    assert rows["plain"]["alternatives"] == "" and rows["plain"]["freshness_caveat"] == ""
    assert rows["bad"]["status"] == "error" and rows["bad"]["datasets_as_of"] == ""


def test_an_answer_long_after_the_as_of_date_says_so_in_every_row(clock: Checker) -> None:
    clock.today = lambda: dt.date(2027, 1, 10)
    rows = by_id(run_text(clock, as_csv(ROWS), "csv", "ndjson"), "ndjson")
    for ident in ("dead", "july", "niger", "plain", "across"):
        assert "given 45 days after" in rows[ident]["freshness"]["caveat"]


def test_the_columnar_path_gives_the_same_rows(checker: Checker) -> None:
    """Legs inside one interval come from templates there: alternatives and freshness too."""
    rows = [dict(r, id=f"{r['id']}-{n}") for n in range(30) for r in ROWS]
    for n, row in enumerate(rows):  # many legs per interval, on different days
        if row["id"].startswith(("dead", "niger")):
            row["arrive"] = row["arrive"][:8] + f"{n % 9 + 1:02d}"
            row.pop("depart", None)
    text = as_csv(rows)
    for fmt in ("csv", "ndjson"):
        reference = "".join(BatchRunner(checker).run(io.StringIO(text, newline=""), "csv", fmt))
        # small_bytes=0: the columnar engine itself, not the row path it uses for small inputs.
        got = ColumnarRunner(checker, small_bytes=0).run_text(text, "csv", fmt)
        assert got == reference


def test_the_cli_batch_shows_alternatives_and_freshness(tmp_path: Path) -> None:
    source = tmp_path / "legs.csv"
    source.write_text(as_csv(ROWS), encoding="utf-8")
    for suffix in ("csv", "ndjson"):
        out = tmp_path / f"out.{suffix}"
        result = subprocess.run(
            [sys.executable, "-m", "app", "batch", str(source), "-o", str(out)],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        assert result.returncode == 0, result.stderr
        rows = by_id(out.read_text(encoding="utf-8"), suffix)
        if suffix == "csv":
            assert rows["dead"]["alternatives"].startswith("people.yaml gaddafi-saif-al-islam")
            assert "after the datasets' as-of date" in rows["niger"]["freshness_caveat"]
        else:
            assert rows["dead"]["alternatives"][0]["exposure"] == "high"
            assert rows["niger"]["freshness"]["datasets_as_of"] == AS_OF


# --- the API -----------------------------------------------------------------------------------

TRIPS = {
    "itineraries": {
        "saif": {
            "traveller": {"name": GADDAFI},
            "legs": [{"id": "paris", "country": "France", "arrive": "2026-03-01"}],
        },
        "putin": {
            "traveller": {"name": "Putin"},
            "legs": [{"id": "niamey", "place": "NIM", "arrive": "2027-07-01"}],
        },
    }
}


def check_trips(results: dict[str, Any]) -> None:
    [paris] = results["saif"]["legs"]
    assert paris["exposure"] == "none"
    assert paris["alternatives"][0]["exposure"] == "high"
    assert "Uncertain" in paris["summary"]
    assert paris["freshness"]["datasets_as_of"] == AS_OF
    [niamey] = results["putin"]["legs"]
    assert niamey["country"]["iso3"] == "NER"
    assert niamey["alternatives"][0]["record"] == "NER"
    assert niamey["freshness"]["days_after_as_of"] == 217
    assert "after the datasets' as-of date" in niamey["freshness"]["caveat"]


def test_itineraries_endpoint_carries_alternatives_and_freshness() -> None:
    with TestClient(create_app(Settings())) as client:
        response = client.post("/v1/itineraries", json=TRIPS)
        assert response.status_code == 200
        check_trips(response.json()["results"])


def test_live_server_itineraries_and_batch_carry_them() -> None:
    with live_server() as base, httpx.Client(base_url=base, timeout=30) as client:
        check_trips(client.post("/v1/itineraries", json=TRIPS).json()["results"])
        response = client.post(
            "/v1/batch", content=as_csv(ROWS), headers={"content-type": "text/csv"}
        )
        rows = by_id(response.text, "ndjson")
        assert rows["dead"]["alternatives"][0]["changes_answer"] is True
        assert rows["niger"]["freshness"]["caveat"] is not None
        response = client.post(
            "/v1/batch",
            content=as_csv(ROWS),
            headers={"content-type": "text/csv", "accept": "text/csv"},
        )
        assert by_id(response.text, "csv")["dead"]["datasets_as_of"] == AS_OF

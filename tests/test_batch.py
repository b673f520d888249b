"""Itineraries and batches: stays split at change dates, every row answered in order, streamed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.batch import DAY, BatchRunner, run_text
from app.checks import Checker, severity
from app.contested import bearing
from app.data import Snapshot
from app.data.models import Person
from app.engine.facts import Mode
from app.engine.rulebook import Rulebook
from app.itinerary import Itinerary, Leg, check_itinerary, check_leg
from app.main import create_app
from app.resolve.countries import Country
from app.resolve.people import PersonMatch
from app.settings import Settings
from app.types import DATE_MIN

from .conftest import ROOT, d

EXAMPLES = ROOT / "examples"
ONE_DAY = dt.timedelta(days=1)


def ndjson(checker: Checker, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    return [json.loads(line) for line in run_text(checker, text, "ndjson", "ndjson").splitlines()]


def one(checker: Checker, **row: Any) -> dict[str, Any]:
    [answer] = ndjson(checker, [row])
    return answer


# --- splitting at change dates ---------------------------------------------------------------


def test_ukraine_entry_into_force_inside_a_stay(checker: Checker) -> None:
    r = one(checker, person="Putin", country="Ukraine", arrive="2024-12-30", depart="2025-01-02")
    starts = [s["start"] for s in r["segments"]]
    assert starts == ["2024-12-30", "2025-01-01"]
    assert "declaration-12-3-obligation" in r["segments"][0]["rules"]
    assert "state-party-obligation" in r["segments"][1]["rules"]
    assert r["segments"][0]["end"] == "2024-12-31" and r["segments"][1]["end"] == "2025-01-02"


def test_burundi_withdrawal_taking_effect_inside_a_stay(checker: Checker) -> None:
    r = one(
        checker,
        person="Omar al-Bashir",
        country="Burundi",
        arrive="2017-10-20",
        depart="2017-11-05",
    )
    assert [s["start"] for s in r["segments"]] == ["2017-10-20", "2017-10-27"]
    before, after = r["segments"]
    assert before["exposure"] == "high" and "state-party-obligation" in before["rules"]
    assert "state-party-obligation" not in after["rules"]
    assert r["worst"] == {"start": "2017-10-20", "end": "2017-10-26"}


def test_a_warrant_issued_during_a_stay(checker: Checker) -> None:
    r = one(checker, person="Putin", country="Japan", arrive="2023-03-15", depart="2023-03-20")
    assert [(s["start"], s["exposure"]) for s in r["segments"]] == [
        ("2023-03-15", "none"),
        ("2023-03-17", "high"),
    ]
    assert r["exposure"] == "high" and r["worst"]["start"] == "2023-03-17"
    assert "2023-03-17" in r["summary"]


def test_an_execution_during_a_stay(checker: Checker) -> None:
    r = one(
        checker, person="Duterte", country="Netherlands", arrive="2025-03-01", depart="2025-03-20"
    )
    # Issued under seal 2025-03-07, executed on his arrest 2025-03-11 (made public that day).
    # While sealed, the Netherlands is a party but not a known recipient of the request: low.
    assert [(s["start"], s["exposure"]) for s in r["segments"]] == [
        ("2025-03-01", "none"),
        ("2025-03-07", "low"),
        ("2025-03-11", "none"),
    ]


def test_a_compliance_finding_during_a_stay(checker: Checker) -> None:
    r = one(checker, person="Putin", country="Mongolia", arrive="2024-09-01", depart="2024-12-31")
    assert "2024-10-24" in [s["start"] for s in r["segments"]]
    assert r["segments"][-1]["exposure"] == "medium"
    assert r["exposure"] == "high" and r["worst"]["start"] == "2024-09-01"


def test_a_stay_after_the_as_of_date_is_split_there(checker: Checker) -> None:
    day_after = checker.snapshot.as_of.fromordinal(checker.snapshot.as_of.toordinal() + 1)
    r = one(checker, person="Putin", country="Japan", arrive="2026-11-20", depart="2026-12-05")
    assert day_after.isoformat() in [s["start"] for s in r["segments"]]
    assert "after-as-of" in r["segments"][-1]["rules"]


# --- rows: good and bad, order, formats --------------------------------------------------------


ROWS = [
    {"id": "a", "person": "Putin", "country": "Japan", "arrive": "2024-01-01"},
    {"id": "b", "person": "Putin", "country": "Atlantis", "arrive": "2024-01-01"},
    {"id": "c", "person": "Netanyahu", "country": "USA", "arrive": "2025-04-07"},
    {"id": "d", "person": "Putin", "country": "Japan", "arrive": "2024-13-01"},
    {"id": "e", "person": "", "country": "Japan", "arrive": "2024-01-01"},
    {"id": "f", "person": "Putin", "country": "Congo", "arrive": "2024-01-01"},
    {"id": "g", "person": "Putin", "country": "JP", "arrive": "2024-01-05", "depart": "2024-01-01"},
    {"id": "h", "person": "Putin", "country": "JP", "arrive": "2024-01-01", "mode": "swim"},
    {"id": "i", "person": "Putin", "country": "Japan", "arrive": "2024-01-01"},
]


def test_bad_rows_are_answered_in_place_and_the_batch_goes_on(checker: Checker) -> None:
    answers = ndjson(checker, ROWS)
    assert [a["id"] for a in answers] == [r["id"] for r in ROWS]
    assert [a["row"] for a in answers] == list(range(1, len(ROWS) + 1))
    status = {a["id"]: a["status"] for a in answers}
    assert status == {
        "a": "ok",
        "b": "error",
        "c": "ok",
        "d": "error",
        "e": "error",
        "f": "error",
        "g": "error",
        "h": "error",
        "i": "ok",
    }
    errors = {a["id"]: a for a in answers if a["status"] == "error"}
    assert errors["b"]["field"] == "country" and "Atlantis" in errors["b"]["error"]
    assert errors["d"]["field"] == "arrive"
    assert errors["f"]["field"] == "country" and "may mean" in errors["f"]["error"]
    assert errors["g"]["field"] == "depart"
    assert errors["h"]["field"] == "mode"


def test_broken_lines_in_ndjson_are_error_records(checker: Checker) -> None:
    text = '{"id":"x","person":"Putin","country":"JP","arrive":"2024-01-01"}\nnot json\n[1,2]\n\n'
    out = [json.loads(x) for x in run_text(checker, text, "ndjson", "ndjson").splitlines()]
    assert [o["status"] for o in out] == ["ok", "error", "error"]
    assert [o["row"] for o in out] == [1, 2, 3]


def to_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=["id", "person", "country", "arrive", "depart", "mode"]
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("fmt_in", "fmt_out"),
    [("csv", "csv"), ("csv", "ndjson"), ("ndjson", "csv"), ("ndjson", "ndjson")],
)
def test_csv_and_ndjson_both_ways(checker: Checker, fmt_in: str, fmt_out: str) -> None:
    text = to_csv(ROWS) if fmt_in == "csv" else "".join(json.dumps(r) + "\n" for r in ROWS)
    out = run_text(checker, text, fmt_in, fmt_out)  # type: ignore[arg-type]
    if fmt_out == "csv":
        records = list(csv.DictReader(io.StringIO(out)))
    else:
        records = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in records] == [r["id"] for r in ROWS]
    assert [r["exposure"] for r in records if r["status"] == "ok"] == ["high", "low", "high"]


def test_a_csv_without_the_needed_columns_says_so(checker: Checker) -> None:
    out = run_text(checker, "name,place\nPutin,Japan\n", "csv", "ndjson")
    [record] = [json.loads(line) for line in out.splitlines()]
    assert record["status"] == "error" and "header" in record["error"]


def test_the_batch_fast_path_agrees_with_the_itinerary_check(checker: Checker) -> None:
    rng = random.Random(5)
    people = ["Putin", "Netanyahu", "Omar al-Bashir", "Duterte", "Kony", "Emmanuel Macron"]
    countries = ["JPN", "MNG", "HUN", "UKR", "SDN", "PHL", "BDI", "FRA", "USA", "TJK", "GRL"]
    rows = []
    for i in range(400):
        arrive = d("2015-01-01").fromordinal(d("2015-01-01").toordinal() + rng.randint(0, 4400))
        depart = arrive.fromordinal(arrive.toordinal() + rng.choice([0, 1, 5, 30, 200]))
        rows.append(
            {
                "id": str(i),
                "person": rng.choice(people),
                "country": rng.choice(countries),
                "arrive": arrive.isoformat(),
                "depart": depart.isoformat(),
                "mode": rng.choice(["visit", "transit", "overflight"]),
            }
        )
    for row, answer in zip(rows, ndjson(checker, rows), strict=True):
        match = checker.resolve_person(row["person"])
        leg = Leg(
            country=row["country"], arrive=row["arrive"], depart=row["depart"], mode=row["mode"]
        )
        expected = check_leg(checker, match, leg, 0)
        assert answer["exposure"] == expected.exposure.value, row
        assert answer["obligation"] == expected.obligation, row
        assert answer["worst"] == {
            "start": expected.worst.start.isoformat(),
            "end": expected.worst.end.isoformat(),
        }, row
        assert [s["start"] for s in answer["segments"]] == [
            s.start.isoformat() for s in expected.segments
        ], row
        assert answer["summary"] == expected.worst.summary, row


def test_the_batch_streams_without_reading_all_input_first(checker: Checker) -> None:
    consumed = 0

    def lines() -> Iterator[str]:
        nonlocal consumed
        yield "id,person,country,arrive\n"
        for i in range(100_000):
            consumed += 1
            yield f"{i},Putin,Japan,2024-01-01\n"

    class Lines(io.TextIOBase):
        def __init__(self) -> None:
            self._it = lines()

        def __iter__(self) -> Iterator[str]:
            return self._it

        def __next__(self) -> str:
            return next(self._it)

    first = next(BatchRunner(checker).run(Lines(), "csv", "ndjson"))  # type: ignore[arg-type]
    assert first.startswith('{"row":2,')
    assert consumed < 5_000, "answers come out while input is still being read"


def test_the_row_limit_ends_the_batch_with_an_error_record(checker: Checker) -> None:
    text = to_csv([ROWS[0]] * 5)
    out = "".join(BatchRunner(checker, max_rows=3).run(io.StringIO(text), "csv", "ndjson"))
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 4 and records[-1]["status"] == "error"
    assert "limit of 3 rows" in records[-1]["error"]


# --- itineraries -----------------------------------------------------------------------------


def test_an_itinerary_reports_the_highest_exposure_and_first_obligation(checker: Checker) -> None:
    itinerary = Itinerary.model_validate(
        {
            "traveller": {"name": "Putin"},
            "legs": [
                {"id": "1", "country": "China", "arrive": "2024-05-16", "depart": "2024-05-17"},
                {"id": "2", "country": "Mongolia", "arrive": "2024-09-02", "depart": "2024-09-03"},
                {"id": "3", "country": "Atlantis", "arrive": "2024-09-04"},
                {"id": "4", "country": "Germany", "arrive": "2024-09-05", "mode": "overflight"},
            ],
        }
    )
    result = check_itinerary(checker, itinerary)
    assert result.exposure.value == "high" and result.first_obligation == 1
    assert result.counts == {"low": 2, "high": 1}
    assert [getattr(leg, "error", None) is not None for leg in result.legs] == [
        False,
        False,
        True,
        False,
    ]


def test_itineraries_endpoint_keys_results_by_caller_ids_and_limits_size() -> None:
    body = {
        "itineraries": {
            "trip-9": {
                "traveller": {"name": "Netanyahu"},
                "legs": [{"country": "HU", "arrive": "2025-04-03", "depart": "2025-04-06"}],
            },
            "trip-2": {
                "traveller": {"name": "Putin"},
                "legs": [{"country": "JP", "arrive": "2024-01-01"}],
            },
        }
    }
    with TestClient(create_app(Settings(max_itineraries=2))) as client:
        results = client.post("/v1/itineraries", json=body).json()["results"]
        assert set(results) == {"trip-9", "trip-2"}
        assert results["trip-2"]["exposure"] == "high"
        body["itineraries"]["trip-3"] = body["itineraries"]["trip-2"]
        too_many = client.post("/v1/itineraries", json=body)
        assert too_many.status_code == 413
        assert too_many.headers["content-type"].startswith("application/problem+json")


def test_batch_endpoint_streams_csv_and_ndjson() -> None:
    with TestClient(create_app(Settings())) as client:
        response = client.post(
            "/v1/batch", content=to_csv(ROWS), headers={"content-type": "text/csv"}
        )
        assert (
            response.status_code == 200
            and response.headers["content-type"] == "application/x-ndjson"
        )
        assert len(response.text.splitlines()) == len(ROWS)
        response = client.post(
            "/v1/batch",
            content=to_csv(ROWS),
            headers={"content-type": "text/csv", "accept": "text/csv"},
        )
        assert response.headers["content-type"].startswith("text/csv")
        assert len(list(csv.DictReader(io.StringIO(response.text)))) == len(ROWS)
        unsupported = client.post(
            "/v1/batch", content=b"<a/>", headers={"content-type": "application/xml"}
        )
        assert unsupported.status_code == 415


def test_batch_endpoint_refuses_an_oversized_body() -> None:
    with TestClient(create_app(Settings(batch_max_bytes=2048))) as client:
        response = client.post(
            "/v1/batch", content=to_csv(ROWS * 40), headers={"content-type": "text/csv"}
        )
        assert response.status_code == 413


# --- the CLI ---------------------------------------------------------------------------------


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "batch", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


@pytest.mark.parametrize("name", ["putin.csv", "netanyahu.csv"])
def test_cli_on_the_examples(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out.ndjson"
    result = cli(str(EXAMPLES / name), "-o", str(out))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    with (EXAMPLES / name).open(encoding="utf-8") as f:
        expected_ids = [row["id"] for row in csv.DictReader(f)]
    assert [r["id"] for r in records] == expected_ids
    assert all(r["status"] == "ok" for r in records)
    assert "batch summary" in result.stderr


def test_cli_putin_examples_answer_as_reported(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    assert cli(str(EXAMPLES / "putin.csv"), "-o", str(out)).returncode == 0
    rows = {r["id"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    by_country = {}
    for r in rows.values():
        by_country.setdefault(r["country"], set()).add(r["exposure"])
    assert by_country["MNG"] == {"high"} and by_country["TJK"] == {"high"}
    assert by_country["ZAF"] == {"high"}  # the 2023 BRICS summit he stayed away from
    assert by_country["CHN"] == {"low"}


def test_cli_reads_stdin_and_writes_stdout() -> None:
    result = cli("-", "--in-format", "ndjson", stdin=json.dumps(ROWS[0]) + "\n")
    assert result.returncode == 0
    assert json.loads(result.stdout)["exposure"] == "high"


def test_cli_exit_code_is_non_zero_only_for_unreadable_input(tmp_path: Path) -> None:
    bad_rows = tmp_path / "bad.csv"
    bad_rows.write_text("id,person,country,arrive\n1,Putin,Atlantis,2024-99-99\n", encoding="utf-8")
    assert cli(str(bad_rows), "-o", str(tmp_path / "o.ndjson")).returncode == 0
    missing = cli(str(tmp_path / "missing.csv"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_cli_says_when_it_cannot_write_its_output(tmp_path: Path) -> None:
    # A disk that fills up mid-batch stops the batch with the reason and exit code 2, not a
    # traceback.
    legs = tmp_path / "legs.csv"
    rows = [f"{i},Putin,Mongolia,2024-09-{1 + i % 28:02d}" for i in range(3000)]
    legs.write_text("id,person,country,arrive\n" + "\n".join(rows) + "\n", encoding="utf-8")
    full = cli(str(legs), "-o", "/dev/full")
    assert full.returncode == 2
    assert "cannot write /dev/full: No space left on device" in full.stderr
    assert "Traceback" not in full.stderr


def test_a_second_batch_reuses_the_generations_intervals(
    snapshot: Snapshot, rulebook: Rulebook
) -> None:
    # What holds between two change dates is the same in every batch of a generation: the
    # second batch (other ids, other days in the same intervals) evaluates nothing, and says
    # exactly what a Checker that never saw the first batch says.
    shared = Checker(snapshot, rulebook)
    calls = 0
    rulings = shared.rulings  # what the batch decides on (per interval and mode)

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return rulings(*args, **kwargs)

    shared.rulings = counted  # type: ignore[method-assign]
    legs = [
        ("Putin", "Japan", 3, "visit"),
        ("Putin", "Mongolia", 4, "transit"),
        ("Netanyahu", "Hungary", 5, "overflight"),
        ("Duterte", "Philippines", 6, "visit"),
    ]

    def batch(prefix: str, day: int) -> str:
        return "id,person,country,arrive,depart,mode\n" + "".join(
            f"{prefix}{i},{person},{country},2024-0{month}-{day},,{mode}\n"
            for i, (person, country, month, mode) in enumerate(legs)
        )

    answers = [
        json.loads(line) for line in run_text(shared, batch("a", 10), "csv", "ndjson").splitlines()
    ]
    assert [a["status"] for a in answers] == ["ok"] * len(legs)
    assert calls >= len(legs)
    calls = 0
    second = batch("b", 12)  # no change date between the 10th and the 12th of those months
    again = run_text(shared, second, "csv", "ndjson")
    assert calls == 0
    assert [json.loads(line)["id"] for line in again.splitlines()] == ["b0", "b1", "b2", "b3"]
    assert again == run_text(Checker(snapshot, rulebook), second, "csv", "ndjson")


# --- the first evaluation of an interval ------------------------------------------------------


def _full_interval(
    checker: Checker, person: Person | None, country: Country, day: dt.date, mode: Mode
) -> tuple[Any, ...]:
    """What a batch interval holds, computed the full way: facts built for this day and mode,
    every fired rule's explanation rendered, the contested values' answers from their own
    full evaluations."""
    evaluated = checker.evaluate(person, country, day, mode)
    worst = max(evaluated, key=lambda e: severity(e.decision)).decision
    rules: list[str] = []
    for e in evaluated:
        rules.extend(f.placed.rule.id for f in e.decision.fired if f.placed.rule.id not in rules)
    summary = next(
        (f.explanation for f in worst.fired if f.placed.rule.id == worst.decided_by["exposure"]),
        f"Exposure {worst.exposure.value}.",
    )
    others = []
    for fact in bearing(checker, person.id if person else None, country.iso3):
        other = checker.evaluate(person, country, day, mode, checker.alternate_snapshot(fact))
        under = max((e.decision for e in other), key=severity)
        others.append((fact.key, under.exposure, under.obligation))
    return (
        worst.exposure.value,
        worst.obligation,
        json.dumps(rules, separators=(",", ":")),
        json.dumps(summary, ensure_ascii=False),
        summary,
        others,
    )


def test_the_batch_decides_each_interval_as_the_full_check(
    snapshot: Snapshot, rulebook: Rulebook
) -> None:
    # The batch builds an interval's facts once for its three modes (on the first day a leg
    # asks about) and renders only the deciding rule's explanation. On the shipped data, for
    # every interval between change dates of 150 (person, country) pairs (those under contested
    # facts included), each mode asked on another day of the interval than the one its facts
    # were built on, it keeps exactly what the full evaluation of that day and mode says.
    checker = Checker(snapshot, rulebook)
    rng = random.Random(12)
    people: list[Person | None] = [None, *snapshot.people.values()]
    countries = list(checker.countries.all())
    named = ["NER", "LBY", "UKR", "Crimea", "Sevastopol", "MNG", "HUN", "SDN", "PHL", "TJK"]
    countries += [checker.countries.resolve(n) for n in named]
    # (person, country) as indices: a Country with an occupied area is not hashable.
    pairs = {
        (p, c)
        for p in range(len(people))
        for c in range(len(countries) - len(named), len(countries))
        if rng.random() < 0.15
    }
    pairs |= {(rng.randrange(len(people)), rng.randrange(len(countries))) for _ in range(100)}
    libya = countries.index(checker.countries.resolve("LBY"))
    pairs |= {
        (people.index(snapshot.people[f.record]), libya)
        for f in checker.contested
        if f.dataset == "people.yaml"
    }
    runner = BatchRunner(checker)
    compared = differing = 0
    for p, c in sorted(pairs):
        person, country = people[p], countries[c]
        match = PersonMatch(
            query=person.name if person else "nobody",
            person=person,
            score=1.0 if person else 0.0,
            matched=person.name if person else None,
            candidates=(),
            level="sure" if person else "none",
        )
        bounds = checker.change_days(person.id if person else None, country.iso3, country.area)
        for index in range(len(bounds) + 1):
            first = bounds[index - 1] if index else max(DATE_MIN, bounds[0] - ONE_DAY * 400)
            last = bounds[index] - ONE_DAY if index < len(bounds) else first + ONE_DAY * 300
            modes: list[Mode] = ["visit", "transit", "overflight"]
            rng.shuffle(modes)
            seen = set()
            for n, mode in enumerate(modes):
                day = first if n == 0 else last  # facts built on the first, reused on the last
                got = runner._interval(match, country, mode, index, day)
                others = [(o.fact.key, o.exposure, o.obligation) for o in got.others]
                kept = (got.exposure, got.obligation, got.rules_json, *[
                    s.replace(DAY, day.isoformat()) for s in (got.summary_json, got.summary_text)
                ], others)  # fmt: skip
                assert kept == _full_interval(checker, person, country, day, mode), (
                    person.id if person else None, country.iso3, index, mode, day,
                )  # fmt: skip
                seen.add((got.exposure, got.obligation, got.rules_json))
                compared += 1
            differing += len(seen) > 1
    assert compared > 3000
    assert differing > 100  # the modes share facts, yet answer differently where it matters


def test_modes_share_the_facts_of_a_day_yet_answer_differently(checker: Checker) -> None:
    # Putin in Mongolia (a State Party) in 2024: a visit obliges it to arrest; an overflight
    # does not (no rule obliges a state to land an aircraft), and the answers say so.
    rows = [
        {"id": m, "person": "Putin", "country": "Mongolia", "arrive": "2024-09-03", "mode": m}
        for m in ("visit", "transit", "overflight")
    ]
    visit, transit, overflight = ndjson(checker, rows)
    assert (visit["exposure"], visit["obligation"]) == ("high", True)
    assert (transit["exposure"], transit["obligation"]) == ("high", True)
    assert (overflight["exposure"], overflight["obligation"]) == ("low", False)
    assert "overflight-no-landing" in overflight["segments"][0]["rules"]
    assert "overflight-no-landing" not in visit["segments"][0]["rules"]
    assert "only in the air on 2024-09-03" in overflight["summary"]
    for row, answer in zip(rows, (visit, transit, overflight), strict=True):
        verdict = checker.check("Putin", "Mongolia", d("2024-09-03"), row["mode"])  # type: ignore[arg-type]
        assert (answer["exposure"], answer["obligation"]) == (
            verdict.exposure,
            verdict.obligation,
        )
        assert answer["summary"] == verdict.summary

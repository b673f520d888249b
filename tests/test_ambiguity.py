"""Never a confident "none" for a name not pinned down: ambiguous names ask (a 422 with choices),
names with only candidates are unresolved (no exposure, each candidate's own answer, the worst
case), the same through the Verdict, the API, batches, itineraries and the CLI.

The shipped data has real cases of each: 'Gaddafi' fits Muammar (warrant terminated on his death
in 2011) and Saif al-Islam (warrant outstanding in 2025); 'Sokolov' alone is a common surname,
so it stays a candidate (Viktor Sokolov, warrant of 2024); 'Emmanuel Macron' is close to nobody.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from app.batch import BatchRunner, run_text
from app.checks import Checker
from app.cli import app
from app.errors import AmbiguousPerson
from app.itinerary import Itinerary, check_itinerary

from .conftest import d, live_server

runner = CliRunner()
PROBLEM = "application/problem+json"
GADDAFI = {"gaddafi-muammar", "gaddafi-saif-al-islam"}


@pytest.fixture(scope="module")
def live() -> Iterator[httpx.Client]:
    with live_server() as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


# --- the Verdict ----------------------------------------------------------------------------


def test_gaddafi_asks_with_each_choice_and_its_exposure(checker: Checker) -> None:
    with pytest.raises(AmbiguousPerson) as caught:
        checker.check("Gaddafi", "France", d("2025-06-01"))
    choices = {c["id"]: c for c in caught.value.extra["choices"]}
    assert set(choices) == GADDAFI
    saif, muammar = choices["gaddafi-saif-al-islam"], choices["gaddafi-muammar"]
    assert saif["active_warrant"] is True and saif["exposure"] == "high" and saif["obligation"]
    assert muammar["active_warrant"] is False and muammar["exposure"] == "none"
    assert caught.value.field == "person" and caught.value.title == "Ambiguous person"


def test_a_common_surname_alone_is_unresolved_never_none(checker: Checker) -> None:
    v = checker.check("Sokolov", "Japan", d("2025-06-01"))
    assert v.status == "unresolved" and v.person is None
    assert v.exposure is None and v.obligation is None
    assert v.match.level == "candidates" and v.match.matched
    assert [c.id for c in v.candidates][:1] == ["sokolov-viktor"]
    assert v.candidates[0].active_warrant and v.candidates[0].exposure.value == "high"
    assert v.worst_case_exposure.value == "high"
    assert "could not be pinned down" in v.summary and "Viktor" in v.summary


def test_a_sure_match_answers_with_the_match_block(checker: Checker) -> None:
    v = checker.check("Путин", "Mongolia", d("2025-06-01"))
    assert v.status == "ok" and v.match.level == "sure" and v.match.matched == "Владимир Путин"
    assert v.exposure is not None and v.worst_case_exposure == v.exposure
    assert v.candidates == []


def test_confidence_is_the_data_and_match_is_the_name(checker: Checker) -> None:
    # A sure name resting on a medium-confidence person record: two different things.
    v = checker.check("Haibatullah Akhundzada", "France", d("2025-08-01"))
    assert v.match.level == "sure" and v.confidence.value == "medium"
    assert {"dataset": "people.yaml", "confidence": "medium"}.items() <= next(
        e.model_dump(mode="json") for e in v.evidence if e.dataset == "people.yaml"
    ).items()


def test_none_only_when_nobody_came_close(checker: Checker) -> None:
    v = checker.check("Emmanuel Macron", "France", d("2025-06-01"))
    assert v.status == "ok" and v.match.level == "none" and v.match.score == 0
    assert v.exposure is not None and v.exposure.value == "none" and v.candidates == []
    assert "Nobody" in v.match.meaning


@pytest.mark.parametrize(
    ("typed", "country", "expected"),
    [
        ("Puttin", "Japan", "putin-vladimir"),
        ("Konny", "Uganda", "kony-joseph"),
        ("Lvova", "Japan", "lvova-belova-maria"),
    ],
)
def test_a_mistyped_or_partial_name_is_never_none(
    checker: Checker, typed: str, country: str, expected: str
) -> None:
    try:
        v = checker.check(typed, country, d("2025-06-01"))
    except AmbiguousPerson as exc:
        assert expected in {c["id"] for c in exc.extra["choices"]}
        return
    if v.person is not None:
        assert v.person.id == expected
    else:
        assert v.status == "unresolved" and v.exposure is None
        assert expected in [c.id for c in v.candidates][:3]
        assert v.worst_case_exposure.value == "high"


# --- the API (live uvicorn) -----------------------------------------------------------------


def test_ambiguous_person_is_a_422_problem_with_choices(live: httpx.Client) -> None:
    params = {"person": "Gaddafi", "country": "France", "date": "2025-06-01"}
    for response in (
        live.get("/v1/exposure", params=params),
        live.post("/v1/exposure", json=params),
    ):
        assert response.status_code == 422
        assert response.headers["content-type"].startswith(PROBLEM)
        body = response.json()
        assert body["title"] == "Ambiguous person" and body["field"] == "person"
        choices = {c["id"]: c for c in body["choices"]}
        assert set(choices) == GADDAFI
        assert choices["gaddafi-saif-al-islam"]["active_warrant"] is True
        assert choices["gaddafi-saif-al-islam"]["exposure"] == "high"
        assert choices["gaddafi-muammar"]["active_warrant"] is False


def test_the_choices_lead_to_an_answer_by_id(live: httpx.Client) -> None:
    params = {"person": "gaddafi-saif-al-islam", "country": "France", "date": "2025-06-01"}
    v = live.get("/v1/exposure", params=params).json()
    assert v["status"] == "ok" and v["exposure"] == "high" and v["match"]["level"] == "sure"


def test_unresolved_over_http_has_null_exposure_and_the_worst_case(live: httpx.Client) -> None:
    params = {"person": "Sokolov", "country": "Japan", "date": "2025-06-01"}
    response = live.get("/v1/exposure", params=params)
    assert response.status_code == 200
    v = response.json()
    assert v["status"] == "unresolved" and v["exposure"] is None and v["obligation"] is None
    assert v["worst_case_exposure"] == "high" and v["match"]["level"] == "candidates"
    assert v["candidates"][0]["id"] == "sokolov-viktor"


def test_openapi_documents_the_ambiguous_person_422(live: httpx.Client) -> None:
    document = live.get("/openapi.json").json()
    for method in ("get", "post"):
        response = document["paths"]["/v1/exposure"][method]["responses"]["422"]
        assert "Ambiguous person" in response["description"]
        example = response["content"][PROBLEM]["example"]
        assert example["title"] == "Ambiguous person" and example["choices"]
    verdict = document["components"]["schemas"]["Verdict"]["properties"]
    assert {"status", "match", "worst_case_exposure"} <= set(verdict)


# --- batches ----------------------------------------------------------------------------------


def test_batch_row_for_an_ambiguous_name_is_ambiguous_with_the_worst_case(
    checker: Checker,
) -> None:
    row = {"id": "g", "person": "Gaddafi", "country": "France", "arrive": "2025-06-01"}
    [record] = [
        json.loads(line)
        for line in run_text(checker, json.dumps(row) + "\n", "ndjson", "ndjson").splitlines()
    ]
    assert record["status"] == "ambiguous" and record["exposure"] is None
    assert record["worst_case_exposure"] == "high"
    choices = {c["id"]: c for c in record["candidates"]}
    assert set(choices) == GADDAFI and choices["gaddafi-saif-al-islam"]["active_warrant"]


def test_batch_csv_has_candidates_and_worst_case_columns(checker: Checker) -> None:
    text = (
        "id,person,country,arrive\n"
        "g,Gaddafi,France,2025-06-01\n"
        "s,Sokolov,Japan,2025-06-01\n"
        "p,Putin,Japan,2025-06-01\n"
        "x,Putin,Atlantis,2025-06-01\n"
    )
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(run_text(checker, text, "csv", "csv")))}
    assert rows["g"]["status"] == "ambiguous" and rows["g"]["exposure"] == ""
    assert set(rows["g"]["candidates"].split("|")) == GADDAFI
    assert rows["g"]["worst_case_exposure"] == "high"
    assert rows["s"]["status"] == "unresolved" and rows["s"]["worst_case_exposure"] == "high"
    assert rows["p"]["status"] == "ok" and rows["p"]["worst_case_exposure"] == "high"
    assert rows["p"]["candidates"] == "" and rows["x"]["status"] == "error"


def test_batch_stats_count_names_not_pinned_down(checker: Checker) -> None:
    batch = BatchRunner(checker)
    text = "id,person,country,arrive\n1,Gaddafi,France,2025-06-01\n2,Sokolov,Japan,2025-06-01\n"
    "".join(batch.run(io.StringIO(text), "csv", "ndjson"))
    assert batch.stats.by_exposure == {"ambiguous": 1, "unresolved": 1}
    assert batch.stats.errors == 0


def test_batch_over_http_keeps_the_columns(live: httpx.Client) -> None:
    response = live.post(
        "/v1/batch",
        content="id,person,country,arrive\ng,Gaddafi,France,2025-06-01\n",
        headers={"content-type": "text/csv", "accept": "text/csv"},
    )
    [row] = list(csv.DictReader(io.StringIO(response.text)))
    assert row["status"] == "ambiguous" and row["worst_case_exposure"] == "high"


# --- itineraries ------------------------------------------------------------------------------


def test_an_itinerary_of_an_ambiguous_traveller_is_never_silently_passed(
    checker: Checker,
) -> None:
    itinerary = Itinerary.model_validate(
        {
            "traveller": {"name": "Gaddafi"},
            "legs": [
                {"id": "fr", "country": "France", "arrive": "2025-06-01", "depart": "2025-06-03"},
                {"id": "ly", "country": "Libya", "arrive": "2025-06-04"},
            ],
        }
    )
    result = check_itinerary(checker, itinerary)
    assert result.status == "ambiguous" and result.exposure is None
    assert result.worst_case_exposure.value == "high"
    assert result.counts == {"ambiguous": 2}
    fr = result.legs[0]
    assert fr.status == "ambiguous" and fr.exposure is None  # type: ignore[union-attr]
    assert {c.id for c in fr.candidates} == GADDAFI  # type: ignore[union-attr]
    assert fr.worst_case_exposure.value == "high"  # type: ignore[union-attr]


def test_itineraries_over_http_show_the_status(live: httpx.Client) -> None:
    body: dict[str, Any] = {
        "itineraries": {
            "t": {
                "traveller": {"name": "Sokolov"},
                "legs": [{"id": "jp", "country": "Japan", "arrive": "2025-06-01"}],
            }
        }
    }
    result = live.post("/v1/itineraries", json=body).json()["results"]["t"]
    assert result["status"] == "unresolved" and result["worst_case_exposure"] == "high"
    assert result["legs"][0]["candidates"][0]["id"] == "sokolov-viktor"


# --- the CLI ----------------------------------------------------------------------------------


def test_cli_ambiguous_person_exits_3_with_the_choices() -> None:
    result = runner.invoke(app, ["check", "Gaddafi", "France", "--date", "2025-06-01"])
    assert result.exit_code == 3
    assert "gaddafi-saif-al-islam" in result.output and "gaddafi-muammar" in result.output


def test_cli_ambiguous_person_as_json_is_a_problem() -> None:
    result = runner.invoke(app, ["check", "Gaddafi", "France", "--date", "2025-06-01", "--json"])
    assert result.exit_code == 3
    problem = json.loads(result.stdout)
    assert problem["title"] == "Ambiguous person"
    assert {c["id"] for c in problem["choices"]} == GADDAFI


def test_cli_unresolved_exits_4_with_the_candidates() -> None:
    result = runner.invoke(app, ["check", "Sokolov", "Japan", "--date", "2025-06-01"])
    assert result.exit_code == 4
    assert "status: unresolved" in result.output and "sokolov-viktor" in result.output
    assert "match: candidates" in result.output


def test_cli_answered_exits_0_and_shows_the_match() -> None:
    result = runner.invoke(app, ["check", "Putin", "Japan", "--date", "2025-06-01"])
    assert result.exit_code == 0
    assert "status: ok" in result.output and "match: sure" in result.output


def test_cli_help_documents_every_exit_code() -> None:
    result = runner.invoke(app, ["check", "--help"], terminal_width=200)
    text = " ".join(result.output.split())
    for code in ("0 answered", "1 the datasets", "2 bad input", "3 ambiguous", "4 unresolved"):
        assert code in text

"""The Prosecutor's public warrant applications: a pending one is 'low', never 'none', with the
application's date, everywhere the person's exposure is shown; broken records are located."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.checks import Checker
from app.data import Snapshot, load_snapshot
from app.itinerary import Itinerary, check_itinerary
from app.yamlio import FileProblems

from .conftest import DATASETS, d, live_server


@pytest.fixture(scope="module")
def live() -> Iterator[httpx.Client]:
    with live_server() as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


def test_the_shipped_applications_are_the_public_ones(snapshot: Snapshot) -> None:
    by_person = {a.person: a for a in snapshot.applications}
    assert by_person["min-aung-hlaing"].filed == d("2024-11-27")
    assert by_person["min-aung-hlaing"].outcome == "pending"
    for person in ("akhundzada-haibatullah", "haqqani-abdul-hakim"):
        assert (by_person[person].filed, by_person[person].decided) == (
            d("2025-01-23"),
            d("2025-07-08"),
        )
    for person in ("netanyahu-benjamin", "gallant-yoav", "deif-mohammed"):
        assert by_person[person].filed == d("2024-05-20")
        assert by_person[person].outcome == "granted"
    assert by_person["haniyeh-ismail"].outcome == "withdrawn"
    assert by_person["sinwar-yahya"].outcome == "withdrawn"
    for a in snapshot.applications:
        assert a.sources[0].startswith("https://www.icc-cpi.int/")


def test_min_aung_hlaing_in_bangladesh_is_low_with_the_application_date(
    checker: Checker,
) -> None:
    v = checker.check("Min Aung Hlaing", "Bangladesh", d("2025-06-01"))
    assert v.exposure is not None and v.exposure.value == "low" and v.obligation is False
    assert v.trace[0].rule == "warrant-application-pending"
    assert "2024-11-27" in v.summary
    assert any("under seal" in note for note in v.notes)
    assert ("applications.yaml", "min-aung-hlaing-2024-application") in {
        (e.dataset, e.record) for e in v.evidence
    }


def test_min_aung_hlaing_is_found_in_burmese_script(checker: Checker) -> None:
    v = checker.check("မင်းအောင်လှိုင်", "Bangladesh", d("2025-06-01"))
    assert v.person is not None and v.person.id == "min-aung-hlaing"


def test_before_the_application_there_is_nothing(checker: Checker) -> None:
    v = checker.check("Min Aung Hlaing", "Bangladesh", d("2024-11-26"))
    assert v.exposure is not None and v.exposure.value == "none"


def test_between_application_and_warrant_netanyahu_is_low_then_the_warrant_decides(
    checker: Checker,
) -> None:
    before = checker.check("Netanyahu", "France", d("2024-07-01"))
    after = checker.check("Netanyahu", "Germany", d("2024-12-01"))
    assert before.exposure is not None and before.exposure.value == "low"
    assert "2024-05-20" in before.summary
    assert "warrant-application-pending" not in {t.rule for t in after.trace}


def test_a_stay_is_cut_at_the_application_date(checker: Checker) -> None:
    itinerary = Itinerary.model_validate(
        {
            "traveller": {"name": "Min Aung Hlaing"},
            "legs": [{"country": "Bangladesh", "arrive": "2024-11-20", "depart": "2024-12-05"}],
        }
    )
    [leg] = check_itinerary(checker, itinerary).legs
    assert [(s.start, s.exposure.value) for s in leg.segments] == [  # type: ignore[union-attr]
        (d("2024-11-20"), "none"),
        (d("2024-11-27"), "low"),
    ]


def test_the_world_view_shows_the_pending_application(live: httpx.Client) -> None:
    world = live.get("/v1/people/min-aung-hlaing/world", params={"date": "2025-06-01"}).json()
    rows = {r["iso3"]: r for r in world["countries"]}
    assert rows["BGD"]["exposure"] == "low" and rows["BGD"]["rule"] == "warrant-application-pending"
    assert "none" not in world["counts"]


def test_the_api_answers_low_for_min_aung_hlaing(live: httpx.Client) -> None:
    params = {"person": "Min Aung Hlaing", "country": "Bangladesh", "date": "2025-06-01"}
    v = live.get("/v1/exposure", params=params).json()
    assert v["exposure"] == "low" and v["status"] == "ok" and "2024-11-27" in v["summary"]


# --- broken records are located ---------------------------------------------------------------


@pytest.fixture
def datasets(tmp_path: Path) -> Path:
    target = tmp_path / "datasets"
    shutil.copytree(DATASETS, target)
    return target


def problems_after(datasets: Path, old: str, new: str) -> list[str]:
    path = datasets / "applications.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(FileProblems) as caught:
        load_snapshot(datasets)
    return [str(p) for p in caught.value.problems]


def test_a_pending_application_with_a_decision_date_is_refused(datasets: Path) -> None:
    found = problems_after(
        datasets, "decided: null\n    outcome: pending", "decided: 2025-01-01\n    outcome: pending"
    )
    assert any("applications.yaml:" in p and "decided" in p for p in found), found


def test_a_granted_application_must_match_its_warrant(datasets: Path) -> None:
    found = problems_after(
        datasets, "warrant: gallant-yoav-2024", "warrant: netanyahu-benjamin-2024"
    )
    assert any("is against 'netanyahu-benjamin'" in p for p in found), found


def test_an_application_for_an_unknown_person_is_refused(datasets: Path) -> None:
    found = problems_after(datasets, "person: min-aung-hlaing", "person: min-aung-hlain")
    assert any("unknown person 'min-aung-hlain'" in p for p in found), found

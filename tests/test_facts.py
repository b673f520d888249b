"""Facts a reader can trust: source tiers, contested facts, freshness, what changed, what is coming.

Validation failures are shown on copies of the fixture folder tests/data/mini (one thing broken
each); answers on the shipped datasets; the API against a live uvicorn.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from app.changes import diff_answers, person_changes
from app.checks import Checker
from app.cli import app
from app.data import Snapshot, load_snapshot
from app.engine.rulebook import Rulebook
from app.yamlio import FileProblems

from .conftest import DATASETS, d, live_server

runner = CliRunner()
DATA = Path(__file__).parent / "data"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A private copy of the small fixture datasets, to edit."""
    target = tmp_path / "mini"
    shutil.copytree(DATA / "mini", target)
    return target


def problems(folder: Path) -> list[str]:
    with pytest.raises(FileProblems) as caught:
        load_snapshot(folder)
    return [str(p) for p in caught.value.problems]


def replace_once(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in a file; the 1-based line it was on."""
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return text[:at].count("\n") + 1


# --- source tiers -------------------------------------------------------------------------------


def test_the_shipped_datasets_pass_validation() -> None:
    result = runner.invoke(app, ["data", "validate"])
    assert result.exit_code == 0, result.output
    assert "datasets valid" in result.output


def test_the_fixture_datasets_pass_validation() -> None:
    assert load_snapshot(DATA / "mini").people


def test_a_tracking_parameter_is_refused_where_it_is(mini: Path) -> None:
    url = "https://www.icc-cpi.int/situations/ukraine"
    line = replace_once(mini / "warrants.yaml", url, url + "?utm_source=rss&utm_medium=x")
    found = problems(mini)
    assert any(
        p.startswith(f"mini/warrants.yaml:{line}: warrants[0].sources[")
        and "tracking parameter(s) utm_source, utm_medium" in p
        for p in found
    ), found


def test_a_wikipedia_mirror_is_refused(mini: Path) -> None:
    line = replace_once(
        mini / "people.yaml",
        "https://www.rferl.org/a/icc-arrest-warrant-putin-war-crimes-ukraine/32323342.html",
        "https://wikimili.com/en/Vladimir_Putin",
    )
    found = problems(mini)
    assert found == [
        f"mini/people.yaml:{line}: people[0].sources[2]: refused domain wikimili.com "
        "(Wikipedia mirror)"
    ]


def test_an_unknown_domain_is_refused(mini: Path) -> None:
    replace_once(
        mini / "people.yaml",
        "https://www.rferl.org/a/icc-arrest-warrant-putin-war-crimes-ukraine/32323342.html",
        "https://example-news.test/putin",
    )
    [found] = problems(mini)
    assert "unknown domain example-news.test" in found


def test_a_moved_court_page_is_refused(mini: Path) -> None:
    replace_once(
        mini / "warrants.yaml",
        "https://www.icc-cpi.int/situations/ukraine",
        "http://www.icc-cpi.int/en_menus/icc/situations%20and%20cases/Pages/x.aspx",
    )
    found = problems(mini)
    assert any("moved page" in p and "cite the current page" in p for p in found), found


def test_high_confidence_needs_an_official_source(mini: Path) -> None:
    # The warrant's only source is the Court's page: a press page instead leaves it unofficial.
    line = replace_once(
        mini / "warrants.yaml",
        "- https://www.icc-cpi.int/situations/ukraine",
        "- https://www.rferl.org/a/icc-arrest-warrant-putin-war-crimes-ukraine/32323342.html",
    )
    found = problems(mini)
    assert len(found) == 1 and found[0].startswith("mini/warrants.yaml:"), found
    assert "warrants[0].confidence: confidence high needs at least one official source" in found[0]
    assert int(found[0].split(":")[1]) > line  # located at the record's confidence line


def test_a_lower_confidence_needs_no_official_source(mini: Path) -> None:
    path = mini / "warrants.yaml"
    replace_once(
        path,
        "- https://www.icc-cpi.int/situations/ukraine",
        "- https://www.rferl.org/a/icc-arrest-warrant-putin-war-crimes-ukraine/32323342.html",
    )
    replace_once(path, "confidence: high", "confidence: medium")
    assert load_snapshot(mini).warrants


def test_a_source_can_carry_its_own_tier(mini: Path) -> None:
    replace_once(
        mini / "warrants.yaml",
        "  - https://www.icc-cpi.int/situations/ukraine",
        "  - https://www.icc-cpi.int/situations/ukraine\n"
        "  - {url: Decision of 17 March 2023 (paper copy), tier: official}",
    )
    snapshot = load_snapshot(mini)
    sources = snapshot.warrants["putin-vladimir-2023"].sources
    assert [c.tier for c in snapshot.source_registry.tiered(sources)] == ["official", "official"]


def test_evidence_lists_every_source_official_first(checker: Checker) -> None:
    verdict = checker.check("Putin", "Mongolia", d("2025-01-10"))
    order = {"official": 0, "press": 1, "secondary": 2}
    for evidence in verdict.evidence:
        assert evidence.sources, evidence.record
        ranks = [order[s.tier] for s in evidence.sources]
        assert ranks == sorted(ranks), evidence.record
    mongolia = next(e for e in verdict.evidence if e.record == "mongolia-putin-2024")
    assert mongolia.sources[0].tier == "official" and len(mongolia.sources) >= 3
    state = next(e for e in verdict.evidence if e.record == "MNG")
    assert state.sources[0].url.startswith("https://treaties.un.org/")


def test_the_cli_shows_every_source_of_every_record(checker: Checker, snapshot: Snapshot) -> None:
    result = runner.invoke(app, ["check", "Putin", "Mongolia", "--date", "2025-01-10"])
    assert result.exit_code == 0, result.output
    verdict = checker.check("Putin", "Mongolia", d("2025-01-10"))
    shown = 0
    for evidence in verdict.evidence:
        for source in evidence.sources:
            assert source.url in result.output, source.url
            shown += 1
    assert shown >= 10
    assert "official  https://www.icc-cpi.int/" in result.output
    assert "press     https://" in result.output


def test_no_shipped_source_is_a_known_weak_page(snapshot: Snapshot) -> None:
    for person in ("putin-vladimir", "netanyahu-benjamin"):
        urls = [str(s) for s in snapshot.people[person].sources]
        assert not any("investorshub" in u or "wikimili" in u or "cmio.org" in u for u in urls)
    for warrant in snapshot.warrants.values():
        assert not any("utm_" in str(s) or "/en_menus/" in str(s) for s in warrant.sources)
    assert not any("miragenews" in str(s) for f in snapshot.failures for s in f.sources)


# --- contested facts ----------------------------------------------------------------------------


@pytest.fixture
def contested(mini: Path, rulebook: Rulebook) -> Checker:
    """The fixture with Hungary's withdrawal contested: some source says it was revoked."""
    replace_once(
        mini / "states_parties.yaml",
        "  confidence: high\n  notes: 'Withdrawal notified",
        "  confidence: high\n"
        "  alternatives:\n"
        "  - field: withdrawals\n"
        "    value: []\n"
        '    sources: ["https://www.reuters.com/world/europe/hungary-test"]\n'
        "    reason: A report says the withdrawal was revoked before it took effect.\n"
        "  notes: 'Withdrawal notified",
    )
    return Checker(load_snapshot(mini), rulebook)


def test_an_answer_on_a_contested_fact_shows_both_answers(contested: Checker) -> None:
    verdict = contested.check("Putin", "Hungary", d("2026-07-01"))
    assert (verdict.exposure.value, verdict.obligation) == ("medium", True)
    [alt] = verdict.alternatives
    assert (alt.dataset, alt.record, alt.field) == ("states_parties.yaml", "HUN", "withdrawals")
    assert alt.alternative == [] and alt.recorded[0]["effective"] == "2026-06-02"
    assert (alt.exposure.value, alt.obligation, alt.changes_answer) == ("high", True, True)
    assert alt.sources[0].tier == "press"
    assert verdict.confidence.value == "low"
    assert "Uncertain: withdrawals of HUN" in verdict.summary
    assert "the exposure would be high" in verdict.summary


def test_a_contested_fact_that_does_not_decide_is_listed_but_not_alarming(
    contested: Checker,
) -> None:
    # Before the withdrawal takes effect both readings agree.
    verdict = contested.check("Putin", "Hungary", d("2025-12-01"))
    [alt] = verdict.alternatives
    assert alt.changes_answer is False and verdict.confidence.value != "low"
    assert "Uncertain" not in verdict.summary


def test_shipped_contested_facts_reach_the_answers(checker: Checker) -> None:
    saif = checker.check("Saif al-Islam Gaddafi", "Netherlands", d("2026-12-01"))
    [alt] = [a for a in saif.alternatives if a.field == "died"]
    assert alt.alternative is None and alt.recorded == "2026-02-03"
    assert alt.exposure.value == "high" and saif.confidence.value == "low"
    july = checker.check("al-shaqaqi-abdelbari", "Italy", d("2023-07-20"))
    [alt] = july.alternatives
    assert (alt.recorded, alt.alternative) == ("2023-07-18", "2023-07-28")
    # Sealed on that day: exposed (how much is the rules' call), but not at all under 28 July.
    assert july.exposure.value != "none" and alt.exposure.value == "none"
    assert alt.changes_answer and july.confidence.value == "low"


# --- freshness ----------------------------------------------------------------------------------


def test_every_answer_says_how_old_its_facts_are(snapshot: Snapshot, rulebook: Rulebook) -> None:
    checker = Checker(snapshot, rulebook)
    checker.today = lambda: dt.date(2026, 12, 1)
    fresh = checker.check("Putin", "Japan", d("2026-11-20")).freshness
    assert (fresh.datasets_as_of, fresh.days_after_as_of, fresh.days_since_as_of) == (
        snapshot.as_of,
        -6,
        5,
    )
    assert fresh.caveat is None
    later = checker.check("Putin", "Japan", d("2027-03-01")).freshness
    assert later.caveat and "95 days after the datasets' as-of date (2026-11-26)" in later.caveat


def test_a_cached_answer_is_not_served_with_yesterdays_freshness(
    snapshot: Snapshot, rulebook: Rulebook
) -> None:
    checker = Checker(snapshot, rulebook)
    checker.today = lambda: dt.date(2026, 12, 1)
    first, _, _ = checker.check_json("Putin", "Japan", d("2026-11-20"))
    checker.today = lambda: dt.date(2027, 2, 1)
    second, _, _ = checker.check_json("Putin", "Japan", d("2026-11-20"))
    assert json.loads(first)["freshness"]["caveat"] is None
    caveat = json.loads(second)["freshness"]["caveat"]
    assert "given 67 days after the datasets' as-of date" in caveat


# --- what is coming, what changed ---------------------------------------------------------------


def test_putin_changes_2023_to_2027(checker: Checker, snapshot: Snapshot) -> None:
    result = person_changes(
        checker, snapshot.people["putin-vladimir"], d("2023-01-01"), d("2027-12-31")
    )
    where: dict[str, list[dt.date]] = {}
    for day in result.days:
        for c in day.countries:
            where.setdefault(c.iso3, []).append(day.date)
    assert d("2024-02-01") in where["ARM"]
    assert any(d("2024-09-03") < day <= d("2024-10-24") for day in where["MNG"])
    assert d("2026-06-02") in where["HUN"]
    hungary = next(c for day in result.days if day.date == d("2026-06-02") for c in day.countries)
    assert hungary.rules_after["obligation"] != hungary.rules_before["obligation"]
    scheduled = [day for day in result.days if day.scheduled]
    assert scheduled and all(day.date > snapshot.as_of for day in scheduled)


def test_data_diff_lists_exactly_the_changed_answers(rulebook: Rulebook) -> None:
    old, new = load_snapshot(DATA / "diff_old"), load_snapshot(DATA / "diff_new")
    records, answers = diff_answers(Checker(new, rulebook), old, new)
    assert [(r.dataset, r.record, r.kind) for r in records] == [
        ("states_parties.yaml", "HUN", "changed")
    ]
    assert [
        (a.person, a.iso3, a.date_from, a.date_to, a.old_exposure.value, a.new_exposure.value)
        for a in answers
    ] == [("putin-vladimir", "HUN", d("2026-06-02"), None, "high", "medium")]
    assert answers[0].records == ["states_parties.yaml:HUN"]


def test_data_diff_cli_on_two_folders() -> None:
    result = runner.invoke(
        app, ["data", "diff", str(DATA / "diff_old"), str(DATA / "diff_new"), "--json"]
    )
    assert result.exit_code == 0, result.output
    body: dict[str, Any] = json.loads(result.stdout)
    assert [(a["iso3"], a["date_from"]) for a in body["answers"]] == [("HUN", "2026-06-02")]


def test_data_diff_of_identical_folders_is_empty(rulebook: Rulebook) -> None:
    same = load_snapshot(DATA / "mini")
    assert diff_answers(Checker(same, rulebook), same, same) == ([], [])


def test_people_changes_cli() -> None:
    result = runner.invoke(
        app, ["people", "changes", "putin-vladimir", "--from", "2026-01-01", "--to", "2027-12-31"]
    )
    assert result.exit_code == 0, result.output
    assert "Hungary (HUN)" in result.output and "scheduled" in result.output


# --- the API, live ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live() -> Iterator[httpx.Client]:
    with live_server() as base, httpx.Client(base_url=base, timeout=120) as client:
        yield client


def test_api_people_changes(live: httpx.Client) -> None:
    response = live.get(
        "/v1/people/putin-vladimir/changes", params={"from": "2023-01-01", "to": "2027-12-31"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    days = {(c["iso3"], day["date"]) for day in body["days"] for c in day["countries"]}
    assert {("ARM", "2024-02-01"), ("HUN", "2026-06-02")} <= days
    assert body["datasets_as_of"] == "2026-11-26"
    reversed_window = live.get(
        "/v1/people/putin-vladimir/changes", params={"from": "2027-01-01", "to": "2026-01-01"}
    )
    assert reversed_window.status_code == 422
    assert reversed_window.headers["content-type"].startswith("application/problem+json")


def test_api_exposure_carries_tiers_freshness_and_alternatives(live: httpx.Client) -> None:
    body = live.get(
        "/v1/exposure", params={"person": "Putin", "country": "Niger", "date": "2027-07-01"}
    ).json()
    assert body["freshness"]["datasets_as_of"] == "2026-11-26"
    assert "days after the datasets' as-of date" in body["freshness"]["caveat"]
    assert all(set(s) == {"url", "tier"} for e in body["evidence"] for s in e["sources"])
    [alt] = body["alternatives"]
    assert alt["record"] == "NER" and alt["changes_answer"] is True
    assert body["confidence"] == "low"


def test_api_country_shows_the_alternative_timeline(live: httpx.Client) -> None:
    body = live.get("/v1/countries/Niger", params={"date": "2027-07-01"}).json()
    assert body["state_party"] is False
    [alt] = body["alternatives"]
    assert alt["field"] == "withdrawals" and alt["state_party"] is True
    assert not any(e["event"] == "withdrawal_effective" for e in alt["timeline"])
    assert any(e["event"] == "withdrawal_effective" for e in body["timeline"])


def test_datasets_dir_is_the_shipped_one() -> None:
    assert (DATASETS / "source_tiers.yaml").is_file()


def test_data_diff_lists_the_answers_an_area_edit_changes(
    rulebook: Rulebook, tmp_path: Path
) -> None:
    """An edit to datasets/areas.yaml is reviewed like any other: moving Mariupol's fall a
    month earlier changes the answers there (the effective-control rule) on those days only."""
    shutil.copytree(DATASETS, tmp_path / "new")
    areas = tmp_path / "new" / "areas.yaml"
    replace_once(areas, "    since: 2022-04-30\n", "    since: 2022-03-30\n")
    old, new = load_snapshot(DATASETS), load_snapshot(tmp_path / "new")
    records, answers = diff_answers(Checker(new, rulebook), old, new)
    assert [(r.dataset, r.record, r.kind) for r in records] == [
        ("areas.yaml", "mariupol", "changed")
    ]
    kony = [(a.iso3, a.date_from, a.date_to) for a in answers if a.person == "kony-joseph"]
    assert kony == [("UKR", d("2022-03-30"), d("2022-04-29"))]
    assert all(a.records == ["areas.yaml:mariupol"] for a in answers)
    assert all(a.date_from >= d("2022-03-30") and a.date_to for a in answers)
    assert (
        "effective-control"
        in next(a for a in answers if a.person == "kony-joseph").new_rules.values()
    )

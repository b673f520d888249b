"""Legal precision (issue 10), through the CLI on the shipped data and rules: art. 127(2),
sealed warrants, deaths, citations, stated enforcement, occupied areas, notes that fit the
state, the contested field and the per-warrant trace."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from app.checks import Checker
from app.cli import app
from app.data import load_snapshot
from app.data.snapshot import Snapshot
from app.engine.lint import base_flat, lint, record_from_flat
from app.engine.rulebook import Rulebook, load_rulebook
from app.errors import UnknownCountry
from app.yamlio import FileProblems

from .conftest import DATASETS, d, live_server

runner = CliRunner()


def check(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["check", *args, "--json"])
    assert result.exit_code == 0, result.output
    verdict: dict[str, Any] = json.loads(result.stdout)
    return verdict


def text(*args: str) -> str:
    result = runner.invoke(app, ["check", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


def fired(verdict: dict[str, Any]) -> set[str]:
    return {t["rule"] for t in verdict["trace"]}


def contested(verdict: dict[str, Any]) -> set[str]:
    return {c["rule"] for c in verdict["contested"]}


# --- 1. art. 127(2) -------------------------------------------------------------------------


def test_burundi_need_not_arrest_elmasry_on_a_warrant_issued_after_it_left() -> None:
    v = check("Osama Elmasry Njeem", "Burundi", "--date", "2025-06-01")
    assert (v["exposure"], v["obligation"]) == ("low", False)
    assert "former-party-residual-duty" not in fired(v)
    # The broad reading (the Libya investigation began before Burundi left) is shown, not hidden.
    [point] = v["contested"]
    assert point["rule"] == "former-party-later-warrant"
    assert "every warrant later issued" in point["other_reading"]


def test_the_philippines_need_not_arrest_sneidel_on_a_2020_warrant() -> None:
    v = check("Saif Suleiman Sneidel", "Philippines", "--date", "2025-09-01")
    assert (v["exposure"], v["obligation"]) == ("low", False)


def test_hungary_keeps_a_contested_duty_on_netanyahu_and_exposure_stays_medium() -> None:
    v = check("Netanyahu", "Hungary", "--date", "2026-07-01")
    assert (v["exposure"], v["obligation"]) == ("medium", True)
    assert contested(v) == {"former-party-residual-duty"}
    item = v["contested"][0]
    assert item["point"].startswith("Whether art. 127(2)")
    assert item["other_reading"]


def test_the_cli_prints_the_contested_point_and_the_other_reading() -> None:
    out = text("Netanyahu", "Hungary", "--date", "2026-07-01")
    assert "contested" in out
    assert "other reading:" in out


def test_a_contested_rule_that_sets_exposure_high_is_a_lint_error(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "r.yaml").write_text(
        """\
rules:
  - id: bold
    title: A contested duty stated as certain
    priority: 10
    when: {fact: warrant.status, is: active}
    then:
      exposure: high
      obligation: true
      contested: {point: "Whether the duty exists at all.", other_reading: "It does not exist."}
    basis: [art. 127(2)]
    explain: x
""",
        encoding="utf-8",
    )
    findings = lint(load_rulebook(rules))
    assert any(f.level == "error" and "at most medium" in f.message for f in findings)


def test_a_contested_point_is_dropped_when_a_higher_rule_decides_instead(
    rulebook: Rulebook,
) -> None:
    # A dead person: the art. 127(2) question is moot, so it is not listed as contested.
    residual = {
        "warrant.status": "active",
        "country.former_party": True,
        "country.investigation_before_withdrawal": True,
        "country.residual_duty": True,
    }
    alive = rulebook.decide(record_from_flat({**base_flat(), **residual}))
    dead = rulebook.decide(record_from_flat({**base_flat(), **residual, "person.deceased": True}))
    assert [rule for rule, _ in alive.contested] == ["former-party-residual-duty"]
    assert dead.exposure.value == "none" and dead.contested == ()


# --- 2. sealed warrants -----------------------------------------------------------------------


def test_dela_rosa_in_japan_while_sealed_is_low_without_a_duty() -> None:
    v = check("Ronald dela Rosa", "Japan", "--date", "2025-12-01")
    assert (v["exposure"], v["obligation"]) == ("low", False)
    assert "sealed-not-requested" in fired(v)
    assert any("may have sent requests to states that are not known" in n for n in v["notes"])


def test_italy_a_known_recipient_had_to_arrest_elmasry_while_sealed() -> None:
    v = check("Osama Elmasry Njeem", "Italy", "--date", "2025-01-19")
    assert (v["exposure"], v["obligation"]) == ("high", True)
    assert "sealed-warrant" in fired(v)


def test_germany_not_a_known_recipient_had_no_duty_until_the_warrant_was_public() -> None:
    sealed = check("Osama Elmasry Njeem", "Germany", "--date", "2025-01-19")
    public = check("Osama Elmasry Njeem", "Germany", "--date", "2025-01-23")
    assert (sealed["exposure"], sealed["obligation"]) == ("low", False)
    assert (public["exposure"], public["obligation"]) == ("high", True)


def test_the_request_recipients_are_data_with_sources(snapshot: Snapshot) -> None:
    warrant = snapshot.warrants["elmasry-osama-2025"]
    [request] = warrant.requests
    assert "ITA" in request.states and request.count == 6 and request.sources
    assert warrant.requested_from("ITA", d("2025-01-18"))
    assert not warrant.requested_from("ITA", d("2025-01-17"))


@pytest.fixture
def datasets(tmp_path: Path) -> Path:
    target = tmp_path / "datasets"
    shutil.copytree(DATASETS, target)
    return target


def test_a_request_to_an_unknown_state_is_located(datasets: Path) -> None:
    path = datasets / "warrants.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("states: [ITA]", "states: [ITX]"))
    with pytest.raises(FileProblems) as caught:
        load_snapshot(datasets)
    assert any(
        str(p).startswith("datasets/warrants.yaml:") and "unknown country code 'ITX'" in str(p)
        for p in caught.value.problems
    )


def test_a_request_before_the_warrant_is_refused(datasets: Path) -> None:
    path = datasets / "warrants.yaml"
    text_ = path.read_text(encoding="utf-8")
    path.write_text(text_.replace("      - date: 2025-01-18\n", "      - date: 2025-01-17\n", 1))
    with pytest.raises(FileProblems) as caught:
        load_snapshot(datasets)
    assert any("before the warrant's issue" in str(p) for p in caught.value.problems)


# --- 3. deaths --------------------------------------------------------------------------------


def test_deif_in_germany_after_his_death_is_not_exposed() -> None:
    v = check("Mohammed Deif", "Germany", "--date", "2025-01-01")
    assert (v["exposure"], v["obligation"]) == ("none", False)
    assert "person-deceased" in fired(v)
    assert any("art. 58(4)" in n and "withdraws" in n for n in v["notes"])


def test_every_termination_on_death_has_a_death_date(snapshot: Snapshot) -> None:
    death = re.compile(r"death|dead|died|killed|passing", re.IGNORECASE)
    missing = []
    for w in snapshot.warrants.values():
        for h in w.history:
            if h.status == "terminated" and death.search(h.note or ""):
                person = snapshot.people[w.person]
                if person.died is None or person.died > h.date:
                    missing.append(w.person)
    assert missing == []


# --- 4. citations -----------------------------------------------------------------------------


def test_transit_rests_on_article_89_1_not_89_3(rulebook: Rulebook) -> None:
    transit = rulebook.by_id["transit-landing"].rule
    assert any("89(1)" in b for b in transit.basis)
    assert not any("89(3)" in b for b in transit.basis)


def test_overflight_cites_airspace_sovereignty_and_says_the_duty_is_not_established() -> None:
    v = check("Netanyahu", "Germany", "--date", "2025-06-01", "--mode", "overflight")
    assert (v["exposure"], v["obligation"]) == ("low", False)
    basis = {b for t in v["trace"] if t["rule"] == "overflight-no-landing" for b in t["basis"]}
    assert any("Chicago Convention arts. 1 and 2" in b for b in basis)
    assert contested(v) == {"overflight-bound-state"}


# --- 5. stated enforcement --------------------------------------------------------------------


def test_the_philippines_on_dela_rosa_after_the_supreme_court_refusal_is_medium() -> None:
    v = check("Ronald dela Rosa", "Philippines", "--date", "2026-06-01")
    # A former party: no legal duty, but the state said (and showed) it will arrest.
    assert (v["exposure"], v["obligation"]) == ("medium", False)
    assert "stated-enforcement" in fired(v)
    records = {e["record"] for e in v["evidence"]}
    assert "philippines-dela-rosa-2026" in records


# --- 6. occupied and de facto areas -----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "state"),
    [
        ("Crimea", "UKR"),
        ("Sevastopol", "UKR"),
        ("Donetsk", "UKR"),
        ("Luhansk", "UKR"),
        ("occupied Zaporizhzhia", "UKR"),
        ("occupied Kherson", "UKR"),
        ("South Ossetia", "GEO"),
        ("Abkhazia", "GEO"),
        ("Transnistria", "MDA"),
        ("Northern Cyprus", "CYP"),
        ("Gaza", "PSE"),
        ("West Bank", "PSE"),
        ("Nagorno-Karabakh", "AZE"),
        ("Somaliland", "SOM"),
        ("Крым", "UKR"),
    ],
)
def test_an_occupied_or_de_facto_area_resolves_to_its_de_jure_state(
    checker: Checker, typed: str, state: str
) -> None:
    country = checker.countries.resolve(typed)
    assert country.iso3 == state
    assert country.area is not None


def test_zaporizhzhia_city_is_not_taken_for_the_occupied_area(checker: Checker) -> None:
    with pytest.raises(UnknownCountry):
        checker.countries.resolve("Zaporizhzhia")


def test_putin_in_crimea_ukraine_must_arrest_but_cannot_act_there() -> None:
    v = check("Putin", "Crimea", "--date", "2025-06-01")
    assert (v["exposure"], v["obligation"]) == ("low", True)
    assert v["country"]["iso3"] == "UKR" and v["country"]["name"] == "Ukraine"
    area = v["country"]["area"]
    assert area["name"] == "Crimea" and area["controlled_on_date"] is True
    assert area["controlled_by"].startswith("Russia")
    assert "effective-control" in fired(v)


def test_kherson_city_after_its_liberation_is_ukraine_in_full() -> None:
    v = check("Putin", "Kherson", "--date", "2023-06-01")
    assert (v["exposure"], v["obligation"]) == ("high", True)
    assert v["country"]["area"]["controlled_on_date"] is False


def test_gaza_is_palestine_a_state_party_that_does_not_control_it() -> None:
    v = check("Netanyahu", "Gaza", "--date", "2025-06-01")
    assert (v["exposure"], v["obligation"]) == ("low", True)
    assert v["country"]["iso3"] == "PSE"


def test_the_cli_names_the_area_and_its_de_jure_state() -> None:
    out = text("Putin", "Transnistria", "--date", "2024-01-01")
    assert "Transnistria (Moldova in law)" in out
    assert "controlled by:" in out


# --- 7. immunity notes --------------------------------------------------------------------------


def test_no_immunity_note_where_there_is_no_duty() -> None:
    qatar = check("Haibatullah Akhundzada", "Qatar", "--date", "2025-08-01")
    usa = check("Netanyahu", "United States", "--date", "2025-04-07", "--mode", "overflight")
    for v in (qatar, usa):
        assert v["obligation"] is False
        assert not any("the obligation stands" in n for n in v["notes"])
        assert "head-of-state-immunity" not in fired(v)


def test_an_unrecognised_government_gets_its_own_immunity_note() -> None:
    v = check("Haibatullah Akhundzada", "Germany", "--date", "2025-08-01")
    assert "unrecognised-government-immunity" in fired(v)
    assert any("do not recognise" in n for n in v["notes"])


# --- 8. words, not codes -----------------------------------------------------------------------

CODES = re.compile(
    r"will_not_arrest|will_arrest|immunity_claimed|not_yet_issued|\((ukraine|palestine|libya|darfur)\)"
)


def test_no_internal_codes_in_any_answer_on_a_stated_position(
    checker: Checker, snapshot: Snapshot
) -> None:
    for p in snapshot.positions:
        v = checker.check(p.person, p.state, p.date)
        prose = [v.summary, *v.notes, *(t.explanation for t in v.trace)]
        assert not [s for s in prose if CODES.search(s)], p.id


def test_a_stated_refusal_reads_as_words() -> None:
    v = check("Netanyahu", "Hungary", "--date", "2025-04-03")
    [line] = [t["explanation"] for t in v["trace"] if t["rule"] == "stated-refusal"]
    assert "that it will not arrest the person" in line


# --- 9. own state -----------------------------------------------------------------------------


def test_kony_in_uganda_gets_the_self_referral_note() -> None:
    v = check("Joseph Kony", "Uganda", "--date", "2020-01-01")
    assert "self-referral" in fired(v) and "own-national" not in fired(v)
    assert not any("rarely surrender their own nationals" in n for n in v["notes"])


def test_al_bashir_in_sudan_is_not_hosted_by_his_own_state() -> None:
    ruling = check("Omar al-Bashir", "Sudan", "--date", "2015-01-01")
    assert "own-state-leader" in fired(ruling)
    later = check("Omar al-Bashir", "Sudan", "--date", "2020-01-01")
    record = [t for t in later["trace"] if t["rule"] == "noncompliance-record"]
    assert record and all("hosted" not in t["explanation"] for t in record)


def test_self_referral_comes_from_the_situations_data(snapshot: Snapshot) -> None:
    assert "UGA" in snapshot.situations["uganda"].referred_by
    assert "VEN" not in snapshot.situations["venezuela-i"].referred_by


# --- 10. per-warrant trace -----------------------------------------------------------------------


def test_the_cli_groups_the_rules_by_warrant() -> None:
    out = text("Omar al-Bashir", "South Africa", "--date", "2015-06-14")
    first = out.index("warrant al-bashir-omar-2009")
    second = out.index("warrant al-bashir-omar-2010")
    assert first < second
    between = out[first:second]
    assert "state-party-obligation" in between and "head-of-state-immunity" in between


# --- the API, live ------------------------------------------------------------------------------


def test_the_live_api_shows_contested_points_and_areas() -> None:
    with live_server() as base, httpx.Client(base_url=base, timeout=10) as client:
        hungary = client.get(
            "/v1/exposure",
            params={"person": "Netanyahu", "country": "Hungary", "date": "2026-07-01"},
        ).json()
        assert (hungary["exposure"], hungary["obligation"]) == ("medium", True)
        assert [c["rule"] for c in hungary["contested"]] == ["former-party-residual-duty"]
        crimea = client.get(
            "/v1/exposure", params={"person": "Putin", "country": "Crimea", "date": "2025-06-01"}
        ).json()
        assert crimea["country"]["iso3"] == "UKR"
        assert crimea["country"]["area"]["id"] == "crimea"
        assert crimea["exposure"] == "low" and crimea["obligation"] is True
        schema = client.get("/openapi.json").json()["components"]["schemas"]
        assert schema["ContestedPoint"]["properties"]["other_reading"]["description"]
        assert schema["AreaRef"]["properties"]["controlled_by"]["examples"]


# --- areas in batches and itineraries ---------------------------------------------------------


def batch(checker: Checker, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    from app.batch import run_text

    text_ = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    out = run_text(checker, text_, "ndjson", "ndjson").splitlines()
    return {a["id"]: a for a in map(json.loads, out)}


def test_a_batch_answers_an_area_and_its_state_apart(checker: Checker) -> None:
    answers = batch(
        checker,
        [
            {"id": "a", "person": "Putin", "country": "Ukraine", "arrive": "2025-06-01"},
            {"id": "b", "person": "Putin", "country": "Crimea", "arrive": "2025-06-01"},
            {"id": "c", "person": "Putin", "country": "Ukraine", "arrive": "2025-06-02"},
        ],
    )
    assert [answers[k]["exposure"] for k in "abc"] == ["high", "low", "high"]


def test_a_stay_in_kherson_is_cut_at_its_liberation(checker: Checker) -> None:
    from app.itinerary import boundaries

    area = checker.countries.resolve("Kherson").area
    assert d("2022-11-11") in boundaries(checker, "putin-vladimir", "UKR", area)
    assert d("2022-11-11") not in boundaries(checker, "putin-vladimir", "UKR")

"""What a new user hit (issue 15): exit codes, --explain full, yes/no, date wording, help, people
show, explain=full on the API, and the API manual pages staying on this host."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from app.cli import app

from .conftest import live_server

runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def live() -> Iterator[httpx.Client]:
    with live_server() as base, httpx.Client(base_url=base, timeout=10) as client:
        yield client


def test_batch_exits_2_when_the_csv_header_lacks_the_required_columns(tmp_path: Path) -> None:
    legs = tmp_path / "legs.csv"
    legs.write_text("who,where,when\nPutin,Japan,2024-01-01\n")
    code, output = cli("batch", str(legs))
    assert code == 2
    assert "the CSV header needs person, country (or place) and arrive (or date)" in output


def test_batch_with_the_columns_still_exits_0(tmp_path: Path) -> None:
    legs = tmp_path / "legs.csv"
    legs.write_text("person,country,date\nPutin,Japan,2024-01-01\nPutin,Japan,not-a-date\n")
    code, _ = cli("batch", str(legs))
    assert code == 0  # a bad row is a record in the output, not an unreadable input


def test_explain_full_keeps_the_lists_of_values() -> None:
    code, output = cli("check", "Putin", "Mongolia", "--date", "2024-09-03", "--explain", "full")
    assert code == 0
    assert (
        "stated-refusal [putin-vladimir-2023]: when.all[1]: country.position in "
        "[immunity_claimed, will_not_arrest], but it is" in output
    )
    assert "warrant-ended [putin-vladimir-2023]: when: warrant.status in [" in output


def test_the_warrants_table_says_yes_or_no() -> None:
    code, output = cli("check", "Putin", "Japan", "--date", "2024-01-01")
    assert code == 0
    row = next(line for line in output.splitlines() if "ICC-01/22" in line)
    assert re.search(r"\byes\b", row) and "True" not in row and "False" not in row


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2024-1-1", "a date must be written YYYY-MM-DD (ISO 8601)"),
        ("2024-02-30", "2024-02-30 is not a calendar date"),
    ],
)
def test_date_errors_are_worded_as_in_the_api(live: httpx.Client, date: str, message: str) -> None:
    code, output = cli("check", "Putin", "Japan", "--date", date)
    assert code == 2 and message in output
    response = live.get("/v1/exposure", params={"person": "Putin", "country": "JP", "date": date})
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == message


def test_json_is_shown_as_a_flag_in_help() -> None:
    code, output = cli("check", "--help")
    assert code == 0
    line = next(line for line in output.splitlines() if "--json" in line)
    assert "<bool>" not in line and "Print the Verdict as JSON" in line
    assert "<bool>" not in output


def test_people_show_lists_warrants_with_their_status_history() -> None:
    code, output = cli("people", "show", "al-bashir-omar")
    assert code == 0, output
    assert "Omar Hassan Ahmad Al Bashir" in output
    assert "warrant al-bashir-omar-2009" in output and "warrant al-bashir-omar-2010" in output
    assert "2009-03-04" in output and "issued" in output


def test_people_show_an_unknown_id_exits_2() -> None:
    code, output = cli("people", "show", "nobody-at-all")
    assert code == 2 and "no person with id 'nobody-at-all'" in output


def test_api_explain_full_adds_why_not_per_rule(live: httpx.Client) -> None:
    params = {"person": "Putin", "country": "Mongolia", "date": "2024-09-03"}
    plain = live.get("/v1/exposure", params=params).json()
    assert "why_not" not in plain
    full = live.get("/v1/exposure", params={**params, "explain": "full"}).json()
    assert full["exposure"] == plain["exposure"]
    by_rule = {(n["rule"], n["warrant"]): n["failed"] for n in full["why_not"]}
    assert by_rule[("stated-refusal", "putin-vladimir-2023")].startswith(
        "when.all[1]: country.position in [immunity_claimed, will_not_arrest], but it is"
    )
    fired = {t["rule"] for t in full["trace"]}
    assert not fired & {rule for rule, _ in by_rule}, "a rule that fired is not in why_not"
    posted = live.post("/v1/exposure", json={**params, "explain": "full"}).json()
    assert posted["why_not"] == full["why_not"]
    bad = live.get("/v1/exposure", params={**params, "explain": "all"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query:explain"


EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_api_manual_pages_reference_no_other_host(live: httpx.Client, page: str) -> None:
    html = live.get(page).text
    assert not EXTERNAL.search(html), page
    scripts = re.findall(r"""<script[^>]+src=["']([^"']+)""", html)
    assert scripts
    for script in scripts:
        body = live.get(script)
        assert body.status_code == 200, script
        # Images the bundle inserts by itself (ReDoc's Redocly logo came from cdn.redoc.ly).
        assert not re.search(r'src:\s*"https?://', body.text), script

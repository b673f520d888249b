"""The REST API, against a live uvicorn on loopback (httpx) and in process (TestClient)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

from .conftest import DATASETS, RULES, free_port, live_server

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def live() -> Iterator[httpx.Client]:
    with live_server() as base, httpx.Client(base_url=base, timeout=10) as client:
        yield client


def problem_of(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith(PROBLEM), response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code and body["title"] and body["detail"]
    return body


# --- health, datasets, headers --------------------------------------------------------------


def test_health_and_readiness(live: httpx.Client) -> None:
    assert live.get("/healthz").json() == {"status": "ok"}
    ready = live.get("/readyz").json()
    assert ready["status"] == "ready" and ready["datasets_version"].startswith("sha256:")


def test_datasets_describes_files_counts_and_sources(live: httpx.Client) -> None:
    info = live.get("/v1/datasets").json()
    assert info["as_of"] == "2026-11-26"
    assert {f["name"] for f in info["files"]} >= {"states_parties.yaml", "warrants.yaml"}
    assert info["counts"]["warrants"] >= 60 and info["sources"]
    assert "Public record only" in info["notice"]


def test_every_response_carries_the_versions(live: httpx.Client) -> None:
    for path in ("/healthz", "/v1/datasets", "/v1/rules", "/v1/people/nobody"):
        response = live.get(path)
        assert response.headers["x-datasets-version"].startswith("sha256:"), path
        assert response.headers["x-rules-version"].startswith("sha256:"), path


# --- exposure ---------------------------------------------------------------------------------


def test_exposure_get_answers_with_the_verdict(live: httpx.Client) -> None:
    response = live.get(
        "/v1/exposure", params={"person": "Путин", "country": "Mongolia", "date": "2025-06-01"}
    )
    assert response.status_code == 200
    v = response.json()
    assert (v["exposure"], v["obligation"]) == ("medium", True)
    assert v["person"]["matched"] == "Владимир Путин"
    assert response.headers["x-decision-id"] == v["decision_id"]
    assert v["versions"]["datasets"] == response.headers["x-datasets-version"]


def test_exposure_post_takes_a_json_body(live: httpx.Client) -> None:
    body = {"person": "Netanyahu", "country": "DE", "date": "2025-06-01", "mode": "overflight"}
    v = live.post("/v1/exposure", json=body).json()
    assert (v["exposure"], v["obligation"]) == ("low", False)
    assert v["trace"][0]["rule"] == "overflight-no-landing"


def test_exposure_date_defaults_to_today(live: httpx.Client) -> None:
    v = live.get("/v1/exposure", params={"person": "Putin", "country": "JP"}).json()
    assert v["as_of"] == time.strftime("%Y-%m-%d", time.gmtime())


def test_an_unknown_person_is_not_an_error(live: httpx.Client) -> None:
    v = live.get("/v1/exposure", params={"person": "Emmanuel Macron", "country": "FR"}).json()
    assert v["exposure"] == "none" and v["person"] is None


def test_a_name_two_people_fit_asks_which(live: httpx.Client) -> None:
    response = live.get(
        "/v1/exposure", params={"person": "Gbagbo", "country": "CI", "date": "2010-01-01"}
    )
    body = problem_of(response)
    assert response.status_code == 422 and body["title"] == "Ambiguous person"
    assert {c["id"] for c in body["choices"]} >= {"gbagbo-laurent", "gbagbo-simone"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"person": "Putin", "country": "JP", "date": "0"}, "query:date"),
        ({"person": "Putin", "country": "JP", "date": "2024-13-01"}, "query:date"),
        ({"person": "Putin", "country": "JP", "date": "2024-02-30"}, "query:date"),
        ({"person": "Putin", "country": "JP", "mode": "swim"}, "query:mode"),
        ({"person": "", "country": "JP"}, "query:person"),
        ({"person": "x" * 201, "country": "JP"}, "query:person"),
        ({"country": "JP"}, "query:person"),
        ({"person": "Putin"}, "query:country"),
    ],
)
def test_bad_input_is_a_422_problem_naming_the_field(
    live: httpx.Client, params: dict[str, str], field: str
) -> None:
    body = problem_of(live.get("/v1/exposure", params=params))
    assert body["status"] == 422
    assert field in [e["field"] for e in body["errors"]]


def test_an_unknown_country_suggests(live: httpx.Client) -> None:
    body = problem_of(live.get("/v1/exposure", params={"person": "Putin", "country": "Jpan"}))
    assert body["status"] == 422 and body["field"] == "country"
    assert body["suggestions"][0]["iso3"] == "JPN"


def test_an_ambiguous_country_lists_the_choices(live: httpx.Client) -> None:
    body = problem_of(live.get("/v1/exposure", params={"person": "Putin", "country": "Congo"}))
    assert body["status"] == 422 and body["title"] == "Ambiguous country"
    assert {c["iso3"] for c in body["choices"]} == {"COG", "COD"}


def test_a_malformed_json_body_is_a_problem_not_a_500(live: httpx.Client) -> None:
    response = live.post(
        "/v1/exposure", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert problem_of(response)["status"] == 422
    response = live.post("/v1/exposure", json={"person": "Putin", "country": "JP", "extra": 1})
    assert problem_of(response)["status"] == 422


def test_an_oversized_body_is_413(live: httpx.Client) -> None:
    response = live.post(
        "/v1/exposure",
        content=b"{" + b" " * 2_000_000 + b"}",
        headers={"content-type": "application/json"},
    )
    assert problem_of(response)["status"] == 413


# --- people, countries, rules -----------------------------------------------------------------


def test_people_search_ranks_candidates_in_any_script(live: httpx.Client) -> None:
    found = live.get("/v1/people", params={"q": "נתניהו"}).json()
    assert found["match"]["id"] == "netanyahu-benjamin"
    assert found["candidates"][0]["matched"]
    assert live.get("/v1/people", params={"q": "Gaddafi"}).json()["match"] is None


def test_people_list_without_a_query(live: httpx.Client) -> None:
    people = live.get("/v1/people").json()
    assert len(people) >= 60 and {"id", "name", "warrants", "outstanding"} <= set(people[0])


def test_person_detail_has_aliases_warrants_history_and_sources(live: httpx.Client) -> None:
    detail = live.get("/v1/people/duterte-rodrigo").json()
    assert detail["person"]["aliases"] and detail["person"]["sources"]
    [warrant] = detail["warrants"]
    assert [h["status"] for h in warrant["history"]][:2] == ["issued", "executed"]


def test_unknown_person_id_is_404(live: httpx.Client) -> None:
    body = problem_of(live.get("/v1/people/nobody-at-all"))
    assert body["status"] == 404


def test_world_view_covers_every_country_with_a_reason(live: httpx.Client) -> None:
    world = live.get("/v1/people/putin-vladimir/world", params={"date": "2025-06-01"}).json()
    by_iso = {c["iso3"]: c for c in world["countries"]}
    assert len(by_iso) >= 249
    assert by_iso["JPN"]["exposure"] == "high" and by_iso["JPN"]["obligation"] is True
    assert by_iso["MNG"]["exposure"] == "medium"
    assert by_iso["USA"]["exposure"] == "low" and by_iso["USA"]["reason"]
    assert sum(world["counts"].values()) == len(world["countries"])


@pytest.mark.parametrize(
    ("name", "date", "iso3", "state_party"),
    [
        ("Japan", "2025-06-01", "JPN", True),
        ("Burundi", "2017-10-27", "BDI", False),
        ("Burundi", "2017-10-26", "BDI", True),
        ("Philippines", "2019-03-17", "PHL", False),
        ("United States", "2025-06-01", "USA", False),
        ("Greenland", "2025-06-01", "GRL", True),
        ("Tokelau", "2025-06-01", "TKL", False),
        ("Ukraine", "2024-12-31", "UKR", False),
        ("Ukraine", "2025-01-01", "UKR", True),
    ],
)
def test_country_status_on_a_date(
    live: httpx.Client, name: str, date: str, iso3: str, state_party: bool
) -> None:
    status = live.get(f"/v1/countries/{name}", params={"date": date}).json()
    assert (status["iso3"], status["state_party"]) == (iso3, state_party)
    assert (status["iso2"] and status["timeline"]) or iso3 == "USA"


def test_country_status_carries_declarations_referrals_and_compliance(live: httpx.Client) -> None:
    ukraine = live.get("/v1/countries/UKR", params={"date": "2024-06-01"}).json()
    assert ukraine["declarations_12_3"]
    sudan = live.get("/v1/countries/Sudan").json()
    assert sudan["referrals"] and sudan["compliance"]


def test_countries_list_filters_state_parties(live: httpx.Client) -> None:
    parties = live.get("/v1/countries", params={"date": "2025-01-01", "state_party": "true"}).json()
    states = [c for c in parties["countries"] if c["territory_of"] is None]
    assert len(states) == 125
    assert all(c["state_party"] for c in parties["countries"])


def test_an_ambiguous_country_path_is_422(live: httpx.Client) -> None:
    assert problem_of(live.get("/v1/countries/Korea"))["status"] == 422


def test_rules_are_listed_with_file_line_priority_and_basis(live: httpx.Client) -> None:
    rules = live.get("/v1/rules").json()
    assert rules["version"].startswith("sha256:")
    first = rules["rules"][0]
    assert first["where"].startswith("rules/") and first["basis"] and "when" in first
    schema = live.get("/v1/rules/schema").json()
    assert schema["title"] == "icc-exposure rule file"


# --- OpenAPI and docs -------------------------------------------------------------------------


def test_openapi_round_trip(live: httpx.Client) -> None:
    document = live.get("/openapi.json").json()
    again = json.loads(json.dumps(document))
    assert again == document
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            tag = op["tags"][0]
            assert op["operationId"].startswith(f"{tag}-"), (path, method)
            for param in op.get("parameters", []):
                assert param.get("description"), (path, param["name"])


def test_every_schema_field_is_described() -> None:
    schemas = create_app(Settings()).openapi()["components"]["schemas"]
    missing = [
        f"{name}.{prop}"
        for name, schema in schemas.items()
        for prop, spec in (schema.get("properties") or {}).items()
        if not spec.get("description")
    ]
    assert not missing, missing


def test_openapi_documents_errors_as_problem_json() -> None:
    document = create_app(Settings()).openapi()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    exposure = document["paths"]["/v1/exposure"]["get"]["responses"]["422"]
    assert list(exposure["content"]) == ["application/problem+json"]


def test_docs_work_offline(live: httpx.Client) -> None:
    for page in ("/docs", "/redoc"):
        html = live.get(page).text
        assert "/docs-assets/" in html
        assert "cdn." not in html and "unpkg" not in html and "googleapis" not in html
    assert live.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert live.get("/docs-assets/redoc.standalone.js").status_code == 200


# --- keys and reload (in process) -------------------------------------------------------------


def test_require_key_protects_v1_but_not_health() -> None:
    key = "k" * 20
    app = create_app(Settings(require_key=True, api_keys=[key]))  # type: ignore[list-item]
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert problem_of(client.get("/v1/rules"))["status"] == 401
        assert client.get("/v1/rules", headers={"X-API-Key": key}).status_code == 200
        assert (
            client.get("/v1/rules", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        )


def test_require_key_without_keys_is_refused_at_start() -> None:
    with pytest.raises(ValueError):
        Settings(require_key=True)


def test_a_bad_rule_file_on_reload_leaves_the_last_good_rulebook(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    admin = "a" * 20
    settings = Settings(rules_dir=rules, datasets_dir=DATASETS, admin_keys=[admin])  # type: ignore[list-item]
    with TestClient(create_app(settings)) as client:
        before = client.get("/v1/rules").json()["version"]
        (rules / "broken.yaml").write_text("rules:\n  - id: x\n    when: {fact: nope, is: 1}\n")
        response = client.post("/v1/admin/reload", headers={"X-API-Key": admin})
        body = problem_of(response)
        assert body["status"] == 422 and any("broken.yaml" in p for p in body["problems"])
        assert client.get("/v1/rules").json()["version"] == before
        v = client.get(
            "/v1/exposure", params={"person": "Putin", "country": "JP", "date": "2024-01-01"}
        )
        assert v.json()["exposure"] == "high"
        (rules / "broken.yaml").unlink()
        (rules / "movement.yaml").unlink()
        reloaded = client.post("/v1/admin/reload", headers={"X-API-Key": admin}).json()
        assert reloaded["rules"] != before
        assert client.get("/v1/rules").json()["version"] == reloaded["rules"]


def test_admin_needs_an_admin_key() -> None:
    with TestClient(create_app(Settings(admin_keys=["b" * 20]))) as client:  # type: ignore[list-item]
        assert problem_of(client.post("/v1/admin/reload"))["status"] == 401
    with TestClient(create_app(Settings())) as client:
        assert problem_of(client.post("/v1/admin/reload"))["status"] == 403


def test_unknown_paths_and_methods_are_problems() -> None:
    with TestClient(create_app(Settings())) as client:
        assert problem_of(client.get("/v1/nothing-here"))["status"] == 404
        assert problem_of(client.delete("/v1/exposure"))["status"] == 405


def test_the_server_refuses_to_start_on_broken_data(tmp_path: Path) -> None:
    datasets = tmp_path / "datasets"
    shutil.copytree(DATASETS, datasets)
    (datasets / "situations.yaml").write_text("situations: [\n")
    env = {**os.environ, "ICC_EXPOSURE_DATASETS_DIR": str(datasets)}
    result = subprocess.run(
        [sys.executable, "-m", "app", "serve", "--port", str(free_port())],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "situations.yaml" in result.stderr and "Traceback" not in result.stderr


# --- the decision log ---------------------------------------------------------------------------


def test_an_answer_can_be_produced_again_by_its_decision_id(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path, decision_log=True))) as client:
        first = client.get(
            "/v1/exposure", params={"person": "Putin", "country": "MN", "date": "2025-06-01"}
        )
        decision_id = first.headers["x-decision-id"]
        again = client.get(f"/v1/decisions/{decision_id}")
        assert again.status_code == 200
        assert again.json() == first.json()
        assert again.json()["decision_id"] == decision_id
        assert problem_of(client.get("/v1/decisions/d-" + "f" * 32))["status"] == 404
        assert problem_of(client.get("/v1/decisions/not-an-id"))["status"] == 422
    assert (tmp_path / "decisions.sqlite3").is_file()


def test_the_decision_log_can_be_off(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path, decision_log=False))) as client:
        decision_id = client.get(
            "/v1/exposure", params={"person": "Putin", "country": "MN", "date": "2025-06-01"}
        ).headers["x-decision-id"]
        body = problem_of(client.get(f"/v1/decisions/{decision_id}"))
        assert body["status"] == 404 and "off" in body["detail"]
    assert not (tmp_path / "decisions.sqlite3").exists()


def test_only_sqlite_and_postgresql_are_accepted_as_the_database() -> None:
    Settings(database_url="postgresql://somewhere/db")  # type: ignore[arg-type]
    with pytest.raises(ValueError) as refused:
        Settings(database_url="mysql://someone:s3cret-password@somewhere/db")  # type: ignore[arg-type]
    assert "s3cret-password" not in str(refused.value)

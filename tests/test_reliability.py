"""Reliability and security (issue 11): the decision log never lies, bad input is never a 500,
keys protect what they say, one date range, reloads free the engine, versions by content."""

from __future__ import annotations

import datetime as dt
import gc
import importlib
import os
import random
import shutil
import stat
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

import app.answers
from app.checks import Checker
from app.data import Snapshot
from app.decisions import Database, DecisionLog, parse_database_url
from app.engine import durable
from app.engine.rulebook import Rulebook, load_rulebook
from app.main import create_app
from app.settings import Settings
from app.world import compute

from .conftest import RULES, live_server

PG_URL = os.environ.get("ICC_EXPOSURE_TEST_DATABASE_URL")
NO_PG = "no PostgreSQL: set ICC_EXPOSURE_TEST_DATABASE_URL (bash .ci/postgres.sh starts one)"
PEOPLE = ["Putin", "Netanyahu", "al-Bashir", "Duterte", "Kony", "Gallant", "Путин", "Nobody Atall"]
COUNTRIES = [
    "JP",
    "MN",
    "HU",
    "FR",
    "US",
    "ZA",
    "UA",
    "RU",
    "DE",
    "TJ",
    "PH",
    "BI",
    "CI",
    "GB",
    "GL",
    "IL",
    "PS",
    "SD",
    "KE",
    "BR",
    "IN",
    "CN",
    "AR",
    "NL",
]


def problem_of(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The decision log's two homes; PostgreSQL only when a server is given."""
    if request.param == "sqlite":
        yield Database("sqlite", path=tmp_path / "decisions.sqlite3")
    else:
        if not PG_URL:
            pytest.skip(NO_PG)
        yield parse_database_url(PG_URL)


# --- 1. the decision log returns the answer it gave, whatever the caches and reloads ----------


def test_every_decision_reads_back_byte_for_byte_after_evictions_and_reloads(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Evict constantly: ids get reused.
    monkeypatch.setattr(app.answers, "INTERVALS", 40)
    monkeypatch.setattr(app.answers, "DAYS", 40)
    admin = "a" * 20
    url = f"sqlite:///{database.path}" if database.kind == "sqlite" else PG_URL
    settings = Settings(decision_log=True, database_url=url, admin_keys=[admin])  # type: ignore[arg-type, list-item]
    rng = random.Random(11)
    # Thousands on SQLite; fewer on PostgreSQL, where the same writer only changes its driver.
    per_pair = 6 if database.kind == "sqlite" else 2
    questions = [
        (person, country, dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(3650)))
        for person in PEOPLE
        for country in COUNTRIES
        for _ in range(per_pair)
    ]
    given: dict[str, bytes] = {}
    with TestClient(create_app(settings)) as client:
        for i, (person, country, day) in enumerate(questions):
            if i in (150, 350):
                assert client.post("/v1/admin/reload", headers={"X-API-Key": admin}).is_success
            response = client.get(
                "/v1/exposure", params={"person": person, "country": country, "date": str(day)}
            )
            assert response.status_code == 200
            given[response.headers["x-decision-id"]] = response.content
        assert len(given) == len(questions) >= 384
        wrong = [
            decision_id
            for decision_id, content in given.items()
            if client.get(f"/v1/decisions/{decision_id}").content != content
        ]
    assert wrong == []


def test_old_decisions_are_purged_after_the_retention(database: Database) -> None:
    log = DecisionLog(database, retention_days=30)
    try:
        old, recent = "d-" + os.urandom(16).hex(), "d-" + os.urandom(16).hex()
        placeholder = b"d-" + b"0" * 32
        log.record(
            old, b'{"id":"' + placeholder + b'","old":1}', placeholder, at=time.time() - 40 * 86400
        )
        log.record(recent, b'{"id":"' + placeholder + b'","new":1}', placeholder)
        log.purge()
        assert log.get(old) is None
        assert log.get(recent) == b'{"id":"' + recent.encode() + b'","new":1}'
    finally:
        log.close()


def test_the_sqlite_log_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path / "var", decision_log=True))) as client:
        client.get(
            "/v1/exposure", params={"person": "Putin", "country": "MN", "date": "2025-06-01"}
        )
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        runtime.decisions.flush()
        files = sorted(p.name for p in (tmp_path / "var").iterdir())
        assert "decisions.sqlite3" in files
        for name in files:
            assert stat.S_IMODE((tmp_path / "var" / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700


def test_a_database_url_is_never_repeated_in_an_error() -> None:
    with pytest.raises(ValueError) as refused:
        Settings(database_url="oracle://scott:tiger-secret@db/x")  # type: ignore[arg-type]
    assert "tiger-secret" not in str(refused.value)


# --- 5. numbers JSON cannot write back are a 422, not a 500 -----------------------------------


def test_unencodable_numbers_in_a_body_are_a_problem_never_a_500() -> None:
    with TestClient(create_app(Settings())) as client:
        for value, status in [("NaN", 422), ("Infinity", 422), ("-Infinity", 422),
                              ("1e999", 422), ("1" * 5000, 400)]:  # fmt: skip
            for field in ("person", "date", "mode"):
                body = {"person": '"Putin"', "country": '"JP"', "date": '"2024-01-01"'}
                body[field] = value
                text = "{" + ", ".join(f'"{k}": {v}' for k, v in body.items()) + "}"
                response = client.post(
                    "/v1/exposure", content=text, headers={"content-type": "application/json"}
                )
                problem = problem_of(response)
                assert problem["status"] == status, text[:80]
                assert status == 400 or field in problem["detail"]


# --- 6. the world view: cached by interval, equal to the per-call path ------------------------


def test_the_cached_world_view_equals_the_per_call_path(
    snapshot: Snapshot, rulebook: Rulebook
) -> None:
    import json

    checker = Checker(snapshot, rulebook)
    rng = random.Random(6)
    people = [
        snapshot.people[p] for p in ("putin-vladimir", "netanyahu-benjamin", "duterte-rodrigo")
    ]
    for person in people:
        for mode in ("visit", "overflight"):
            for _ in range(6):
                day = dt.date(2002, 1, 1) + dt.timedelta(days=rng.randrange(9000))
                checker.world.json(person, day, mode)  # fill the cache at some day
                # ...then ask about other days: the same interval is served from the cache
                for other in (day, day + dt.timedelta(days=1), day - dt.timedelta(days=3)):
                    cached = json.loads(checker.world.json(person, other, mode))
                    reference = compute(checker, person, other, mode).model_dump(mode="json")
                    assert cached == reference, (person.id, mode, other)
    assert checker.world.hits > checker.world.misses > 0


# --- 7. keys ----------------------------------------------------------------------------------


def test_with_keys_required_only_health_and_readiness_are_public() -> None:
    key = "k" * 20
    with TestClient(create_app(Settings(require_key=True, api_keys=[key]))) as client:  # type: ignore[list-item]
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        for path in (
            "/",
            "/docs",
            "/redoc",
            "/openapi.json",
            "/v1/datasets",
            "/v1/rules",
            "/docs-assets/redoc.standalone.js",
            "/v1/people/putin-vladimir/world",
        ):
            response = client.get(path)
            assert problem_of(response)["status"] == 401, path
            assert "www-authenticate" in response.headers
            assert client.get(path, headers={"X-API-Key": key}).status_code == 200, path
        document = client.get("/openapi.json", headers={"X-API-Key": key}).json()
        assert "401" in document["paths"]["/v1/exposure"]["get"]["responses"]
        assert "401" not in document["paths"]["/healthz"]["get"]["responses"]


def test_keys_without_require_key_refuse_to_start() -> None:
    with pytest.raises(ValueError, match="REQUIRE_KEY"):
        Settings(api_keys=["k" * 20])  # type: ignore[list-item]


def test_a_short_key_is_refused_without_printing_any_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ICC_EXPOSURE_REQUIRE_KEY", "true")
    monkeypatch.setenv("ICC_EXPOSURE_API_KEYS", "a-perfectly-long-secret-key,short-secret")
    monkeypatch.setenv("ICC_EXPOSURE_ADMIN_KEYS", "tiny")
    with pytest.raises(ValueError) as refused:
        Settings()
    message = str(refused.value)
    assert "16 characters" in message
    for secret in ("a-perfectly-long-secret-key", "short-secret", "tiny"):
        assert secret not in message


# --- 9. input ranges and undocumented statuses ------------------------------------------------


@pytest.fixture(scope="module")
def live() -> Iterator[httpx.Client]:
    with live_server() as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


@pytest.mark.parametrize("day", ["0001-01-01", "1997-12-31", "2101-01-01", "9999-12-31"])
def test_one_date_range_everywhere(live: httpx.Client, day: str) -> None:
    requests = [
        live.get("/v1/exposure", params={"person": "Putin", "country": "JP", "date": day}),
        live.get("/v1/people/putin-vladimir/world", params={"date": day}),
        live.get("/v1/countries", params={"date": day}),
        live.get("/v1/countries/Japan", params={"date": day}),
        live.post(
            "/v1/itineraries",
            json={
                "itineraries": {
                    "t": {
                        "traveller": {"name": "Putin"},
                        "legs": [{"country": "JP", "arrive": day}],
                    }
                }
            },
        ),
    ]
    for response in requests:
        problem = problem_of(response)
        assert problem["status"] == 422 and "1998-01-01 and 2100-12-31" in problem["detail"]
    batch = live.post(
        "/v1/batch",
        content=f"id,person,country,arrive\n1,Putin,JP,{day}\n",
        headers={"content-type": "text/csv"},
    )
    row = batch.json()
    assert row["status"] == "error" and "1998-01-01 and 2100-12-31" in row["error"]
    # ...and the edges are inside it
    for edge in ("1998-01-01", "2100-12-31"):
        ok = live.get("/v1/people/putin-vladimir/world", params={"date": edge})
        assert ok.status_code == 200


def test_a_nul_in_a_name_is_refused(live: httpx.Client) -> None:
    for params in (
        {"person": "Put\x00in", "country": "JP"},
        {"person": "Putin", "country": "J\x00P"},
    ):
        problem = problem_of(live.get("/v1/exposure", params=params))
        assert problem["status"] == 422 and "U+0000" in problem["detail"]
    batch = live.post(
        "/v1/batch",
        content=b'{"id": "1", "person": "Put\\u0000in", "country": "JP", "arrive": "2024-01-01"}\n',
        headers={"content-type": "application/x-ndjson"},
    )
    assert batch.json()["status"] == "error"


def test_unreadable_bodies_are_documented_400s(live: httpx.Client) -> None:
    bodies = [b'{"person": "\xff\xfe", "country": "JP"}', b"[" * 100_000 + b"]" * 100_000]
    for body in bodies:
        response = live.post(
            "/v1/exposure", content=body, headers={"content-type": "application/json"}
        )
        assert problem_of(response)["status"] == 400
    document = live.get("/openapi.json").json()["paths"]
    for path, method in [
        ("/v1/exposure", "post"),
        ("/v1/itineraries", "post"),
        ("/v1/batch", "post"),
    ]:
        assert {"400", "413"} <= set(document[path][method]["responses"]), path
    assert {"401", "403", "422"} <= set(document["/v1/admin/reload"]["post"]["responses"])


# --- 10. reloads free the engine's memory ----------------------------------------------------


def test_a_replaced_rulebook_frees_its_rulesets() -> None:
    gc.collect()
    load_rulebook(RULES)  # settle: the engine deletes what earlier tests left behind
    before = durable.live_rulesets()
    for _ in range(5):
        load_rulebook(RULES)  # made and dropped, as a reload drops the previous generation
    gc.collect()
    load_rulebook(RULES)  # the next engine call deletes what was retired
    assert durable.live_rulesets() <= before


def test_a_reload_frees_the_previous_generation(tmp_path: Path) -> None:
    # The service freezes what it loaded out of the collector's reach (app/api/work.py); a
    # reload must still free the generation it replaces (its Checker holds reference cycles).
    admin = "a" * 20
    settings = Settings(data_dir=tmp_path, admin_keys=[admin])  # type: ignore[list-item]
    with TestClient(create_app(settings)) as client:
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        old = weakref.ref(runtime.current.checker)
        client.get("/v1/exposure", params={"person": "Putin", "country": "JP"})
        assert client.post("/v1/admin/reload", headers={"X-API-Key": admin}).is_success
        assert old() is None
        assert client.get("/v1/exposure", params={"person": "Putin", "country": "JP"}).is_success


# --- 11. the rules version is the files, not the folder's name --------------------------------


def test_the_rules_version_ignores_the_folders_name(rulebook: Rulebook, tmp_path: Path) -> None:
    elsewhere = tmp_path / "another-name"
    shutil.copytree(RULES, elsewhere)
    assert load_rulebook(elsewhere).version == rulebook.version
    (elsewhere / "movement.yaml").write_text(
        (RULES / "movement.yaml").read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8"
    )
    assert load_rulebook(elsewhere).version != rulebook.version


# --- 13. keep-alive ---------------------------------------------------------------------------


def test_serve_keeps_idle_connections_longer_than_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    serve_module = importlib.import_module("app.cli.serve")
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: seen.update(k))
    monkeypatch.setattr(serve_module, "snapshot_or_exit", lambda _: None)
    serve_module.serve()
    assert seen["timeout_keep_alive"] == 75 > 60
    assert seen["access_log"] is False
    assert seen["http"] == "app.api.protocol:HeadWithBody"

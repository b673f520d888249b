"""`GET /v1/people?q=`: how sure a name search is (the PersonMatch.level contract), so that a
probable match is asked back as "did you mean", never shown as sure."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

from .conftest import live_server

CASES = [
    # (query, level, the person taken (match.id) or None, sure)
    ("Putin", "sure", "putin-vladimir", True),
    ("Путин", "sure", "putin-vladimir", True),
    ("Vladimr Putin", "probable", "putin-vladimir", False),
    ("Netanyahoo", "probable", "netanyahu-benjamin", False),
    ("Gaddafi", "ambiguous", None, False),
    ("Sokolov", "candidates", None, False),
    ("Emmanuel Macron", "none", None, False),
]


def check(found: dict[str, Any], level: str, taken: str | None, sure: bool) -> None:
    assert found["level"] == level
    assert found["meaning"]
    if taken is None:
        assert found["match"] is None
    else:
        assert (found["match"]["id"], found["match"]["sure"]) == (taken, sure)
    assert [c["id"] for c in found["candidates"] if c["sure"]] == ([taken] if sure else [])
    if level in ("ambiguous", "candidates"):
        assert found["candidates"], "never an empty 'none' for a name close to someone"


@pytest.mark.parametrize(("query", "level", "taken", "sure"), CASES)
def test_people_search_says_how_sure(query: str, level: str, taken: str | None, sure: bool) -> None:
    with TestClient(create_app(Settings())) as client:
        response = client.get("/v1/people", params={"q": query})
        assert response.status_code == 200
        check(response.json(), level, taken, sure)


def test_live_server_people_search_levels_and_openapi() -> None:
    with live_server() as base, httpx.Client(base_url=base, timeout=30) as client:
        for query, level, taken, sure in CASES:
            check(client.get("/v1/people", params={"q": query}).json(), level, taken, sure)
        schema = client.get("/openapi.json").json()["components"]["schemas"]
        search = schema["PeopleSearch"]["properties"]
        assert "probable" in search["level"]["description"] and search["level"]["examples"]
        assert set(search["level"]["enum"]) == {c[1] for c in CASES}
        assert schema["Candidate"]["properties"]["sure"]["deprecated"] is True

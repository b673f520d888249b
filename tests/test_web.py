"""The web page: the map is served offline, and in a real browser a search colours it."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from app.web.worldmap import country_paths

from .conftest import live_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_the_page_carries_the_map_and_needs_no_network() -> None:
    with TestClient(create_app(Settings())) as client:
        response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<svg id="map"' in html
    for iso3 in ("JPN", "MNG", "USA", "HUN", "UKR", "XKX"):
        assert f'id="c-{iso3}"' in html
    # No script, style or font from elsewhere.
    assert not re.search(r'(src|href)="https?://', html)


def test_the_map_covers_the_world() -> None:
    paths = country_paths()
    assert len(paths) >= 170
    assert all(re.fullmatch(r"[A-Z]{3}", iso3) for iso3 in paths)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with live_server() as base:
        yield base


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_a_search_colours_the_map_and_a_click_explains(server: str, tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(server + "/?person=Путин&date=2025-06-01")
        page.wait_for_selector("#map path.x-high")
        assert page.get_attribute("#c-JPN", "class") == "x-high"
        assert page.get_attribute("#c-MNG", "class") == "x-medium"
        assert page.get_attribute("#c-USA", "class") == "x-low"
        assert "Vladimir Vladimirovich Putin" in page.inner_text("#title")
        page.click("#rows tr[data-iso3='MNG']")
        page.wait_for_selector("#detail h2:has-text('Mongolia')")
        detail = page.inner_text("#detail")
        assert "noncompliance-record" in detail and "obligation to arrest: yes" in detail
        page.screenshot(path=str(tmp_path / "map.png"))
        # A name nobody has: the page says so instead of guessing.
        page.fill("#person", "Emmanuel Macron")
        page.click("button[type=submit]")
        page.wait_for_selector("#status:has-text('No person')")
        browser.close()

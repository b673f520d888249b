"""The web page and the map exports: what a journalist using them would notice.

The page is served offline, cached and compressed; every place has a shape or a marker; the
exports carry who, when, how and the data version. In real Chromium (Debian's, through
Playwright; one browser and one live server for the module): phone layout, the address as the
view (round trip, Back), no stale answer, late replies ignored, keyboard access, small states,
axe-core, the three downloads, and screenshots under var/screenshots/ (git-ignored).
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from app.cli import app as cli
from app.resolve.countries import CountryResolver
from app.web.worldmap import geometry, legend

from .conftest import ROOT, live_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = ROOT / "var" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with live_server() as base:
        yield base


# --- served files, geometry and exports (no browser) ---------------------------------------


def test_the_page_needs_no_network_and_its_files_are_cached_and_compressed(server: str) -> None:
    page = httpx.get(server + "/", headers={"accept-encoding": "gzip"})
    assert page.status_code == 200 and page.headers["content-encoding"] == "gzip"
    assert page.headers["cache-control"] == "no-cache"  # the data version can change on reload
    html = page.text
    assert not re.search(r'(src|href)="https?://', html)  # no CDN, no font service
    script = re.search(r'src="(/static/[0-9a-f]+/js/main\.js)"', html)
    assert script, "the page loads its script as an ES module from a versioned path"
    js = httpx.get(server + script.group(1), headers={"accept-encoding": "gzip"})
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "immutable" in js.headers["cache-control"]
    assert js.headers["content-encoding"] == "gzip"


def test_every_country_and_territory_has_a_shape_or_a_marker(snapshot: Any) -> None:
    places = geometry().places
    missing = [c.iso3 for c in CountryResolver(snapshot).all() if c.iso3 not in places]
    assert missing == []
    # Small States Parties get a marker a person can see and click.
    for iso3 in (
        "MLT",
        "LIE",
        "SMR",
        "AND",
        "BRB",
        "CPV",
        "MUS",
        "WSM",
        "NRU",
        "MHL",
        "KIR",
        "LUX",
    ):
        assert places[iso3].marker, iso3


def test_the_map_has_no_holes_no_wedge_and_french_guiana_on_its_own() -> None:
    geo = geometry()
    # Somaliland and Northern Cyprus are drawn as Somalia and Cyprus (no unassigned hole).
    assert not {"SOL", "CYN"} & set(geo.places)
    # French Guiana is its own shape (its own answer), cut out of France's outline.
    assert geo.places["GUF"].d and not geo.places["GUF"].marker
    guf_x = geo.places["GUF"].point[0]
    fra_xs = [float(x) for x in re.findall(r"[ML](-?[\d.]+),", geo.places["FRA"].d or "")]
    assert all(abs(x - guf_x) > 50 for x in fra_xs)
    # Russia is cut at the antimeridian: no segment runs across the map.
    for piece in re.split(r"M", geo.places["RUS"].d or "")[1:]:
        xs = [float(x) for x in re.findall(r"(-?[\d.]+),", piece)]
        assert all(abs(b - a) < geo.width / 2 for a, b in itertools.pairwise(xs))


def test_the_legend_colours_are_distinct_and_none_is_not_sea_blue() -> None:
    spec = legend()
    fills = [level["fill"] for level in spec["levels"]] + [spec["no_answer"]["fill"], spec["sea"]]
    assert len(set(fills)) == len(fills)
    red, green, blue = (int(spec["levels"][3]["fill"][i : i + 2], 16) for i in (1, 3, 5))
    assert not (blue > red and blue > green), "none must not read as sea"


def test_the_exported_svg_says_who_when_how_and_on_which_data(server: str) -> None:
    response = httpx.get(
        server + "/map.svg", params={"person": "Putin", "date": "2025-09-01", "mode": "visit"}
    )
    assert response.status_code == 200 and response.headers["content-type"] == "image/svg+xml"
    assert "attachment" in response.headers["content-disposition"]
    svg = response.text
    for text in ("Vladimir Vladimirovich Putin", "2025-09-01", "mode visit", "High (", "as of"):
        assert text in svg
    assert response.headers["x-datasets-version"][:19] in svg
    assert "<script" not in svg and "href" not in svg


def test_the_export_refuses_a_name_that_is_not_sure(server: str) -> None:
    response = httpx.get(server + "/map.svg", params={"person": "Gaddafi", "date": "2011-07-01"})
    assert response.status_code == 422
    problem = response.json()
    assert problem["field"] == "person"
    assert {c["id"] for c in problem["candidates"]} >= {"gaddafi-muammar", "gaddafi-saif-al-islam"}


def test_the_cli_draws_the_same_map_as_svg_and_png(tmp_path: Path) -> None:
    runner = CliRunner()
    svg_file, png_file = tmp_path / "map.svg", tmp_path / "map.png"
    result = runner.invoke(
        cli, ["map", "Vladimir Putin", "--date", "2025-09-01", "-o", str(svg_file)]
    )
    assert result.exit_code == 0, result.output
    assert "159 high" in result.output
    svg = svg_file.read_text()
    assert "Vladimir Vladimirovich Putin" in svg and "2025-09-01" in svg
    assert f'fill="{legend()["levels"][0]["fill"]}"' in svg
    result = runner.invoke(cli, ["map", "Putin", "--date", "2025-09-01", "-o", str(png_file)])
    assert result.exit_code == 0, result.output
    assert png_file.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = runner.invoke(cli, ["map", "Putin", "-o", str(tmp_path / "map.gif")])
    assert bad.exit_code != 0


# --- in a real browser -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def open_page(
    browser: Any, server: str, query: str = "", width: int = 1400, height: int = 900
) -> Any:
    context = browser.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.goto(server + "/" + query)
    return page


def click_place(page: Any, iso3: str) -> None:
    """Click a shape where it is really drawn (the middle of Japan's box is the sea), as a
    person with a mouse would."""
    point = page.evaluate(
        """(iso3) => {
          const shape = document.getElementById('c-' + iso3);
          shape.scrollIntoView({block: 'center'});
          const box = shape.getBoundingClientRect();
          for (let i = 1; i < 40; i++) for (let j = 1; j < 40; j++) {
            const x = box.left + box.width * i / 40, y = box.top + box.height * j / 40;
            if (document.elementFromPoint(x, y) === shape) return [x, y];
          }
          return null;
        }""",
        iso3,
    )
    assert point, f"{iso3} has no visible point"
    page.mouse.click(*point)


def answered(page: Any) -> None:
    page.wait_for_selector(
        "#map .place.x-high, #map .place.x-low, #map .place.x-none", state="attached"
    )


def test_the_address_is_the_view_round_trip_and_back(browser: Any, server: str) -> None:
    page = open_page(browser, server, "?person=Путин&date=2025-06-01")
    answered(page)
    assert "x-high" in (page.get_attribute("#c-JPN", "class") or "")
    assert "x-medium" in (page.get_attribute("#c-MNG", "class") or "")
    page.click("#rows tr[data-iso3='MNG']")
    page.wait_for_selector("#detail h2:text-is('Mongolia')")
    assert "country=MNG" in page.url and "Mongolia" in page.title()
    click_place(page, "JPN")
    page.wait_for_selector("#detail h2:text-is('Japan')")
    assert "country=JPN" in page.url
    page.go_back()
    page.wait_for_selector("#detail h2:text-is('Mongolia')")
    assert "country=MNG" in page.url
    # The address alone brings the same view back (a shared link, a reload).
    shared = page.url
    page.goto("about:blank")
    page.goto(shared)
    page.wait_for_selector("#detail h2:text-is('Mongolia')")
    assert "noncompliance-record" in page.inner_text("#detail")
    assert page.input_value("#date") == "2025-06-01" and page.input_value("#mode") == "visit"
    # Back to before the country was chosen, then forward again.
    page.go_back()
    assert page.errors == []
    page.context.close()


def test_no_stale_answer_after_a_none_an_ambiguous_or_a_failed_search(
    browser: Any, server: str
) -> None:
    page = open_page(browser, server, "?person=al-Bashir&date=2015-06-14&country=ZAF")
    page.wait_for_selector("#detail h2:text-is('South Africa')")
    assert "Bashir" in page.inner_text("#map-title")

    def search(name: str) -> None:
        page.fill("#person", name)
        page.click("form button[type=submit]")

    def nothing_left_of_bashir() -> None:
        assert "Bashir" not in page.inner_text("#map-title")
        assert page.locator("#map .place.x-high").count() == 0
        assert page.locator("#rows tr").count() == 0
        assert "Bashir" not in page.inner_text("#detail") and "South Africa" not in page.inner_text(
            "#detail"
        )
        assert page.locator("#person-card").is_hidden()
        assert page.get_attribute("#dl-svg", "href") is None

    search("Emmanuel Macron")
    page.wait_for_selector("#status:has-text('No person with a public ICC arrest warrant')")
    nothing_left_of_bashir()
    click_place(page, "JPN")  # nobody is remembered: no old person's answer for Japan
    page.wait_for_selector("#status:has-text('Search for a person first')")
    assert "Japan" not in page.inner_text("#detail")

    page.goto(server + "/?person=al-Bashir&date=2015-06-14&country=ZAF")
    page.wait_for_selector("#detail h2:text-is('South Africa')")
    search("Gaddafi")  # two people: the page asks, and never says "none"
    page.wait_for_selector("#question button")
    nothing_left_of_bashir()
    assert "Which one?" in page.inner_text("#question")
    assert page.locator("#map .place.x-none").count() == 0
    page.click("#question button:has-text('Saif')")
    page.wait_for_selector("#map-title:has-text('Saif')")
    answered(page)

    page.route("**/v1/people?*", lambda route: route.fulfill(status=500, body="{}"))
    search("Putin")
    page.wait_for_selector("#status.error")
    assert "Saif" not in page.inner_text("#map-title")
    assert page.locator("#rows tr").count() == 0
    page.context.close()


def test_a_late_reply_for_an_earlier_search_is_ignored(browser: Any, server: str) -> None:
    page = open_page(browser, server, "?date=2025-06-01")
    held: list[Any] = []

    def hold_putin(route: Any) -> None:
        if "putin" in route.request.url:
            held.append(route)  # answered only after the later search has been shown
        else:
            route.continue_()

    page.route("**/v1/people/*/world*", hold_putin)
    page.fill("#person", "Putin")
    page.click("form button[type=submit]")
    page.wait_for_selector("#status:has-text('Colouring the map')")
    page.wait_for_timeout(200)  # lets Playwright hand the held request to the handler
    assert held, "the first world request was held"
    page.fill("#person", "Netanyahu")
    page.click("form button[type=submit]")
    page.wait_for_selector("#map-title:has-text('Netanyahu')")
    with contextlib.suppress(Exception):  # the page aborted it: just as good
        held[0].continue_()
    page.wait_for_timeout(300)  # give a late reply the chance to (wrongly) land
    assert "Netanyahu" in page.inner_text("#map-title")
    assert "Putin" not in page.inner_text("#map-title")
    assert "Netanyahu" in page.title()
    page.context.close()


def test_the_keyboard_opens_japan_from_the_map_and_a_row(browser: Any, server: str) -> None:
    page = open_page(browser, server, "?person=Putin&date=2025-06-01")
    answered(page)
    page.focus("#c-JPN")
    page.keyboard.press("Enter")
    page.wait_for_selector("#detail h2:text-is('Japan')")
    page.focus("#rows tr[data-iso3='MNG']")
    page.keyboard.press(" ")
    page.wait_for_selector("#detail h2:text-is('Mongolia')")
    assert page.get_attribute("#c-JPN", "tabindex") == "0"
    summary = page.inner_text("#map-summary")
    assert re.search(r"high in \d+, medium in \d+, low in \d+ of 250", summary)
    page.context.close()


def test_malta_and_samoa_are_clickable(browser: Any, server: str) -> None:
    page = open_page(browser, server, "?person=Putin&date=2025-06-01")
    answered(page)
    for iso3, name in (("MLT", "Malta"), ("WSM", "Samoa")):
        marker = page.locator(f"#m-{iso3}")
        assert "x-high" in (marker.get_attribute("class") or "")
        marker.click()
        page.wait_for_selector(f"#detail h2:text-is('{name}')")
    page.context.close()


def test_axe_finds_no_serious_or_critical_violation(browser: Any, server: str) -> None:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    page = open_page(browser, server, "?person=Putin&date=2025-06-01&country=MNG")
    page.wait_for_selector("#detail h2:text-is('Mongolia')")
    page.wait_for_selector("#timeline:not([hidden])")
    results = axe.Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {len(v['nodes'])} nodes, e.g. {v['nodes'][0]['target']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []
    page.context.close()


def test_the_three_downloads(browser: Any, server: str, tmp_path: Path) -> None:
    page = open_page(browser, server, "?person=Putin&date=2025-09-01")
    answered(page)
    files = {}
    for selector in ("#dl-svg", "#dl-png", "#dl-csv"):
        with page.expect_download() as info:
            page.click(selector)
        download = info.value
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        files[target.suffix] = target
    assert "2025-09-01" in files[".svg"].name
    svg = files[".svg"].read_text()
    assert "Vladimir Vladimirovich Putin" in svg and "2025-09-01" in svg and "Low (" in svg
    assert files[".png"].read_bytes()[:4] == b"\x89PNG"
    rows = list(csv.DictReader(io.StringIO(files[".csv"].read_text())))
    assert len(rows) == 250
    japan = next(r for r in rows if r["iso3"] == "JPN")
    assert japan["exposure"] == "high" and japan["party_since"] == "2007-10-01"
    assert japan["date"] == "2025-09-01"
    page.context.close()


def test_phone_layout_and_screenshots(browser: Any, server: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = open_page(browser, server, "?person=Putin&date=2025-06-01&country=MNG", 390, 844)
    page.wait_for_selector("#detail h2:text-is('Mongolia')")
    width = page.evaluate("document.getElementById('map').getBoundingClientRect().width")
    assert width >= 300
    scroll = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll[0] <= scroll[1], "no horizontal scrolling on a phone"
    # The map comes before the explanation, which comes before the table.
    tops = page.evaluate(
        "['map', 'detail', 'table-section'].map(id => document.getElementById(id)"
        ".getBoundingClientRect().top)"
    )
    assert tops == sorted(tops)
    page.screenshot(path=str(SCREENSHOTS / "phone.png"))
    page.context.close()
    desktop = open_page(browser, server, "?person=Putin&date=2025-06-01&country=MNG")
    desktop.wait_for_selector("#detail h2:text-is('Mongolia')")
    desktop.wait_for_selector("#timeline:not([hidden])")
    desktop.screenshot(path=str(SCREENSHOTS / "desktop.png"))
    desktop.context.close()


def test_a_probable_name_is_asked_back_not_shown_as_sure(browser: Any, server: str) -> None:
    page = open_page(browser, server, "?person=Vladimr%20Putin&date=2025-06-01")
    page.wait_for_selector("#question button")
    assert "Did you mean Vladimir Vladimirovich Putin?" in page.inner_text("#question")
    assert "Did you mean" in page.inner_text("#map-title")
    assert page.locator("#map .place.x-high").count() == 0  # nothing coloured yet
    assert page.locator("#person-card").is_hidden()
    page.click("#question button:has-text('Vladimir Vladimirovich Putin')")
    answered(page)
    assert "Putin" in page.inner_text("#map-title")
    assert "person=putin-vladimir" in page.url
    assert page.errors == []
    page.context.close()


def test_the_answer_card_shows_freshness_and_the_contested_death(browser: Any, server: str) -> None:
    page = open_page(browser, server, "?person=gaddafi-saif-al-islam&date=2026-03-01&country=FRA")
    page.wait_for_selector("#detail h2:text-is('France')")
    page.wait_for_selector("#detail .alternative")
    detail = page.inner_text("#detail")
    assert "Facts as of 2026-11-26." in detail
    assert "If the sources that disagree are right" in detail
    assert "died of gaddafi-saif-al-islam: recorded 2026-02-03, other sources none" in detail
    assert "This changes the answer." in detail
    assert page.locator("#detail .alternative .badge.x-high").count() == 1
    assert page.errors == []
    page.context.close()

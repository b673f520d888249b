"""A place in an occupied or de facto area (datasets/areas.yaml) answers as the area does when it
is typed as a country: its de jure state, with the area and the effective-control rule."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.batch import run_text
from app.checks import Checker
from app.itinerary import Leg, LegResult, check_leg
from app.main import create_app
from app.settings import Settings

from .conftest import live_server


def area_of(checker: Checker, place: str) -> tuple[str, str | None]:
    country = checker.places.resolve(place).place.country
    return country.iso3, country.area.id if country.area else None


@pytest.mark.parametrize(
    ("place", "area"),
    [
        ("Sevastopol", "sevastopol"),  # by name, and its division UA.20
        ("Simferopol", "crimea"),  # by its division UA.11 alone
        ("Yalta", "crimea"),
        ("SIP", "crimea"),  # airportsdata: city Simferopol, subdivision Crimea
        ("UKFF", "crimea"),
        ("UKS", "sevastopol"),
        ("Donetsk", "donetsk-occupied"),  # by name: the oblast is split
        ("DOK", "donetsk-occupied"),
        ("Melitopol", "zaporizhzhia-occupied"),
        ("Berdyansk", "zaporizhzhia-occupied"),
        ("ERD", "zaporizhzhia-occupied"),  # Berdiansk airport, by its city
        ("Enerhodar", "enerhodar"),
        ("Mariupol", "mariupol"),  # its own record: occupied from 2022, not 2014
        ("MPW", "mariupol"),
        ("Sievierodonetsk", "sievierodonetsk"),  # GeoNames: Siverskodonetsk
        ("Severodonetsk", "sievierodonetsk"),
        ("Lysychansk", "lysychansk"),
        ("Kherson", "kherson-city"),
    ],
)
def test_places_in_occupied_ukraine_resolve_to_ukraine_and_the_area(
    checker: Checker, place: str, area: str
) -> None:
    assert area_of(checker, place) == ("UKR", area)


@pytest.mark.parametrize(
    ("place", "iso3", "area"),
    [
        ("Gaza", "PSE", "gaza"),
        ("Khan Yunis", "PSE", "gaza"),
        ("Ramallah", "PSE", "west-bank"),
        ("East Jerusalem", "PSE", "east-jerusalem"),  # its name before its division
        ("Tskhinvali", "GEO", "south-ossetia"),  # GeoNames writes Ts'khinvali
        ("Sukhumi", "GEO", "abkhazia"),
        ("SUI", "GEO", "abkhazia"),
        ("Tiraspol", "MDA", "transnistria"),
        ("Kyrenia", "CYP", "northern-cyprus"),  # by its division CY.02
        ("Girne", "CYP", "northern-cyprus"),
        ("Famagusta", "CYP", "northern-cyprus"),  # by name: its district is split
        ("Gazimağusa", "CYP", "northern-cyprus"),
        ("Güzelyurt", "CYP", "northern-cyprus"),  # Morphou, in the split Nicosia district
        ("North Nicosia", "CYP", "northern-cyprus"),
        ("ECN", "CYP", "northern-cyprus"),  # Ercan: listed by code (its city is Nicosia)
        ("LCEN", "CYP", "northern-cyprus"),
        ("Hargeisa", "SOM", "somaliland"),
        ("HGA", "SOM", "somaliland"),
    ],
)
def test_places_in_other_areas(checker: Checker, place: str, iso3: str, area: str) -> None:
    assert area_of(checker, place) == (iso3, area)


@pytest.mark.parametrize(
    ("place", "iso3"),
    [
        ("Kyiv", "UKR"),
        ("KBP", "UKR"),
        ("Kramatorsk", "UKR"),  # Donetsk oblast, held by Ukraine
        ("KRQ", "UKR"),
        ("Gori", "GEO"),  # the same division as Tskhinvali
        ("Nicosia", "CYP"),  # split by the Green Line: the Republic's capital
        ("Lefkoşa", "CYP"),  # GeoNames' name for the whole (split) city
        ("LCA", "CYP"),  # Larnaca
        ("Zaporizhzhia", "UKR"),  # the city Ukraine holds
        ("Chisinau", "MDA"),
        ("Jerusalem", "ISR"),
    ],
)
def test_places_outside_the_areas_have_none(checker: Checker, place: str, iso3: str) -> None:
    assert area_of(checker, place) == (iso3, None)


def leg(checker: Checker, name: str, **fields: Any) -> LegResult:
    match = checker.resolve_person(name)
    return check_leg(checker, match, Leg.model_validate(fields), 0)


def outcome(result: LegResult) -> tuple[Any, ...]:
    assert result.worst is not None
    return (result.exposure, result.obligation, result.worst.rules, result.country)


def test_a_leg_to_sevastopol_answers_as_the_area_typed_as_a_country(checker: Checker) -> None:
    by_place = leg(checker, "Putin", place="Sevastopol", arrive="2025-06-01")
    by_country = leg(checker, "Putin", country="Sevastopol", arrive="2025-06-01")
    assert outcome(by_place) == outcome(by_country)
    assert by_place.country.iso3 == "UKR"
    assert by_place.country.area is not None and by_place.country.area.controlled_on_date
    assert by_place.worst is not None and "effective-control" in by_place.worst.rules
    assert (by_place.exposure, by_place.obligation) == ("low", True)
    assert "controlled by Russia" in by_place.worst.summary


def test_a_leg_to_sip_answers_as_crimea(checker: Checker) -> None:
    by_airport = leg(checker, "Putin", place="SIP", arrive="2025-06-01")
    by_country = leg(checker, "Putin", country="Crimea", arrive="2025-06-01")
    assert outcome(by_airport) == outcome(by_country)
    assert by_airport.place is not None and by_airport.place.code == "SIP"


def test_a_leg_to_kyiv_is_ukraine_with_its_duty(checker: Checker) -> None:
    result = leg(checker, "Putin", place="Kyiv", arrive="2025-06-01")
    assert result.country.area is None
    assert result.worst is not None and "effective-control" not in result.worst.rules
    assert (result.exposure, result.obligation) == ("high", True)


def test_kherson_is_occupied_only_until_its_liberation(checker: Checker) -> None:
    stay = leg(checker, "Joseph Kony", place="Kherson", arrive="2022-11-01", depart="2022-11-20")
    [occupied, freed] = stay.segments
    assert occupied.end == dt.date(2022, 11, 10) and "effective-control" in occupied.rules
    assert "effective-control" not in freed.rules


def test_batch_rows_with_an_occupied_place(checker: Checker) -> None:
    text = (
        "id,person,place,arrive\n"
        "a,Putin,SIP,2025-06-01\n"
        "b,Putin,Sevastopol,2025-06-01\n"
        "c,Putin,KBP,2025-06-01\n"
    )
    rows = {
        r["id"]: r for r in map(json.loads, run_text(checker, text, "csv", "ndjson").splitlines())
    }
    for ident in ("a", "b"):
        assert rows[ident]["country"] == "UKR"
        assert "effective-control" in rows[ident]["segments"][0]["rules"]
        assert rows[ident]["exposure"] == "low"
    assert rows["c"]["exposure"] == "high"
    assert "effective-control" not in rows["c"]["segments"][0]["rules"]


def check_lookup(found: dict[str, Any]) -> None:
    country = found["match"]["country"]
    assert (country["iso3"], country["area"]["id"]) == ("UKR", "crimea")
    assert country["area"]["controlled_on_date"] is True  # today: still occupied


def test_places_lookup_shows_the_area() -> None:
    with TestClient(create_app(Settings())) as client:
        check_lookup(client.get("/v1/places", params={"q": "SIP"}).json())
        kyiv = client.get("/v1/places", params={"q": "Kyiv"}).json()
        assert kyiv["match"]["country"]["area"] is None


def test_live_server_answers_sevastopol_as_ukraine_under_occupation() -> None:
    with live_server() as base, httpx.Client(base_url=base, timeout=30) as client:
        check_lookup(client.get("/v1/places", params={"q": "UKFF"}).json())
        body = {
            "itineraries": {
                "t": {
                    "traveller": {"name": "Putin"},
                    "legs": [
                        {"id": "sev", "place": "Sevastopol", "arrive": "2025-06-01"},
                        {"id": "kyiv", "place": "Kyiv", "arrive": "2025-06-01"},
                    ],
                }
            }
        }
        sev, kyiv = client.post("/v1/itineraries", json=body).json()["results"]["t"]["legs"]
        assert sev["country"]["area"]["id"] == "sevastopol"
        assert "effective-control" in sev["worst"]["rules"]
        assert kyiv["country"]["area"] is None and kyiv["exposure"] == "high"
        response = client.post(
            "/v1/batch",
            content=io.BytesIO(b"id,person,place,arrive\n1,Putin,SIP,2025-06-01\n").read(),
            headers={"content-type": "text/csv"},
        )
        assert "effective-control" in json.loads(response.text)["segments"][0]["rules"]


@pytest.mark.parametrize(
    ("place", "occupied_from"),
    [
        ("Mariupol", dt.date(2022, 4, 30)),  # OHCHR: the city, all but Azovstal
        ("Sievierodonetsk", dt.date(2022, 6, 25)),
        ("Lysychansk", dt.date(2022, 7, 3)),
        ("Enerhodar", dt.date(2022, 3, 4)),
    ],
)
def test_cities_taken_in_2022_are_occupied_only_from_their_fall(
    checker: Checker, place: str, occupied_from: dt.date
) -> None:
    """The 2014 Donetsk and Luhansk records must not make Mariupol occupied in 2021."""
    day_before = occupied_from - dt.timedelta(days=1)
    # Kony: a warrant outstanding on every date here (Putin's dates from 2023).
    before = leg(checker, "Joseph Kony", place=place, arrive=day_before.isoformat())
    after = leg(checker, "Joseph Kony", place=place, arrive=occupied_from.isoformat())
    assert before.worst is not None and after.worst is not None
    assert "effective-control" not in before.worst.rules
    assert "effective-control" in after.worst.rules
    assert after.exposure == "low"


def test_mariupol_in_2021_is_ukraine_with_its_duty(checker: Checker) -> None:
    then = leg(checker, "Joseph Kony", place="Mariupol", arrive="2021-06-01")
    occupied = leg(checker, "Joseph Kony", place="Mariupol", arrive="2022-06-01")
    assert then.country.area is not None and not then.country.area.controlled_on_date
    assert then.worst is not None and "effective-control" not in then.worst.rules
    assert occupied.country.area is not None and occupied.country.area.controlled_on_date
    assert occupied.worst is not None and "effective-control" in occupied.worst.rules
    assert occupied.exposure == "low"
    # The 2014 record still answers for the city of Donetsk on the same day.
    donetsk = leg(checker, "Joseph Kony", place="Donetsk", arrive="2021-06-01")
    assert donetsk.worst is not None and "effective-control" in donetsk.worst.rules


def test_a_flight_to_ercan_answers_as_northern_cyprus(checker: Checker) -> None:
    by_airport = leg(checker, "Putin", place="ECN", arrive="2025-06-01")
    by_country = leg(checker, "Putin", country="Northern Cyprus", arrive="2025-06-01")
    assert outcome(by_airport) == outcome(by_country)
    nicosia = leg(checker, "Putin", place="Nicosia", arrive="2025-06-01")
    assert nicosia.worst is not None and "effective-control" not in nicosia.worst.rules
    assert nicosia.country.area is None


def test_every_listed_division_and_airport_is_in_the_areas_state(checker: Checker) -> None:
    """The codes in datasets/areas.yaml name real GeoNames divisions and airportsdata airports
    of the area's own state, and each of them moves some place into the area."""
    import airportsdata

    airports = airportsdata.load("IATA") | airportsdata.load("ICAO")
    for country in checker.countries.areas():
        area = country.area
        assert area is not None
        for division in area.geonames_admin1:
            assert division.split(".")[0] == country.iso2, (area.id, division)
        for code in area.airports:
            assert airports[code]["country"] == country.iso2, (area.id, code)
            assert area_of(checker, code) == (country.iso3, area.id)

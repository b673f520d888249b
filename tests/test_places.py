"""Places: airport codes and city names, as travellers write them, resolve to the country or
territory they are in; names that several countries share ask; the `country` field never reads
airport codes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import httpx
import pytest

from app.batch import run_text
from app.checks import Checker
from app.errors import AmbiguousPlace, UnknownPlace
from app.itinerary import Itinerary, check_itinerary
from app.resolve.places import DOMINANCE

from .conftest import live_server


def iso3(checker: Checker, text: str) -> str:
    return checker.places.resolve(text).place.country.iso3


def test_iata_and_icao_codes_name_the_same_airport(checker: Checker) -> None:
    lhr = checker.places.resolve("LHR").place
    egll = checker.places.resolve("EGLL").place
    assert lhr == egll
    assert (lhr.kind, lhr.code, lhr.country.iso3) == ("airport", "LHR", "GBR")
    assert iso3(checker, "ULN") == "MNG"  # Ulaanbaatar, where Putin landed in 2024
    assert iso3(checker, "jfk") == "USA"  # codes in lower case are still codes


@pytest.mark.parametrize(
    ("spellings", "expected"),
    [
        (["Den Haag", "The Hague", "'s-Gravenhage", "den haag"], "NLD"),
        (["Kyiv", "Kiev", "Київ", "Киев"], "UKR"),
        (["München", "Munich", "Muenchen"], "DEU"),
        (["Ulaanbaatar", "Ulan Bator"], "MNG"),
    ],
)
def test_a_city_in_any_common_spelling(
    checker: Checker, spellings: list[str], expected: str
) -> None:
    assert {iso3(checker, s) for s in spellings} == {expected}


def test_a_city_in_a_territory_resolves_to_the_territory(checker: Checker) -> None:
    nuuk = checker.places.resolve("Nuuk").place.country
    assert (nuuk.iso3, nuuk.sovereign) == ("GRL", "DNK")
    assert iso3(checker, "Tórshavn") == "FRO"
    assert iso3(checker, "GUM") == "GUM"  # Guam's airport: the territory, not the United States


def test_sevastopol_resolves_to_ukraine(checker: Checker) -> None:
    assert iso3(checker, "Sevastopol") == "UKR"


def test_an_ambiguous_city_asks_with_choices(checker: Checker) -> None:
    with pytest.raises(AmbiguousPlace) as caught:
        checker.places.resolve("Georgetown")
    choices = {c["iso3"] for c in caught.value.extra["choices"]}
    assert {"GUY", "MYS", "CYM"} <= choices
    assert caught.value.field == "place"


def test_a_much_larger_city_wins_and_says_so(checker: Checker) -> None:
    match = checker.places.resolve("Paris")
    assert match.place.country.iso3 == "FRA"
    assert match.note is not None and f"{DOMINANCE}x" in match.note
    # Not much larger: Georgetown, Guyana (235,000) over George Town, Malaysia (158,000) asks.


def test_a_city_of_one_name_in_one_country_needs_no_choice(checker: Checker) -> None:
    assert iso3(checker, "Springfield") == "USA"  # many Springfields, one country


def test_a_code_that_is_iso_and_iata_is_an_airport_only_in_place(checker: Checker) -> None:
    # CAN: ISO alpha-3 of Canada, IATA code of Guangzhou Baiyun.
    assert checker.countries.resolve("CAN").iso3 == "CAN"
    airport = checker.places.resolve("CAN")
    assert (airport.place.kind, airport.place.country.iso3) == ("airport", "CHN")
    assert airport.note and "Çan" in airport.note  # a town in Türkiye is called so too


def test_four_capitals_that_are_a_code_and_a_city_ask(checker: Checker) -> None:
    assert iso3(checker, "Lima") == "PER"
    with pytest.raises(AmbiguousPlace) as caught:
        checker.places.resolve("LIMA")  # Turin's Aeritalia airfield, or Lima
    assert {"ITA", "PER"} <= {c["iso3"] for c in caught.value.extra["choices"]}


def test_an_unknown_place_suggests(checker: Checker) -> None:
    with pytest.raises(UnknownPlace) as caught:
        checker.places.resolve("Ulanbaatr")
    assert "MNG" in {s["iso3"] for s in caught.value.extra["suggestions"]}


def test_a_country_name_is_a_place_too(checker: Checker) -> None:
    assert iso3(checker, "Greenland") == "GRL"


def test_an_itinerary_leg_by_place_answers_like_its_country(checker: Checker) -> None:
    legs = [
        {"id": "by-place", "place": "ULN", "arrive": "2024-09-03"},
        {"id": "by-country", "country": "Mongolia", "arrive": "2024-09-03"},
        {"id": "ask", "place": "Georgetown", "arrive": "2024-09-03"},
    ]
    result = check_itinerary(
        checker, Itinerary.model_validate({"traveller": {"name": "Putin"}, "legs": legs})
    )
    by_place, by_country, ask = result.legs
    assert by_place.country == by_country.country  # type: ignore[union-attr]
    assert by_place.exposure == by_country.exposure  # type: ignore[union-attr]
    assert by_place.place is not None and by_place.place.code == "ULN"  # type: ignore[union-attr]
    assert ask.field == "place" and ask.choices  # type: ignore[union-attr]


def test_a_leg_gives_a_country_or_a_place_not_both(checker: Checker) -> None:
    with pytest.raises(ValueError, match="either 'country' or 'place'"):
        Itinerary.model_validate(
            {
                "traveller": {"name": "Putin"},
                "legs": [{"country": "Mongolia", "place": "ULN", "arrive": "2024-09-03"}],
            }
        )


def test_batch_csv_takes_a_place_column(checker: Checker) -> None:
    text = (
        "id,person,country,place,arrive\n"
        "a,Putin,,Nuuk,2024-09-03\n"
        "b,Putin,CAN,,2024-09-03\n"
        "c,Putin,,CAN,2024-09-03\n"
        "d,Putin,,Georgetown,2024-09-03\n"
    )
    rows = list(csv.DictReader(io.StringIO(run_text(checker, text, "csv", "csv"))))
    assert [r["country"] for r in rows[:3]] == ["GRL", "CAN", "CHN"]
    assert rows[0]["place"] == "Nuuk" and rows[2]["place"].startswith("CAN ")
    assert rows[1]["place"] == ""
    assert rows[3]["status"] == "error" and rows[3]["field"] == "place"
    assert "Guyana" in rows[3]["error"]


def test_batch_ndjson_takes_a_place_key(checker: Checker) -> None:
    line = json.dumps({"id": "x", "person": "Putin", "place": "Kiev", "arrive": "2024-09-03"})
    [answer] = [
        json.loads(x) for x in run_text(checker, line + "\n", "ndjson", "ndjson").splitlines()
    ]
    assert answer["country"] == "UKR"
    assert answer["place"] == {
        "query": "Kiev",
        "kind": "city",
        "name": "Kyiv",
        "code": None,
        "note": None,
    }


# --- over HTTP ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live() -> Iterator[httpx.Client]:
    with live_server() as base, httpx.Client(base_url=base, timeout=60) as client:
        yield client


def test_places_lookup_returns_candidates_with_their_country(live: httpx.Client) -> None:
    found = live.get("/v1/places", params={"q": "Georgetown"}).json()
    assert found["match"] is None and "Guyana" in found["problem"]
    assert {"GUY", "MYS", "CYM"} <= {c["country"]["iso3"] for c in found["candidates"]}
    lhr = live.get("/v1/places", params={"q": "LHR"}).json()
    assert lhr["match"]["code"] == "LHR" and lhr["match"]["country"]["iso3"] == "GBR"


def test_places_lookup_needs_a_query(live: httpx.Client) -> None:
    response = live.get("/v1/places")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_itineraries_over_http_take_a_place(live: httpx.Client) -> None:
    body = {
        "itineraries": {
            "t": {
                "traveller": {"name": "Putin"},
                "legs": [{"id": "a", "place": "Nuuk", "arrive": "2025-06-01"}],
            }
        }
    }
    leg = live.post("/v1/itineraries", json=body).json()["results"]["t"]["legs"][0]
    assert leg["country"]["iso3"] == "GRL" and leg["country"]["territory_of"] == "DNK"
    assert leg["place"]["name"] == "Nuuk" and leg["place"]["kind"] == "city"

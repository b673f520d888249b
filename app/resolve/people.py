"""From a name typed in any script to a person, with a match level that says how sure it is.

Whole-string scorers (WRatio, token_set) accept 'Vladimir Putilin' for Putin and 'Min Aung' for
Min Aung Hlaing, so names are compared token by token after three folds:
- look-alike letters: a word mixing scripts ('Рutin' with a Cyrillic Р, 'Ρutin' with a Greek Ρ)
  has its minority-script letters replaced by their look-alikes in the word's main script (Unicode
  TR39 confusables data, via confusable_homoglyphs); a word in one script ('Путин') is left as it
  is, so genuine Cyrillic names still match by transliteration;
- transliteration to ASCII (anyascii): Arabic articles (al-, el-) are optional, hyphens split,
  apostrophes vanish, order is free; a word written in another script also keeps its own form
  (Arabic and Persian letter variants folded), so a typo in 'Путин' is counted in Cyrillic
  letters, not in their Latin spellings;
- typing errors: each typed token is looked up in an index of every alias token, exactly, as an
  initial ('V.'), or within a few edits (one rapidfuzz scan, in C, over the tokens of a length
  within reach).

Two rules read the same token matches:
- the candidate rule (who is close): every typed token matches a token of the alias within one
  edit (two for tokens of eight letters or more); or, when a typed word is in no alias ('Sara
  Netanyahu', a middle name we lack), the alias's key token is typed exactly. Matches on first
  names only rank below matches on a surname;
- the strict rule (who is meant): every typed token matches, the alias's key token (its last
  word, every part of a hyphenated one: 'Lvova', 'Belova') is among them, and edits stay within
  a tighter budget: none for a lone token under seven letters ('Bashar' is not 'Bashir'), one for
  a longer lone token, one or two beside other tokens, and none under eight letters when every
  typed token is a common name ('Muhammad Ali' is not Mohammed Hussein Ali).
The score grows with how much of the alias the query covers, so a fuller name ranks first.

Match levels (``PersonMatch.level``; ``person`` is set for sure and probable only):
- sure: a strict match with no edit (every token as written in an alias, or an initial), a score
  of at least SURE, and nobody else within MARGIN of it;
- probable: the same, but at least one token needed an edit ('Vladimr Putn', 'Netanyahoo'):
  the person is taken, and the answer says the match is probable;
- ambiguous: two or more people match strictly within MARGIN of the best ('Gaddafi': Muammar
  and Saif al-Islam): the caller must ask;
- candidates: nobody is sure or probable, but somebody is close ('Puttin', 'Konny', 'Gbagbi',
  a first name alone, a lone common name like 'Ali', a relative like 'Sara Netanyahu'): the
  answer is unresolved, never "none";
- none: nobody came close; only then is "no public warrant names them" said with confidence.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Literal, NamedTuple

from anyascii import anyascii
from rapidfuzz import process
from rapidfuzz.distance import OSA

from app.data.models import Person
from app.data.snapshot import Snapshot
from app.errors import InvalidInput

_APOSTROPHES = re.compile(r"['`\u2019\u02bc\u02bb\u2018]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"[\s,;/]+")
_HYPHENS = re.compile(r"[\W_]+")
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
# Letters Arabic and Persian spellings of one name swap (yeh, kaf, alif with hamza, teh marbuta).
_ARABIC_VARIANTS = str.maketrans("یىکأإآٱة", "ييكاااا" + "ه")
MAX_NAME = 200
SURE = 0.80
MARGIN = 0.08
LIMIT = 10  # candidates returned
FIRST_NAMES_ONLY = 0.8  # a match without the key token ranks below one with it
UNION = 0.85  # pieced together from several aliases: below any whole alias
_CACHE = 50_000  # typed tokens whose fuzzy look-up is remembered, per resolver


# --- folding --------------------------------------------------------------------------------


def fold_confusables(text: str) -> str:
    """'Рutin' (Cyrillic Р) -> 'Putin': in a word mixing scripts, letters of the other scripts
    become their TR39 look-alikes in the word's main script (most letters; Latin on a tie).
    Words in one script are left alone ('Путин' is a real name, not a spoof)."""
    if text.isascii():
        return text
    from confusable_homoglyphs import confusables  # 1 MB of tables: load on use

    out = []
    for word in re.split(r"(\s+)", text):
        scripts = Counter(_script_alias(ch) for ch in word if ch.isalpha())
        scripts.pop("COMMON", None)
        scripts.pop("INHERITED", None)
        if len(scripts) < 2:
            out.append(word)
            continue
        main = max(scripts, key=lambda s: (scripts[s], s == "LATIN"))
        found = confusables.is_confusable(word, greedy=True, preferred_aliases=[main]) or []
        for item in found:
            for glyph in item["homoglyphs"]:
                if all(_script_alias(c) in (main, "COMMON") for c in glyph["c"]):
                    word = word.replace(item["character"], glyph["c"])
                    break
        out.append(word)
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def _script_alias(ch: str) -> str:
    """The TR39 script alias of a letter (LATIN, CYRILLIC, GREEK ...); the library's look-up is
    a binary search in Python, and names repeat their letters."""
    from confusable_homoglyphs import categories

    return str(categories.alias(ch))


def _strip_marks(text: str) -> str:
    """NFKC, without combining marks (Arabic and Hebrew vowel points) and format characters."""
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():
        return text
    # Zero-width joiners and non-joiners (Persian 'هبت‌الله') are format characters, not breaks.
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Mn", "Cf"))


def _ascii_tokens(word: str) -> list[tuple[str, str | None]]:
    """One written word -> its ASCII tokens, each with its spelling before a joined article was
    dropped: 'al-Bashir' -> [('bashir', None)], 'Elbashir' -> [('bashir', 'elbashir')] (and
    'Alfred' -> [('fred', 'alfred')], which the second spelling keeps findable), 'JP' -> two
    initials."""
    out: list[tuple[str, str | None]] = []
    for tok in _NON_WORD.sub(" ", _APOSTROPHES.sub("", anyascii(word).lower())).split():
        if tok in PARTICLES:
            continue
        if len(tok) == 2 and not set(tok) & set("aeiouy") and word.isascii():
            out.extend((letter, None) for letter in tok)  # 'JP' Bemba: two initials
            continue
        # Joined articles: 'albashir', 'elbeshir'.
        for prefix in ("al", "el"):
            if tok.startswith(prefix) and len(tok) >= len(prefix) + 4:
                out.append((tok[len(prefix) :], tok))
                break
        else:
            out.append((tok, None))
    return out


@dataclass(frozen=True)
class Token:
    """A token as compared: its ASCII form, and other spellings of it that are looked up too
    (the word as written in another script; the ASCII form with its joined article)."""

    text: str
    variants: tuple[str, ...] = ()
    last_word: bool = False  # part of the last written word (a surname, hyphenated or not)


def name_tokens(text: str) -> tuple[Token, ...]:
    """Tokens of a name, after folding look-alike letters and combining marks."""
    text = _strip_marks(fold_confusables(text))
    words = [w for w in _SPACES.split(_APOSTROPHES.sub("", text)) if w]
    out: list[Token] = []
    for index, spaced in enumerate(words):
        for word in _HYPHENS.split(spaced):
            if not word:
                continue
            toks = _ascii_tokens(word)
            native = (
                (word.casefold().translate(_ARABIC_VARIANTS),)
                if len(toks) == 1 and not word.isascii()
                else ()
            )
            last = index == len(words) - 1
            out.extend(Token(t, (*native, *((full,) if full else ())), last) for t, full in toks)
    return tuple(out)


def tokens(text: str) -> tuple[str, ...]:
    """'Omar Hassan al-Bashir' -> ('omar', 'hassan', 'bashir'); any script, via anyascii."""
    return tuple(t.text for t in name_tokens(text))


def edit_budget(longest: int, alone: bool, strict: bool = False) -> int:
    """Edits a token may differ by under the strict rule: fewer when it is all the user typed (a
    lone 'Bashar' must not become 'Bashir'); with a first name beside it, 'Koni' may still be
    'Kony'. One at most when every word typed is a common name ('Abdullah Banda' is Abdallah
    Banda, but 'Muhammad Ali' is not Mohammed Hussein Ali)."""
    if strict:
        return 1 if longest >= 8 else 0
    if alone:
        return 1 if longest >= 7 else 0
    return 2 if longest >= 8 else 1 if longest >= 4 else 0


def loose_budget(shortest: int, longest: int) -> int:
    """Edits a token may differ by under the candidate rule: one typing error, two in a long
    word; none under four letters ('Ali' and 'Alo' are different names)."""
    if shortest < 4:
        return 0
    return 2 if longest >= 8 else 1


def _reach(size: int) -> int:
    """The most edits a token of this length can be from another under the candidate rule (two
    when the longer of the pair has eight letters, which a 6-letter token can be two from)."""
    return 2 if size >= 6 else 1


def script_of(text: str) -> str:
    """The Unicode script of the first letter: LATIN, CYRILLIC, ARABIC, HEBREW ..."""
    for ch in text:
        if ch.isalpha():
            return unicodedata.name(ch, "UNKNOWN").split()[0]
    return "UNKNOWN"


# --- the index ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AliasForm:
    """One written form of a person's name, tokenised. ``keys`` are the positions one of which
    the query must match under the strict rule (the last word: the surname in most names)."""

    person_id: str
    text: str
    script: str
    tokens: tuple[str, ...]
    variants: tuple[tuple[str, ...], ...]
    joined: tuple[str, ...]  # adjacent pairs joined: 'lvova belova' -> 'lvovabelova'
    keys: frozenset[int]
    union: bool = False  # all of a person's alias tokens together ('Bibi' + 'Netanyahu')


def _form(person_id: str, text: str) -> AliasForm | None:
    toks = name_tokens(text)
    if not toks:
        return None
    words = tuple(t.text for t in toks)
    last = len(toks) - 1
    keys = {last} | {
        i
        for i, t in enumerate(toks)
        if t.last_word and len(t.text) >= 4 and t.text not in COMMON_NAMES
    }
    joined = tuple(words[i] + words[i + 1] for i in range(last))
    variants = tuple(t.variants for t in toks)
    return AliasForm(person_id, text, script_of(text), words, variants, joined, frozenset(keys))


def _union_form(person_id: str, forms: list[AliasForm]) -> AliasForm:
    """Every token of every alias of a person, with every alias's key tokens as keys."""
    tokens_: list[str] = []
    variants: list[tuple[str, ...]] = []
    keys: set[int] = set()
    for form in forms:
        for i, tok in enumerate(form.tokens):
            if tok not in tokens_:
                tokens_.append(tok)
                variants.append(form.variants[i])
            if i in form.keys:
                keys.add(tokens_.index(tok))
    return AliasForm(
        person_id,
        forms[0].text if forms else "",
        "UNKNOWN",
        tuple(tokens_),
        tuple(variants),
        (),
        frozenset(keys),
        True,
    )


class _Hit(NamedTuple):
    """The best match of one typed token in one alias form."""

    sim: float
    position: int
    edits: int
    longest: int


@dataclass(frozen=True)
class Candidate:
    """A person the query may mean, with the best score and the alias that gave it.

    ``strict`` is the best score under the strict rule (0 when only the candidate rule accepts
    the match) and ``edited`` whether that strict match needed an edit."""

    person: Person
    score: float
    matched: str
    strict: float = 0.0
    edited: bool = False


MatchLevel = Literal["sure", "probable", "ambiguous", "candidates", "none"]


@dataclass(frozen=True)
class PersonMatch:
    """The person matched, or None with ranked candidates, and how sure the match is.

    ``level``: sure or probable (``person`` is set); ambiguous (two or more plausible people,
    close scores: the caller must ask); candidates (no sure match, but people close to what was
    typed: never answer "none"); none (nobody came close: "no public warrant" is honest). The
    rule is in the module docstring.
    """

    query: str
    person: Person | None
    score: float
    matched: str | None
    candidates: tuple[Candidate, ...]
    level: MatchLevel = "none"


@dataclass
class _Best:
    """Per person while scoring: the best score, the alias that gave it, the best strict one."""

    key: tuple[float, int, int]
    text: str
    strict: float = 0.0
    edited: bool = False


class PersonResolver:
    """Built once per Snapshot: an inverted index from every alias token (ASCII and, for other
    scripts, as written) to the alias forms holding it, and the tokens grouped by length for the
    fuzzy look-up."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._people = dict(snapshot.people)
        forms: list[AliasForm] = []
        for person in snapshot.people.values():
            texts = [person.name, *(a.name for a in person.aliases)]
            # Equal token forms are kept once per script, so the alias reported as matched is
            # written the way the user wrote it ('Путин', not 'Putin').
            seen: set[tuple[tuple[str, ...], str]] = set()
            own: list[AliasForm] = []
            for text in texts:
                form = _form(person.id, text)
                if form is None or (form.tokens, form.script) in seen:
                    continue
                seen.add((form.tokens, form.script))
                own.append(form)
            forms.extend(own)
            forms.append(_union_form(person.id, own))
        self._forms = forms
        postings: dict[str, list[tuple[int, int]]] = {}
        initials: dict[str, list[tuple[int, int]]] = {}
        for f, form in enumerate(forms):
            for pos, tok in enumerate(form.tokens):
                postings.setdefault(tok, []).append((f, pos))
                initials.setdefault(tok[0], []).append((f, pos))
                for variant in form.variants[pos]:
                    postings.setdefault(variant, []).append((f, pos))
            for pair, tok in enumerate(form.joined):
                postings.setdefault(tok, []).append((f, len(form.tokens) + pair))
        self._postings = postings
        self._initials = initials
        by_length: dict[int, list[str]] = {}
        for tok in postings:
            by_length.setdefault(len(tok), []).append(tok)
        # Per typed length, every vocabulary token of a length that can be close enough: one
        # call into rapidfuzz per typed token.
        self._within_reach = {
            size: [
                t
                for n in range(size - _reach(size), size + _reach(size) + 1)
                for t in by_length.get(n, ())
                if n >= 4
            ]
            for size in range(4, max(by_length, default=0) + 3)
        }
        self._near: dict[str, tuple[tuple[str, int], ...]] = {}

    # --- look-up ------------------------------------------------------------------------------

    def _nearby(self, tok: str) -> tuple[tuple[str, int], ...]:
        """Vocabulary tokens within the candidate rule's edits of ``tok``, with the edits: one
        scan by rapidfuzz (in C) over the tokens of a length that can be close enough."""
        found = self._near.get(tok)
        if found is not None:
            return found
        out: list[tuple[str, int]] = []
        size = len(tok)
        reach = _reach(size)
        for other, edits, _ in process.extract(
            tok,
            self._within_reach.get(size, ()),
            scorer=OSA.distance,
            score_cutoff=reach,
            limit=None,
        ):
            if 0 < edits <= loose_budget(min(size, len(other)), max(size, len(other))):
                out.append((other, int(edits)))
        if len(self._near) >= _CACHE:
            self._near.clear()
        result = tuple(out)
        self._near[tok] = result
        return result

    def _hits(self, tok: Token) -> dict[int, _Hit]:
        """Per alias form, the best match of one typed token."""
        best: dict[int, _Hit] = {}

        def offer(postings: list[tuple[int, int]], sim: float, edits: int, longest: int) -> None:
            for f, pos in postings:
                current = best.get(f)
                if current is None or sim > current.sim:
                    best[f] = _Hit(sim, pos, edits, longest)

        if len(tok.text) == 1:
            offer(self._initials.get(tok.text, []), 0.9, 0, 1)
        for typed in (tok.text, *tok.variants):
            exact = self._postings.get(typed)
            if exact:
                offer(exact, 1.0, 0, len(typed))
            for other, edits in self._nearby(typed):
                longest = max(len(typed), len(other))
                offer(self._postings[other], 1.0 - 0.5 * edits / longest, edits, longest)
        return best

    def _score(
        self, form: AliasForm, hits: list[_Hit | None], query: tuple[Token, ...], common: bool
    ) -> tuple[float, float, bool]:
        """(score under the candidate rule, score under the strict rule, strict needed edits);
        0 when a rule does not accept the match."""
        alone = len(query) == 1
        matched: set[int] = set()
        total = 0.0
        unmatched = 0
        exact_key = False
        within = True
        edited = False
        words = 0
        for tok, hit in zip(query, hits, strict=True):
            if hit is None:
                unmatched += 1
                continue
            total += hit.sim
            if len(tok.text) > 1:
                words += 1
            if hit.position < len(form.tokens):
                covered = {hit.position}
            else:  # a joined pair covers both of its tokens
                pair = hit.position - len(form.tokens)
                covered = {pair, pair + 1}
            matched |= covered
            if hit.edits:
                edited = True
                if hit.edits > edit_budget(hit.longest, alone, common):
                    within = False
            elif covered & form.keys and len(tok.text) >= 4:
                exact_key = True
        if not words:
            return 0.0, 0.0, False  # initials alone identify nobody
        if unmatched and not exact_key:
            return 0.0, 0.0, False  # a partial name must have its surname as written
        key_hit = bool(matched & form.keys)
        mean = total / len(query)
        if form.union:
            score = mean * UNION
        else:
            score = mean * (0.75 + 0.25 * len(matched) / len(form.tokens))
        strict = score if (not unmatched and key_hit and within) else 0.0
        if not key_hit:
            score *= FIRST_NAMES_ONLY
        return score, strict, edited

    def candidates(
        self,
        name: str,
        *,
        birth_date: dt.date | None = None,
        nationality: str | None = None,
        limit: int = LIMIT,
    ) -> list[Candidate]:
        """Every person the name may mean, best first."""
        return self._candidates(name_tokens(name), name, birth_date, nationality)[:limit]

    def _candidates(
        self,
        query: tuple[Token, ...],
        name: str,
        birth_date: dt.date | None,
        nationality: str | None,
    ) -> list[Candidate]:
        if not query:
            return []
        shown = fold_confusables(name)
        query_script = script_of(shown)
        folded = shown.casefold().strip()
        common = all(t.text in COMMON_NAMES for t in query)
        per_token = [self._hits(t) for t in query]
        forms: set[int] = set()
        for hits in per_token:
            forms.update(hits)
        best: dict[str, _Best] = {}
        for f in forms:
            form = self._forms[f]
            score, strict, edited = self._score(
                form, [hits.get(f) for hits in per_token], query, common
            )
            if score <= 0:
                continue
            # Among equal scores, report the alias written as the user wrote it.
            key = (score, int(form.script == query_script), int(folded in form.text.casefold()))
            current = best.get(form.person_id)
            if current is None:
                current = best[form.person_id] = _Best(key, form.text)
            elif key > current.key:
                current.key, current.text = key, form.text
            if strict > current.strict or (strict == current.strict and not edited):
                current.strict, current.edited = strict, edited
        out = []
        for person_id, found in best.items():
            person = self._people[person_id]
            if birth_date and person.birth_date and person.birth_date != birth_date:
                continue  # a different person of the same name
            factor = 1.0
            if nationality and person.nationality and nationality not in person.nationality:
                factor = 0.8
            out.append(
                Candidate(
                    person,
                    round(found.key[0] * factor, 4),
                    found.text,
                    round(found.strict * factor, 4),
                    found.edited,
                )
            )
        out.sort(key=lambda c: (-c.score, c.person.id))
        return out

    def match(
        self,
        name: str,
        *,
        birth_date: dt.date | None = None,
        nationality: str | None = None,
        field: str = "person",
    ) -> PersonMatch:
        """The one person ``name`` means (sure or probable), else None, the candidates and
        whether they are ambiguous, merely close, or nobody at all."""
        text = name.strip()
        if not text:
            raise InvalidInput("a name is required", field=field)
        if len(text) > MAX_NAME:
            raise InvalidInput(f"a name is at most {MAX_NAME} characters", field=field)
        if text in self._people:  # a person id
            person = self._people[text]
            return PersonMatch(text, person, 1.0, person.id, (), "sure")
        query = name_tokens(text)
        found = tuple(self._candidates(query, text, birth_date, nationality)[:LIMIT])
        if not found:
            return PersonMatch(text, None, 0.0, None, (), "none")
        lone_common = len(query) == 1 and query[0].text in COMMON_NAMES
        strict = sorted((c for c in found if c.strict > 0), key=lambda c: -c.strict)
        if strict and not lone_common:
            top = strict[0]
            runner_up = max((c.score for c in found if c is not top), default=0.0)
            if top.strict >= SURE and top.strict - runner_up >= MARGIN:
                level: MatchLevel = "probable" if top.edited else "sure"
                ranked = (top, *(c for c in found if c is not top))
                return PersonMatch(text, top.person, top.strict, top.matched, ranked, level)
            close = [c for c in strict if c.strict >= top.strict - MARGIN]
            if len(close) >= 2:
                ranked = (*close, *(c for c in found if c not in close))
                return PersonMatch(text, None, top.strict, None, ranked, "ambiguous")
        return PersonMatch(text, None, found[0].score, None, found, "candidates")

    def get(self, person_id: str) -> Person | None:
        return self._people.get(person_id)

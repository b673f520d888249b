"""Batches of legs, streamed: NDJSON or CSV in, NDJSON or CSV out, one record per input row.

The row path: the reference. ``icc-exposure batch`` and ``POST /v1/batch`` run the columnar path
(app/batch_columnar.py), which renders every answer with this module's ``_leg`` and answers the
rows it cannot take as columns with ``BatchRunner.answer``; tests compare both byte for byte.

A row: ``id, person, country, arrive, depart, mode, birth_date, nationality, place`` (``date``
is taken for ``arrive``; ``place``, an airport code or a city, may stand for ``country``). Every
row gets a result or an error record (with its row number), in input order; a bad row never stops
the batch. Memory does not grow with the input: rows are read, answered and written one at a
time, and the caches below are bounded.

Each answered row also carries the datasets' as-of date with a freshness caveat, and the
alternatives: the answer under each contested fact's other value where it differs on some day of
the stay (the stay is cut at the change dates under the other values too, so every piece between
two change dates has one answer under each value and is rendered once).

Speed: answers depend only on what a row asks, so the rendered answer is memoised on the row's
fields (without its id); each distinct name and country is resolved once; what holds between two
change dates is rendered once per generation (``Checker.leg_intervals``, shared by all batches);
the first time, an interval's facts (all but the mode) are built once for its three modes and only
the deciding rule's explanation is rendered; and underneath, the Checker memoises decisions on the
fact record, so durable-rules runs once per distinct record.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any, Literal, TextIO

from app.checks import (
    CANDIDATES_SHOWN,
    Checker,
    Grounds,
    severity,
    short,
    taken_as,
    uncertainty,
)
from app.contested import (
    Difference,
    OtherAnswer,
    answers_under,
    differences,
    other_grounds,
    outcome,
)
from app.data.alternatives import ContestedFact, plain
from app.errors import DomainError
from app.freshness import leg_caveat
from app.itinerary import MAX_STAY_DAYS, boundaries
from app.resolve.countries import Country
from app.resolve.people import MAX_NAME, PersonMatch
from app.resolve.places import PlaceMatch
from app.types import in_range, plain_text, strict_iso_date

Format = Literal["csv", "ndjson"]
FIELDS = (
    "id", "person", "country", "arrive", "depart", "mode", "birth_date", "nationality", "place",
)  # fmt: skip
KEY_FIELDS = FIELDS[1:]
CSV_OUT = (
    "row", "id", "status", "person_id", "person_name", "country", "arrive", "depart", "mode",
    "exposure", "obligation", "worst_start", "worst_end", "segments", "summary", "error", "field",
    "candidates", "worst_case_exposure", "place", "datasets_as_of", "freshness_caveat",
    "alternatives",
)  # fmt: skip
# Bounds on the per-batch caches: memory stays flat whatever the input size (rendered rows are
# about 1 KB each; the other caches hold small objects).
ANSWER_LIMIT = 20_000
CACHE_LIMIT = 100_000
CHUNK_ROWS = 512
#: The longest NDJSON line read (characters): a leg is a few hundred.
MAX_LINE = 65_536
MODES = ("visit", "transit", "overflight")
ONE_DAY = dt.timedelta(days=1)
#: Stands for the segment's first day in a cached explanation; filled in per leg.
DAY = "\u2063DAY\u2063"
RANK = {"none": 0, "low": 1, "medium": 2, "high": 3}


@dataclass(frozen=True)
class Interval:
    """What holds on every day between two change dates, rendered once."""

    exposure: str
    obligation: bool
    rules_json: str  # ["rule-a","rule-b"]
    summary_json: str  # a JSON string literal with DAY where the date goes
    summary_text: str  # the same, plain, for CSV
    others: tuple[OtherAnswer, ...] = ()  # the answer under each contested fact's other value


@dataclass
class Stats:
    """What a batch did, for the CLI's summary and the API's logs."""

    rows: int = 0
    errors: int = 0
    by_exposure: dict[str, int] = field(default_factory=dict)
    obligations: int = 0
    # Why the whole input could not be read (e.g. a CSV header without the required columns).
    unreadable: str | None = None


@dataclass(frozen=True)
class Answer:
    """A row's answer rendered once (in the output format), reused for every row that asks the
    same: after the row number and id, the rest of the JSON object or of the CSV line."""

    ok: bool
    exposure: str | None
    obligation: bool
    tail: str
    status: str = "ok"  # ok | ambiguous | unresolved | error


def _csv_cell(value: str) -> str:
    if '"' in value or "," in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


class BatchRunner:
    """Answers rows against one Checker; keep one per batch (its caches are per batch, but for
    the intervals between change dates, shared by every batch of the generation: see
    ``Checker.leg_intervals``)."""

    def __init__(
        self, checker: Checker, max_rows: int | None = None, fmt_out: Format = "ndjson"
    ) -> None:
        self.checker = checker
        self.max_rows = max_rows
        self.fmt_out = fmt_out
        self._person_json: dict[tuple[str | None, str | None], tuple[str, str]] = {}
        self._dates: dict[str, dt.date] = {}
        self.stats = Stats()
        self.last_row = 0
        self.csv_row = 0
        self._people: dict[tuple[str, str, str], PersonMatch] = {}
        self._countries: dict[tuple[str, str], tuple[Country, PlaceMatch | None] | DomainError] = {}
        # Keyed by (person, country, area id): an occupied area is its state, answered apart.
        self._bounds: dict[tuple[str | None, str, str | None], tuple[dt.date, ...]] = {}
        self._answers: dict[tuple[str, ...], Answer] = {}
        # Freshness depends on the day the answer is given: one day for the whole batch.
        self.today = checker.today()
        self._fresh: dict[tuple[bool, bool], tuple[str, str]] = {}
        # The facts of each interval, for its three modes (see ``_grounds_of``).
        self._grounds: dict[
            tuple[str | None, str, str | None, int],
            tuple[tuple[Grounds, ...], tuple[tuple[ContestedFact, tuple[Grounds, ...]], ...]],
        ] = {}

    # --- one row ------------------------------------------------------------------------------

    def answer(self, values: tuple[str, ...]) -> Answer:
        """The answer for a row's fields (person ... nationality), memoised."""
        found = self._answers.get(values)
        if found is not None:
            return found
        answer = self._compute(values)
        if len(self._answers) >= ANSWER_LIMIT:
            self._answers.clear()  # bounded memory whatever the input's variety
        self._answers[values] = answer
        return answer

    def _person(self, name: str, birth: str, nationality: str) -> PersonMatch:
        key = (name, birth, nationality)
        match = self._people.get(key)
        if match is None:
            born = strict_iso_date(birth) if birth else None
            match = self.checker.resolve_person(name, born, nationality or None)
            if len(self._people) >= CACHE_LIMIT:
                self._people.clear()
            self._people[key] = match
        return match

    def _date(self, text: str) -> dt.date:
        day = self._dates.get(text)
        if day is None:
            day = in_range(strict_iso_date(text))
            if len(self._dates) >= CACHE_LIMIT:
                self._dates.clear()
            self._dates[text] = day
        return day

    def _country(self, text: str, place: str) -> tuple[Country, PlaceMatch | None]:
        key = (text, place)
        found = self._countries.get(key)
        if found is None:
            try:
                found = self.checker.locate(text, place)
            except DomainError as exc:
                found = exc
            if len(self._countries) >= CACHE_LIMIT:
                self._countries.clear()
            self._countries[key] = found
        if isinstance(found, DomainError):
            # Raised afresh: re-raising the cached instance would chain every raise's traceback
            # onto it, and with the tracebacks the frames of every chunk (a leak that grew the
            # columnar path by over 1 GB per million rows).
            raise found.with_traceback(None)
        return found

    def _compute(self, values: tuple[str, ...]) -> Answer:
        person, country, arrive, depart, mode, birth, nationality, place = values
        _error = self._error
        if not person:
            return _error("a person is required", "person")
        if len(person) > MAX_NAME:
            return _error(f"a name is at most {MAX_NAME} characters", "person")
        if not country and not place:
            return _error("a country or a place is required", "country")
        for name, text in (("person", person), ("country", country), ("place", place)):
            if not text:
                continue
            try:
                plain_text(text)
            except ValueError as exc:
                return _error(str(exc), name)
        try:
            first = self._date(arrive)
        except ValueError as exc:
            return _error(str(exc), "arrive")
        try:
            last = self._date(depart) if depart else first
        except ValueError as exc:
            return _error(str(exc), "depart")
        if last < first:
            return _error("'depart' is before 'arrive'", "depart")
        if (last - first).days > MAX_STAY_DAYS:
            return _error(f"a stay is at most {MAX_STAY_DAYS} days", "depart")
        mode = mode or "visit"
        if mode not in MODES:
            return _error(f"mode is one of {', '.join(MODES)}, not {mode!r}", "mode")
        try:
            where, located = self._country(country, place)
            match = self._person(person, birth, nationality)
        except DomainError as exc:
            return _error(exc.detail, exc.field)
        except ValueError as exc:  # a malformed birth date
            return _error(str(exc), "birth_date")
        return self.leg_answer(match, where, located, first, last, mode)

    def leg_answer(
        self,
        match: PersonMatch,
        country: Country,
        located: PlaceMatch | None,
        first: dt.date,
        last: dt.date,
        mode: str,
    ) -> Answer:
        """The answer for a valid row, once resolved. The columnar path uses ``_leg`` directly,
        as a template per interval, for the matches ``per_interval`` admits, and this for the
        rest: change both together."""
        if not self.per_interval(match):
            return self._unresolved(match, country, located, first, last, mode)
        return self._leg(
            match, country, located, first, last, mode, first.isoformat(), last.isoformat()
        )

    def per_interval(self, match: PersonMatch) -> bool:
        """Whether ``leg_answer`` for this match is ``_leg``: the same on every day between two
        change dates but for the dates, so that one template serves every such leg. Not so for
        a name not pinned down: its row carries every candidate's answer."""
        return match.person is not None or match.level == "none"

    def count(self, answer: Answer) -> None:
        """Adds a row's answer to the summary."""
        stats = self.stats
        if not answer.ok:
            stats.errors += 1
        elif answer.status != "ok":
            stats.by_exposure[answer.status] = stats.by_exposure.get(answer.status, 0) + 1
        elif answer.exposure is not None:
            stats.by_exposure[answer.exposure] = stats.by_exposure.get(answer.exposure, 0) + 1
            stats.obligations += answer.obligation

    def _unresolved(
        self,
        match: PersonMatch,
        country: Country,
        located: PlaceMatch | None,
        first: dt.date,
        last: dt.date,
        mode: str,
    ) -> Answer:
        """A name two or more people fit (ambiguous) or with only candidates (unresolved): no
        exposure, but each candidate's answer for the stay and the worst case among them, so
        the row never passes silently."""
        status = "ambiguous" if match.level == "ambiguous" else "unresolved"
        arrive, depart = first.isoformat(), last.isoformat()
        choices: list[dict[str, Any]] = []
        for candidate in match.candidates[:CANDIDATES_SHOWN]:
            person = candidate.person
            answer = self._leg(
                taken_as(match, candidate), country, located, first, last, mode, arrive, depart
            )
            bounds = self._bounds[
                (person.id, country.iso3, country.area.id if country.area else None)
            ]
            days = [first, *(b for b in bounds if first < b <= last)]
            choices.append(
                {
                    "id": person.id,
                    "name": person.name,
                    "matched": candidate.matched,
                    "score": round(candidate.score, 4),
                    "active_warrant": any(
                        self.checker.snapshot.outstanding_warrants(person.id, d) for d in days
                    ),
                    "exposure": answer.exposure,
                    "obligation": answer.obligation,
                }
            )
        worst = max((c["exposure"] for c in choices), key=RANK.__getitem__, default="none")
        names = "; ".join(f"{c['name']} ({c['id']}, exposure {c['exposure']})" for c in choices)
        summary = (
            f"{match.query!r} could not be pinned down to one person; it may mean {names}. "
            f"Worst case: {worst}."
        )
        fresh_json, fresh_text = self._freshness(first, last)
        if self.fmt_out == "csv":
            cells = [
                status, "", "", country.iso3, arrive, depart, mode, "", "", "", "", "0",
                summary, "", "", "|".join(c["id"] for c in choices), worst,
                located.place.label if located else "", self.checker.snapshot.as_of.isoformat(),
                fresh_text, "",
            ]  # fmt: skip
            tail = ",".join(_csv_cell(c) for c in cells) + "\r\n"
            return Answer(True, None, False, tail, status)
        record = {
            "status": status,
            "person": None,
            "candidates": choices,
            "country": country.iso3,
            "place": json.loads(_place_json(located)),
            "arrive": arrive,
            "depart": depart,
            "mode": mode,
            "exposure": None,
            "obligation": None,
            "worst_case_exposure": worst,
            "worst": None,
            "summary": summary,
            "alternatives": [],
            "freshness": json.loads(fresh_json),
            "segments": [],
        }
        tail = json.dumps(record, ensure_ascii=False, separators=(",", ":"))[1:] + "\n"
        return Answer(True, None, False, tail, status)

    def _leg(
        self,
        match: PersonMatch,
        country: Country,
        located: PlaceMatch | None,
        first: dt.date,
        last: dt.date,
        mode: str,
        arrive: str,
        depart: str,
    ) -> Answer:
        """A stay cut at the change dates inside it; each piece's verdict comes from the cache
        of intervals between change dates (every day in one is alike, but for its date)."""
        person_id = match.person.id if match.person else None
        # An occupied area answers for its de jure state but differently: keyed apart.
        area_id = country.area.id if country.area else None
        key = (person_id, country.iso3, area_id)
        bounds = self._bounds.get(key)
        if bounds is None:
            bounds = self._bounds[key] = boundaries(
                self.checker, person_id, country.iso3, country.area
            )
        i = bisect_right(bounds, first)
        j = i if last == first else bisect_right(bounds, last)
        # Dates travel as ISO text; the row's own were validated as such already.
        first_iso, last_iso = arrive, depart
        if i == j:  # most stays lie between two change dates: one segment
            pieces = [(first_iso, last_iso, self._interval(match, country, mode, i, first))]
            w_start, w_end, worst = pieces[0]
        else:
            pieces = []
            for k in range(i, j + 1):
                start = first if k == i else bounds[k - 1]
                end = last if k == j else bounds[k] - ONE_DAY
                interval = self._interval(match, country, mode, k, start)
                pieces.append((start.isoformat(), end.isoformat(), interval))
            # The worst segment; among equals the earliest (max keeps the first it meets).
            w_start, w_end, worst = max(
                pieces, key=lambda p: (RANK[p[2].exposure], p[2].obligation)
            )
        person = match.person
        day = w_start
        summary_text = worst.summary_text.replace(DAY, day)
        summary_json = worst.summary_json.replace(DAY, day)
        found = differences(
            [(iv.exposure, iv.obligation, iv.others) for _, _, iv in pieces],
            (worst.exposure, worst.obligation),
        )
        if found:
            doubts = [uncertainty(outcome(self.checker, d)) for d in found if d.changes_answer]
            if doubts:
                summary_text = " ".join([summary_text, *doubts])
                summary_json = json.dumps(summary_text, ensure_ascii=False)
        fresh_json, fresh_text = self._freshness(first, last)
        if self.fmt_out == "csv":
            cells = [
                "ok",
                person.id if person else "",
                person.name if person else "",
                country.iso3,
                first_iso,
                last_iso,
                mode,
                worst.exposure,
                "true" if worst.obligation else "false",
                day,
                w_end,
                str(len(pieces)),
                summary_text,
                "",
                "",
                "",
                worst.exposure,
                located.place.label if located else "",
                self.checker.snapshot.as_of.isoformat(),
                fresh_text,
                "|".join(self._alternative_text(d, pieces) for d in found),
            ]
            tail = ",".join(_csv_cell(c) for c in cells) + "\r\n"
            return Answer(True, worst.exposure, worst.obligation, tail)
        person_json, candidates = self._who(match)
        segments = ",".join(
            f'{{"start":"{s}","end":"{e}","exposure":"{iv.exposure}",'
            f'"obligation":{"true" if iv.obligation else "false"},"rules":{iv.rules_json}}}'
            for s, e, iv in pieces
        )
        tail = (
            f'"status":"ok","person":{person_json},"candidates":{candidates},'
            f'"country":"{country.iso3}","place":{_place_json(located)},'
            f'"arrive":"{first_iso}",'
            f'"depart":"{last_iso}","mode":"{mode}","exposure":"{worst.exposure}",'
            f'"obligation":{"true" if worst.obligation else "false"},'
            f'"worst_case_exposure":"{worst.exposure}",'
            f'"worst":{{"start":"{day}","end":"{w_end}"}},'
            f'"summary":{summary_json},'
            f'"alternatives":[{",".join(self._alternative_json(d, pieces) for d in found)}],'
            f'"freshness":{fresh_json},"segments":[{segments}]}}\n'
        )
        return Answer(True, worst.exposure, worst.obligation, tail)

    def _freshness(self, first: dt.date, last: dt.date) -> tuple[str, str]:
        """The freshness block (JSON) and caveat (CSV) of a stay. They depend only on whether
        the stay begins or ends after the as-of date (see ``leg_caveat``), so one serves every
        leg of an interval and the columnar path's templates stay exact."""
        as_of = self.checker.snapshot.as_of
        key = (first > as_of, last > as_of)
        found = self._fresh.get(key)
        if found is None:
            caveat = leg_caveat(as_of, first, last, self.today)
            block = {"datasets_as_of": as_of.isoformat(), "caveat": caveat}
            found = self._fresh[key] = (
                json.dumps(block, ensure_ascii=False, separators=(",", ":")),
                caveat or "",
            )
        return found

    def _alternative_json(
        self, difference: Difference, pieces: list[tuple[str, str, Interval]]
    ) -> str:
        """An alternative as itinerary legs show it (LegAlternative), the days it changes taken
        from the pieces' own date texts (so a template's stand-ins are filled in too)."""
        record = outcome(self.checker, difference).model_dump(mode="json")
        record["start"] = pieces[difference.first][0]
        record["end"] = pieces[difference.last][1]
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"))

    def _alternative_text(
        self, difference: Difference, pieces: list[tuple[str, str, Interval]]
    ) -> str:
        """An alternative in one CSV cell: 'warrants.yaml al-kani-2023 issued=2023-07-28
        (2023-07-18..2023-07-27): exposure none, obligation false'."""
        fact = difference.fact
        return (
            f"{fact.dataset} {fact.record} "
            f"{fact.alternative.field}={short(plain(fact.alternative.value))} "
            f"({pieces[difference.first][0]}..{pieces[difference.last][1]}): "
            f"exposure {difference.exposure.value}, "
            f"obligation {'true' if difference.obligation else 'false'}"
            + ("" if difference.changes_answer else ", same worst answer")
        )

    def _who(self, match: PersonMatch) -> tuple[str, str]:
        """The person and candidates as JSON, once per person matched."""
        person = match.person
        key = (person.id if person else None, match.matched if person else match.query)
        found = self._person_json.get(key)
        if found is None:
            person_json = (
                json.dumps(
                    {"id": person.id, "name": person.name, "matched": match.matched},
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
                if person
                else "null"
            )
            candidates = "[]" if person else json.dumps([c.person.id for c in match.candidates[:3]])
            found = (person_json, candidates)
            if len(self._person_json) >= CACHE_LIMIT:
                self._person_json.clear()
            self._person_json[key] = found
        return found

    def _error(self, message: str, where: str | None) -> Answer:
        return _error(message, where, self.fmt_out)

    def _interval(
        self, match: PersonMatch, country: Country, mode: str, index: int, day: dt.date
    ) -> Interval:
        person_id = match.person.id if match.person else None
        area_id = country.area.id if country.area else None
        key = (person_id, country.iso3, area_id, mode, index)
        intervals = self.checker.leg_intervals  # shared by every batch of the generation
        found: Interval | None = intervals.get(key)
        if found is not None:
            return found
        checker = self.checker
        main, others = self._grounds_of(match, country, (*key[:3], index), day)
        decided = checker.rulings(main, day, mode)  # type: ignore[arg-type]
        # The worst over the warrants; among equals the first (as max keeps it).
        worst_flat, worst = max(decided, key=lambda d: severity(d[1]))
        rules: list[str] = []
        for _, ruling in decided:
            rules.extend(p.rule.id for p in ruling.fired if p.rule.id not in rules)
        # Only the deciding rule's explanation is shown: only it is rendered, with DAY for the
        # date, filled in per leg.
        decisive = checker.rulebook.by_id.get(worst.decided_by.get("exposure", ""))
        flat = {**worst_flat, "query.date": DAY}
        summary = decisive.rule.render(flat) if decisive else f"Exposure {worst.exposure.value}."
        found = Interval(
            exposure=worst.exposure.value,
            obligation=worst.obligation,
            # Rule ids are slugs (a-z, 0-9, - and _): their JSON is the text in quotes.
            rules_json="[" + ",".join(f'"{r}"' for r in rules) + "]",
            summary_json=encode_basestring(summary),  # json.dumps(summary, ensure_ascii=False)
            summary_text=summary,
            others=answers_under(checker, others, day, mode),  # type: ignore[arg-type]
        )
        if len(intervals) >= CACHE_LIMIT:
            intervals.clear()
        intervals[key] = found
        return found

    def _grounds_of(
        self,
        match: PersonMatch,
        country: Country,
        key: tuple[str | None, str, str | None, int],
        day: dt.date,
    ) -> tuple[tuple[Grounds, ...], tuple[tuple[ContestedFact, tuple[Grounds, ...]], ...]]:
        """The facts, the query's aside, of an interval between change dates (``key``: person
        id, iso3, area id, interval), recorded and under each contested fact's other value: the
        same for the three modes (and for every day of the interval, as its answers are), so
        built once for them."""
        person = match.person
        found = self._grounds.get(key)
        if found is None:
            found = (
                self.checker.grounds(person, country, day),
                other_grounds(self.checker, person, country, day),
            )
            if len(self._grounds) >= CACHE_LIMIT:
                self._grounds.clear()
            self._grounds[key] = found
        return found

    # --- streams ------------------------------------------------------------------------------

    def rows(self, stream: TextIO, fmt: Format) -> Iterator[tuple[int, str, tuple[str, ...] | str]]:
        """(row number, id, fields) per input row, or (row number, id, error text)."""
        if fmt == "csv":
            yield from self._csv_rows(stream)
        else:
            yield from self._ndjson_rows(stream)

    def _csv_rows(self, stream: TextIO) -> Iterator[tuple[int, str, tuple[str, ...] | str]]:
        reader = csv.reader(stream)
        header = next(reader, None)
        if header is None:
            return
        names = csv_names(header)
        if names is None:
            self.stats.unreadable = (
                "the CSV header needs person, country (or place) and arrive (or date)"
            )
            yield 1, "", self.stats.unreadable
            return
        yield from self.csv_records(reader, names, 1)

    def csv_records(
        self, reader: Iterator[list[str]], names: list[str], row_number: int
    ) -> Iterator[tuple[int, str, tuple[str, ...] | str]]:
        """Rows after the header, numbered on from ``row_number``; ``csv_row`` follows along
        (blank lines count, and yield nothing)."""
        index = {name: i for i, name in enumerate(names)}
        picks = [index.get(name) for name in KEY_FIELDS]
        id_at = index.get("id")
        width = len(names)
        while True:
            row_number += 1
            self.csv_row = row_number
            try:
                row = next(reader)
            except StopIteration:
                self.csv_row = row_number - 1
                return
            except csv.Error as exc:
                # A field over the csv module's limit (131,072 characters) or a broken quote:
                # this row is an error record and the reader goes on at the next line.
                yield row_number, "", f"not valid CSV: {exc}"
                continue
            if not row:
                continue
            if len(row) < width:
                row = row + [""] * (width - len(row))
            ident = row[id_at] if id_at is not None else ""
            yield row_number, ident, tuple(row[i].strip() if i is not None else "" for i in picks)

    def _ndjson_rows(self, stream: TextIO) -> Iterator[tuple[int, str, tuple[str, ...] | str]]:
        row_number = 0
        while True:
            # Lines are read with a bound: one endless line must not hold the whole upload.
            line = stream.readline(MAX_LINE + 1)
            if not line:
                return
            row_number += 1
            if len(line) > MAX_LINE and not line.endswith("\n"):
                while line and not line.endswith("\n"):  # skip the rest of the line
                    line = stream.readline(MAX_LINE)
                yield row_number, "", f"a line is at most {MAX_LINE} characters"
                continue
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield row_number, "", f"not valid JSON: {exc.msg} at column {exc.colno}"
                continue
            except RecursionError:
                yield row_number, "", NESTED
                continue
            except ValueError as exc:  # Python refuses integers over 4,300 digits
                reason = "an integer over 4300 digits" if "digits" in str(exc) else str(exc)
                yield row_number, "", f"not valid JSON here: {reason}"
                continue
            if not isinstance(obj, dict):
                yield row_number, "", "each line must be a JSON object"
                continue
            # Python 3.13's parser takes deep nesting that 3.11 and 3.12 refuse (RecursionError):
            # either way a row whose values nest is refused with the same words.
            if any(isinstance(v, dict | list) for v in obj.values()):
                yield row_number, "", NESTED
                continue
            if "arrive" not in obj and "date" in obj:
                obj["arrive"] = obj["date"]
            ident = obj.get("id")
            values = tuple(_text(obj.get(name)) for name in KEY_FIELDS)
            yield row_number, "" if ident is None else _text(ident), values

    def run(self, stream: TextIO, fmt_in: Format, fmt_out: Format) -> Iterator[str]:
        """Output text, in chunks of many records; the CSV header first, in the first chunk (so
        that nothing is out before the first rows are read: the API can still refuse)."""
        if fmt_out != self.fmt_out:  # answers are cached in one format
            self.fmt_out = fmt_out
            self._answers.clear()
        buffer: list[str] = [",".join(CSV_OUT) + "\r\n"] if fmt_out == "csv" else []
        stats = self.stats
        for row_number, ident, values in self.rows(stream, fmt_in):
            self.last_row = row_number
            if self.max_rows is not None and stats.rows >= self.max_rows:
                buffer.append(
                    _render_error(
                        row_number,
                        ident,
                        f"batch limit of {self.max_rows} rows reached; "
                        "the remaining rows were not read",
                        None,
                        fmt_out,
                    )
                )
                stats.errors += 1
                break
            stats.rows += 1
            if isinstance(values, str):
                stats.errors += 1
                buffer.append(_render_error(row_number, ident, values, None, fmt_out))
            else:
                answer = self.answer(values)
                self.count(answer)
                buffer.append(_render(row_number, ident, answer, fmt_out))
            if len(buffer) >= CHUNK_ROWS:
                yield "".join(buffer)
                buffer.clear()
        if buffer:
            yield "".join(buffer)

    def stop_record(self, message: str) -> str:
        """An error record after the last row read, for a batch stopped from outside (an upload
        too large or stalled once answers were out)."""
        self.stats.errors += 1
        return _render_error(self.last_row + 1, "", message, None, self.fmt_out)


def csv_names(header: list[str]) -> list[str] | None:
    """The column names of a CSV header (``date`` read as ``arrive``); None when one that is
    needed is missing."""
    names = [h.strip().lower() for h in header]
    if "arrive" not in names and "date" in names:
        names[names.index("date")] = "arrive"
    have = set(names)
    if "person" not in have or not {"country", "place"} & have or "arrive" not in have:
        return None
    return names


NESTED = "not valid here: nested too deeply (a row's values are strings, numbers or null)"


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _place_json(located: PlaceMatch | None) -> str:
    """The place a row named, as resolved: what it is, its name and code, and any note."""
    if located is None:
        return "null"
    place = located.place
    return json.dumps(
        {
            "query": located.query,
            "kind": place.kind,
            "name": place.name,
            "code": place.code,
            "note": located.note,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


@lru_cache(maxsize=4096)  # a batch's bad rows repeat a few messages (an Answer is frozen)
def _error(message: str, where: str | None, fmt: Format) -> Answer:
    if fmt == "csv":
        cells = ["error", *([""] * 12), message, where or "", "", "", "", "", "", ""]
        return Answer(False, None, False, ",".join(_csv_cell(c) for c in cells) + "\r\n")
    tail = json.dumps(
        {"status": "error", "error": message, "field": where},
        ensure_ascii=False,
        separators=(",", ":"),
    )[1:]
    return Answer(False, None, False, tail + "\n")


def _json_text(text: str) -> str:
    """A JSON string literal; plain ids (the usual case) skip the encoder."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return json.dumps(text, ensure_ascii=False)


def _render(row: int, ident: str, answer: Answer, fmt: Format) -> str:
    if fmt == "ndjson":
        return f'{{"row":{row},"id":{_json_text(ident)},{answer.tail}'
    return f"{row},{_csv_cell(ident)},{answer.tail}"


def _render_error(row: int, ident: str, message: str, where: str | None, fmt: Format) -> str:
    return _render(row, ident, _error(message, where, fmt), fmt)


def format_for(name: str | None, default: Format = "csv") -> Format:
    """A format from a file name or media type."""
    if not name:
        return default
    lowered = name.lower()
    if "ndjson" in lowered or "jsonl" in lowered or lowered.endswith(".json"):
        return "ndjson"
    if "csv" in lowered:
        return "csv"
    return default


def run_text(checker: Checker, text: str, fmt_in: Format, fmt_out: Format) -> str:
    """A whole batch in memory (tests, small inputs)."""
    return "".join(BatchRunner(checker).run(io.StringIO(text, newline=""), fmt_in, fmt_out))

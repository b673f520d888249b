"""Single-check answers kept as JSON per interval between change dates, the date filled in.

The answer to (person, country, mode) is the same on every day between two change dates (see
``app.itinerary.boundaries``) but for the date itself: the ``as_of`` field, the date in the
rules' explanations, and the freshness block (days after the as-of date, days since it). So one
JSON template per interval answers every day in it: a look-up, a bisection and two byte
replacements, cheap enough for the event loop.

A template is made from an answer computed in full on the per-call path, by marking where that
day's date and freshness block stand. It is served only once it has reproduced, byte for byte,
an answer computed in full for another day of the same interval: a date in the answer that
merely equals the day asked about (a warrant issued on it, say) or anything else that varies
within an interval fails that test, and the next day computed in full makes a new candidate.
Until then (and for one-day intervals) answers are kept per day, as before.

A template is confirmed as soon as it is made: the call that computes an interval's first answer
in full also computes the next (or previous) day of the same interval and compares (``partner``).
One more evaluation on an interval's first miss spares a second miss later: under a load of
distinct questions, more than half the misses were intervals seen once and not yet confirmed.
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.freshness import freshness
from app.types import DATE_MAX, DATE_MIN

if TYPE_CHECKING:
    from app.checks import Checker

#: Templates kept per generation (an answer is about 4 KB of JSON).
INTERVALS = 20_000
#: Answers kept per day, for intervals without a confirmed template.
DAYS = 10_000
#: Freshness blocks kept (one per day asked about and day answered on; about 300 bytes each).
FRESH_BLOCKS = 50_000
#: Questions (person and country as typed) whose change dates are kept.
SHAPES = 65_536
#: Where the date and the freshness block stand in a template. JSON never holds a raw NUL
#: (it is written \u0000), so these cannot occur in an answer.
DATE_MARK = b"\x00date\x00"
FRESH_MARK = b"\x00freshness\x00"
FRESH_KEY = b'"freshness":'
ONE_DAY = dt.timedelta(days=1)

#: A question as typed: (person, country, mode, birth date, nationality).
Question = tuple[str, str, str, dt.date | None, str | None]
#: Who and where it asks about: (person, country, birth date, nationality).
Shape = tuple[str, str, dt.date | None, str | None]


def _shape(question: Question) -> Shape:
    return (question[0], question[1], question[3], question[4])


#: An interval's answer with the day and freshness marked: (body, the day it was made from,
#: whether another day has confirmed it; it is served only then). A plain tuple of atomic
#: values, which the collector stops tracking (not a class or a NamedTuple, which it always
#: tracks): a server keeps 20,000 of them (see app.world).
_Template = tuple[bytes, dt.date, bool]
#: A question's fields and the index of its interval (a flat tuple: see AnswerCache).
_IntervalKey = tuple[str, str, str, dt.date | None, str | None, int]
#: A question's fields, the day asked about and today.
_DayKey = tuple[str, str, str, dt.date | None, str | None, dt.date, dt.date]


class AnswerCache:
    """The JSON answers of one Checker (one generation of datasets and rules)."""

    def __init__(self, checker: Checker, bounds: Callable[..., tuple[dt.date, ...]]) -> None:
        """``bounds(person, country, birth_date, nationality)``: the change dates of a question
        as typed (those of every person it may mean, and under every contested fact)."""
        self.checker = checker
        self._bounds_of = bounds
        self._bounds: dict[Shape, tuple[dt.date, ...]] = {}
        #: Keyed by flat tuples (the question's fields, then the interval's index or the day
        #: and today): atomic values only, which one collection stops tracking. A key holding
        #: the question as a tuple of its own stayed tracked after a collection that reached it
        #: before the question inside it (the order varies); the next one untracked it.
        self._templates: OrderedDict[_IntervalKey, _Template] = OrderedDict()
        self._days: OrderedDict[_DayKey, bytes] = OrderedDict()
        self._lock = threading.Lock()
        #: (today, {day: the freshness block's JSON}): replaced whole when today changes, so a
        #: thread still on yesterday writes into yesterday's dict. Keyed by day alone (dates and
        #: bytes: a dict the collector does not track; tuple keys would make it walk them all).
        self._fresh: tuple[dt.date, dict[dt.date, bytes]] = (dt.date.min, {})
        self.hits = 0
        self.day_hits = 0
        self.misses = 0
        self.confirmed = 0
        self.refused = 0

    def lookup(self, question: Question, day: dt.date, today: dt.date) -> bytes | None:
        """The answer's JSON (decision id still a placeholder) if known; cheap, else None."""
        bounds = self._bounds.get(_shape(question))
        body = None
        with self._lock:
            if bounds is not None:
                key = (*question, bisect_right(bounds, day))
                found = self._templates.get(key)
                if found is not None and found[2]:
                    self._templates.move_to_end(key)
                    self.hits += 1
                    body = found[0]
            if body is None:
                day_key = (*question, day, today)
                exact = self._days.get(day_key)
                if exact is not None:
                    self._days.move_to_end(day_key)
                    self.day_hits += 1
                return exact
        return self.fill(body, day, today)

    def store(self, question: Question, day: dt.date, today: dt.date, answer: bytes) -> None:
        """Keep an answer computed in full; make, confirm or replace its interval's template."""
        shape = _shape(question)
        bounds = self._bounds.get(shape)
        if bounds is None:
            bounds = self._bounds_of(*shape)
            if len(self._bounds) >= SHAPES:  # bounded whatever names callers type
                self._bounds.clear()
            self._bounds[shape] = bounds
        key = (*question, bisect_right(bounds, day))
        with self._lock:
            self.misses += 1
            self._days[(*question, day, today)] = answer
            if len(self._days) > DAYS:
                self._days.popitem(last=False)
            found = self._templates.get(key)
            if found is not None and found[2]:
                return
        if found is not None and found[1] != day:
            if self.fill(found[0], day, today) == answer:
                with self._lock:
                    if self._templates.get(key) is found:  # not replaced or evicted meanwhile
                        self._templates[key] = (found[0], found[1], True)
                    self.confirmed += 1
                return
            self.refused += 1
        body = self.template(answer, day, today)
        if body is None:
            return
        with self._lock:
            self._templates[key] = (body, day, False)
            self._templates.move_to_end(key)
            if len(self._templates) > INTERVALS:
                self._templates.popitem(last=False)

    def partner(self, question: Question, day: dt.date) -> dt.date | None:
        """A day of ``day``'s interval to confirm the template just made from ``day`` with: the
        next day, else the previous one; None when the template is confirmed already, was not
        made from ``day``, or the interval is that one day (within the dates a question takes)."""
        bounds = self._bounds.get(_shape(question))
        if bounds is None:
            return None
        index = bisect_right(bounds, day)
        with self._lock:
            found = self._templates.get((*question, index))
        if found is None or found[2] or found[1] != day:
            return None
        for other in (day + ONE_DAY, day - ONE_DAY):
            if DATE_MIN <= other <= DATE_MAX and bisect_right(bounds, other) == index:
                return other
        return None

    def template(self, answer: bytes, day: dt.date, today: dt.date) -> bytes | None:
        """The answer with its freshness block and every occurrence of the day marked."""
        needle = FRESH_KEY + self._freshness(day, today)
        if answer.count(needle) != 1:
            return None
        return answer.replace(needle, FRESH_KEY + FRESH_MARK).replace(
            day.isoformat().encode(), DATE_MARK
        )

    def fill(self, body: bytes, day: dt.date, today: dt.date) -> bytes:
        return body.replace(DATE_MARK, day.isoformat().encode()).replace(
            FRESH_MARK, self._freshness(day, today)
        )

    def _freshness(self, day: dt.date, today: dt.date) -> bytes:
        """The freshness block's JSON, kept per (day, today): it is filled into every answer
        served from a template, and building it (a pydantic model, then JSON) cost more than
        the rest of the fill."""
        made_on, blocks = self._fresh
        if made_on != today:
            blocks = {}
            self._fresh = (today, blocks)
        found = blocks.get(day)
        if found is None:
            found = freshness(self.checker.snapshot.as_of, day, today).model_dump_json().encode()
            if len(blocks) >= FRESH_BLOCKS:
                blocks.clear()
            blocks[day] = found
        return found

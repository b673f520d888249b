"""How old the facts behind an answer are: the datasets' as-of date against the date asked about
and against today. Pure: "today" is passed in."""

from __future__ import annotations

import datetime as dt

from app.verdict import Freshness

#: An answer given this many days after the as-of date says the facts may have changed.
STALE_AFTER_DAYS = 30


def freshness(as_of: dt.date, day: dt.date, today: dt.date) -> Freshness:
    """The freshness block of an answer about ``day`` given on ``today``."""
    after = (day - as_of).days
    since = (today - as_of).days
    parts: list[str] = []
    if after > 0:
        parts.append(
            f"The date asked about is {after} days after the datasets' as-of date ({as_of}): "
            "only changes already scheduled then (such as a notified withdrawal) are known."
        )
    if since > STALE_AFTER_DAYS:
        parts.append(
            f"This answer is given {since} days after the datasets' as-of date ({as_of}): "
            "the facts may have changed since."
        )
    return Freshness(
        datasets_as_of=as_of,
        days_after_as_of=after,
        days_since_as_of=since,
        caveat=" ".join(parts) or None,
    )


def leg_caveat(as_of: dt.date, first: dt.date, last: dt.date, today: dt.date) -> str | None:
    """The caveat of a stay from ``first`` to ``last`` answered on ``today``, or None.

    It depends only on whether the stay begins or ends after the as-of date, and on ``today``:
    a batch renders one answer per interval between change dates (the day after the as-of date
    is one of them) and fills each leg's dates in, so the caveat must be alike for every leg of
    an interval. The number of days after the as-of date is a leg's own (``days_after_as_of``
    where an answer has the field); the caveat names the as-of date instead.
    """
    parts: list[str] = []
    if first > as_of:
        parts.append(
            f"The leg is after the datasets' as-of date ({as_of}): only changes already "
            "scheduled then (such as a notified withdrawal) are known."
        )
    elif last > as_of:
        parts.append(
            f"The leg runs past the datasets' as-of date ({as_of}): after it only changes "
            "already scheduled then (such as a notified withdrawal) are known."
        )
    since = (today - as_of).days
    if since > STALE_AFTER_DAYS:
        parts.append(
            f"This answer is given {since} days after the datasets' as-of date ({as_of}): "
            "the facts may have changed since."
        )
    return " ".join(parts) or None


def leg_freshness(as_of: dt.date, first: dt.date, last: dt.date, today: dt.date) -> Freshness:
    """The freshness block of a stay: days counted to its last day."""
    return Freshness(
        datasets_as_of=as_of,
        days_after_as_of=(last - as_of).days,
        days_since_as_of=(today - as_of).days,
        caveat=leg_caveat(as_of, first, last, today),
    )


def today_utc() -> dt.date:
    """Today's date in UTC (the one place the clock is read for answers)."""
    return dt.datetime.now(dt.UTC).date()

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


def today_utc() -> dt.date:
    """Today's date in UTC (the one place the clock is read for answers)."""
    return dt.datetime.now(dt.UTC).date()

"""Input types shared by the API, the CLI and the batch: strict dates, bounded texts."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: The dates a question may be about, everywhere (checks, world view, countries, itineraries,
#: batches): from the Rome Statute's adoption year to a horizon no forecast can serve past.
DATE_MIN = dt.date(1998, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
DATE_RANGE_MESSAGE = f"the date must fall between {DATE_MIN} and {DATE_MAX}"


def strict_iso_date(value: Any) -> Any:
    """Only YYYY-MM-DD: pydantic alone would read '0' as 1970-01-01."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("a date must be written YYYY-MM-DD (ISO 8601)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a calendar date") from None


def in_range(day: dt.date) -> dt.date:
    """A date a question may be about (DATE_MIN..DATE_MAX), else ValueError."""
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValueError(DATE_RANGE_MESSAGE)
    return day


def query_date(value: Any) -> dt.date:
    """A strict YYYY-MM-DD date within DATE_MIN..DATE_MAX."""
    day: dt.date = strict_iso_date(value)
    return in_range(day)


def plain_text(value: str) -> str:
    """Refuse control characters (NUL, line breaks ...): no name or country contains one."""
    for char in value:
        if unicodedata.category(char) == "Cc":
            raise ValueError(f"control character U+{ord(char):04X} is not allowed")
    return value


#: A birth date: any calendar date.
IsoDate = Annotated[dt.date, BeforeValidator(strict_iso_date)]
#: The date a question is about: within DATE_MIN..DATE_MAX.
QueryDate = Annotated[dt.date, BeforeValidator(query_date)]
PersonText = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(plain_text)]
CountryText = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(plain_text)]
DATE_HELP = f"YYYY-MM-DD, {DATE_MIN} to {DATE_MAX}; default today (UTC)."

"""Input types shared by the API, the CLI and the batch: strict dates, bounded texts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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


IsoDate = Annotated[dt.date, BeforeValidator(strict_iso_date)]
PersonText = Annotated[str, Field(min_length=1, max_length=200)]
CountryText = Annotated[str, Field(min_length=1, max_length=100)]

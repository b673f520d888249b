"""Domain errors. Each carries its HTTP status; app/api/errors.py renders them as problem+json."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """An error a client can act on: a status, a short title, what was wrong and where."""

    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init__(self, detail: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra


class NotFound(DomainError):
    status = 404
    title = "Not found"
    type_slug = "not-found"


class InvalidInput(DomainError):
    status = 422
    title = "Invalid input"
    type_slug = "invalid-input"


class UnknownCountry(InvalidInput):
    title = "Unknown country"
    type_slug = "unknown-country"


class AmbiguousCountry(InvalidInput):
    title = "Ambiguous country"
    type_slug = "ambiguous-country"


class AmbiguousPerson(InvalidInput):
    """Two or more people are plausible for the name typed: the caller must say which.

    ``choices``: each person's id, name, whether a warrant was outstanding on the date, and
    their exposure there on that date (so a caller sees what is at stake in choosing)."""

    title = "Ambiguous person"
    type_slug = "ambiguous-person"


class UnknownPlace(InvalidInput):
    title = "Unknown place"
    type_slug = "unknown-place"


class AmbiguousPlace(InvalidInput):
    title = "Ambiguous place"
    type_slug = "ambiguous-place"


class NotReady(DomainError):
    status = 503
    title = "Not ready"
    type_slug = "not-ready"


class Unauthorized(DomainError):
    status = 401
    title = "Unauthorized"
    type_slug = "unauthorized"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"
    type_slug = "forbidden"


class ContentTooLarge(DomainError):
    status = 413
    title = "Content too large"
    type_slug = "content-too-large"


class RequestTimeout(DomainError):
    status = 408
    title = "Request timeout"
    type_slug = "request-timeout"


class TooManyRequests(DomainError):
    status = 429
    title = "Too many requests"
    type_slug = "too-many-requests"


class Busy(DomainError):
    status = 503
    title = "Service busy"
    type_slug = "service-busy"


class UnsupportedMedia(DomainError):
    status = 415
    title = "Unsupported media type"
    type_slug = "unsupported-media-type"

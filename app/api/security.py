"""API keys, from the environment only (ICC_EXPOSURE_API_KEYS, ICC_EXPOSURE_ADMIN_KEYS).

With ICC_EXPOSURE_REQUIRE_KEY every path needs a key (checked in app/api/middleware.py), the
page, /docs, /redoc and /openapi.json included, but PUBLIC_PATHS: a load balancer's probes carry
no key. Admin endpoints always need an admin key (this module's dependency).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Annotated

from fastapi import Depends, Header, Request
from pydantic import SecretStr

from app.errors import Forbidden, Unauthorized

#: Paths that answer without a key even when keys are required.
PUBLIC_PATHS = frozenset({"/healthz", "/readyz"})


def key_matches(given: str | None, keys: Iterable[SecretStr]) -> bool:
    """Whether ``given`` is one of ``keys``, compared with every key in constant time."""
    if not given:
        return False
    found = False
    for key in keys:
        found |= secrets.compare_digest(given.encode(), key.get_secret_value().encode())
    return found


def _given(x_api_key: str | None, authorization: str | None) -> str | None:
    if x_api_key:
        return x_api_key
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def key_from_headers(headers: Mapping[bytes, bytes]) -> str | None:
    """The key a request carries (X-API-Key, or Authorization: Bearer), from raw ASGI headers."""

    def text(name: bytes) -> str | None:
        value = headers.get(name)
        return value.decode("latin-1") if value is not None else None

    return _given(text(b"x-api-key"), text(b"authorization"))


async def require_admin_key(
    request: Request,
    x_api_key: Annotated[str | None, Header(description="Admin key.")] = None,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> None:
    settings = request.app.state.runtime.settings
    if not settings.admin_keys:
        raise Forbidden("admin endpoints are off: set ICC_EXPOSURE_ADMIN_KEYS to enable them")
    if not key_matches(_given(x_api_key, authorization), settings.admin_keys):
        raise Unauthorized("an admin key is required (X-API-Key header)")


AdminKey = Depends(require_admin_key)

"""API keys, from the environment only (ICC_EXPOSURE_API_KEYS, ICC_EXPOSURE_ADMIN_KEYS)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, Header, Request
from pydantic import SecretStr

from app.errors import Forbidden, Unauthorized


def _matches(given: str | None, keys: Iterable[SecretStr]) -> bool:
    if not given:
        return False
    found = False
    for key in keys:  # compare with every key, in constant time each
        found |= secrets.compare_digest(given.encode(), key.get_secret_value().encode())
    return found


def _given(x_api_key: str | None, authorization: str | None) -> str | None:
    if x_api_key:
        return x_api_key
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


async def require_api_key(
    request: Request,
    x_api_key: Annotated[
        str | None, Header(description="API key (or Authorization: Bearer).")
    ] = None,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> None:
    settings = request.app.state.runtime.settings
    if not settings.require_key:
        return
    if not _matches(_given(x_api_key, authorization), [*settings.api_keys, *settings.admin_keys]):
        raise Unauthorized("an API key is required (X-API-Key header)")


async def require_admin_key(
    request: Request,
    x_api_key: Annotated[str | None, Header(description="Admin key.")] = None,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> None:
    settings = request.app.state.runtime.settings
    if not settings.admin_keys:
        raise Forbidden("admin endpoints are off: set ICC_EXPOSURE_ADMIN_KEYS to enable them")
    if not _matches(_given(x_api_key, authorization), settings.admin_keys):
        raise Unauthorized("an admin key is required (X-API-Key header)")


ApiKey = Depends(require_api_key)
AdminKey = Depends(require_admin_key)

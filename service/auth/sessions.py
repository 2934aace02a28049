"""Review-page sessions: a random cookie token (stored hashed) tied to a key, with its CSRF token."""

from __future__ import annotations

import hmac
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.keys import digest, principal_of
from service.auth.principal import Principal
from service.db.models import ApiKeyRow, AuthSessionRow
from service.db.repositories import repository

COOKIE = "atelier_session"
LIFETIME = timedelta(hours=12)


async def open_session(session: AsyncSession, key_id: uuid.UUID) -> str:
    """A new session for the key; returns the cookie value (shown once, stored hashed)."""
    token = secrets.token_urlsafe(32)
    session.add(AuthSessionRow(token_hash=digest(token), key_id=key_id, csrf=secrets.token_urlsafe(24),
                               expires_at=datetime.now(UTC) + LIFETIME))
    await session.flush()
    return token


async def session_principal(session: AsyncSession, token: str) -> tuple[Principal, str] | None:
    """The principal and CSRF token behind a session cookie, or ``None`` (unknown, expired, key revoked)."""
    row = await repository(session, AuthSessionRow).get_one_or_none(AuthSessionRow.token_hash == digest(token))
    if row is None or _aware(row.expires_at) < datetime.now(UTC):
        return None
    key = await session.get(ApiKeyRow, row.key_id)
    if key is None or key.revoked:
        return None
    return principal_of(key), row.csrf


async def close_session(session: AsyncSession, token: str) -> None:
    """Sign out: the session row is deleted."""
    await session.execute(delete(AuthSessionRow).where(AuthSessionRow.token_hash == digest(token)))


def csrf_ok(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of the session's CSRF token with the form's."""
    return bool(expected and given) and hmac.compare_digest(str(expected), str(given))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def csrf(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """Every form post carries the session's CSRF token (synchronizer token, compared in constant time)."""
    if not isinstance(connection, Request):
        raise PermissionDeniedException("CSRF check needs a request")
    form = await connection.form()
    if not csrf_ok(connection.auth, form.get("csrf")):  # ``auth`` is the session's token; None for bearer keys
        raise PermissionDeniedException("missing or wrong CSRF token: reload the page and try again")

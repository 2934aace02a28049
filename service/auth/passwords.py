"""Review-page users: a name and a password (scrypt), standing for a key row with a role and a scope."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import uuid

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.keys import create_key, principal_of
from service.auth.principal import Principal
from service.db.models import ApiKeyRow
from service.db.repositories import repository
from service.limits import MAX_NAME, control_character

N, R, P = 2**14, 8, 1
MIN_LENGTH = 12


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (salted, memory-hard).

    >>> verify_password("correct horse battery", hash_password("correct horse battery"))
    True
    """
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P)
    parts = ["scrypt", str(N), str(R), str(P), base64.b64encode(salt).decode(), base64.b64encode(digest).decode()]
    return "$".join(parts)


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against :func:`hash_password`'s output."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


async def create_user(session: AsyncSession, login: str, password: str, role: str,
                      workshops: list[uuid.UUID] | None = None) -> ApiKeyRow:
    """A user who signs in on the review pages with ``login`` and ``password``.

    Raises:
        ValueError: A short password, or a login already taken.
    """
    if len(password) < MIN_LENGTH:
        raise ValueError(f"password: at least {MIN_LENGTH} characters")
    if await repository(session, ApiKeyRow).exists(ApiKeyRow.login == login):
        raise ValueError(f"login: {login!r} is taken")
    row, _ = await create_key(session, role, login, workshops)  # its key is never shown: the password is the way in
    row.login, row.password_hash = login, hash_password(password)
    await session.flush()
    return row


@functools.cache
def _decoy() -> str:
    """A hash no password matches, checked for unknown logins so they cost what known ones do."""
    return hash_password(secrets.token_urlsafe(24))


async def authenticate_user(session: AsyncSession, login: str, password: str) -> Principal | None:
    """The user's principal, or ``None`` (unknown login, wrong password, revoked).

    Every call runs one scrypt, in a worker thread: an unknown login once answered in 1.4 ms and a
    known one in 31 ms (names readable by timing), and scrypt on the event loop stalled every request.
    """
    if control_character(login) or len(login) > MAX_NAME:  # PostgreSQL refuses NUL bytes even in a lookup
        return None
    row = await repository(session, ApiKeyRow).get_one_or_none(ApiKeyRow.login == login.strip())
    stored = row.password_hash if row is not None and not row.revoked else None
    matched = await anyio.to_thread.run_sync(verify_password, password, stored or _decoy())
    return principal_of(row) if row is not None and stored and matched else None

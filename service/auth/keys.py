"""API keys: made once, shown once, stored as a SHA-256 hash, revocable.

A key reads ``atk_<prefix>_<secret>``: the prefix finds the row, the secret is
256 random bits, so a plain SHA-256 is enough (no password stretching needed).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import uuid
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.principal import ROLES, Principal
from service.db.models import ApiKeyRow
from service.db.repositories import repository
from service.db.states import Role

log = logging.getLogger(__name__)
ADMIN_KEY_FILE = "admin.key"


def digest(secret: str) -> str:
    """SHA-256 of a random secret (a key's, a session's): stored instead of the secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def principal_of(row: ApiKeyRow) -> Principal:
    """The principal a key stands for."""
    scoped = row.role == Role.TOOL or bool(row.workshop_ids)
    workshops = frozenset(uuid.UUID(w) for w in row.workshop_ids) if scoped and row.role != Role.ADMIN else None
    return Principal(row.id, row.name or f"{row.role}-{row.prefix}", row.role, workshops)


async def create_key(session: AsyncSession, role: str, name: str = "",
                     workshops: list[uuid.UUID] | None = None) -> tuple[ApiKeyRow, str]:
    """A new key and its plaintext (shown once, never stored).

    Raises:
        ValueError: Unknown role, naming the choices; or an admin key given workshops (an admin sees
            every workshop: a scope would be printed and then silently ignored).
    """
    if role not in ROLES:
        raise ValueError(f"role: one of {', '.join(ROLES)}")
    if role == Role.ADMIN and workshops:
        raise ValueError("workshops: an admin key sees every workshop and cannot be scoped; "
                         "give a facilitator or tool key the workshops instead")
    prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
    row = ApiKeyRow(name=name.strip()[:200], role=role, prefix=prefix, secret_hash=digest(secret),
                    workshop_ids=[str(w) for w in workshops or []])
    session.add(row)
    await session.flush()
    return row, f"atk_{prefix}_{secret}"


async def authenticate(session: AsyncSession, token: str) -> Principal | None:
    """The principal of a presented key, or ``None`` (unknown, malformed or revoked)."""
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "atk" or not parts[1].isalnum() or len(parts[1]) > 16:
        return None
    row = await repository(session, ApiKeyRow).get_one_or_none(ApiKeyRow.prefix == parts[1])
    if row is None or row.revoked or not hmac.compare_digest(row.secret_hash, digest(parts[2])):
        return None
    return principal_of(row)


async def grant(session: AsyncSession, key_id: uuid.UUID, workshop_id: uuid.UUID) -> None:
    """Add a workshop to a key's scope (a tool's own new workshop)."""
    row = await session.get(ApiKeyRow, key_id)
    if row is not None and str(workshop_id) not in row.workshop_ids:
        row.workshop_ids = [*row.workshop_ids, str(workshop_id)]


async def revoke(session: AsyncSession, key_id: uuid.UUID) -> bool:
    """Revoke a key (its sessions stop working at once); whether it existed."""
    row = await session.get(ApiKeyRow, key_id)
    if row is None:
        return False
    row.revoked = True
    return True


async def list_keys(session: AsyncSession) -> list[ApiKeyRow]:
    """Every key, oldest first (no secret: only hashes are stored)."""
    return await repository(session, ApiKeyRow).get_many(
        order_by=[(ApiKeyRow.created_at, False), (ApiKeyRow.id, False)])


async def ensure_admin_key(session: AsyncSession, home: Path) -> Path | None:
    """On first start (no key at all), make an admin key and write it to ``home/admin.key``, mode 0600."""
    if await repository(session, ApiKeyRow).exists():
        return None
    _, plaintext = await create_key(session, Role.ADMIN, "admin (first start)")
    path = home / ADMIN_KEY_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(plaintext + "\n")
    os.chmod(path, 0o600)
    log.warning("first start: an admin API key was written to %s (mode 0600); "
                "make more with `atelier keys create --role ROLE`", path)
    return path

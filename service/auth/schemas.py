"""Request and response bodies of the key management routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from service.db.states import Role
from service.limits import ShortText


class KeyCreate(msgspec.Struct):
    """``POST /api/v1/keys``: ``workshops`` scopes a facilitator or viewer key (none: every workshop)."""

    role: Role
    name: ShortText = ""
    workshops: Annotated[list[uuid.UUID], msgspec.Meta(max_length=1000)] = []


class KeyOut(msgspec.Struct):
    """A key without its secret."""

    id: uuid.UUID
    name: str
    role: str
    prefix: str
    workshops: list[str]
    revoked: bool
    created_at: datetime


class KeyCreated(KeyOut):
    """The new key: ``key`` is shown this once and never stored."""

    key: str = ""

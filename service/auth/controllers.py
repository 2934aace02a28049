"""``/api/v1/keys``: key management, for admins only."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import Body, FromPath
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth import keys
from service.auth.guards import allow
from service.auth.schemas import KeyCreate, KeyCreated, KeyOut
from service.db.mapping import to_schema
from service.db.models import ApiKeyRow
from service.errors import bad_request, not_found
from service.pagination import MAX_PAGE, Limit, Offset, paged


def key_out(row: ApiKeyRow) -> KeyOut:
    """A key's public fields."""
    return to_schema(row, KeyOut, workshops=list(row.workshop_ids))


class KeyController(Controller):
    """Create, list and revoke API keys."""

    path = "/keys"
    tags = ["keys"]
    guards = [allow("admin")]

    @post("/", status_code=HTTP_201_CREATED)
    async def create(self, db_session: NamedDependency[AsyncSession],
                     data: Annotated[KeyCreate, Body()]) -> KeyCreated:
        """A new key; its secret is in ``key``, shown once."""
        try:
            row, plaintext = await keys.create_key(db_session, data.role, data.name, data.workshops)
        except ValueError as err:
            raise bad_request(str(err), str(err).split(":", 1)[0]) from None
        return KeyCreated(**{f: getattr(key_out(row), f) for f in KeyOut.__struct_fields__}, key=plaintext)

    @get("/")
    async def list_all(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                       limit: Limit = MAX_PAGE, offset: Offset = 0) -> Response[list[KeyOut]]:
        """Every key (no secrets: only their hashes are stored), paged."""
        return paged(request, [key_out(r) for r in await keys.list_keys(db_session)], limit, offset)

    @delete("/{key_id:uuid}")
    async def revoke(self, db_session: NamedDependency[AsyncSession], key_id: FromPath[uuid.UUID]) -> None:
        """Revoke a key; its review sessions end at once."""
        if not await keys.revoke(db_session, key_id):
            raise not_found("key", key_id)

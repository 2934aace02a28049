"""The room's routes: facilitators open, close and read it; phones join, read, vote and add post-its.

Phones have no API key: ``/api/v1/rooms`` is outside the key middleware, and each participant
route checks the room's own bearer token here. That token is refused everywhere else (the key
middleware knows no such key: 401).
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ClientException, NotAuthorizedException
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.guards import allow, principal
from service.auth.throttle import Throttle
from service.db.mapping import to_schema
from service.db.models import ParticipantRow, RoomRow
from service.rooms import services
from service.rooms.schemas import Counted, Item, Joined, RoomOut, RoomPostItIn, RoomPostItOut, RoomTallies, Votes
from service.settings import Settings
from service.workshops.embedding import queue_embedding


def throttles(settings: Settings) -> dict[str, Throttle]:
    """Joins per address, votes and post-its per participant (per minute, in this process)."""
    return {"join": Throttle(settings.room_joins_per_minute), "vote": Throttle(settings.room_votes_per_minute),
            "postit": Throttle(settings.room_postits_per_minute)}


def gate(request: Request[Any, Any, Any], kind: str, key: str) -> None:
    """Count one ``kind`` request for ``key``; 429 with ``Retry-After`` beyond the limit."""
    throttle: Throttle = request.app.state.room_throttles[kind]
    if not throttle.hit(key):
        raise ClientException(detail=f"too many {kind} requests: wait and try again",
                              status_code=HTTP_429_TOO_MANY_REQUESTS,
                              headers={"Retry-After": str(throttle.retry_after(key))})


async def _participant(request: Request[Any, Any, Any], session: AsyncSession,
                       code: str) -> tuple[RoomRow, ParticipantRow]:
    """The caller's room and participant row; 404 for a room that is not open, 401 for another token."""
    header = request.headers.get("authorization", "")
    found = await services.participant(session, code, header[7:]) if header.lower().startswith("bearer ") else None
    if found is None:
        await services.room_by_code(session, code)  # a room that is not open: its 404 first
        raise NotAuthorizedException("a participant token of this room is required: join it first")
    return found


def room_out(request: Request[Any, Any, Any], room: RoomRow) -> RoomOut:
    """The room with its pages' addresses on this service."""
    base = str(request.base_url).rstrip("/")
    return to_schema(room, RoomOut, participant_url=f"{base}/p/{room.code}", projector_url=f"{base}/room/{room.code}")


class RoomAdminController(Controller):
    """``/api/v1/workshops/{id}/room``: a facilitator opens, reads and closes the workshop's room."""

    path = "/workshops/{workshop_id:uuid}/room"
    tags = ["rooms"]

    @post("/", guards=[allow("review")], status_code=201)
    async def open(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                   settings: NamedDependency[Settings], workshop_id: FromPath[uuid.UUID]) -> RoomOut:
        """Open the workshop's room (or answer the one already open): its code and pages."""
        room = await services.open_room(db_session, workshop_id, settings, principal(request).key_id)
        return room_out(request, room)

    @get("/", guards=[allow("read")])
    async def tallies(self, db_session: NamedDependency[AsyncSession], workshop_id: FromPath[uuid.UUID]) -> RoomTallies:
        """The open room's agree / disagree / pass counts per key point and sentence (no identities)."""
        return await services.tallies(db_session, workshop_id)

    @delete("/", guards=[allow("review")], status_code=204)
    async def close(self, db_session: NamedDependency[AsyncSession], workshop_id: FromPath[uuid.UUID]) -> None:
        """Close the room: joins, votes and post-its are refused from now on."""
        await services.close_room(db_session, workshop_id)


class RoomController(Controller):
    """``/api/v1/rooms/{code}``: what a participant's phone calls."""

    path = "/rooms/{code:str}"
    tags = ["rooms"]

    @post("/join", status_code=201)
    async def join(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                   code: FromPath[str]) -> Joined:
        """Join an open room; the token goes in ``Authorization: Bearer`` on the routes below."""
        gate(request, "join", request.client.host if request.client else "unknown")
        return Joined(await services.join(db_session, code))

    @get("/items")
    async def items(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                    code: FromPath[str]) -> list[Item]:
        """The current key points and pitch sentences, per axis (texts only)."""
        room, _ = await _participant(request, db_session, code)
        return await services.items(db_session, room.workshop_id)

    @post("/votes", status_code=200)
    async def votes(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                    code: FromPath[str], data: JSONBody[Votes]) -> Counted:
        """Votes on items (1 agree, -1 disagree, 0 pass); a later vote on an item replaces the earlier."""
        room, who = await _participant(request, db_session, code)
        gate(request, "vote", str(who.id))
        return Counted(await services.vote(db_session, room, who, data))

    @post("/postits", status_code=201)
    async def postit(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                     settings: NamedDependency[Settings], code: FromPath[str],
                     data: JSONBody[RoomPostItIn]) -> RoomPostItOut:
        """A new post-it from the room (the bounds of any push), embedded in the background."""
        room, who = await _participant(request, db_session, code)
        gate(request, "postit", str(who.id))
        ident, new = await services.add_postit(db_session, room, data, settings)
        await queue_embedding(request.app.state.jobs["queue"], [str(i) for i in new])
        return RoomPostItOut(ident)

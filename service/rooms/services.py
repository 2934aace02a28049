"""Open and close a room, let phones join it, read its items, count its votes.

A room code is 7 characters from 31 that cannot be mistaken for one another (no I, L, O, 0, 1):
31**7 ≈ 2.75e10 codes. With joins limited to 20 a minute per address, one address tries ~4,800
codes in a 4-hour room, a chance of 1.7e-7 per open room; a thousand addresses, 1.7e-4.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import AxisRow, ClusterRow, ParticipantRow, PitchRow, PostItRow, RoomRow, RoomVoteRow, VoteRow
from service.db.repositories import pitches_by_axis, repository
from service.db.retry import retry_transaction
from service.db.states import EmbeddingState
from service.db.turns import write_turn
from service.db.upsert import upsert
from service.errors import bad_request, not_found
from service.review.services import axis_key_points
from service.review.tallies import Counts, ItemKind, counts, item_id
from service.rooms.schemas import (
    MAX_VOTES_PER_REQUEST,
    ROOM_POSTITS_SHOWN,
    Added,
    Item,
    RoomPostItIn,
    RoomTallies,
    Tally,
    VoteIn,
)
from service.settings import Settings
from service.workshops.schemas import PostItIn
from service.workshops.services import add_postits, get_workshop

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 7
#: External ids of post-its written in a room start with this: the room's mark on them.
ROOM_MARK = "room:"


def new_code() -> str:
    """A fresh room code (``secrets``: not guessable from earlier codes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(code: str) -> str:
    """A typed code as stored: upper case, spaces and dashes dropped.

    >>> normal_code(" ab-c 2d3e ")
    'ABC2D3E'
    """
    return code.upper().replace(" ", "").replace("-", "")


def token_hash(token: str) -> str:
    """What is stored of a participant's token (SHA-256: the token itself is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _live(room: RoomRow) -> bool:
    return not room.closed and room.expires_at > datetime.now(UTC)


async def open_room(session: AsyncSession, workshop_id: uuid.UUID, settings: Settings,
                    opened_by: uuid.UUID | None) -> RoomRow:
    """The workshop's open room, or a new one lasting ``settings.room_minutes``."""
    await get_workshop(session, workshop_id)
    current = await _current(session, workshop_id)
    if current is not None:
        return current
    code = new_code()
    while await repository(session, RoomRow).exists(RoomRow.code == code):
        code = new_code()  # 1 in 2.75e10 per open room: the loop practically never turns
    room = RoomRow(id=uuid.uuid4(), workshop_id=workshop_id, code=code, closed=False, opened_by=opened_by,
                   expires_at=datetime.now(UTC) + timedelta(minutes=settings.room_minutes))
    session.add(room)
    await session.flush()
    return room


async def _current(session: AsyncSession, workshop_id: uuid.UUID) -> RoomRow | None:
    rooms = await repository(session, RoomRow).get_many(RoomRow.workshop_id == workshop_id, RoomRow.closed.is_(False))
    return next((r for r in rooms if _live(r)), None)


async def current_room(session: AsyncSession, workshop_id: uuid.UUID) -> RoomRow:
    """The workshop's open room, or a 404."""
    room = await _current(session, workshop_id)
    if room is None:
        raise not_found("open room of workshop", workshop_id)
    return room


async def close_room(session: AsyncSession, workshop_id: uuid.UUID) -> None:
    """Close the open room: its participants' tokens die with it (their votes stay, for the tallies)."""
    room = await current_room(session, workshop_id)
    room.closed = True
    await session.flush()


async def room_by_code(session: AsyncSession, code: str) -> RoomRow:
    """The open room with this code; a closed, expired or unknown one is a 404 alike."""
    room = await repository(session, RoomRow).get_one_or_none(RoomRow.code == normal_code(code))
    if room is None or not _live(room):
        raise not_found("room", normal_code(code)[:CODE_LENGTH])
    return room


async def join(session: AsyncSession, code: str) -> str:
    """A new participant of the room: its token (shown once, stored hashed)."""
    room = await room_by_code(session, code)
    token = secrets.token_urlsafe(32)
    session.add(ParticipantRow(id=uuid.uuid4(), room_id=room.id, token_hash=token_hash(token)))
    await session.flush()
    return token


async def participant(session: AsyncSession, code: str, token: str) -> tuple[RoomRow, ParticipantRow] | None:
    """The room and the participant a token belongs to, if the token is this open room's."""
    found = await session.execute(select(RoomRow, ParticipantRow).join(ParticipantRow,
                                                                       ParticipantRow.room_id == RoomRow.id)
                                  .where(ParticipantRow.token_hash == token_hash(token),
                                         RoomRow.code == normal_code(code)))
    row = found.first()
    if row is None or not _live(row[0]):
        return None
    return row[0], row[1]


async def items(session: AsyncSession, workshop_id: uuid.UUID) -> list[Item]:
    """The current synthesis's key points and pitch sentences, axis by axis (texts only: no authors,
    no post-it ids)."""
    return list((await _cited_items(session, workshop_id)).keys())


#: Items per workshop, by the state of its pitches: a vote reads them on every tap, and building them
#: reads the synthesis' whole result (measured: the load test's votes waited seconds without this).
_ITEMS: OrderedDict[uuid.UUID, tuple[tuple[Any, ...], dict[Item, list[str]]]] = OrderedDict()
_ITEMS_KEPT = 256


async def _cited_items(session: AsyncSession, workshop_id: uuid.UUID) -> dict[Item, list[str]]:
    """Each current item and the post-its it cites (what a vote on it is a vote on).

    Rebuilt only when a pitch of the workshop changed (a synthesis, an edit): one small query
    otherwise."""
    stamp = tuple((await session.execute(select(func.count(PitchRow.id), func.max(PitchRow.updated_at))
                                         .where(PitchRow.workshop_id == workshop_id))).one())
    kept = _ITEMS.get(workshop_id)
    if kept is not None and kept[0] == stamp:
        _ITEMS.move_to_end(workshop_id)
        return kept[1]
    found = await _build_items(session, workshop_id)
    _ITEMS[workshop_id] = (stamp, found)
    while len(_ITEMS) > _ITEMS_KEPT:
        _ITEMS.popitem(last=False)
    return found


async def _build_items(session: AsyncSession, workshop_id: uuid.UUID) -> dict[Item, list[str]]:
    workshop = await get_workshop(session, workshop_id)
    pitches = await pitches_by_axis(session, workshop_id)
    found: dict[Item, list[str]] = {}
    for axis in workshop.axes:
        pitch = pitches.get(axis.id)
        key_points, _ = await axis_key_points(session, pitch, axis.name)
        parts = ([(ItemKind.KEY_POINT, k) for k in key_points]
                 + [(ItemKind.SENTENCE, s) for s in (pitch.sentences if pitch else [])])
        for kind, part in parts:
            item = Item(item_id(axis.id, kind, part["text"]), kind, axis.name, part["text"])
            found.setdefault(item, list(part.get("citations") or []))
    return found


async def vote(session: AsyncSession, room: RoomRow, who: ParticipantRow, votes: list[VoteIn]) -> int:
    """Store the votes (the latest per item wins); an item that is not the room's is a 404.

    Each vote also counts as the participant's vote on each post-it the item cites, so the next
    synthesis reads it like any per-participant vote (agreement, division, opinion groups).
    Upserts, not read-then-write: a tap costs a few statements (the load test's p99 is this path).
    """
    if not 1 <= len(votes) <= MAX_VOTES_PER_REQUEST:
        raise bad_request(f"votes: 1 to {MAX_VOTES_PER_REQUEST} per request, got {len(votes)}", "body")
    cited = {i.id: c for i, c in (await _cited_items(session, room.workshop_id)).items()}
    latest = {v.item_id: v.vote for v in votes}
    for ident in latest:
        if ident not in cited:
            raise not_found("item", ident)
    on_postits = {uuid.UUID(p): value for ident, value in latest.items() for p in cited[ident] if _is_uuid(p)}
    present = list(await session.scalars(select(PostItRow.id).where(  # deleted since the synthesis: no vote
        PostItRow.workshop_id == room.workshop_id, PostItRow.id.in_(on_postits))))
    now, voter = datetime.now(UTC), f"{ROOM_MARK}{who.id}"
    async with write_turn(session):  # the writes last and together: SQLite's file is locked until the commit
        await upsert(session, RoomVoteRow, [
            {"id": uuid.uuid4(), "room_id": room.id, "participant_id": who.id, "item_id": ident, "value": value,
             "created_at": now, "updated_at": now} for ident, value in latest.items()],
            keys=("participant_id", "item_id"), update=("value",))
        await upsert(session, VoteRow, [
            {"id": uuid.uuid4(), "workshop_id": room.workshop_id, "postit_id": p, "voter": voter,
             "value": on_postits[p], "created_at": now, "updated_at": now} for p in present],
            keys=("postit_id", "voter"), update=("value",))
    return len(latest)


async def add_postit(session: AsyncSession, room: RoomRow, data: RoomPostItIn,
                     settings: Settings) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """A post-it from the room, committed: the same rules as any push, marked by its external id,
    no author. Its id, and the ids to embed."""
    item = PostItIn(text=data.text, axis=data.axis, external_id=f"{ROOM_MARK}{uuid.uuid4().hex}")
    ids, new = await retry_transaction(session, lambda s: add_postits(s, room.workshop_id, [item], settings))
    return ids[0], new


async def tallies(session: AsyncSession, workshop_id: uuid.UUID) -> RoomTallies:
    """The open room's counts per item (current items only), and how many phones joined."""
    room = await current_room(session, workshop_id)
    found = await counts(session, workshop_id, room.id)
    joined = await repository(session, ParticipantRow).count(ParticipantRow.room_id == room.id)
    rows = []
    for i in await items(session, workshop_id):
        votes = found.get(i.id, Counts())
        rows.append(Tally(i.id, i.kind, i.axis, i.text, agrees=votes.agrees, disagrees=votes.disagrees,
                          passes=votes.passes, divided=votes.divided))
    added = (await session.execute(select(PostItRow.text, AxisRow.name).outerjoin(
        AxisRow, AxisRow.id == PostItRow.axis_id).where(
        PostItRow.workshop_id == workshop_id, PostItRow.external_id.startswith(ROOM_MARK),
        PostItRow.created_at >= room.created_at).order_by(PostItRow.created_at.desc()).limit(ROOM_POSTITS_SHOWN))).all()
    return RoomTallies(room.code, room.expires_at, int(joined), rows, [text for text, _ in added],
                       [Added(axis, text) for text, axis in added], await map_version(session, workshop_id))


async def map_version(session: AsyncSession, workshop_id: uuid.UUID) -> str:
    """A stamp of what the workshop's maps draw: its embedded post-its and its clusters (two small
    aggregates; the projector redraws a map only when this changes)."""
    postits = (await session.execute(select(func.count(), func.max(PostItRow.updated_at)).where(
        PostItRow.workshop_id == workshop_id, PostItRow.embedding_state == EmbeddingState.DONE))).one()
    clusters = (await session.execute(select(func.count(), func.max(ClusterRow.updated_at)).where(
        ClusterRow.workshop_id == workshop_id))).one()
    return hashlib.sha256(repr((*postits, *clusters)).encode()).hexdigest()[:16]


async def my_votes(session: AsyncSession, who: ParticipantRow) -> dict[str, int]:
    """The participant's own votes, by item (the phone page shows which button was pressed)."""
    rows = await session.execute(select(RoomVoteRow.item_id, RoomVoteRow.value)
                                 .where(RoomVoteRow.participant_id == who.id))
    return {item: value for item, value in rows.all()}

"""Comments: who wrote what on which cluster or pitch, replies, resolution; counts per axis."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from advanced_alchemy.repository import OrderingPair
from litestar.exceptions import PermissionDeniedException
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import UnaryExpression

from service.auth.principal import Principal
from service.db.mapping import to_schema
from service.db.models import ClusterRow, CommentRow, PitchRow
from service.db.repositories import get_one, repository
from service.discussion.schemas import CommentIn, CommentOut, CommentUpdate
from service.errors import bad_request, not_found

#: What a comment can be attached to: the route segment → the ``target`` stored.
KIND = {"clusters": "cluster", "pitches": "pitch"}

#: Threads read in the order they were written (the id breaks ties within one clock tick).
OLDEST_FIRST: list[OrderingPair | UnaryExpression[Any]] = [CommentRow.created_at.asc(), CommentRow.id.asc()]


async def _target(session: AsyncSession, target: str, target_id: uuid.UUID) -> ClusterRow | PitchRow:
    if target == "clusters":
        return await get_one(session, ClusterRow, target_id)
    return await get_one(session, PitchRow, target_id)


def comment_out(row: CommentRow) -> CommentOut:
    """Response body of a comment (its columns, by name)."""
    return to_schema(row, CommentOut)


async def add_comment(session: AsyncSession, target: str, target_id: uuid.UUID, data: CommentIn,
                      who: Principal) -> CommentRow:
    """Store a comment (or a reply, which joins its parent's thread); the request commits it."""
    owner = await _target(session, target, target_id)
    if not who.sees(owner.workshop_id):  # the pages post target ids in the body, outside the path guard
        raise not_found(KIND[target], target_id)
    if data.anchor and target != "pitches":
        raise bad_request("anchor: only a pitch comment points at a key point or a sentence", "anchor")
    anchor = data.anchor
    if data.reply_to is not None:
        parent = await session.get(CommentRow, data.reply_to)
        if parent is None or parent.target_id != target_id:
            raise bad_request(f"reply_to: no comment {data.reply_to} on this {KIND[target]}", "reply_to")
        anchor = parent.anchor  # a reply belongs where its thread is
    row = CommentRow(id=uuid.uuid4(), workshop_id=owner.workshop_id, axis_id=owner.axis_id, target=KIND[target],
                     target_id=target_id, anchor=anchor, reply_to=data.reply_to, author=who.name,
                     author_key=who.key_id, body=data.body.strip() or data.body)
    session.add(row)
    await session.flush()
    return row


async def list_comments(session: AsyncSession, target: str, target_id: uuid.UUID) -> Sequence[CommentRow]:
    """Comments on one cluster or pitch, oldest first."""
    await _target(session, target, target_id)
    return await repository(session, CommentRow).get_many(CommentRow.target_id == target_id, order_by=OLDEST_FIRST)


async def update_comment(session: AsyncSession, comment_id: uuid.UUID, data: CommentUpdate,
                         who: Principal) -> CommentRow:
    """Resolve or reopen a comment (anyone reviewing), or edit its text (its author only)."""
    row = await get_one(session, CommentRow, comment_id)
    if data.body is not None and data.body != row.body:
        if row.author_key != who.key_id:
            raise PermissionDeniedException("only its author can edit a comment")
        row.body, row.edited = data.body, True
    if data.resolved is not None and data.resolved != row.resolved:
        row.resolved, row.resolved_by = data.resolved, who.name if data.resolved else None
    await session.flush()
    return row


async def axis_comments(session: AsyncSession, axis_id: uuid.UUID) -> Sequence[CommentRow]:
    """Every comment of an axis, oldest first (what the axis page shows and polls)."""
    return await repository(session, CommentRow).get_many(CommentRow.axis_id == axis_id, order_by=OLDEST_FIRST)


def open_threads(rows: Sequence[CommentRow]) -> int:
    """Threads still open: first comments not resolved (replies belong to their thread)."""
    return sum(1 for m in rows if m.reply_to is None and not m.resolved)


async def unresolved_by_axis(session: AsyncSession, workshop_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """:func:`open_threads` per axis of a workshop, counted by the database."""
    found = await session.execute(
        select(CommentRow.axis_id, func.count()).where(
            CommentRow.workshop_id == workshop_id, CommentRow.reply_to.is_(None), CommentRow.resolved.is_(False))
        .group_by(CommentRow.axis_id))
    return {axis_id: int(n) for axis_id, n in found.all()}


def thread_key(row: CommentRow) -> str:
    """Where a comment shows on the axis page: ``target:target_id:anchor``."""
    return f"{row.target}:{row.target_id}:{row.anchor or ''}"


async def axis_threads(session: AsyncSession, axis_id: uuid.UUID, cluster_ids: Sequence[uuid.UUID],
                       pitch_id: uuid.UUID | None) -> tuple[dict[str, list[CommentRow]], list[CommentRow]]:
    """The axis's comments by thread, and those on clusters that a later synthesis replaced."""
    live = {*cluster_ids, pitch_id}
    threads: dict[str, list[CommentRow]] = {}
    former: list[CommentRow] = []
    for row in await axis_comments(session, axis_id):
        if row.target_id in live:
            threads.setdefault(thread_key(row), []).append(row)
        else:
            former.append(row)
    return threads, former

"""Per-participant votes: stored in bulk, read back as opinion groups per axis (``models.consensus``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import anyio
import numpy as np
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.consensus import OpinionGroups, group_counts
from models.types import PostIt
from service.db.models import PostItRow, VoteRow, Workshop
from service.db.repositories import postits_of
from service.db.upsert import upsert
from service.errors import bad_request, too_large
from service.workshops.schemas import VoteIn

CHUNK = 5000  # rows per INSERT: under SQLite's bound-parameter limit, few round trips


async def replace_votes(session: AsyncSession, workshop_id: uuid.UUID, postit_ids: Sequence[uuid.UUID],
                        votes: Sequence[tuple[uuid.UUID, str, int]]) -> int:
    """The votes on ``postit_ids`` become ``votes`` ``(post-it id, voter, value)``; the number stored.

    Replacing rather than merging keeps a re-import idempotent: the export is the whole truth.
    """
    for start in range(0, len(postit_ids), CHUNK):
        await session.execute(delete(VoteRow).where(VoteRow.postit_id.in_(postit_ids[start:start + CHUNK])))
    return await _insert(session, workshop_id, [(p, v[:200], value) for p, v, value in votes])


async def _insert(session: AsyncSession, workshop_id: uuid.UUID,
                  votes: Sequence[tuple[uuid.UUID, str, int]]) -> int:
    """Insert ``(post-it id, voter, value)`` rows in chunks; how many."""
    rows = [{"id": uuid.uuid4(), "workshop_id": workshop_id, "postit_id": p, "voter": v, "value": value}
            for p, v, value in votes]
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(VoteRow), rows[start:start + CHUNK])
    return len(rows)


async def record_votes(session: AsyncSession, workshop_id: uuid.UUID, votes: Sequence[VoteIn],
                       limit: int) -> int:
    """Store per-participant votes (one transaction, the caller commits); a 400 names the bad item.

    A voter's vote on a post-it is one row: an upsert, as the room's votes are, so two requests
    racing on the same pair cannot collide on the unique constraint (the later one wins).
    """
    if len(votes) > limit:
        raise too_large(f"{len(votes)} votes in one request; the limit is {limit}", "votes")
    rows = (await session.execute(select(PostItRow.id, PostItRow.external_id).where(
        PostItRow.workshop_id == workshop_id))).all()
    by_id = {r.id for r in rows}
    by_external = {r.external_id: r.id for r in rows if r.external_id}
    found: dict[tuple[uuid.UUID, str], int] = {}
    for i, v in enumerate(votes):
        postit = v.postit_id if v.postit_id in by_id else by_external.get(v.external_id or "")
        if postit is None:
            field = f"votes[{i}].{'postit_id' if v.postit_id else 'external_id'}"
            raise bad_request(f"{field}: no such post-it in this workshop", field)
        found[(postit, v.voter)] = v.vote
    now = datetime.now(UTC)
    await upsert(session, VoteRow, [
        {"id": uuid.uuid4(), "workshop_id": workshop_id, "postit_id": p, "voter": voter, "value": value,
         "created_at": now, "updated_at": now} for (p, voter), value in found.items()],
        keys=("postit_id", "voter"), update=("value",))
    return len(found)


async def pipeline_postits(session: AsyncSession, workshop: Workshop) -> list[PostIt]:
    """A workshop's post-its as the pipeline takes them, with their agree/disagree votes and opinion groups.

    The platform's own counts win; per-participant votes fill in where it sent none. Syntheses and
    regenerations both start here, so a regenerated pitch sees the same stances.
    """
    names = {a.id: a.name for a in workshop.axes}
    totals, groups = await _vote_summary(session, workshop.id)
    out = []
    for r in await postits_of(session, workshop.id):
        agrees, disagrees = (r.agrees, r.disagrees) if r.agrees is not None else totals.get(str(r.id), (None, None))
        out.append(PostIt(str(r.id), r.text, names.get(r.axis_id) if r.axis_id else None, r.votes, r.author,
                          agrees, disagrees, groups.get(str(r.id), ())))
    return out


async def _vote_summary(session: AsyncSession, workshop_id: uuid.UUID) -> tuple[
        dict[str, tuple[int, int]], dict[str, tuple[tuple[int, int], ...]]]:
    """From one read of the workshop's votes: ``(agrees, disagrees)`` per post-it, and per opinion group.

    Polis finds groups per conversation, and a conversation is an axis here. The fit runs in a
    worker thread: it is CPU work (PCA and k-means on participants × post-its).
    """
    found = (await session.execute(
        select(VoteRow.postit_id, VoteRow.voter, VoteRow.value, PostItRow.axis_id)
        .join(PostItRow, PostItRow.id == VoteRow.postit_id).where(VoteRow.workshop_id == workshop_id))).all()
    totals: dict[str, tuple[int, int]] = {}
    by_axis: dict[uuid.UUID | None, list[tuple[str, str, int]]] = {}
    for postit_id, voter, value, axis_id in found:
        agrees, disagrees = totals.get(str(postit_id), (0, 0))
        totals[str(postit_id)] = (agrees + (value == 1), disagrees + (value == -1))
        by_axis.setdefault(axis_id, []).append((str(postit_id), voter, value))
    groups: dict[str, tuple[tuple[int, int], ...]] = {}
    for votes in by_axis.values():
        groups.update(await anyio.to_thread.run_sync(_groups, votes))
    return totals, groups


def _groups(votes: list[tuple[str, str, int]]) -> dict[str, tuple[tuple[int, int], ...]]:
    postits = sorted({p for p, _, _ in votes})
    voters = sorted({v for _, v, _ in votes})
    column = {p: i for i, p in enumerate(postits)}
    row = {v: i for i, v in enumerate(voters)}
    matrix = np.full((len(voters), len(postits)), np.nan)
    for p, v, value in votes:
        matrix[row[v], column[p]] = value
    groups = OpinionGroups().fit(matrix)
    if groups.n_groups_ < 2:
        return {}
    counts = group_counts(matrix, groups.labels_, groups.n_groups_)
    return {p: tuple(counts[i]) for i, p in enumerate(postits)}

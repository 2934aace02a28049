"""Post-its embedded as they arrive: per-post-it state and vector in the database, a task per push.

States: ``pending`` (stored, not yet embedded), ``running`` (claimed by an embed task),
``done`` (vector stored), ``failed`` (the synthesis that needs it encodes it itself).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Sequence

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import PostItRow
from service.db.repositories import id_batches, repository
from service.db.states import UNFINISHED_EMBEDDINGS, EmbeddingState, TaskName
from service.jobs import services as jobs
from service.jobs.queue import Context, JobQueue

log = logging.getLogger(__name__)
#: Post-its encoded per step: a worker that dies loses at most one step.
STEP = 256


def embed_key(postit_ids: Sequence[str]) -> str:
    """One queue key per set of post-its, so a repeated request for the same set is not queued twice."""
    digest = hashlib.sha256(",".join(sorted(postit_ids)).encode()).hexdigest()[:32]
    return f"embed:{digest}"


async def queue_embedding(queue: JobQueue, postit_ids: Sequence[str]) -> None:
    """Queue the embedding of these post-its (in steps of :data:`STEP`, one job each)."""
    ids = list(postit_ids)
    for start in range(0, len(ids), STEP):
        chunk = ids[start:start + STEP]
        await queue.enqueue(TaskName.EMBED, embed_key(chunk), postit_ids=chunk)


async def unfinished(session: AsyncSession, workshop_id: uuid.UUID) -> int:
    """Post-its of a workshop still pending or being embedded."""
    return await repository(session, PostItRow).count(
        PostItRow.workshop_id == workshop_id, PostItRow.embedding_state.in_(UNFINISHED_EMBEDDINGS))


async def pending_ids(session: AsyncSession, workshop_id: uuid.UUID | None = None) -> list[str]:
    """Post-its waiting for an embed task (of one workshop, or all)."""
    query = select(PostItRow.id).where(PostItRow.embedding_state == EmbeddingState.PENDING)
    if workshop_id is not None:
        query = query.where(PostItRow.workshop_id == workshop_id)
    return [str(i) for i in (await session.scalars(query.order_by(PostItRow.created_at, PostItRow.id))).all()]


async def release_waiting(ctx: Context, workshop_id: uuid.UUID) -> None:
    """Queue the workshop's syntheses that wait for embeddings, once none is left to embed.

    Called by the request (after its commit) and by every embed task (after its commit): whichever
    runs last sees the other's write, and only one caller wins each job's conditional update.
    """
    released = []
    async with ctx["sessions"]() as session, session.begin():
        if await unfinished(session, workshop_id):
            return
        for job_id in await jobs.waiting_syntheses(session, workshop_id):
            if await jobs.release(session, job_id):
                released.append(job_id)
    for job_id in released:
        await ctx["queue"].enqueue(TaskName.SYNTHESIS, str(job_id), job_id=str(job_id))


async def _claim(session: AsyncSession, ids: list[uuid.UUID], retry: bool) -> list[PostItRow]:
    """Mark these post-its ``running`` for this task; a retry also takes back those its dead
    attempt had claimed. Rows another task holds are skipped (``SKIP LOCKED`` on PostgreSQL)."""
    states = UNFINISHED_EMBEDDINGS if retry else (EmbeddingState.PENDING,)
    rows = list((await session.scalars(select(PostItRow).where(
        PostItRow.id.in_(ids), PostItRow.embedding_state.in_(states)).with_for_update(skip_locked=True))).all())
    for row in rows:
        row.embedding_state = EmbeddingState.RUNNING
    return rows


async def embed(ctx: Context, *, postit_ids: list[str]) -> None:
    """Task: embed these post-its with the default embedder and store their vectors."""
    sessions, hub = ctx["sessions"], ctx["hub"]
    saq_job = ctx.get("job")
    async with sessions() as session, session.begin():
        rows = await _claim(session, [uuid.UUID(i) for i in postit_ids], bool(saq_job and saq_job.attempts > 1))
        todo = [(r.id, r.text) for r in rows]
        workshops = set((await session.scalars(select(PostItRow.workshop_id).distinct().where(
            PostItRow.id.in_([uuid.UUID(i) for i in postit_ids])))).all())
    try:
        embedder = hub.embedder(None)
        vectors = await hub.run(embedder.encode, [t for _, t in todo], "clustering", lane="embed") \
            if todo else np.zeros((0, 0))
        async with sessions() as session, session.begin():
            for (pid, text), vector in zip(todo, vectors, strict=True):
                # An edit meanwhile made the row pending again with a new text: that vector is stale.
                await session.execute(update(PostItRow).where(
                    PostItRow.id == pid, PostItRow.text == text,
                    PostItRow.embedding_state == EmbeddingState.RUNNING).values(
                    embedding_state=EmbeddingState.DONE, embedding_model=embedder.model_id,
                    embedding=np.asarray(vector, dtype=np.float32).tobytes()))
        log.info("embedded %d post-its", len(todo))
    except Exception:
        log.exception("embedding %d post-its failed; their synthesis will encode them", len(todo))
        async with sessions() as session, session.begin():
            await session.execute(update(PostItRow).where(
                PostItRow.id.in_([pid for pid, _ in todo]), PostItRow.embedding_state == EmbeddingState.RUNNING)
                .values(embedding_state=EmbeddingState.FAILED))
    for workshop_id in workshops:
        await release_waiting(ctx, workshop_id)


async def vectors_of(session: AsyncSession, ids: Sequence[str]) -> dict[str, np.ndarray]:
    """Stored clustering vectors of these post-its by id (the map's: read 500 at a time)."""
    vectors: dict[str, np.ndarray] = {}
    for batch in id_batches(ids):
        found = await session.execute(select(PostItRow.id, PostItRow.embedding).where(
            PostItRow.id.in_(batch), PostItRow.embedding_state == EmbeddingState.DONE))
        vectors |= {str(i): np.frombuffer(blob, dtype=np.float32) for i, blob in found.all() if blob}
    return vectors


async def stored_vectors(session: AsyncSession, workshop_id: uuid.UUID, model_id: str) -> dict[str, np.ndarray]:
    """Stored clustering vectors of a workshop's post-its by text (``model_id``'s only)."""
    rows = await session.execute(select(PostItRow.text, PostItRow.embedding).where(
        PostItRow.workshop_id == workshop_id, PostItRow.embedding_state == EmbeddingState.DONE,
        PostItRow.embedding_model == model_id))
    return {text: np.frombuffer(blob, dtype=np.float32) for text, blob in rows.all() if blob}

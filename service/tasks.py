"""The tasks by name, and the in-process mode's recovery at start: wiring above the domains.

The jobs domain runs tasks without knowing them; the domains that own the tasks import the
jobs domain, so the map from names to tasks lives here, above both (layers in ``.importlinter``).
"""

from __future__ import annotations

from sqlalchemy import select, update

from service.db.models import Job, PostItRow
from service.db.states import EmbeddingState, JobState, TaskName
from service.jobs import services as jobs
from service.jobs.queue import Context, Task
from service.review.jobs import regenerate
from service.syntheses.tasks import synthesis
from service.workshops.embedding import embed, pending_ids, queue_embedding, release_waiting


def tasks() -> dict[str, Task]:
    """Every task a queue may run, by the name jobs are enqueued with."""
    return {TaskName.EMBED: embed, TaskName.SYNTHESIS: synthesis, TaskName.REGENERATE: regenerate}


async def recover_local(ctx: Context) -> None:
    """At the start of the in-process mode (one process per database): embed what a stopped
    process left pending, release the syntheses waiting for it; stale jobs are swept by
    :func:`sweep_local`."""
    async with ctx["sessions"]() as session, session.begin():
        await session.execute(update(PostItRow).where(PostItRow.embedding_state == EmbeddingState.RUNNING)
                              .values(embedding_state=EmbeddingState.PENDING))
        pending = await pending_ids(session)
        waiting = set((await session.scalars(select(Job.workshop_id).where(
            Job.state == JobState.QUEUED, Job.stage == jobs.WAITING))).all())
    await queue_embedding(ctx["queue"], pending)
    for workshop_id in waiting - {None}:
        await release_waiting(ctx, workshop_id)

"""The tasks by name, and the in-process mode's recovery of work a dead process left behind."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import select, update

from service.db.models import Job, PostItRow
from service.jobs import services as jobs
from service.jobs.queue import Context, Task

log = logging.getLogger(__name__)


def tasks() -> dict[str, Task]:
    """Every task a queue may run, by the name jobs are enqueued with (imported late: the domains
    that own the tasks import the jobs domain)."""
    from service.review.jobs import regenerate
    from service.syntheses.tasks import synthesis
    from service.workshops.embedding import embed

    return {"embed": embed, "synthesis": synthesis, "regenerate": regenerate}


async def requeue_stale(ctx: Context) -> int:
    """Queue again the jobs whose process stopped beating (one process wins each); how many."""
    silent = timedelta(seconds=ctx["settings"].job_heartbeat_seconds)
    async with ctx["sessions"]() as session, session.begin():
        claimed = [j for j in await jobs.stale_jobs(session, silent)
                   if await jobs.claim_stale(session, j, ctx["worker_name"])]
    for job in claimed:
        log.warning("job %s (%s) was left by a stopped process; running it again", job.id, job.kind)
        await ctx["queue"].enqueue(job.kind, str(job.id), job_id=str(job.id))
    return len(claimed)


async def recover_local(ctx: Context) -> None:
    """At the start of the in-process mode (one process per database): embed what a stopped
    process left pending, release the syntheses waiting for it; stale jobs are swept by
    :func:`sweep_local`."""
    from service.workshops.embedding import pending_ids, queue_embedding, release_waiting

    async with ctx["sessions"]() as session, session.begin():
        await session.execute(update(PostItRow).where(PostItRow.embedding_state == "running")
                              .values(embedding_state="pending"))
        pending = await pending_ids(session)
        waiting = set((await session.scalars(select(Job.workshop_id).where(
            Job.state == "queued", Job.stage == jobs.WAITING))).all())
    await queue_embedding(ctx["queue"], pending)
    for workshop_id in waiting - {None}:
        await release_waiting(ctx, workshop_id)


async def sweep_local(ctx: Context) -> None:
    """Every ``job_sweep_seconds``, run again the jobs a stopped process left (SAQ does this itself)."""
    while True:
        try:
            await requeue_stale(ctx)
        except Exception:  # the next sweep tries again
            log.exception("sweeping stale jobs failed")
        await asyncio.sleep(ctx["settings"].job_sweep_seconds)

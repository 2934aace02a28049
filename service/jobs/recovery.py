"""Jobs a stopped process left behind: found by their silent heartbeat and queued again."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from service.jobs import services as jobs
from service.jobs.queue import Context

log = logging.getLogger(__name__)


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


async def sweep_local(ctx: Context) -> None:
    """Every ``job_sweep_seconds``, run again the jobs a stopped process left (SAQ does this itself)."""
    while True:
        try:
            await requeue_stale(ctx)
        except Exception:  # the next sweep tries again
            log.exception("sweeping stale jobs failed")
        await asyncio.sleep(ctx["settings"].job_sweep_seconds)

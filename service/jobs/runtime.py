"""How a task runs a job: one attempt, a heartbeat while it works, its failure recorded."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

from service.db.models import Job
from service.jobs import services
from service.jobs.queue import Context

log = logging.getLogger(__name__)


async def _heartbeat(ctx: Context, job_id: uuid.UUID, every: float) -> None:
    """Beat until cancelled: the job record (read by in-process recovery) and the SAQ job (read by
    every worker's sweep). Model work runs on a lane thread, so the loop is free to beat."""
    saq_job = ctx.get("job")
    while True:
        await asyncio.sleep(every)
        try:
            await services.beat(ctx["sessions"], job_id)
            if saq_job is not None:
                await saq_job.update()
        except Exception as err:  # a missed beat is retried at the next one
            log.warning("heartbeat of job %s failed: %s", job_id, err)


@contextlib.asynccontextmanager
async def attempt(ctx: Context, job_id: uuid.UUID) -> AsyncIterator[Job | None]:
    """Start an attempt of ``job_id`` (``None``: already finished, nothing to do) and beat while it runs.

    An exception inside marks the job failed with its public message and is not re-raised: errors
    are deterministic (a missing model, bad data), so retrying them only wastes a worker. The
    queue retries what a crash interrupts: a worker that dies stops beating, and its job is swept.
    """
    job = await services.start_attempt(ctx["sessions"], job_id, ctx["worker_name"])
    every = max(ctx["settings"].job_heartbeat_seconds / 3, 0.5)
    beating = asyncio.create_task(_heartbeat(ctx, job_id, every))
    try:
        yield job
    except Exception as err:
        log.exception("job %s failed", job_id)
        await services.fail(ctx["sessions"], job_id, err)
    finally:
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating


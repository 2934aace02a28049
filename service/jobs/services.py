"""Job records: create, read, start an attempt, heartbeat, progress, finish, find the stale ones.

The queue (SAQ, or the in-process one) moves work between processes; this table is what clients
read: state, progress, attempts and the worker of the latest attempt.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.exceptions import TooManyRequestsException
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.db.models import Job
from service.db.repositories import get_one, repository
from service.db.states import ACTIVE_JOBS, JobStage, JobState, TaskName
from service.jobs.schemas import JobOut
from service.settings import Settings

Sessions = async_sessionmaker[AsyncSession]
#: States of a job that still has work to do.
#: Stage of a synthesis queued until its workshop's post-its are embedded.
WAITING = JobStage.WAITING


def create_job(session: AsyncSession, kind: str, workshop_id: uuid.UUID | None, payload: dict[str, Any],
               stage: str = JobStage.QUEUED, requested_by: uuid.UUID | None = None) -> Job:
    """A queued job record (flushed with the caller's transaction). ``kind`` names its task."""
    job = Job(id=uuid.uuid4(), kind=kind, state=JobState.QUEUED, stage=stage, workshop_id=workshop_id, payload=payload,
              requested_by=requested_by)
    session.add(job)
    return job


async def active_count(session: AsyncSession, requested_by: uuid.UUID | None = None) -> int:
    """Jobs queued or running across the service, or asked for by one key."""
    mine = [Job.requested_by == requested_by] if requested_by is not None else []
    return await repository(session, Job).count(Job.state.in_(ACTIVE_JOBS), *mine)


async def admit(session: AsyncSession, settings: Settings, requested_by: uuid.UUID | None) -> None:
    """429 (``Retry-After``) when a new job would pass ``max_active_jobs`` in all or ``max_jobs_per_key``.

    Every kind of job goes through here (syntheses and regenerations alike), so one tool key cannot
    take every slot and a regeneration cannot slip past the cap.
    """
    active = await active_count(session)
    if active >= settings.max_active_jobs:
        raise TooManyRequestsException(f"{active} jobs are already queued or running; try again later",
                                       headers={"Retry-After": "60"})
    if requested_by is not None and (mine := await active_count(session, requested_by)) >= settings.max_jobs_per_key:
        raise TooManyRequestsException(f"this key already has {mine} jobs queued or running (ATELIER_MAX_JOBS_PER_KEY);"
                                       " try again when one finishes", headers={"Retry-After": "60"})


async def get_job(session: AsyncSession, job_id: uuid.UUID) -> JobOut:
    """A job's state and progress, or a 404."""
    job = await get_one(session, Job, job_id)
    return JobOut(id=job.id, kind=job.kind, state=job.state, progress=round(job.progress, 4), stage=job.stage,
                  error=job.error, created_at=job.created_at, updated_at=job.updated_at,
                  attempts=job.attempts, worker=job.worker, axes_done=(job.payload or {}).get("axes_done"),
                  axes_total=(job.payload or {}).get("axes_total"))


async def set_job(sessions: Sessions, job_id: uuid.UUID, **values: Any) -> None:
    """Update a job record in its own transaction."""
    async with sessions() as session, session.begin():
        await session.execute(update(Job).where(Job.id == job_id).values(**values))


async def start_attempt(sessions: Sessions, job_id: uuid.UUID, worker: str) -> Job | None:
    """Record a new attempt by ``worker``; ``None`` when the job is already finished (a retry of a
    job whose result was stored before its worker died does nothing: steps are idempotent)."""
    async with sessions() as session, session.begin():
        job = await session.get(Job, job_id)
        if job is None or job.state not in ACTIVE_JOBS:
            return None
        job.attempts += 1
        job.worker, job.state, job.heartbeat_at = worker, JobState.RUNNING, datetime.now(UTC)
        return job


async def beat(sessions: Sessions, job_id: uuid.UUID) -> None:
    """The running attempt is alive (read by recovery in the in-process mode)."""
    await set_job(sessions, job_id, heartbeat_at=datetime.now(UTC))


async def set_progress(sessions: Sessions, job_id: uuid.UUID, stage: str, progress: float) -> None:
    """Record progress; updates race, so progress only moves forward."""
    async with sessions() as session, session.begin():
        await session.execute(update(Job)
                              .where(Job.id == job_id, Job.state == JobState.RUNNING, Job.progress <= progress)
                              .values(stage=stage, progress=progress))


async def succeed(session: AsyncSession, job_id: uuid.UUID) -> None:
    """Mark the job done, inside the transaction that stores its result (so a retry finds it finished)."""
    await session.execute(update(Job).where(Job.id == job_id).values(state=JobState.SUCCEEDED, stage=JobStage.DONE,
                                                                     progress=1.0))


async def fail(sessions: Sessions, job_id: uuid.UUID, err: Exception) -> None:
    """Mark a job failed with the part of the error a client may read."""
    await set_job(sessions, job_id, state=JobState.FAILED, stage=JobStage.FAILED, error=public_error(err, job_id))


async def stale_jobs(session: AsyncSession, silent_for: timedelta) -> list[Job]:
    """Active jobs whose attempt has not beaten for ``silent_for`` (or never started): their
    process is gone. Only the in-process queue asks; SAQ sweeps its own."""
    limit = datetime.now(UTC) - silent_for
    return await repository(session, Job).get_many(
        Job.state.in_(ACTIVE_JOBS), Job.stage != WAITING,
        (Job.heartbeat_at < limit) | (Job.heartbeat_at.is_(None) & (Job.updated_at < limit)))


async def claim_stale(session: AsyncSession, job: Job, worker: str) -> bool:
    """Take a stale job for ``worker``; only one process wins (conditional update on the old beat)."""
    result = await session.execute(update(Job).where(
        Job.id == job.id, Job.state.in_(ACTIVE_JOBS),
        Job.heartbeat_at.is_(None) if job.heartbeat_at is None else Job.heartbeat_at == job.heartbeat_at,
    ).values(worker=worker, heartbeat_at=datetime.now(UTC)))
    return bool(getattr(result, "rowcount", 0))


async def waiting_syntheses(session: AsyncSession, workshop_id: uuid.UUID) -> list[uuid.UUID]:
    """Synthesis jobs of a workshop queued until its post-its are embedded."""
    rows = await session.scalars(select(Job.id).where(
        Job.workshop_id == workshop_id, Job.kind == TaskName.SYNTHESIS, Job.state == JobState.QUEUED,
        Job.stage == WAITING))
    return list(rows.all())


async def release(session: AsyncSession, job_id: uuid.UUID) -> bool:
    """Move a waiting synthesis to ``queued``; ``False`` when another process already did."""
    result = await session.execute(update(Job)
                                   .where(Job.id == job_id, Job.state == JobState.QUEUED, Job.stage == WAITING)
                                   .values(stage=JobStage.QUEUED))
    return bool(getattr(result, "rowcount", 0))


def public_error(err: Exception, job_id: uuid.UUID) -> str:
    """What a client may read of a failure: the message of the errors meant for operators (a model
    that cannot be loaded or reached), else only a reference to the server log (no paths, no SQL)."""
    from models.generation import GeneratorUnavailableError
    from models.store import ModelNotAvailableError

    if isinstance(err, GeneratorUnavailableError | ModelNotAvailableError):
        return str(err)[:500]
    return f"internal error while running the job; the service log has the details (job {job_id})"

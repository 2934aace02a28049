"""Synthesis jobs: queued in the request, run off the event loop, recovered at restart."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from litestar.exceptions import TooManyRequestsException
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from models.pipeline import Pipeline, PipelineConfig
from models.types import Axis, PostIt
from service.db.models import ClusterRow, Job, PostItRow, SynthesisRow, Workshop
from service.errors import bad_request, not_found
from service.ml import ModelHub
from service.review.services import apply_synthesis, axis_decisions
from service.settings import Settings
from service.syntheses.schemas import JobOut, SynthesisCreate, SynthesisOut
from service.workshops.erasure import scrub
from service.workshops.services import get_workshop

log = logging.getLogger(__name__)
_TASKS: set[asyncio.Task[None]] = set()


ACTIVE = ("queued", "running")


async def create_synthesis(session: AsyncSession, workshop_id: uuid.UUID, data: SynthesisCreate,
                           settings: Settings) -> tuple[SynthesisRow, bool]:
    """Store a synthesis request and its queued job; ``(row, False)`` when one is already active.

    One synthesis per workshop at a time (a second request gets the running one), and at most
    ``settings.max_active_jobs`` across the service (429 with ``Retry-After`` beyond).
    """
    workshop = await get_workshop(session, workshop_id)
    names = {a.name for a in workshop.axes}
    for i, name in enumerate(data.axes or []):
        if name not in names:
            raise bad_request(f"axes[{i}]: unknown axis {name!r}", f"axes[{i}]")
    for field in ("embedder", "generator"):
        value = getattr(data, field)
        if value and not settings.model_allowed(value):
            raise bad_request(f"{field}: {value!r} is not an allowed model (packaged models, this service's "
                              "own, or ATELIER_ALLOWED_MODELS)", field)
    running = (await session.scalars(
        select(SynthesisRow).join(Job, Job.id == SynthesisRow.job_id)
        .where(SynthesisRow.workshop_id == workshop_id, Job.state.in_(ACTIVE)))).first()
    if running is not None:
        return running, False
    active = await session.scalar(select(func.count()).select_from(Job).where(Job.state.in_(ACTIVE)))
    if (active or 0) >= settings.max_active_jobs:
        raise TooManyRequestsException(
            f"{active} jobs are already queued or running; try again later", headers={"Retry-After": "60"})
    job = Job(kind="synthesis", state="queued", stage="queued", workshop_id=workshop_id)
    session.add(job)
    await session.flush()
    request = {"drafter": data.drafter, "embedder": data.embedder, "generator": data.generator, "axes": data.axes}
    row = SynthesisRow(workshop_id=workshop_id, job_id=job.id, request=request)
    session.add(row)
    await session.flush()
    return row, True


async def retry_on_race(sessions: async_sessionmaker[AsyncSession],
                        work: Callable[[AsyncSession], Awaitable[None]], attempts: int = 3) -> None:
    """Run ``work`` in a transaction, again if a reviewer changed a row it updates meanwhile.

    The second run reads the reviewer's change: a pitch edited in between gets the draft as a
    proposal beside it, never over it.
    """
    for attempt in range(attempts):
        try:
            async with sessions() as session, session.begin():
                await work(session)
            return
        except StaleDataError:
            if attempt == attempts - 1:
                raise


def public_error(err: Exception, job_id: uuid.UUID) -> str:
    """What a client may read of a failure: the message of the errors meant for operators (a model
    that cannot be loaded or reached), else only a reference to the server log (no paths, no SQL)."""
    from models.generation import GeneratorUnavailableError
    from models.store import ModelNotAvailableError

    if isinstance(err, GeneratorUnavailableError | ModelNotAvailableError):
        return str(err)[:500]
    return f"internal error while running the job; the service log has the details (job {job_id})"


def spawn(job: Coroutine[Any, Any, None]) -> None:
    """Run a job coroutine in the background (the task is kept referenced until done)."""
    task = asyncio.create_task(job)
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)


def start_job(sessions: async_sessionmaker[AsyncSession], hub: ModelHub, synthesis_id: uuid.UUID,
              job_id: uuid.UUID) -> None:
    """Run a synthesis job in the background."""
    spawn(run_synthesis_job(sessions, hub, synthesis_id, job_id))


async def set_job(sessions: async_sessionmaker[AsyncSession], job_id: uuid.UUID, **values: Any) -> None:
    async with sessions() as session, session.begin():
        await session.execute(update(Job).where(Job.id == job_id).values(**values))


async def set_progress(sessions: async_sessionmaker[AsyncSession], job_id: uuid.UUID, stage: str,
                       progress: float) -> None:
    """Record progress from the model thread; updates race, so progress only moves forward."""
    async with sessions() as session, session.begin():
        await session.execute(update(Job).where(Job.id == job_id, Job.state == "running", Job.progress <= progress)
                              .values(stage=stage, progress=progress))


async def run_synthesis_job(sessions: async_sessionmaker[AsyncSession], hub: ModelHub,
                            synthesis_id: uuid.UUID, job_id: uuid.UUID) -> None:
    """Load the workshop, wait for background embeddings, run the pipeline on the model thread, store."""
    try:
        async with sessions() as session:
            synthesis = await session.get(SynthesisRow, synthesis_id)
            if synthesis is None:
                raise LookupError(f"synthesis {synthesis_id} vanished")
            request = dict(synthesis.request)
            workshop = await get_workshop(session, synthesis.workshop_id)
            postits, axes = await _inputs(session, workshop, request.get("axes"))
            names = {a.id: a.name for a in workshop.axes}
            decisions = {names[k]: d for k, d in (await axis_decisions(session, workshop.id)).items() if k in names}
        deadline = asyncio.get_running_loop().time() + hub.settings.embedding_wait_seconds
        while hub.pending_embeddings > 0 and asyncio.get_running_loop().time() < deadline:
            await set_job(sessions, job_id, state="running",
                           stage=f"waiting for embeddings ({hub.pending_embeddings} post-its left)")
            await asyncio.sleep(0.2)
        await set_job(sessions, job_id, state="running", stage="starting", progress=0.0)
        loop = asyncio.get_running_loop()

        def progress(stage: str, fraction: float) -> None:
            order = ["embedding", "clustering", "drafting", "scoring"]
            overall = (order.index(stage) + fraction) / len(order)
            asyncio.run_coroutine_threadsafe(set_progress(sessions, job_id, stage, overall), loop)

        def work() -> dict[str, Any]:
            pipeline = Pipeline(hub.embedder(request.get("embedder")),
                                hub.drafter(request.get("drafter"), request.get("generator")),
                                PipelineConfig(language=workshop.language))
            return pipeline.run(postits, axes, progress, decisions).to_dict()

        result = await hub.run(work)

        async def store(session: AsyncSession) -> None:
            kept = await _without_deleted(session, workshop.id, postits, result)
            await session.execute(update(SynthesisRow).where(SynthesisRow.id == synthesis_id).values(result=kept))
            await apply_synthesis(session, workshop.id, synthesis_id, kept)
            await session.execute(update(Job).where(Job.id == job_id).values(
                state="succeeded", stage="done", progress=1.0))

        await retry_on_race(sessions, store)
    except Exception as err:  # a failed job must say why, never stay "running"
        log.exception("synthesis job %s failed", job_id)
        await set_job(sessions, job_id, state="failed", stage="failed", error=public_error(err, job_id))


async def _without_deleted(session: AsyncSession, workshop_id: uuid.UUID, postits: Sequence[PostIt],
                           result: dict[str, Any]) -> dict[str, Any]:
    """The result without post-its deleted while the job ran (a late job never puts them back)."""
    existing = {str(i) for i in (await session.scalars(
        select(PostItRow.id).where(PostItRow.workshop_id == workshop_id))).all()}
    gone = [p for p in postits if p.id not in existing]
    if not gone:
        return result
    return dict(scrub(result, {p.id for p in gone}, [p.text for p in gone]))


async def _inputs(session: AsyncSession, workshop: Workshop,
                  only: Sequence[str] | None) -> tuple[list[PostIt], list[Axis]]:
    names = {a.id: a.name for a in workshop.axes}
    rows = (await session.scalars(select(PostItRow).where(PostItRow.workshop_id == workshop.id))).all()
    axes = [Axis(a.name, a.description) for a in workshop.axes]
    postits = [PostIt(str(r.id), r.text, names.get(r.axis_id) if r.axis_id else None, r.votes, r.author)
               for r in rows]
    if only:
        axes = [a for a in axes if a.name in only]
        postits = [p for p in postits if p.axis in only]
    return postits, axes


async def recover_jobs(session: AsyncSession) -> int:
    """Mark jobs left queued or running by a previous process as failed."""
    result = await session.execute(update(Job).where(Job.state.in_(["queued", "running"])).values(
        state="failed", stage="failed", error="the service stopped before the job finished; request it again"))
    return int(getattr(result, "rowcount", 0) or 0)


async def get_job(session: AsyncSession, job_id: uuid.UUID) -> JobOut:
    """A job's state and progress."""
    job = await session.get(Job, job_id)
    if job is None:
        raise not_found("job", job_id)
    return JobOut(id=job.id, kind=job.kind, state=job.state, progress=round(job.progress, 4), stage=job.stage,
                  error=job.error, created_at=job.created_at, updated_at=job.updated_at)


def synthesis_out(row: SynthesisRow, state: str) -> SynthesisOut:
    """Response body: the result's axes and provenance plus ids."""
    result = row.result or {"axes": [], "provenance": {}}
    return SynthesisOut(id=row.id, workshop_id=row.workshop_id, job_id=row.job_id, state=state,
                        created_at=row.created_at, request=row.request, axes=result["axes"],
                        provenance=result["provenance"])


async def get_synthesis(session: AsyncSession, synthesis_id: uuid.UUID) -> SynthesisOut:
    """One synthesis."""
    row = await session.get(SynthesisRow, synthesis_id)
    if row is None:
        raise not_found("synthesis", synthesis_id)
    job = await session.get(Job, row.job_id)
    return synthesis_out(row, job.state if job else "failed")


async def list_syntheses(session: AsyncSession, workshop_id: uuid.UUID) -> list[SynthesisOut]:
    """Syntheses of a workshop, newest first."""
    await get_workshop(session, workshop_id)
    rows = await session.execute(
        select(SynthesisRow, Job.state).join(Job, Job.id == SynthesisRow.job_id)
        .where(SynthesisRow.workshop_id == workshop_id)
        .order_by(SynthesisRow.created_at.desc(), SynthesisRow.id.desc()))
    return [synthesis_out(row, state) for row, state in rows.all()]


async def cluster_members(session: AsyncSession, workshop_id: uuid.UUID, cluster_id: str) -> set[str]:
    """Post-it ids of a cluster as reviewed now (``ClusterRow``: the one source of membership).

    ``cluster_id`` is the cluster's key (``se-deplacer-2``), its UUID, or ``<axis name>:singular``.
    """
    clusters = (await session.scalars(select(ClusterRow).where(ClusterRow.workshop_id == workshop_id))).all()
    axis_name, _, singular = cluster_id.rpartition(":")
    axis_ids = {a.id for a in (await get_workshop(session, workshop_id)).axes if a.name == axis_name}
    for c in clusters:
        if c.key == cluster_id or str(c.id) == cluster_id or (singular == "singular" and c.singular
                                                              and c.axis_id in axis_ids):
            return set(c.postit_ids)
    raise bad_request(f"cluster: unknown cluster {cluster_id!r} in this workshop", "cluster")

"""Synthesis requests and results; the job itself runs in :mod:`service.syntheses.tasks`."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from litestar.exceptions import ServiceUnavailableException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.types import Axis, PostIt
from service.db.mapping import to_schema
from service.db.models import Job, PostItRow, SynthesisRow, Workshop
from service.db.repositories import get_one
from service.db.states import ACTIVE_JOBS, JobStage, TaskName
from service.errors import bad_request
from service.jobs import services as jobs
from service.jobs.queue import Context
from service.settings import Settings
from service.syntheses.schemas import SynthesisCreate, SynthesisOut
from service.workshops.embedding import pending_ids, queue_embedding, release_waiting, unfinished
from service.workshops.erasure import scrub, trace_of
from service.workshops.services import get_workshop
from service.workshops.votes import pipeline_postits

log = logging.getLogger(__name__)

class AxisState(StrEnum):
    """An axis of a synthesis while its job runs: listed, being drafted, or finished (and reviewable)."""

    PENDING = "pending"
    DRAFTING = "drafting"
    DONE = "done"


async def create_synthesis(session: AsyncSession, workshop_id: uuid.UUID, data: SynthesisCreate,
                           settings: Settings, requested_by: uuid.UUID | None = None) -> tuple[SynthesisRow, bool]:
    """Store a synthesis request and its queued job; ``(row, False)`` when one is already active.

    One synthesis per workshop at a time (a second request gets the running one), and at most
    ``settings.max_active_jobs`` across the service and ``max_jobs_per_key`` for ``requested_by``
    (429 with ``Retry-After`` beyond, :func:`service.jobs.services.admit`).
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
        .where(SynthesisRow.workshop_id == workshop_id, Job.state.in_(ACTIVE_JOBS)))).first()
    if running is not None:
        return running, False
    await jobs.admit(session, settings, requested_by)
    row = SynthesisRow(id=uuid.uuid4(), workshop_id=workshop_id, request={
        "drafter": data.drafter, "embedder": data.embedder, "generator": data.generator, "axes": data.axes})
    # Queued until the workshop's own post-its are embedded (never behind other workshops').
    waiting = await unfinished(session, workshop_id) > 0
    job = jobs.create_job(session, TaskName.SYNTHESIS, workshop_id, {"synthesis_id": str(row.id)},
                          jobs.WAITING if waiting else JobStage.QUEUED, requested_by)
    await session.flush()
    row.job_id = job.id
    session.add(row)
    await session.flush()
    return row, True


async def request_synthesis(session: AsyncSession, ctx: Context, workshop_id: uuid.UUID, data: SynthesisCreate,
                            settings: Settings, requested_by: uuid.UUID | None = None) -> tuple[SynthesisRow, bool]:
    """Store the request (:func:`create_synthesis`), commit, then :func:`dispatch` a new one."""
    row, created = await create_synthesis(session, workshop_id, data, settings, requested_by)
    await session.commit()
    if created:
        await dispatch(ctx, row)
    return row, created


async def dispatch(ctx: Context, row: SynthesisRow) -> None:
    """After the request's commit: queue what its workshop still needs embedded, and the synthesis
    itself now if nothing is left, else when the workshop's last embed task finishes.

    A queue that cannot be reached fails the job (503) rather than leaving it queued for ever.
    """
    try:
        async with ctx["sessions"]() as session:
            pending = await pending_ids(session, row.workshop_id)
            job = await session.get(Job, row.job_id)
            ready = job is not None and job.stage == JobStage.QUEUED
        await queue_embedding(ctx["queue"], pending)
        if ready:
            await ctx["queue"].enqueue(TaskName.SYNTHESIS, str(row.job_id), job_id=str(row.job_id))
        else:
            await release_waiting(ctx, row.workshop_id)
    except OSError as err:
        log.exception("the job queue is unreachable")
        await jobs.fail(ctx["sessions"], row.job_id, err)
        raise ServiceUnavailableException("the job queue is unreachable; try again later") from None


async def without_deleted(session: AsyncSession, workshop_id: uuid.UUID, postits: Sequence[PostIt],
                           result: dict[str, Any]) -> dict[str, Any]:
    """The result without post-its deleted while the job ran (a late job never puts them back)."""
    existing = {str(i) for i in (await session.scalars(
        select(PostItRow.id).where(PostItRow.workshop_id == workshop_id))).all()}
    gone = [p for p in postits if p.id not in existing]
    if not gone:
        return result
    ids = {p.id for p in gone}
    return dict(scrub(result, ids, await trace_of(session, workshop_id, ids, [p.text for p in gone])))


async def synthesis_inputs(session: AsyncSession, workshop: Workshop,
                  only: Sequence[str] | None) -> tuple[list[PostIt], list[Axis]]:
    axes = [Axis(a.name, a.description) for a in workshop.axes]
    postits = await pipeline_postits(session, workshop)
    if only:
        axes = [a for a in axes if a.name in only]
        postits = [p for p in postits if p.axis in only]
    return postits, axes


def synthesis_out(row: SynthesisRow, state: str) -> SynthesisOut:
    """Response body: the result's axes and provenance plus ids."""
    result = row.result or {"axes": [], "provenance": {}}
    return to_schema(row, SynthesisOut, state=state, status=state, axes=result["axes"],
                     provenance=result["provenance"])


async def get_synthesis(session: AsyncSession, synthesis_id: uuid.UUID) -> SynthesisOut:
    """One synthesis."""
    row = await get_one(session, SynthesisRow, synthesis_id)
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



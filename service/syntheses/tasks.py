"""The synthesis task: ids in, its own sessions, the pipeline on the draft lane, each axis stored when done.

A room waits for the first axis, not for all of them: axes are drafted one after the other and
each is stored (result, reviewable clusters and pitch, job counters) in its own transaction as
soon as it is done. A retry after a crash finds the finished axes in the stored result and
drafts only the others.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import uuid
from collections.abc import Coroutine, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from models.embedding import PrecomputedEmbedder
from models.pipeline import Pipeline
from models.types import STAGES, Axis, PostIt
from service.db.models import Job, SynthesisRow
from service.db.retry import retry_transaction
from service.db.states import JobStage
from service.jobs import services as jobs
from service.jobs.queue import Context
from service.jobs.runtime import attempt
from service.review.services import apply_synthesis, axis_decisions
from service.syntheses.services import AxisState, synthesis_inputs, without_deleted
from service.workshops.embedding import stored_vectors
from service.workshops.services import get_workshop


class ProgressWrites:
    """A job's progress, reported from the model thread and written on the loop, each write tracked.

    A write still running when the app shuts down would outlive its loop and its engine.
    :meth:`settled` awaits every write, so none is in flight once the job is marked done or failed.

    Args:
        sessions: The session factory the writes use.
        job_id: The job whose progress is written.
        loop: The loop the writes run on (the task's).
    """

    def __init__(self, sessions: jobs.Sessions, job_id: uuid.UUID, loop: asyncio.AbstractEventLoop) -> None:
        self.sessions = sessions
        self.job_id = job_id
        self.loop = loop
        self._pending: list[concurrent.futures.Future[None]] = []

    def __call__(self, stage: str, fraction: float) -> None:
        """Report ``fraction`` of ``stage`` done (from any thread but the loop's)."""
        overall = (STAGES.index(stage) + fraction) / len(STAGES)
        self._pending = [f for f in self._pending if not f.done()]
        self._pending.append(asyncio.run_coroutine_threadsafe(
            jobs.set_progress(self.sessions, self.job_id, stage, overall), self.loop))

    async def settled(self) -> None:
        """Wait for every write reported so far (a failed one leaves the progress behind, not the job failed)."""
        await asyncio.gather(*map(asyncio.wrap_future, self._pending), return_exceptions=True)


def finished_axes(result: dict[str, Any] | None) -> set[str]:
    """Names of the axes an earlier attempt stored as done.

    >>> sorted(finished_axes({"axes": [{"name": "A", "state": "done"}, {"name": "B", "state": "drafting"}]}))
    ['A']
    """
    return {a["name"] for a in (result or {}).get("axes", []) if a.get("state") == AxisState.DONE}


def _next_drafting(axes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first pending axis marked as being drafted (axes are drafted in order)."""
    for n, a in enumerate(axes):
        if a.get("state") == AxisState.DRAFTING:
            return axes
        if a.get("state") == AxisState.PENDING:
            return [*axes[:n], {**a, "state": AxisState.DRAFTING}, *axes[n + 1:]]
    return axes


async def _counters(session: AsyncSession, job_id: uuid.UUID, axes: Sequence[dict[str, Any]]) -> None:
    job = await session.get(Job, job_id)
    if job is not None:
        done = sum(a.get("state") == AxisState.DONE for a in axes)
        job.payload = {**(job.payload or {}), "axes_done": done, "axes_total": len(axes)}


async def begin(session: AsyncSession, row_id: uuid.UUID, job_id: uuid.UUID, axes: Sequence[Axis],
                provenance: dict[str, Any]) -> None:
    """Every axis listed, pending (or done, kept from an earlier attempt), the first to draft marked."""
    row = await session.get(SynthesisRow, row_id)
    if row is None:
        raise LookupError(f"synthesis {row_id} vanished")
    earlier = {a["name"]: a for a in (row.result or {}).get("axes", []) if a.get("state") == AxisState.DONE}
    listed = _next_drafting([earlier.get(a.name) or {"name": a.name, "description": a.description,
                                                      "state": AxisState.PENDING, "pitch": None} for a in axes])
    await session.execute(update(SynthesisRow).where(SynthesisRow.id == row_id).values(
        result={"axes": listed, "provenance": provenance}))
    await _counters(session, job_id, listed)


async def store_axis(session: AsyncSession, row_id: uuid.UUID, job_id: uuid.UUID, postits: Sequence[PostIt],
                     axis: dict[str, Any]) -> None:
    """One finished axis: into the result, into review (clusters, pitch draft), into the job's counters."""
    row = await session.get(SynthesisRow, row_id)
    if row is None or row.result is None:
        raise LookupError(f"synthesis {row_id} vanished")
    provenance = row.result["provenance"]
    kept = await without_deleted(session, row.workshop_id, postits, {"axes": [axis], "provenance": provenance})
    [done] = kept["axes"]
    axes = _next_drafting([{**done, "state": AxisState.DONE} if a["name"] == axis["name"] else a
                           for a in row.result["axes"]])
    await session.execute(update(SynthesisRow).where(SynthesisRow.id == row_id).values(
        result={"axes": axes, "provenance": provenance}))
    await apply_synthesis(session, row.workshop_id, row_id, {"axes": [done], "provenance": provenance})
    await _counters(session, job_id, axes)


async def synthesis(ctx: Context, *, job_id: str) -> None:
    """Task: run one synthesis job (again after a crash: finished axes are kept, not drafted again;
    marking the job succeeded is the last transaction, so a retry of a finished job does nothing)."""
    sessions, hub = ctx["sessions"], ctx["hub"]
    ident = uuid.UUID(job_id)
    async with attempt(ctx, ident) as job:
        if job is None:
            return
        async with sessions() as session:
            synthesis_id = uuid.UUID(job.payload["synthesis_id"]) if job.payload else None
            row = await session.get(SynthesisRow, synthesis_id) if synthesis_id else None
            if row is None:
                raise LookupError(f"the synthesis of job {job_id} vanished")
            request = dict(row.request)
            workshop = await get_workshop(session, row.workshop_id)
            postits, axes = await synthesis_inputs(session, workshop, request.get("axes"))
            names = {a.id: a.name for a in workshop.axes}
            positions = {a.name: a.position for a in workshop.axes}  # a synthesis of some axes words them alike
            decisions = {names[k]: d for k, d in (await axis_decisions(session, workshop.id)).items() if k in names}
            embedder = hub.embedder(request.get("embedder"))
            vectors = await stored_vectors(session, workshop.id, embedder.model_id)
            done = finished_axes(row.result)
        await jobs.set_job(sessions, ident, stage=JobStage.STARTING, progress=0.0)
        loop = asyncio.get_running_loop()
        progress = ProgressWrites(sessions, ident, loop)

        def wait(work: Coroutine[Any, Any, None]) -> None:  # from the model thread, on the loop
            asyncio.run_coroutine_threadsafe(work, loop).result()

        def work() -> None:
            named = request.get("drafter"), request.get("generator")
            pipeline = Pipeline(PrecomputedEmbedder(embedder, vectors), hub.drafter(*named),
                                hub.pipeline_config(workshop.language, *named))
            listed, clusters = pipeline.cluster_each(postits, axes, progress, decisions)
            provenance = pipeline.provenance()
            wait(retry_transaction(sessions, lambda s: begin(s, row.id, ident, listed, provenance)))
            # Lazily: the first axis is drafted once its own clusters exist, the others clustered after it.
            clustered = (replace(c, position=positions.get(c.axis.name, c.position)) for c in clusters)
            for axis in pipeline.draft_each(clustered, progress, skip=done, axes=listed):
                wait(retry_transaction(sessions, partial(store_axis, row_id=row.id, job_id=ident, postits=postits,
                                                          axis=axis.to_dict())))

        try:
            await hub.run(work)
        finally:
            await progress.settled()
        await retry_transaction(sessions, lambda s: jobs.succeed(s, ident))

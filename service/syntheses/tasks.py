"""The synthesis task: ids in, its own sessions, the pipeline on the draft lane, the result stored once."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from models.embedding import PrecomputedEmbedder
from models.pipeline import Pipeline, PipelineConfig
from service.db.models import Job, SynthesisRow
from service.jobs import services as jobs
from service.jobs.queue import Context
from service.jobs.runtime import attempt
from service.review.services import apply_synthesis, axis_decisions
from service.syntheses.services import synthesis_inputs, without_deleted
from service.workshops.embedding import stored_vectors
from service.workshops.services import get_workshop

#: Pipeline stages in order, for overall progress.
STAGES = ("embedding", "clustering", "drafting", "scoring")


async def synthesis(ctx: Context, *, job_id: str) -> None:
    """Task: run one synthesis job (again after a crash: storing the result and marking the job
    succeeded happen in one transaction, so a retry of a finished job does nothing)."""
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
            decisions = {names[k]: d for k, d in (await axis_decisions(session, workshop.id)).items() if k in names}
            embedder = hub.embedder(request.get("embedder"))
            vectors = await stored_vectors(session, workshop.id, embedder.model_id)
        await jobs.set_job(sessions, ident, stage="starting", progress=0.0)
        loop = asyncio.get_running_loop()

        def progress(stage: str, fraction: float) -> None:
            overall = (STAGES.index(stage) + fraction) / len(STAGES)
            asyncio.run_coroutine_threadsafe(jobs.set_progress(sessions, ident, stage, overall), loop)

        def work() -> dict[str, Any]:
            pipeline = Pipeline(PrecomputedEmbedder(embedder, vectors),
                                hub.drafter(request.get("drafter"), request.get("generator")),
                                PipelineConfig(language=workshop.language))
            return pipeline.run(postits, axes, progress, decisions).to_dict()

        result = await hub.run(work)

        async def store(session: AsyncSession) -> None:
            kept = await without_deleted(session, workshop.id, postits, result)
            await session.execute(update(SynthesisRow).where(SynthesisRow.id == row.id).values(result=kept))
            await apply_synthesis(session, workshop.id, row.id, kept)
            await session.execute(update(Job).where(Job.id == ident).values(
                state="succeeded", stage="done", progress=1.0))

        await jobs.retry_on_race(sessions, store)

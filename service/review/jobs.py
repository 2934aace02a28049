"""Regenerate one axis's pitch from its (possibly hand-edited) clusters: the request and the task."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.embedding import PrecomputedEmbedder
from models.labelling import representatives
from models.pipeline import AxisClusters, Pipeline
from models.types import Axis, Cluster, PostIt
from service.db.models import AxisRow, ClusterRow, Job, Workshop
from service.db.retry import retry_transaction
from service.db.states import JobStage, TaskName
from service.jobs import services as jobs
from service.jobs.queue import Context
from service.jobs.runtime import attempt
from service.review.services import axis_clusters, get_pitch, offer_draft
from service.settings import Settings
from service.workshops.embedding import stored_vectors
from service.workshops.votes import pipeline_postits


async def request_regeneration(session: AsyncSession, pitch_id: uuid.UUID, settings: Settings,
                               requested_by: uuid.UUID | None = None) -> Job:
    """Queue a regeneration job for a pitch, within the job caps (429 beyond)."""
    pitch = await get_pitch(session, pitch_id)
    await jobs.admit(session, settings, requested_by)
    job = jobs.create_job(session, TaskName.REGENERATE, pitch.workshop_id, {"pitch_id": str(pitch_id)},
                          requested_by=requested_by)
    pitch.job_id = job.id
    await session.flush()
    return job


async def regenerate_later(session: AsyncSession, ctx: Context, pitch_id: uuid.UUID,
                           requested_by: uuid.UUID | None = None) -> Job:
    """Store a regeneration job, commit, and queue it."""
    job = await request_regeneration(session, pitch_id, ctx["settings"], requested_by)
    await session.commit()
    await ctx["queue"].enqueue(TaskName.REGENERATE, str(job.id), job_id=str(job.id))
    return job


def _axis_clusters(axis: Axis, rows: list[ClusterRow], postits: dict[str, PostIt], vectors: Any,
                   position: int = 0) -> AxisClusters:
    index = {pid: i for i, pid in enumerate(postits)}
    clusters = []
    for row in rows:
        members = [i for i in row.postit_ids if i in postits]
        if row.singular or not members:
            continue
        reps = representatives(vectors[[index[i] for i in members]], [postits[i].votes for i in members])
        clusters.append(Cluster(row.key, row.label, list(row.keywords), members, [members[r] for r in reps],
                                len(members), sum(postits[i].votes for i in members)))
    singular = [i for r in rows if r.singular for i in r.postit_ids if i in postits]
    return AxisClusters(axis, list(postits.values()), clusters, singular, [], position=position)


async def regenerate(ctx: Context, *, job_id: str) -> None:
    """Task: draft the axis again with the pitch's own models, then offer the draft (never over edits)."""
    sessions, hub = ctx["sessions"], ctx["hub"]
    ident = uuid.UUID(job_id)
    async with attempt(ctx, ident) as job:
        if job is None:
            return
        async with sessions() as session:
            pitch = await get_pitch(session, uuid.UUID((job.payload or {})["pitch_id"]))
            axis_row = await session.get(AxisRow, pitch.axis_id)
            workshop = await session.get(Workshop, pitch.workshop_id)
            if axis_row is None or workshop is None:
                raise LookupError("the pitch's axis is gone")
            rows = await axis_clusters(session, axis_row.id)
            ids = [i for r in rows for i in r.postit_ids]
            by_id = {p.id: replace(p, axis=axis_row.name) for p in await pipeline_postits(session, workshop)}
            postits = {i: by_id[i] for i in ids if i in by_id}
            provenance, axis = dict(pitch.provenance), Axis(axis_row.name, axis_row.description)
            position = axis_row.position  # the same alternative of the pitch's templates as its first draft
            workshop_id, axis_id, language = workshop.id, axis_row.id, workshop.language
            embedder = hub.embedder(provenance.get("embedder"))
            stored = await stored_vectors(session, workshop_id, embedder.model_id)
        await jobs.set_job(sessions, ident, stage=JobStage.DRAFTING, progress=0.1)

        def work() -> tuple[list[dict[str, Any]], dict[str, Any]]:
            drafter = hub.drafter(provenance.get("drafter"), provenance.get("generator"))
            known = PrecomputedEmbedder(embedder, stored)
            vectors = known.encode([p.text for p in postits.values()], "clustering")
            pipeline = Pipeline(known, drafter,
                                hub.pipeline_config(language, provenance.get("drafter"), provenance.get("generator")))
            [draft] = pipeline.draft([_axis_clusters(axis, rows, postits, vectors, position)])
            return draft.pitch.to_dict()["sentences"], pipeline.provenance()

        sentences, new_provenance = await hub.run(work)

        async def store(session: AsyncSession) -> None:
            await offer_draft(session, workshop_id, axis_id, None, sentences, new_provenance)
            await jobs.succeed(session, ident)

        await retry_transaction(sessions, store)

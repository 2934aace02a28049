"""Regenerate one axis's pitch from its (possibly hand-edited) clusters, as a background job."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.labelling import representatives
from models.pipeline import AxisClusters, Pipeline, PipelineConfig
from models.types import Axis, Cluster, PostIt
from service.db.models import AxisRow, ClusterRow, Job, PostItRow, Workshop
from service.ml import ModelHub
from service.review.services import axis_clusters, get_pitch, offer_draft
from service.syntheses.services import public_error, retry_on_race, set_job, spawn

log = logging.getLogger(__name__)


async def request_regeneration(session: AsyncSession, pitch_id: uuid.UUID) -> Job:
    """Queue a regeneration job for a pitch."""
    pitch = await get_pitch(session, pitch_id)
    job = Job(id=uuid.uuid4(), kind="regenerate", state="queued", stage="queued", workshop_id=pitch.workshop_id)
    session.add(job)
    pitch.job_id = job.id
    await session.flush()
    return job


def start_regeneration(sessions: async_sessionmaker[AsyncSession], hub: ModelHub, pitch_id: uuid.UUID,
                       job_id: uuid.UUID) -> None:
    """Run the regeneration in the background."""
    spawn(run_regeneration(sessions, hub, pitch_id, job_id))


def _axis_clusters(axis: Axis, rows: list[ClusterRow], postits: dict[str, PostIt], vectors: Any) -> AxisClusters:
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
    return AxisClusters(axis, list(postits.values()), clusters, singular, [])


async def run_regeneration(sessions: async_sessionmaker[AsyncSession], hub: ModelHub, pitch_id: uuid.UUID,
                           job_id: uuid.UUID) -> None:
    """Draft the axis again with the pitch's own models, then offer the draft (never overwriting edits)."""
    try:
        async with sessions() as session:
            pitch = await get_pitch(session, pitch_id)
            axis_row = await session.get(AxisRow, pitch.axis_id)
            workshop = await session.get(Workshop, pitch.workshop_id)
            if axis_row is None or workshop is None:
                raise LookupError("the pitch's axis is gone")
            rows = await axis_clusters(session, axis_row.id)
            ids = [i for r in rows for i in r.postit_ids]
            found = (await session.scalars(select(PostItRow).where(PostItRow.workshop_id == workshop.id))).all()
            by_id = {str(p.id): PostIt(str(p.id), p.text, axis_row.name, p.votes, p.author) for p in found}
            postits = {i: by_id[i] for i in ids if i in by_id}
            provenance, axis = dict(pitch.provenance), Axis(axis_row.name, axis_row.description)
            workshop_id, axis_id, language = workshop.id, axis_row.id, workshop.language
        await set_job(sessions, job_id, state="running", stage="drafting", progress=0.1)

        def work() -> tuple[list[dict[str, Any]], dict[str, Any]]:
            embedder = hub.embedder(provenance.get("embedder"))
            drafter = hub.drafter(provenance.get("drafter"), provenance.get("generator"))
            vectors = embedder.encode([p.text for p in postits.values()], "clustering")
            pipeline = Pipeline(embedder, drafter, PipelineConfig(language=language))
            [draft] = pipeline.draft([_axis_clusters(axis, rows, postits, vectors)])
            return draft.pitch.to_dict()["sentences"], pipeline.provenance()

        sentences, new_provenance = await hub.run(work)

        async def store(session: AsyncSession) -> None:
            await offer_draft(session, workshop_id, axis_id, None, sentences, new_provenance)

        await retry_on_race(sessions, store)
        await set_job(sessions, job_id, state="succeeded", stage="done", progress=1.0)
    except Exception as err:  # a failed job must say why, never stay "running"
        log.exception("regeneration job %s failed", job_id)
        await set_job(sessions, job_id, state="failed", stage="failed", error=public_error(err, job_id))

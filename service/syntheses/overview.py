"""What a workshop's page shows at a glance: per axis, its counts, its drafting state, its pitch."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import AxisRow, ClusterRow, Job, PitchRow, PostItRow, SynthesisRow, Workshop
from service.db.repositories import pitches_by_axis
from service.db.states import ACTIVE_JOBS
from service.discussion.services import unresolved_by_axis
from service.workshops.services import get_workshop


@dataclass
class AxisOverview:
    """One axis on the workshop page.

    Attributes:
        axis: The axis.
        postits: Post-its under it (routed ones included once a synthesis placed them).
        votes: Their votes.
        clusters: Groups of ideas as reviewed now (singular ideas aside).
        state: ``pending``, ``drafting`` or ``done`` while a synthesis runs, else ``None``.
        pitch: Its pitch under review, ``None`` before a first synthesis.
        open_threads: Unresolved discussions.
    """

    axis: AxisRow
    postits: int = 0
    votes: int = 0
    clusters: int = 0
    state: str | None = None
    pitch: PitchRow | None = None
    open_threads: int = 0


@dataclass
class WorkshopOverview:
    """The workshop page's data: the workshop, its latest synthesis job, its axes."""

    workshop: Workshop
    latest_job: Job | None
    live: bool
    axes: list[AxisOverview] = field(default_factory=list)


async def workshop_overview(session: AsyncSession, workshop_id: uuid.UUID) -> WorkshopOverview:
    """Counts per axis from the database (one grouped query each), and the live synthesis' states."""
    workshop = await get_workshop(session, workshop_id)
    counts = {axis_id: (int(n), int(v or 0)) for axis_id, n, v in (await session.execute(
        select(PostItRow.axis_id, func.count(), func.sum(PostItRow.votes))
        .where(PostItRow.workshop_id == workshop_id).group_by(PostItRow.axis_id))).all()}
    clusters = {axis_id: int(n) for axis_id, n in (await session.execute(
        select(ClusterRow.axis_id, func.count()).where(ClusterRow.workshop_id == workshop_id,
                                                       ClusterRow.singular.is_(False))
        .group_by(ClusterRow.axis_id))).all()}
    pitches = await pitches_by_axis(session, workshop_id)
    latest = (await session.execute(
        select(SynthesisRow, Job).join(Job, Job.id == SynthesisRow.job_id)
        .where(SynthesisRow.workshop_id == workshop_id).order_by(SynthesisRow.created_at.desc()))).first()
    job = latest[1] if latest else None
    live = job is not None and job.state in ACTIVE_JOBS
    result = (latest[0].result or {}) if live and latest else {}
    states = {a["name"]: a.get("state") for a in result.get("axes", [])}
    threads = await unresolved_by_axis(session, workshop_id)
    axes = [AxisOverview(a, *counts.get(a.id, (0, 0)), clusters.get(a.id, 0), states.get(a.name),
                         pitches.get(a.id), threads.get(a.id, 0)) for a in workshop.axes]
    return WorkshopOverview(workshop, job, live, axes)

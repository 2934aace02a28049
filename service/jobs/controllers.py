"""HTTP handler of the jobs domain."""

from __future__ import annotations

import uuid

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.guards import allow
from service.jobs import services
from service.jobs.schemas import JobOut


class JobController(Controller):
    """``/api/v1/jobs/{id}``."""

    tags = ["jobs"]

    @get("/jobs/{job_id:uuid}", guards=[allow("read")])
    async def job(self, db_session: NamedDependency[AsyncSession], job_id: FromPath[uuid.UUID]) -> JobOut:
        """A job's state (queued, running, succeeded, failed), progress 0..1, stage, error, attempts and worker."""
        return await services.get_job(db_session, job_id)

"""HTTP handlers of the synthesis domain."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import Body, FromPath
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.guards import allow, principal
from service.jobs.queue import Context
from service.pagination import MAX_PAGE, Limit, Offset, paged
from service.settings import Settings
from service.syntheses import services
from service.syntheses.schemas import SynthesisAccepted, SynthesisCreate, SynthesisOut


class SynthesisController(Controller):
    """Synthesis requests, results and jobs."""

    tags = ["syntheses"]

    @post("/workshops/{workshop_id:uuid}/syntheses", status_code=HTTP_202_ACCEPTED, guards=[allow("synthesize")])
    async def request_synthesis(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        jobs_context: NamedDependency[Context],
        workshop_id: FromPath[uuid.UUID],
        settings: NamedDependency[Settings],
        data: Annotated[SynthesisCreate | None, Body()] = None,
    ) -> Response[SynthesisAccepted]:
        """Queue a synthesis (202); poll ``GET /jobs/{job_id}``, then read ``GET /syntheses/{synthesis_id}``.

        It starts once this workshop's post-its are embedded. While one is queued or running for
        this workshop, answers 200 with that one instead.
        """
        row, created = await services.request_synthesis(db_session, jobs_context, workshop_id,
                                                        data or SynthesisCreate(), settings, principal(request).key_id)
        return Response(SynthesisAccepted(synthesis_id=row.id, job_id=row.job_id),
                        status_code=HTTP_202_ACCEPTED if created else HTTP_200_OK)

    @get("/workshops/{workshop_id:uuid}/syntheses", guards=[allow("read")])
    async def list_for_workshop(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
        workshop_id: FromPath[uuid.UUID], limit: Limit = MAX_PAGE, offset: Offset = 0,
    ) -> Response[list[SynthesisOut]]:
        """Syntheses of a workshop, newest first (paged: ``X-Total-Count``, ``Link``)."""
        return paged(request, await services.list_syntheses(db_session, workshop_id), limit, offset)

    @get("/syntheses/{synthesis_id:uuid}", guards=[allow("read")])
    async def read(self, db_session: NamedDependency[AsyncSession], synthesis_id: FromPath[uuid.UUID]) -> SynthesisOut:
        """One synthesis in the ``synthesis.json`` shape, plus ids and state."""
        return await services.get_synthesis(db_session, synthesis_id)

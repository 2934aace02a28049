"""``POST /api/v1/workshops/{id}/import?format=polis|decidim``."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.guards import allow
from service.imports.schemas import ImportFormat, ImportReport
from service.imports.services import import_and_queue
from service.imports.upload import export_files
from service.settings import Settings


class ImportController(Controller):
    """Platform exports into a workshop."""

    path = "/workshops"
    tags = ["workshops"]

    @post("/{workshop_id:uuid}/import", status_code=HTTP_201_CREATED, guards=[allow("write")])
    async def import_export(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        workshop_id: FromPath[uuid.UUID],
        format: FromQuery[ImportFormat],
        locale: FromQuery[str | None] = None,
    ) -> ImportReport:
        """Import a Polis export (zip or multipart of its CSV files) or a Decidim proposals CSV.

        One axis per conversation (named from ``summary.csv``'s topic) or per Decidim category;
        idempotent by source id; all rows or none, errors naming the file and line.
        """
        files = await export_files(request, settings)
        return await import_and_queue(db_session, request.app.state.jobs["queue"], workshop_id, format, files,
                                      settings, locale)


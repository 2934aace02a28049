"""HTTP handlers of the workshop domain: one service call, then a schema."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import anyio
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.openapi.spec import Example
from litestar.params import Body, FromPath, FromQuery
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.guards import allow, principal
from service.db.mapping import to_schema
from service.db.models import Workshop
from service.db.retry import retry_transaction
from service.pagination import MAX_PAGE, Limit, Offset, paged
from service.settings import Settings
from service.workshops import services
from service.workshops.embedding import queue_embedding
from service.workshops.erasure import settle_erasure
from service.workshops.schemas import (
    PostItIn,
    PostItOut,
    PostItsCreated,
    PostItUpdate,
    WorkshopCreate,
    WorkshopOut,
    WorkshopUpdate,
)

WORKSHOP_EXAMPLE = Example(
    summary="A workshop with two axes",
    value={
        "title": "Numérique et artisanat (CMA Occitanie)",
        "language": "fr",
        "axes": [
            {"name": "FabLabs et tiers-lieux", "description": "Lieux partagés de fabrication"},
            {"name": "Compétences numériques des artisans", "description": "Former et outiller"},
        ],
    },
)
POSTITS_EXAMPLE = Example(
    summary="Post-its from a transcription app",
    value=[
        {
            "text": "Un FabLab itinérant pour les communes rurales",
            "axis": "FabLabs et tiers-lieux",
            "votes": 7,
            "author": "table 3",
            "external_id": "t3-12",
        },
        {"text": "Des formations courtes à la vente en ligne", "votes": 4, "external_id": "t1-02"},
    ],
)


def workshop_out(w: Workshop) -> WorkshopOut:
    """Response body of a workshop and its axes (their columns, by name)."""
    return to_schema(w, WorkshopOut)


class WorkshopController(Controller):
    """``/api/v1/workshops``."""

    path = "/workshops"
    tags = ["workshops"]

    @post("/", status_code=HTTP_201_CREATED, guards=[allow("create")])
    async def create(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: Annotated[WorkshopCreate, Body(examples=[WORKSHOP_EXAMPLE])],
    ) -> WorkshopOut:
        """Create a workshop with its axes (a tool's key gets it in its scope)."""
        return workshop_out(await services.create_workshop(db_session, data, principal(request)))

    @get("/", guards=[allow("read")])
    async def list_all(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                       limit: Limit = MAX_PAGE, offset: Offset = 0) -> Response[list[WorkshopOut]]:
        """The workshops this key may see, newest first (paged: ``X-Total-Count``, ``Link``)."""
        found = await services.list_workshops(db_session, principal(request))
        return paged(request, [workshop_out(w) for w in found], limit, offset)

    @get("/{workshop_id:uuid}", guards=[allow("read")])
    async def read(self, db_session: NamedDependency[AsyncSession], workshop_id: FromPath[uuid.UUID]) -> WorkshopOut:
        """One workshop."""
        return workshop_out(await services.get_workshop(db_session, workshop_id))

    @patch("/{workshop_id:uuid}", guards=[allow("write")])
    async def update(
        self,
        db_session: NamedDependency[AsyncSession],
        workshop_id: FromPath[uuid.UUID],
        data: Annotated[WorkshopUpdate, Body()],
    ) -> WorkshopOut:
        """Change the title or language; add or rename axes."""
        return workshop_out(await services.update_workshop(db_session, workshop_id, data))

    @delete("/{workshop_id:uuid}", guards=[allow("write")])
    async def remove(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                     workshop_id: FromPath[uuid.UUID]) -> None:
        """Delete a workshop and all it holds (post-its, syntheses, pitches, history, jobs, cached vectors)."""
        texts = await services.delete_workshop(db_session, workshop_id)
        await settle_erasure(db_session, request.app.state.models, texts)

    @post("/{workshop_id:uuid}/postits", status_code=HTTP_201_CREATED, guards=[allow("write")])
    async def push(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        workshop_id: FromPath[uuid.UUID],
        data: Annotated[list[PostItIn], Body(examples=[POSTITS_EXAMPLE])],
    ) -> PostItsCreated:
        """Store post-its (all or none); retries with the same ``external_id`` create no duplicates."""
        return await _store(request, db_session, workshop_id, data, settings)

    @post("/{workshop_id:uuid}/postits/csv", status_code=HTTP_201_CREATED, guards=[allow("write")])
    async def push_csv(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        workshop_id: FromPath[uuid.UUID],
    ) -> PostItsCreated:
        """Store post-its from CSV (``text/csv`` body or multipart ``file``): all rows or none."""
        items = await anyio.to_thread.run_sync(services.csv_items, await _csv_body(request), settings)  # CPU
        return await _store(request, db_session, workshop_id, items, settings)

    @get("/{workshop_id:uuid}/postits", guards=[allow("read")])
    async def list_postits(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        workshop_id: FromPath[uuid.UUID],
        axis: FromQuery[str | None] = None,
        cluster: FromQuery[str | None] = None,
        limit: Limit = MAX_PAGE,
        offset: Offset = 0,
    ) -> Response[list[PostItOut]]:
        """Post-its, optionally filtered by axis name or by cluster (key, id or ``<axis>:singular``), as reviewed."""
        members = await services.cluster_members(db_session, workshop_id, cluster) if cluster else None
        return paged(request, await services.list_postits(db_session, workshop_id, axis, members), limit, offset)


async def _store(request: Request[Any, Any, Any], db_session: AsyncSession, workshop_id: uuid.UUID,
                 items: list[PostItIn], settings: Settings) -> PostItsCreated:
    """Commit the post-its, then queue the new texts for background embedding.

    Two identical retries racing each other: the loser's insert hits the ``external_id`` unique
    constraint; it starts again, finds the winner's rows and answers with their ids (idempotent).
    """
    ids, new = await retry_transaction(db_session, lambda s: services.add_postits(s, workshop_id, items, settings),
                                       attempts=2)
    await queue_embedding(request.app.state.jobs["queue"], [str(i) for i in new])
    return PostItsCreated(ids=ids, created=len(new))


async def _csv_body(request: Request[Any, Any, Any]) -> bytes:
    if request.content_type[0] == RequestEncodingType.MULTI_PART:
        form = await request.form()
        upload = form.get("file")
        if isinstance(upload, UploadFile):
            return await upload.read()
        from service.errors import bad_request

        raise bad_request("multipart body needs a 'file' part", "file")
    return await request.body()


class PostItController(Controller):
    """``/api/v1/postits/{id}``."""

    path = "/postits"
    tags = ["postits"]

    @patch("/{postit_id:uuid}", guards=[allow("write")])
    async def update(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        postit_id: FromPath[uuid.UUID],
        data: Annotated[PostItUpdate, Body()],
    ) -> PostItOut:
        """Edit a post-it (a changed text's former version is erased everywhere, as on delete)."""
        out, former = await services.update_postit(db_session, postit_id, data, settings)
        if former:
            await settle_erasure(db_session, request.app.state.models, former)
        return out

    @delete("/{postit_id:uuid}", guards=[allow("write")])
    async def remove(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                     postit_id: FromPath[uuid.UUID]) -> None:
        """Delete a post-it: its text leaves clusters, pitches ("source supprimée"), history and caches."""
        await settle_erasure(db_session, request.app.state.models, await services.delete_postit(db_session, postit_id))

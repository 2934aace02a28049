"""``/api/v1/{clusters|pitches}/{id}/comments`` and ``/api/v1/comments/{id}``."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency
from litestar.params import Body, FromPath
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.guards import allow, principal
from service.discussion import services
from service.discussion.schemas import CommentIn, CommentOut, CommentUpdate


class CommentController(Controller):
    """Threads on clusters and pitches (a pitch comment may point at a key point or a sentence)."""

    tags = ["discussion"]

    @get("/clusters/{cluster_id:uuid}/comments", guards=[allow("read")])
    async def cluster_comments(self, db_session: NamedDependency[AsyncSession],
                               cluster_id: FromPath[uuid.UUID]) -> list[CommentOut]:
        """Comments on a cluster, oldest first."""
        return [services.comment_out(c) for c in await services.list_comments(db_session, "clusters", cluster_id)]

    @post("/clusters/{cluster_id:uuid}/comments", status_code=HTTP_201_CREATED, guards=[allow("review")])
    async def comment_cluster(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                              cluster_id: FromPath[uuid.UUID], data: Annotated[CommentIn, Body()]) -> CommentOut:
        """Comment on a cluster (``reply_to`` answers a comment of its thread)."""
        row = await services.add_comment(db_session, "clusters", cluster_id, data, principal(request))
        return services.comment_out(row)

    @get("/pitches/{pitch_id:uuid}/comments", guards=[allow("read")])
    async def pitch_comments(self, db_session: NamedDependency[AsyncSession],
                             pitch_id: FromPath[uuid.UUID]) -> list[CommentOut]:
        """Comments on a pitch, its key points and its sentences, oldest first."""
        return [services.comment_out(c) for c in await services.list_comments(db_session, "pitches", pitch_id)]

    @post("/pitches/{pitch_id:uuid}/comments", status_code=HTTP_201_CREATED, guards=[allow("review")])
    async def comment_pitch(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                            pitch_id: FromPath[uuid.UUID], data: Annotated[CommentIn, Body()]) -> CommentOut:
        """Comment on a pitch; ``anchor`` ``kp-…`` or ``s<n>`` narrows it to a key point or a sentence."""
        row = await services.add_comment(db_session, "pitches", pitch_id, data, principal(request))
        return services.comment_out(row)

    @patch("/comments/{comment_id:uuid}", guards=[allow("review")])
    async def update(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                     comment_id: FromPath[uuid.UUID], data: Annotated[CommentUpdate, Body()]) -> CommentOut:
        """Resolve or reopen (``resolved``), or edit your own comment's ``body``."""
        return services.comment_out(await services.update_comment(db_session, comment_id, data, principal(request)))

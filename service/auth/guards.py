"""Authorization: each route names the permission it needs; its path ids must be in the key's scope.

A resource of a workshop outside the key's scope answers 404, exactly like one that does not
exist, so ids cannot be probed. For a scoped key, an id that names no row of its kind (a deleted
cluster, or a pitch's id passed as a cluster's) is refused here too: a handler never sees an id
it could not tie to one of the key's workshops.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.principal import Principal
from service.db.models import AxisRow, ClusterRow, CommentRow, Job, PitchRow, PostItRow, SynthesisRow, Workshop

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]

#: Path parameter → the table whose row names the workshop (``Workshop`` is the workshop itself).
OWNERS: dict[str, Any] = {"workshop_id": Workshop, "axis_id": AxisRow, "pitch_id": PitchRow,
                          "cluster_id": ClusterRow, "postit_id": PostItRow, "synthesis_id": SynthesisRow,
                          "job_id": Job, "comment_id": CommentRow}


def principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The authenticated caller (the middleware guarantees one on guarded routes)."""
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise PermissionDeniedException("no principal")
    return user


async def workshop_of(session: AsyncSession, param: str, value: uuid.UUID) -> uuid.UUID | None:
    """The workshop a path id belongs to (``None``: no such row, or not tied to a workshop)."""
    model = OWNERS[param]
    row = await session.get(model, value)
    if row is None:
        return None
    return row.id if model is Workshop else getattr(row, "workshop_id", None)


def allow(permission: str) -> Guard:
    """A guard: the role grants ``permission`` and every id in the path is within the key's scope."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
        who = principal(connection)
        if who.workshops is not None:  # scope first: out of scope reads as absent, whatever the role
            async with connection.app.state.sessions() as session:
                for param, value in connection.path_params.items():
                    if param in OWNERS:
                        owner = await workshop_of(session, param, value)
                        if owner is None or not who.sees(owner):
                            raise NotFoundException(f"{param.removesuffix('_id')} {value} not found")
        if not who.can(permission):
            raise PermissionDeniedException(f"the {who.role} role cannot {permission}")

    return guard

"""Repositories (advanced-alchemy): the one way to fetch a row or answer 404, and the one query for
a workshop's post-its."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from advanced_alchemy.exceptions import NotFoundError
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import AxisRow, ClusterRow, CommentRow, Job, PitchRow, PostItRow, SynthesisRow, Workshop
from service.errors import not_found

Row = TypeVar("Row", Workshop, AxisRow, PostItRow, Job, SynthesisRow, PitchRow, ClusterRow, CommentRow)
#: What a 404 calls each kind of row.
NAMES: dict[type[Any], str] = {Workshop: "workshop", AxisRow: "axis", PostItRow: "post-it", Job: "job",
                               SynthesisRow: "synthesis", PitchRow: "pitch", ClusterRow: "cluster",
                               CommentRow: "comment"}


class PostItRepository(SQLAlchemyAsyncRepository[PostItRow]):
    """Post-its, with the workshop listing every domain uses."""

    model_type = PostItRow

    async def of_workshop(self, workshop_id: uuid.UUID, axis_id: uuid.UUID | None = None) -> list[PostItRow]:
        """A workshop's post-its (of one axis, if given) in arrival order."""
        filters = [PostItRow.workshop_id == workshop_id] + ([PostItRow.axis_id == axis_id] if axis_id else [])
        return await self.get_many(*filters, order_by=[(PostItRow.created_at, False), (PostItRow.id, False)])


#: One repository class per model (built once).
REPOSITORIES: dict[type[Any], type[SQLAlchemyAsyncRepository[Any]]] = {
    model: PostItRepository if model is PostItRow else
    type(f"{model.__name__}Repository", (SQLAlchemyAsyncRepository,), {"model_type": model})
    for model in NAMES}


async def get_one(session: AsyncSession, model: type[Row], ident: uuid.UUID) -> Row:
    """The row of ``model`` with this id, or a 404 naming its kind."""
    try:
        row: Row = await REPOSITORIES[model](session=session).get(ident)
    except NotFoundError:
        raise not_found(NAMES[model], ident) from None
    return row


async def postits_of(session: AsyncSession, workshop_id: uuid.UUID,
                     axis_id: uuid.UUID | None = None) -> list[PostItRow]:
    """A workshop's post-its (see :meth:`PostItRepository.of_workshop`)."""
    return await PostItRepository(session=session).of_workshop(workshop_id, axis_id)

"""Repositories (advanced-alchemy): how services list, count and fetch rows, the one way to answer
404, and the one query for a workshop's post-its. Raw ``select`` stays for what a repository does not
express: projections of a few columns, joins and grouped counts."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any, TypeVar

from advanced_alchemy.base import UUIDAuditBase
from advanced_alchemy.exceptions import NotFoundError
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import AxisRow, ClusterRow, CommentRow, Job, PitchRow, PostItRow, SynthesisRow, Workshop
from service.db.states import EmbeddingState
from service.errors import not_found

Row = TypeVar("Row", Workshop, AxisRow, PostItRow, Job, SynthesisRow, PitchRow, ClusterRow, CommentRow)
Model = TypeVar("Model", bound=UUIDAuditBase)
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


@cache
def _repository_class(model: type[Any]) -> type[SQLAlchemyAsyncRepository[Any]]:
    """One repository class per model, built on first use."""
    if model is PostItRow:
        return PostItRepository
    return type(f"{model.__name__}Repository", (SQLAlchemyAsyncRepository,), {"model_type": model})


def repository(session: AsyncSession, model: type[Model]) -> SQLAlchemyAsyncRepository[Model]:
    """The repository of ``model`` on ``session``: what services list, count, test and fetch rows with."""
    return _repository_class(model)(session=session)


async def get_one(session: AsyncSession, model: type[Row], ident: uuid.UUID) -> Row:
    """The row of ``model`` with this id, or a 404 naming its kind."""
    try:
        row: Row = await repository(session, model).get(ident)
    except NotFoundError:
        raise not_found(NAMES[model], ident) from None
    return row


async def pitches_by_axis(session: AsyncSession, workshop_id: uuid.UUID) -> dict[uuid.UUID, PitchRow]:
    """A workshop's pitches, by axis (an axis has at most one)."""
    return {p.axis_id: p for p in await repository(session, PitchRow).get_many(PitchRow.workshop_id == workshop_id)}


async def axis_pitch(session: AsyncSession, axis_id: uuid.UUID) -> PitchRow | None:
    """The axis's pitch, if a synthesis drafted one."""
    return await repository(session, PitchRow).get_one_or_none(PitchRow.axis_id == axis_id)


async def clusters_of(session: AsyncSession, workshop_id: uuid.UUID) -> list[ClusterRow]:
    """A workshop's clusters, every axis."""
    return await repository(session, ClusterRow).get_many(ClusterRow.workshop_id == workshop_id)


async def postits_of(session: AsyncSession, workshop_id: uuid.UUID,
                     axis_id: uuid.UUID | None = None) -> list[PostItRow]:
    """A workshop's post-its (see :meth:`PostItRepository.of_workshop`)."""
    return await PostItRepository(session=session).of_workshop(workshop_id, axis_id)


async def postit_index(session: AsyncSession, workshop_id: uuid.UUID, axis_id: uuid.UUID) -> Sequence[Any]:
    """Light rows of an axis's post-its: ``id``, ``votes``, and ``embedding_model`` once embedded."""
    model = case((PostItRow.embedding_state == EmbeddingState.DONE, PostItRow.embedding_model), else_=None)
    query = select(PostItRow.id, PostItRow.votes, model.label("embedding_model")).where(
        PostItRow.workshop_id == workshop_id, PostItRow.axis_id == axis_id)
    out: list[Any] = []
    # Read in partitions: between them the event loop serves other requests (20,000 rows at once
    # held it ~0.2 s).
    async for part in (await session.stream(query.execution_options(yield_per=1000))).partitions():
        out += part
    return out


def id_batches(ids: Iterable[str], size: int = 500) -> Iterator[list[uuid.UUID]]:
    """Distinct ids as UUIDs, ``size`` at a time: ``IN`` lists stay bounded whatever a page asks for.

    >>> [len(b) for b in id_batches([str(uuid.UUID(int=i)) for i in range(1001)])]
    [500, 500, 1]
    """
    wanted = sorted({uuid.UUID(i) for i in ids})
    for start in range(0, len(wanted), size):
        yield wanted[start:start + size]


async def postit_cards(session: AsyncSession, ids: Iterable[str]) -> list[Any]:
    """What a page shows of these post-its (id, text, votes, agrees, disagrees, author, the workshop
    tool's own id), as plain rows."""
    out: list[Any] = []
    for batch in id_batches(ids):
        out += (await session.execute(select(PostItRow.id, PostItRow.text, PostItRow.votes, PostItRow.agrees,
                                             PostItRow.disagrees, PostItRow.author, PostItRow.external_id).where(
            PostItRow.id.in_(batch)))).all()
    return out

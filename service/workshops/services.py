"""Workshop, axis and post-it operations (one transaction per call, nothing half-stored)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.inputs import InputError, TextTooLong, TooManyRows, decode, parse_csv
from models.routing import axis_key
from service.auth.keys import grant
from service.auth.principal import Principal
from service.db.mapping import to_schema
from service.db.models import AxisRow, Job, PostItRow, SynthesisRow, Workshop
from service.db.repositories import clusters_of, get_one, postits_of, repository
from service.db.states import EmbeddingState
from service.errors import bad_request, too_large
from service.limits import normalise_newlines
from service.pagination import Converted
from service.settings import Settings
from service.workshops.erasure import erase_postits
from service.workshops.schemas import AxisIn, PostItIn, PostItOut, PostItUpdate, WorkshopCreate, WorkshopUpdate


async def get_workshop(session: AsyncSession, workshop_id: uuid.UUID) -> Workshop:
    """The workshop or a 404."""
    return await get_one(session, Workshop, workshop_id)


async def create_workshop(session: AsyncSession, data: WorkshopCreate, owner: Principal | None = None) -> Workshop:
    """Create a workshop with its axes; a scoped key (a workshop tool) gets it in its scope."""
    workshop = Workshop(title=data.title, language=data.language, axes=[])  # loaded, even when empty
    session.add(workshop)
    apply_axes(workshop, data.axes)
    await session.flush()
    if owner is not None and owner.workshops is not None:
        await grant(session, owner.key_id, workshop.id)
    return workshop


async def list_workshops(session: AsyncSession, viewer: Principal | None = None) -> Sequence[Workshop]:
    """The workshops ``viewer`` may see (all without one), newest first."""
    scope = ([Workshop.id.in_(viewer.workshops or {uuid.UUID(int=0)})]
             if viewer is not None and viewer.workshops is not None else [])
    return await repository(session, Workshop).get_many(*scope, order_by=[(Workshop.created_at, True)])


async def update_workshop(session: AsyncSession, workshop_id: uuid.UUID, data: WorkshopUpdate) -> Workshop:
    """Change title or language; add axes and rename existing ones."""
    workshop = await get_workshop(session, workshop_id)
    if data.title is not None:
        workshop.title = data.title
    if data.language is not None:
        workshop.language = data.language
    if data.axes is not None:
        apply_axes(workshop, data.axes)
    await session.flush()
    await session.refresh(workshop)
    return workshop


def apply_axes(workshop: Workshop, axes: Sequence[AxisIn]) -> None:
    existing = {a.id: a for a in workshop.axes} if workshop.id else {}
    for index, axis in enumerate(axes):
        if axis.id is not None:
            row = existing.get(axis.id)
            if row is None:
                raise bad_request(f"axes[{index}].id: unknown axis {axis.id}", f"axes[{index}].id")
            row.name, row.description = axis.name, axis.description
        else:
            workshop.axes.append(AxisRow(name=axis.name, description=axis.description,
                                         position=len(workshop.axes)))
    keys = [axis_key(a.name) for a in workshop.axes]
    if len(keys) != len(set(keys)):
        raise bad_request("axes: two axes have the same name", "axes")


async def delete_workshop(session: AsyncSession, workshop_id: uuid.UUID) -> list[str]:
    """Delete a workshop and everything under it (post-its, syntheses, pitches, history, jobs).

    Returns:
        The erased post-it texts, for the caller to drop from the embedding cache.
    """
    workshop = await get_workshop(session, workshop_id)
    texts = list((await session.scalars(select(PostItRow.text).where(PostItRow.workshop_id == workshop_id))).all())
    await session.execute(delete(PostItRow).where(PostItRow.workshop_id == workshop_id))
    await session.execute(delete(SynthesisRow).where(SynthesisRow.workshop_id == workshop_id))  # they point at jobs
    await session.execute(delete(Job).where(Job.workshop_id == workshop_id))
    await session.delete(workshop)
    await session.flush()
    return texts


def _axis_lookup(workshop: Workshop) -> dict[str, AxisRow]:
    return {axis_key(a.name): a for a in workshop.axes}


def _validate(items: Sequence[PostItIn], axes: dict[str, AxisRow], settings: Settings,
              where: str = "postits", limit: int | None = None) -> list[uuid.UUID | None]:
    """Check every item before storing any; returns the axis id of each."""
    limit = limit or settings.max_batch
    if len(items) > limit:
        raise too_large(f"{len(items)} post-its in one request; the limit is {limit}", where)
    axis_ids: list[uuid.UUID | None] = []
    for i, item in enumerate(items):
        field = f"{where}[{i}]"
        if not item.text.strip():
            raise bad_request(f"{field}.text: empty text", f"{field}.text")
        if len(item.text) > settings.max_text_length:
            raise too_large(f"{field}.text: longer than {settings.max_text_length} characters", f"{field}.text")
        if item.axis and item.axis.strip():
            axis = axes.get(axis_key(item.axis))
            if axis is None:
                known = ", ".join(a.name for a in axes.values())
                raise bad_request(f"{field}.axis: unknown axis {item.axis!r} (known: {known})", f"{field}.axis")
            axis_ids.append(axis.id)
        else:
            axis_ids.append(None)
    return axis_ids


async def add_postits(session: AsyncSession, workshop_id: uuid.UUID, items: Sequence[PostItIn],
                      settings: Settings, limit: int | None = None) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """Store post-its in one transaction; an ``external_id`` already stored is not duplicated.

    ``limit`` replaces ``settings.max_batch`` (an import holds a whole conversation).

    Returns:
        The ids in request order and the ids of the new post-its (to embed in the background).
    """
    workshop = await get_workshop(session, workshop_id)
    axis_ids = _validate(items, _axis_lookup(workshop), settings, limit=limit)
    externals = [i.external_id for i in items if i.external_id]
    known: dict[str, uuid.UUID] = {}
    if externals:
        rows = await session.execute(select(PostItRow.external_id, PostItRow.id).where(
            PostItRow.workshop_id == workshop_id, PostItRow.external_id.in_(externals)))
        known = {e: i for e, i in rows.all() if e is not None}
    ids: list[uuid.UUID] = []
    new: list[uuid.UUID] = []
    for item, axis_id in zip(items, axis_ids, strict=True):
        if item.external_id and item.external_id in known:
            ids.append(known[item.external_id])
            continue
        row = PostItRow(id=uuid.uuid4(), workshop_id=workshop_id, axis_id=axis_id, text=item.text.strip(),
                        votes=item.votes, author=item.author, external_id=item.external_id,
                        agrees=item.agrees, disagrees=item.disagrees)
        session.add(row)
        ids.append(row.id)
        new.append(row.id)
        if item.external_id:
            known[item.external_id] = row.id
    await session.flush()
    return ids, new


def csv_items(body: bytes, settings: Settings) -> list[PostItIn]:
    """CSV rows (the CLI's columns) to post-its, or a 400 naming the line and field."""
    try:
        postits = parse_csv(decode(body, "csv"), "csv", default_ids=False, max_rows=settings.max_batch,
                            max_text=settings.max_text_length)
    except TextTooLong as err:  # the same status and bound as a JSON body's text
        raise too_large(f"csv line {err.line}: text longer than {settings.max_text_length} characters "
                        "(ATELIER_MAX_TEXT_LENGTH)", "text") from None
    except TooManyRows as err:
        raise too_large(f"csv line {err.line}: more than {settings.max_batch} post-its in one request; "
                        f"the limit is {settings.max_batch}", "postits") from None
    except InputError as err:
        raise bad_request(str(err), err.field, err.line) from None
    # The CSV's own ids make a re-upload idempotent; a row without one gets no external id (never a
    # positional ``p1`` that would collide with the next upload's first row). Rows go through the
    # same schema as JSON bodies, so the bounds of ``service.limits`` hold for both.
    items = []
    for n, p in enumerate(postits, 1):
        record = {"text": normalise_newlines(p.text), "axis": p.axis, "votes": p.votes, "author": p.author,
                  "external_id": p.id or None}
        try:
            items.append(msgspec.convert(record, PostItIn))
        except msgspec.ValidationError as err:
            message, _, path = str(err).partition(" - at `$")
            field = f"csv[{n}]{path.rstrip('`')}"
            raise bad_request(f"{field}: {message}", field) from None
    return items


async def list_postits(session: AsyncSession, workshop_id: uuid.UUID, axis: str | None = None,
                       cluster_ids: set[str] | None = None) -> Converted[PostItOut]:
    """Post-its of a workshop, optionally of one axis or one cluster (ids given by the caller)."""
    workshop = await get_workshop(session, workshop_id)
    names = {a.id: a.name for a in workshop.axes}
    axis_id = None
    if axis is not None:
        row = _axis_lookup(workshop).get(axis_key(axis))
        if row is None:
            raise bad_request(f"axis: unknown axis {axis!r}", "axis")
        axis_id = row.id
    rows = await postits_of(session, workshop_id, axis_id)
    if cluster_ids is not None:
        rows = [r for r in rows if str(r.id) in cluster_ids]
    return Converted(rows, lambda r: to_out(r, names))


def to_out(row: PostItRow, axis_names: dict[uuid.UUID, str]) -> PostItOut:
    """Response body of a post-it."""
    return to_schema(row, PostItOut, axis=axis_names.get(row.axis_id) if row.axis_id else None)


async def update_postit(session: AsyncSession, postit_id: uuid.UUID, data: PostItUpdate,
                        settings: Settings) -> tuple[PostItOut, list[str]]:
    """Edit a post-it's text, axis, votes or author.

    Returns:
        The post-it, and its former text when the text changed: it is erased from everything
        stored (as a deleted post-it's is), and the caller drops its cached vector.
    """
    row = await get_one(session, PostItRow, postit_id)
    workshop = await get_workshop(session, row.workshop_id)
    item = PostItIn(text=data.text if data.text is not None else row.text, axis=data.axis,
                    votes=data.votes if data.votes is not None else row.votes)
    [axis_id] = _validate([item], _axis_lookup(workshop), settings, "postit")
    former = [row.text] if item.text.strip() != row.text else []
    if former:  # a new text needs a new vector
        row.text, row.embedding, row.embedding_model = item.text.strip(), None, None
        row.embedding_state = EmbeddingState.PENDING
    row.votes = item.votes
    if data.axis is not None:
        row.axis_id = axis_id
    if data.author is not None:
        row.author = data.author
    await session.flush()
    if former:
        await erase_postits(session, row.workshop_id, set(), former)
    return to_out(row, {a.id: a.name for a in workshop.axes}), former


async def delete_postit(session: AsyncSession, postit_id: uuid.UUID) -> list[str]:
    """Delete one post-it and erase it from clusters, pitches, syntheses and history.

    Returns:
        Its text, for the caller to drop from the embedding cache.
    """
    row = await get_one(session, PostItRow, postit_id)
    await erase_postits(session, row.workshop_id, {str(row.id)}, [row.text])
    text = row.text
    await session.delete(row)
    await session.flush()
    return [text]


async def cluster_members(session: AsyncSession, workshop_id: uuid.UUID, cluster_id: str) -> set[str]:
    """Post-it ids of a cluster as reviewed now (``ClusterRow``: the one source of membership).

    ``cluster_id`` is the cluster's key (``se-deplacer-2``), its UUID, or ``<axis name>:singular``.
    """
    clusters = await clusters_of(session, workshop_id)
    axis_name, _, singular = cluster_id.rpartition(":")
    axis_ids = {a.id for a in (await get_workshop(session, workshop_id)).axes if a.name == axis_name}
    for c in clusters:
        if c.key == cluster_id or str(c.id) == cluster_id or (singular == "singular" and c.singular
                                                              and c.axis_id in axis_ids):
            return set(c.postit_ids)
    raise bad_request(f"cluster: unknown cluster {cluster_id!r} in this workshop", "cluster")

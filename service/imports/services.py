"""Store an import: axes by name, post-its idempotent by source id, votes replaced, in one transaction."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence

import anyio
import msgspec
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from models.language import detect_language
from models.routing import axis_key
from service.db.models import PostItRow, Workshop
from service.db.repositories import repository
from service.db.retry import retry_transaction
from service.errors import bad_request
from service.imports.batch import Conversation, check_size
from service.imports.schemas import ImportedAxis, ImportFormat, ImportReport
from service.jobs.queue import JobQueue
from service.limits import MAX_AXES
from service.settings import Settings
from service.workshops.embedding import queue_embedding
from service.workshops.schemas import AxisIn
from service.workshops.services import add_postits, apply_axes, get_workshop
from service.workshops.votes import replace_votes


def _axes(workshop: Workshop, conversations: Sequence[Conversation]) -> dict[str, bool]:
    """Create the missing axes (matched by name as everywhere else); whether each was created."""
    known = {axis_key(a.name) for a in workshop.axes}
    missing = {axis_key(c.axis): AxisIn(name=c.axis, description=c.description)
               for c in conversations if axis_key(c.axis) not in known}
    if len(workshop.axes) + len(missing) > MAX_AXES:
        raise bad_request(f"the import would give the workshop {len(workshop.axes) + len(missing)} axes; "
                          f"the limit is {MAX_AXES}", "axes")
    apply_axes(workshop, list(missing.values()))
    return {c.axis: axis_key(c.axis) in missing for c in conversations}


async def import_conversations(session: AsyncSession, workshop_id: uuid.UUID, fmt: ImportFormat,
                               conversations: Sequence[Conversation], settings: Settings,
                               ) -> tuple[ImportReport, list[uuid.UUID]]:
    """Store every conversation (the caller commits once: all or nothing); the report and new post-it ids."""
    started = time.perf_counter()
    check_size(conversations, settings.max_import_postits)
    workshop = await get_workshop(session, workshop_id)
    # the language follows what was written, unless the workshop already has post-its
    if not await repository(session, PostItRow).exists(PostItRow.workshop_id == workshop_id):
        workshop.language = detect_language(p.text for c in conversations for p in c.items[:500])
    created_axes = _axes(workshop, conversations)
    await session.flush()
    items = [msgspec.structs.replace(p, axis=c.axis) for c in conversations for p in c.items]
    ids, new = await add_postits(session, workshop_id, items, settings, limit=settings.max_import_postits)
    by_source = {p.external_id: i for p, i in zip(items, ids, strict=True) if p.external_id}
    fresh = set(new)
    known = [{"id": i, "votes": p.votes, "agrees": p.agrees, "disagrees": p.disagrees}
             for p, i in zip(items, ids, strict=True) if i not in fresh]
    if known:  # a re-import refreshes the counts the platform has now (one bulk UPDATE by primary key)
        await session.execute(update(PostItRow), known)
    axes, start = [], 0
    for c in conversations:
        mine = ids[start:start + len(c.items)]
        start += len(c.items)
        stored = await replace_votes(session, workshop_id, mine,
                                     [(by_source[s], voter, value) for s, voter, value in c.votes if s in by_source])
        axes.append(ImportedAxis(c.axis, created_axes[c.axis], len(mine), len(set(mine) & fresh),
                                 len(set(mine) - fresh), stored, dict(c.left_out), c.attribution))
    left_out: dict[str, int] = {}
    for a in axes:
        for reason, n in a.left_out.items():
            left_out[reason] = left_out.get(reason, 0) + n
    return ImportReport(workshop_id, fmt, workshop.language, axes, len(fresh), len(ids) - len(fresh), left_out,
                        sum(a.votes for a in axes), round(time.perf_counter() - started, 3)), new


def parse(fmt: ImportFormat, files: dict[str, bytes], locale: str, settings: Settings) -> list[Conversation]:
    """The conversations of an export in ``fmt`` (``polis`` or ``decidim``)."""
    from service.imports import decidim, polis

    if fmt is ImportFormat.POLIS:
        return polis.conversations(files, settings.max_text_length, settings.max_import_postits,
                                   settings.max_import_votes)
    csvs = [name for name in files if name.lower().endswith(".csv")] or list(files)
    if len(csvs) != 1:
        raise bad_request(f"a Decidim import is one CSV file; got {len(csvs)}", "file")
    return decidim.conversations(files[csvs[0]], locale, settings.max_text_length, csvs[0])


async def import_and_queue(session: AsyncSession, queue: JobQueue, workshop_id: uuid.UUID, fmt: ImportFormat,
                           files: dict[str, bytes], settings: Settings, locale: str | None = None) -> ImportReport:
    """Parse (in a worker thread: CPU work), store in one transaction, then queue the new post-its' embeddings."""
    workshop = await get_workshop(session, workshop_id)
    conversations = await anyio.to_thread.run_sync(parse, fmt, files, locale or workshop.language, settings)
    # the same export sent twice at once: the loser's second run finds the winner's rows
    report, new = await retry_transaction(
        session, lambda s: import_conversations(s, workshop_id, fmt, conversations, settings), attempts=2)
    await queue_embedding(queue, [str(i) for i in new])
    return report

"""Erasure: a deleted post-it leaves no text behind, in clusters, pitches, syntheses, history or caches.

Sentences that cited it keep their place and say so (``source_deleted``); a sentence that *was*
the post-it (a quote) loses its text. Revisions keep the event, without the erased text.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import ClusterRow, PitchRow, ReviewDecisionRow, Revision, SynthesisRow

ERASED = "[post-it supprimé]"


def scrub_sentences(sentences: Sequence[dict[str, Any]], ids: Collection[str],
                    texts: Sequence[str]) -> list[dict[str, Any]]:
    """Sentences without the erased post-its: citations dropped, the sentence marked, quotes emptied.

    >>> scrub_sentences([{"text": "« Vélo. »", "citations": ["p1"], "quoted": True},
    ...                  {"text": "Des pistes.", "citations": ["p1", "p2"]}], {"p1"}, ["Vélo."])
    [{'text': '[post-it supprimé]', 'citations': [], 'quoted': True, 'source_deleted': True}, \
{'text': 'Des pistes.', 'citations': ['p2'], 'source_deleted': True}]
    """
    out = []
    for s in sentences:
        cited = [c for c in s.get("citations", []) if c not in ids]
        if len(cited) == len(s.get("citations", [])) and not _mentions(s.get("text", ""), texts):
            out.append(s)
            continue
        kept = {**s, "citations": cited, "source_deleted": True}
        if s.get("quoted") or _mentions(s.get("text", ""), texts):
            kept["text"] = ERASED
        out.append(kept)
    return out


def scrub(value: Any, ids: Collection[str], texts: Sequence[str]) -> Any:
    """Any JSON value without the erased ids (in lists) or texts (in strings)."""
    if isinstance(value, dict):
        if "citations" in value and "text" in value:
            [value] = scrub_sentences([value], ids, texts)
        return {k: scrub(v, ids, texts) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, ids, texts) for v in value if not (isinstance(v, str) and v in ids)]
    if isinstance(value, str) and _mentions(value, texts):
        for t in texts:
            value = value.replace(t, ERASED) if t else value
        return value
    return value


def _mentions(value: str, texts: Sequence[str]) -> bool:
    return any(t and t in value for t in texts)


async def erase_postits(session: AsyncSession, workshop_id: uuid.UUID, ids: Collection[str],
                        texts: Sequence[str]) -> None:
    """Remove the post-its' ids and texts from everything the workshop stores about them."""
    for cluster in await session.scalars(select(ClusterRow).where(ClusterRow.workshop_id == workshop_id)):
        if any(i in ids for i in cluster.postit_ids):
            cluster.postit_ids = [i for i in cluster.postit_ids if i not in ids]
    for pitch in await session.scalars(select(PitchRow).where(PitchRow.workshop_id == workshop_id)):
        sentences = scrub_sentences(pitch.sentences, ids, texts)
        proposal = scrub(pitch.proposal, ids, texts) if pitch.proposal else pitch.proposal
        if sentences != pitch.sentences or proposal != pitch.proposal:
            pitch.sentences, pitch.proposal, pitch.version = sentences, proposal, pitch.version + 1
    for row in await session.scalars(select(SynthesisRow).where(SynthesisRow.workshop_id == workshop_id)):
        if row.result:
            row.result = scrub(row.result, ids, texts)
    for revision in await session.scalars(select(Revision).where(Revision.workshop_id == workshop_id)):
        revision.before, revision.after = scrub(revision.before, ids, texts), scrub(revision.after, ids, texts)
    for decision in await session.scalars(select(ReviewDecisionRow)
                                          .where(ReviewDecisionRow.workshop_id == workshop_id)):
        if decision.data.get("postit_id") in ids:
            await session.delete(decision)
        else:
            decision.data = scrub(decision.data, ids, texts)
    await session.flush()


async def compact(session: AsyncSession) -> None:
    """On SQLite, fold the write-ahead log into the (secure-delete) file so no erased page lingers."""
    if session.bind is not None and session.bind.dialect.name == "sqlite":
        await session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))

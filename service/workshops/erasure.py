"""Erasure: a deleted post-it leaves no text behind, in clusters, pitches, syntheses, history or caches.

Sentences that cited it keep their place and say so (``source_deleted``); a sentence that *was*
the post-it (a quote) loses its text. Revisions keep the event, without the erased text.

What is searched for is the text in every form the service stores it in (as written; with spaces
folded and prompt fences neutralised, ``models.text.flatten``; without its final punctuation, as
quotes and key points end it, ``finish``) and its distinctive words: words of four letters or
more that no other post-it, axis or title of the workshop uses ("zorglub" in a cluster's keywords
or label). The same rules run when a post-it's text is edited, for the old text.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from models.text import flatten
from service.db.models import PostItRow, ReviewDecisionRow, Revision, SynthesisRow, Workshop
from service.db.repositories import clusters_of, pitches_by_axis, repository
from service.ml import ModelHub

ERASED = "[post-it supprimé]"
WORD_GONE = "[…]"
_WORD = re.compile(r"\w{4,}")
_ENDS = " \t,;:.!?…«»\"'“”"


def forms(texts: Iterable[str]) -> list[str]:
    """Every stored form of the texts, longest first.

    >>> forms(["Un  FabLab <libre>,\\n"])
    ['Un  FabLab <libre>,\\n', 'Un  FabLab <libre>,', 'Un  FabLab <libre>', 'Un FabLab <libre>,', \
'Un FabLab ‹libre›,', 'Un FabLab <libre>', 'Un FabLab ‹libre›']
    """
    found: set[str] = set()
    for raw in texts:
        folded = " ".join(raw.split())
        for form in (raw, raw.strip(), folded, flatten(raw)):
            found |= {form, form.strip(_ENDS)} if form.strip() else set()
    return sorted((f for f in found if len(f) >= 3), key=lambda f: (-len(f), f))


def distinctive(texts: Iterable[str], others: Iterable[str]) -> set[str]:
    """Casefolded words of ``texts`` (four letters or more) found in none of ``others``.

    >>> sorted(distinctive(["Marie veut un FabLab zorglub"], ["Un FabLab partagé", "Atelier"]))
    ['marie', 'veut', 'zorglub']
    """
    known = {w.casefold() for o in others for w in _WORD.findall(o)}
    return {w.casefold() for t in texts for w in _WORD.findall(t)} - known


@dataclass
class Trace:
    """What must not survive: stored forms of the texts, and their distinctive words.

    Attributes:
        forms: Whole texts in each stored form (see :func:`forms`).
        words: Distinctive words (casefolded), replaced by ``[…]`` wherever they appear.
    """

    forms: list[str]
    words: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        alternatives = "|".join(re.escape(w) for w in sorted(self.words, key=len, reverse=True))
        self._words = re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE) if alternatives else None
        self._folded = [flatten(f).strip(_ENDS).casefold() for f in self.forms]

    def found(self, value: str) -> bool:
        """Whether ``value`` holds a whole text (in any form, spacing and case aside)."""
        folded = flatten(value).casefold()
        return any(f and f in folded for f in self._folded)

    def clean(self, value: str) -> str:
        """``value`` with whole texts replaced by ``[post-it supprimé]`` and distinctive words by ``[…]``."""
        for form in self.forms:
            value = value.replace(form, ERASED)
        if self.found(value):  # a form no rule above foresaw: nothing of the string is kept
            return ERASED
        return self._words.sub(WORD_GONE, value) if self._words else value

    def touches(self, value: str) -> bool:
        """Whether ``value`` holds anything to erase."""
        return self.found(value) or bool(self._words and self._words.search(value))


def scrub_sentences(sentences: Sequence[dict[str, Any]], ids: Collection[str],
                    trace: Trace) -> list[dict[str, Any]]:
    """Sentences without the erased post-its: citations dropped, the sentence marked, quotes emptied.

    >>> scrub_sentences([{"text": "« Vélo. »", "citations": ["p1"], "quoted": True},
    ...                  {"text": "Des pistes.", "citations": ["p1", "p2"]}], {"p1"}, Trace(forms(["Vélo."])))
    [{'text': '[post-it supprimé]', 'citations': [], 'quoted': True, 'source_deleted': True}, \
{'text': 'Des pistes.', 'citations': ['p2'], 'source_deleted': True}]
    """
    out = []
    for s in sentences:
        cited = [c for c in s.get("citations", []) if c not in ids]
        words = s.get("text", "")
        if len(cited) == len(s.get("citations", [])) and not trace.touches(words):
            out.append(s)
            continue
        kept = {**s, "citations": cited, "source_deleted": True}
        if (s.get("quoted") and len(cited) < len(s.get("citations", []))) or trace.found(words):
            kept["text"] = ERASED
        else:
            kept["text"] = trace.clean(words)
        out.append(kept)
    return out


def scrub(value: Any, ids: Collection[str], trace: Trace) -> Any:
    """Any JSON value without the erased ids (in lists), texts and distinctive words (in strings)."""
    if isinstance(value, dict):
        if "citations" in value and "text" in value:
            [value] = scrub_sentences([value], ids, trace)
        return {k: scrub(v, ids, trace) for k, v in value.items()}
    if isinstance(value, list):
        kept = [scrub(v, ids, trace) for v in value if not (isinstance(v, str) and v in ids)]
        return [v for v in kept if v != WORD_GONE]  # a keyword that was a distinctive word goes
    if isinstance(value, str) and trace.touches(value):
        return trace.clean(value)
    return value


async def trace_of(session: AsyncSession, workshop_id: uuid.UUID, ids: Collection[str],
                   texts: Sequence[str]) -> Trace:
    """The trace of ``texts``: distinctive against the workshop's other post-its, axes and title."""
    others = list((await session.scalars(select(PostItRow.text).where(
        PostItRow.workshop_id == workshop_id, PostItRow.id.notin_([uuid.UUID(i) for i in ids])))).all())
    workshop = await session.get(Workshop, workshop_id)
    if workshop is not None:
        others += [workshop.title, *(f"{a.name} {a.description or ''}" for a in workshop.axes)]
    return Trace(forms(texts), distinctive(texts, others))


async def erase_postits(session: AsyncSession, workshop_id: uuid.UUID, ids: Collection[str],
                        texts: Sequence[str]) -> None:
    """Remove the post-its' ids and texts from everything the workshop stores about them.

    With no ``ids``, only the texts go (a post-it whose text was edited keeps its place).
    """
    trace = await trace_of(session, workshop_id, ids, texts)
    for cluster in await clusters_of(session, workshop_id):
        cluster.postit_ids = [i for i in cluster.postit_ids if i not in ids]
        cluster.keywords = scrub(cluster.keywords, ids, trace)
        if trace.touches(cluster.label):
            cluster.label = " ".join(cluster.keywords[:3]) or ERASED
    for pitch in (await pitches_by_axis(session, workshop_id)).values():
        sentences = scrub_sentences(pitch.sentences, ids, trace)
        proposal = scrub(pitch.proposal, ids, trace) if pitch.proposal else pitch.proposal
        if sentences != pitch.sentences or proposal != pitch.proposal:
            pitch.sentences, pitch.proposal, pitch.version = sentences, proposal, pitch.version + 1
    for row in await repository(session, SynthesisRow).get_many(SynthesisRow.workshop_id == workshop_id):
        if row.result:
            row.result = scrub(row.result, ids, trace)
    for revision in await repository(session, Revision).get_many(Revision.workshop_id == workshop_id):
        revision.before, revision.after = scrub(revision.before, ids, trace), scrub(revision.after, ids, trace)
    for decision in await repository(session, ReviewDecisionRow).get_many(ReviewDecisionRow.workshop_id == workshop_id):
        if decision.data.get("postit_id") in ids:
            await session.delete(decision)
        else:
            decision.data = scrub(decision.data, ids, trace)
    await session.flush()


async def settle_erasure(session: AsyncSession, models: ModelHub, texts: Sequence[str]) -> None:
    """Commit an erasure, then wipe what lingers: the SQLite log and the cached vectors.

    The request's own commit would come too late: the log can only be folded once the erasure is
    committed, and only then may the caches forget (a failed commit leaves the texts in place).
    """
    await session.commit()
    await compact(session)
    await models.forget(texts)


async def compact(session: AsyncSession) -> None:
    """On SQLite, fold the write-ahead log into the (secure-delete) file so no erased page lingers."""
    if session.bind is not None and session.bind.dialect.name == "sqlite":
        await session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))

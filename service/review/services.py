"""Review operations. Every change writes a :class:`Revision` (who, when, before, after)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from models.decisions import Merge, Move, Rename, ReviewDecisions
from models.routing import slugify
from models.text import split_sentences
from models.types import SINGULAR_LABEL
from service.db.models import AxisRow, ClusterRow, PitchRow, PostItRow, ReviewDecisionRow, Revision, SynthesisRow
from service.db.repositories import axis_pitch, clusters_of, get_one, repository
from service.errors import bad_request
from service.limits import control_character

SYSTEM = "atelier"


def pitch_text(sentences: Sequence[dict[str, Any]]) -> str:
    """The pitch as one paragraph."""
    return " ".join(s["text"] for s in sentences)


def snapshot(pitch: PitchRow) -> dict[str, Any]:
    """What a revision stores of a pitch."""
    return {"text": pitch_text(pitch.sentences), "sentences": pitch.sentences,
            "edited": pitch.edited, "approved": pitch.approved}


async def record(session: AsyncSession, workshop_id: uuid.UUID, entity: str, entity_id: uuid.UUID, action: str,
                 author: str, before: dict[str, Any] | None, after: dict[str, Any] | None,
                 version: int | None = None) -> None:
    """Store one change."""
    session.add(Revision(workshop_id=workshop_id, entity=entity, entity_id=entity_id, action=action,
                         author=author, before=before, after=after, version=version))


class VersionConflict(Exception):
    """A pitch or cluster changed since the version the reviewer saw; ``current`` is what it is now."""

    def __init__(self, current: PitchRow | ClusterRow, expected: int) -> None:
        kind = "pitch" if isinstance(current, PitchRow) else "cluster"
        super().__init__(f"someone changed this {kind} meanwhile: you saw version {expected}, "
                         f"it is now version {current.version}")
        self.current = current
        self.expected = expected


Versioned = TypeVar("Versioned", PitchRow, ClusterRow)


async def _get_versioned(session: AsyncSession, model: type[Versioned], ident: uuid.UUID, kind: str,
                         expected: int | None) -> Versioned:
    """The row or a 404; with ``expected``, a :class:`VersionConflict` unless it is still that version."""
    row = await get_one(session, model, ident)
    if expected is not None and row.version != expected:
        raise VersionConflict(row, expected)
    return row


async def get_pitch(session: AsyncSession, pitch_id: uuid.UUID, expected: int | None = None) -> PitchRow:
    """The pitch or a 404 (or a :class:`VersionConflict` when ``expected`` is not its version)."""
    return await _get_versioned(session, PitchRow, pitch_id, "pitch", expected)


async def offer_draft(session: AsyncSession, workshop_id: uuid.UUID, axis_id: uuid.UUID,
                      synthesis_id: uuid.UUID | None, sentences: list[dict[str, Any]],
                      provenance: dict[str, Any]) -> PitchRow:
    """Put a new draft in place, unless a human edited or approved the pitch: then offer it beside."""
    pitch = await axis_pitch(session, axis_id)
    if pitch is None:
        pitch = PitchRow(id=uuid.uuid4(), workshop_id=workshop_id, axis_id=axis_id, synthesis_id=synthesis_id,
                         sentences=sentences, provenance=provenance, version=1)
        session.add(pitch)
        await record(session, workshop_id, "pitch", pitch.id, "draft", SYSTEM, None, snapshot(pitch), 1)
    elif pitch.edited or pitch.approved:
        pitch.proposal = {"sentences": sentences, "synthesis_id": str(synthesis_id) if synthesis_id else None,
                          "provenance": provenance, "text": pitch_text(sentences)}
        await record(session, workshop_id, "pitch", pitch.id, "proposal", SYSTEM, None,
                     {"text": pitch_text(sentences)}, pitch.version)
    else:
        before = snapshot(pitch)
        pitch.sentences, pitch.provenance, pitch.synthesis_id = sentences, provenance, synthesis_id
        pitch.version += 1
        pitch.proposal = None
        await record(session, workshop_id, "pitch", pitch.id, "redraft", SYSTEM, before, snapshot(pitch),
                     pitch.version)
    return pitch


async def apply_synthesis(session: AsyncSession, workshop_id: uuid.UUID, synthesis_id: uuid.UUID,
                          result: dict[str, Any]) -> None:
    """Turn a finished synthesis into reviewable clusters and pitches."""
    axes = {a.name: a for a in await repository(session, AxisRow).get_many(AxisRow.workshop_id == workshop_id)}
    for axis in result["axes"]:
        row = axes.get(axis["name"])
        if row is None:  # the axis was renamed or removed while the job ran
            continue
        await replace_clusters(session, row, synthesis_id, axis)
        await offer_draft(session, workshop_id, row.id, synthesis_id, axis["pitch"]["sentences"],
                          result["provenance"])


async def replace_clusters(session: AsyncSession, axis: AxisRow, synthesis_id: uuid.UUID,
                           data: dict[str, Any]) -> None:
    """The axis's clusters become those of the new synthesis (old edits stay in the history)."""
    await session.execute(delete(ClusterRow).where(ClusterRow.axis_id == axis.id))
    for position, c in enumerate(data["clusters"]):
        session.add(ClusterRow(workshop_id=axis.workshop_id, axis_id=axis.id, synthesis_id=synthesis_id,
                               key=c["id"], label=c["label"], keywords=c["keywords"], postit_ids=c["postit_ids"],
                               position=position, kept_from_review=c.get("kept_from_review", [])))
    session.add(ClusterRow(workshop_id=axis.workshop_id, axis_id=axis.id, synthesis_id=synthesis_id,
                           key=f"{slugify(axis.name)}-singular", label=SINGULAR_LABEL, keywords=[],
                           postit_ids=data["singular_postit_ids"], singular=True, position=len(data["clusters"])))
    await record(session, axis.workshop_id, "axis", axis.id, "clusters", SYSTEM, None,
                 {"synthesis_id": str(synthesis_id), "clusters": len(data["clusters"])})


def resplit(text: str, old: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sentences of an edited text; unchanged sentences keep their citations and support."""
    by_text = {s["text"].strip(): s for s in old}
    out = []
    for part in split_sentences(text):
        kept = by_text.get(part)
        out.append(dict(kept) if kept else {"text": part, "citations": [], "support": None,
                                             "supported": None, "verdict": None, "edited": True})
    return out


async def edit_pitch(session: AsyncSession, pitch_id: uuid.UUID, text: str, author: str,
                     expected: int | None = None) -> PitchRow:
    """Replace the pitch text (a new version); an approval is withdrawn by the edit."""
    if not text.strip():
        raise bad_request("text: empty pitch", "text")
    if (bad := control_character(text.replace("\r", ""))) is not None:
        raise bad_request(f"text: control character {bad}", "text")
    pitch = await get_pitch(session, pitch_id, expected)
    before = snapshot(pitch)
    pitch.sentences = resplit(text, pitch.sentences)
    pitch.edited, pitch.approved = True, False
    pitch.version += 1
    await record(session, pitch.workshop_id, "pitch", pitch.id, "edit", author, before, snapshot(pitch),
                 pitch.version)
    await session.flush()  # a concurrent change fails here, inside the request (409), never after it
    return pitch


async def set_approval(session: AsyncSession, pitch_id: uuid.UUID, approved: bool, author: str,
                       expected: int | None = None) -> PitchRow:
    """Approve or withdraw approval (of the version the reviewer saw, when ``expected`` is given)."""
    pitch = await get_pitch(session, pitch_id, expected)
    before = snapshot(pitch)
    pitch.approved = approved
    pitch.version += 1
    await record(session, pitch.workshop_id, "pitch", pitch.id, "approve" if approved else "unapprove", author,
                 before, snapshot(pitch), pitch.version)
    await session.flush()
    return pitch


async def accept_proposal(session: AsyncSession, pitch_id: uuid.UUID, author: str,
                          expected: int | None = None) -> PitchRow:
    """Take the draft offered beside a human-edited pitch."""
    pitch = await get_pitch(session, pitch_id, expected)
    if not pitch.proposal:
        raise bad_request("no new draft is offered for this pitch", "proposal")
    before = snapshot(pitch)
    pitch.sentences = pitch.proposal["sentences"]
    pitch.provenance = pitch.proposal["provenance"]
    pitch.proposal, pitch.edited, pitch.approved = None, False, False
    pitch.version += 1
    await record(session, pitch.workshop_id, "pitch", pitch.id, "accept-proposal", author, before,
                 snapshot(pitch), pitch.version)
    await session.flush()
    return pitch


async def history(session: AsyncSession, entity_id: uuid.UUID, entity: str,
                  workshop_id: uuid.UUID) -> list[Revision]:
    """Revisions of one entity of one kind (``pitch``, ``cluster``) and workshop, oldest first.

    Kind and workshop are both matched so that an id of another kind or workshop reads nothing.
    """
    return await repository(session, Revision).get_many(
        Revision.entity_id == entity_id, Revision.entity == entity, Revision.workshop_id == workshop_id,
        order_by=[(Revision.created_at, False), (Revision.id, False)])


async def get_cluster(session: AsyncSession, cluster_id: uuid.UUID, expected: int | None = None) -> ClusterRow:
    """The cluster or a 404 (or a :class:`VersionConflict` when ``expected`` is not its version)."""
    return await _get_versioned(session, ClusterRow, cluster_id, "cluster", expected)


def _cluster_state(c: ClusterRow) -> dict[str, Any]:
    return {"label": c.label, "postit_ids": list(c.postit_ids)}


async def rename_cluster(session: AsyncSession, cluster_id: uuid.UUID, label: str, author: str,
                         expected: int | None = None) -> ClusterRow:
    """Give a cluster a human label."""
    if not label.strip():
        raise bad_request("label: empty label", "label")
    cluster = await get_cluster(session, cluster_id, expected)
    before = _cluster_state(cluster)
    cluster.label = label.strip()
    await record(session, cluster.workshop_id, "cluster", cluster.id, "rename", author, before,
                 _cluster_state(cluster))
    if not cluster.singular:
        decide(session, cluster, "rename", author, label=cluster.label, member_ids=list(cluster.postit_ids))
    await session.flush()
    return cluster


def decide(session: AsyncSession, cluster: ClusterRow, kind: str, author: str, **data: Any) -> None:
    """Keep a reviewer's decision for the next clusterings of the axis (see ``models.decisions``)."""
    session.add(ReviewDecisionRow(workshop_id=cluster.workshop_id, axis_id=cluster.axis_id, kind=kind, data=data,
                                  author=author))


async def axis_clusters(session: AsyncSession, axis_id: uuid.UUID) -> list[ClusterRow]:
    """Clusters of an axis, singular group last."""
    return await repository(session, ClusterRow).get_many(
        ClusterRow.axis_id == axis_id, order_by=[(ClusterRow.singular, False), (ClusterRow.position, False)])


async def move_postit(session: AsyncSession, postit_id: uuid.UUID, cluster_id: uuid.UUID | None,
                      author: str) -> ClusterRow:
    """Move a post-it to another cluster of its axis, or to the singular group (``None``)."""
    postit = await get_one(session, PostItRow, postit_id)
    key = str(postit_id)
    clusters = await clusters_of(session, postit.workshop_id)
    source = next((c for c in clusters if key in c.postit_ids), None)
    if source is None:
        raise bad_request("post-it is in no cluster yet: run a synthesis first", "postit_id")
    siblings = [c for c in clusters if c.axis_id == source.axis_id]
    target = next((c for c in siblings if (c.id == cluster_id if cluster_id else c.singular)), None)
    if target is None:
        raise bad_request(f"cluster_id: {cluster_id} is not a cluster of this post-it's axis", "cluster_id")
    if target.id != source.id:
        decide(session, target, "move", author, postit_id=key,
               with_ids=[] if target.singular else list(target.postit_ids),
               away_from=[] if source.singular else [i for i in source.postit_ids if i != key])
        source.postit_ids = [i for i in source.postit_ids if i != key]
        target.postit_ids = [*target.postit_ids, key]
        await record(session, postit.workshop_id, "postit", postit.id, "move", author,
                     {"cluster_id": str(source.id), "label": source.label},
                     {"cluster_id": str(target.id), "label": target.label})
        await session.flush()  # two moves racing on one cluster: the second fails here (409)
    return target


async def merge_clusters(session: AsyncSession, cluster_id: uuid.UUID, other_id: uuid.UUID,
                         author: str, expected: int | None = None) -> ClusterRow:
    """Fold ``other`` into ``cluster`` (same axis, neither the singular group)."""
    cluster, other = await get_cluster(session, cluster_id, expected), await get_cluster(session, other_id)
    if cluster.id == other.id or cluster.axis_id != other.axis_id or cluster.singular or other.singular:
        raise bad_request("other_id: merge two different clusters of the same axis (not the singular group)",
                          "other_id")
    before = {"cluster": _cluster_state(cluster), "other": {**_cluster_state(other), "id": str(other.id)}}
    decide(session, cluster, "merge", author, first=list(cluster.postit_ids), second=list(other.postit_ids))
    cluster.postit_ids = [*cluster.postit_ids, *other.postit_ids]
    cluster.keywords = list(dict.fromkeys([*cluster.keywords, *other.keywords]))[:8]
    await session.delete(other)
    await record(session, cluster.workshop_id, "cluster", cluster.id, "merge", author, before,
                 _cluster_state(cluster))
    await session.flush()
    return cluster


async def axis_key_points(session: AsyncSession, pitch: PitchRow | None,
                          axis_name: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The key points and themes of the synthesis the axis's pitch came from (none before a synthesis)."""
    row = await session.get(SynthesisRow, pitch.synthesis_id) if pitch and pitch.synthesis_id else None
    for axis in (row.result or {}).get("axes", []) if row else []:
        if axis["name"] == axis_name:
            return list(axis.get("key_points", [])), list(axis.get("themes", []))
    return [], []


async def axis_decisions(session: AsyncSession, workshop_id: uuid.UUID) -> dict[uuid.UUID, ReviewDecisions]:
    """Every axis's reviewer decisions, oldest first, ready for the pipeline."""
    rows = await repository(session, ReviewDecisionRow).get_many(
        ReviewDecisionRow.workshop_id == workshop_id,
        order_by=[(ReviewDecisionRow.created_at, False), (ReviewDecisionRow.id, False)])
    out: dict[uuid.UUID, ReviewDecisions] = {}
    for row in rows:
        d, found = row.data, out.setdefault(row.axis_id, ReviewDecisions())
        if row.kind == "move":
            found.moves.append(Move(d["postit_id"], tuple(d["with_ids"]), tuple(d["away_from"])))
        elif row.kind == "merge":
            found.merges.append(Merge(tuple(d["first"]), tuple(d["second"])))
        elif row.kind == "rename":
            found.renames.append(Rename(d["label"], tuple(d["member_ids"])))
    return out

"""Reviewer decisions carried into a new clustering of the same axis.

Facilitators move post-its, merge clusters and rename them. A new synthesis
(more post-its, another model) clusters from scratch, then these decisions are
applied on top, in this order:

1. **merges**: the new clusters that hold most of each merged cluster's members
   become one, and every member of either side joins it, wherever the new
   clustering put it (a must-link between the two groups);
2. **moves**: a moved post-it joins the new cluster holding most of the
   members it was moved beside (a must-link with them); moved to the singular
   group, it stays singular (a cannot-link with every cluster). A later move of
   the same post-it replaces an earlier one. When the new clustering has put the
   cluster it left and the one it joined together, the must-link wins;
3. **renames**: a human label goes to the new cluster whose members overlap the
   renamed cluster's most (Jaccard ≥ ``min_overlap``); a cluster that no longer
   exists keeps nothing.

New post-its are never named by a decision: they fall where the clustering put
them, around the decided groups. Ids of deleted post-its are ignored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from models.clustering import SINGULAR, size_order

KEPT_MERGE, KEPT_MOVE, KEPT_RENAME = "merge", "move", "rename"


@dataclass(frozen=True)
class Move:
    """A post-it a reviewer moved: beside ``with_ids`` (none: to the singular group), away from ``away_from``."""

    postit_id: str
    with_ids: tuple[str, ...] = ()
    away_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class Merge:
    """Two clusters a reviewer merged, by their members at the time."""

    first: tuple[str, ...]
    second: tuple[str, ...]


@dataclass(frozen=True)
class Rename:
    """A label a reviewer gave the cluster made of ``member_ids``."""

    label: str
    member_ids: tuple[str, ...]


@dataclass
class ReviewDecisions:
    """One axis's decisions, oldest first."""

    moves: list[Move] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    renames: list[Rename] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.moves or self.merges or self.renames)


@dataclass
class Applied:
    """Labels after the decisions, the human labels kept, and what each cluster kept from review."""

    labels: np.ndarray
    names: dict[int, str]
    kept: dict[int, list[str]]


def _plurality(labels: np.ndarray, rows: Iterable[int]) -> int:
    """The non-singular label most of ``rows`` carry (ties: the smallest), else singular."""
    counts = Counter(int(labels[r]) for r in rows if labels[r] != SINGULAR)
    if not counts:
        return SINGULAR
    best = max(counts.values())
    return min(c for c, k in counts.items() if k == best)


def apply_decisions(ids: Sequence[str], labels: np.ndarray, decisions: ReviewDecisions,
                    min_overlap: float = 0.5, keys: Sequence[str] | None = None) -> Applied:
    """Apply merges, then moves, then renames to one axis's ``labels`` (rows in ``ids`` order).

    ``keys`` are the clusterer's ordering keys (default: the ids), so both number clusters alike.

    >>> d = ReviewDecisions(moves=[Move("c", with_ids=("a",))], renames=[Rename("Vélo", ("a", "b", "c"))])
    >>> out = apply_decisions(["a", "b", "c"], np.array([0, 0, 1]), d)
    >>> out.labels.tolist(), out.names, out.kept
    ([0, 0, 0], {0: 'Vélo'}, {0: ['move', 'rename']})
    """
    row = {pid: i for i, pid in enumerate(ids)}
    labels = np.asarray(labels, dtype=int).copy()
    kept: dict[int, list[str]] = {}

    def note(cluster: int, what: str) -> None:
        if cluster != SINGULAR and what not in kept.setdefault(cluster, []):
            kept[cluster].append(what)

    for merge in decisions.merges:
        note(_merge(labels, _rows(row, merge.first), _rows(row, merge.second)), KEPT_MERGE)
    for move in {m.postit_id: m for m in decisions.moves}.values():  # a post-it's last move wins
        if move.postit_id not in row:
            continue
        if not move.with_ids:  # moved out of every group
            labels[row[move.postit_id]] = SINGULAR
            continue
        note(_move(labels, row[move.postit_id], _rows(row, move.with_ids)), KEPT_MOVE)
    names: dict[int, str] = {}
    for rename in decisions.renames:
        best = _best_overlap(labels, set(_rows(row, rename.member_ids)), min_overlap)
        if best != SINGULAR:
            names[best] = rename.label
            note(best, KEPT_RENAME)
    return _renumbered(Applied(labels, names, kept), keys or ids)


def _rows(row: dict[str, int], members: Iterable[str]) -> list[int]:
    """The rows of the members still present (a post-it erased since the decision is left out)."""
    return [row[m] for m in members if m in row]


def _merge(labels: np.ndarray, first: list[int], second: list[int]) -> int:
    """Put both sides' clusters (and the members themselves) in one; the cluster they went to."""
    target = _plurality(labels, first + second)
    if target == SINGULAR:
        target = int(labels.max()) + 1 if len(first + second) > 1 else SINGULAR
    for rows in (first, second):
        source = _plurality(labels, rows)
        if source not in (SINGULAR, target):
            labels[labels == source] = target
        # a must-link on the members themselves: one the new clustering left singular or put in a
        # third cluster still goes where the reviewer put it (a later move of it still wins)
        labels[rows] = target
    return target


def _move(labels: np.ndarray, me: int, companions: list[int]) -> int:
    """Move one row beside its companions (those still present); the cluster it went to."""
    beside = [r for r in companions if r != me]
    target = _plurality(labels, beside)
    if target == SINGULAR and beside:  # its companions were all left singular: they form a group again
        target = int(labels.max()) + 1
        labels[beside] = target
    if target != SINGULAR:
        labels[me] = target
    return target


def _best_overlap(labels: np.ndarray, members: set[int], min_overlap: float) -> int:
    """The cluster whose rows overlap ``members`` most (Jaccard, at least ``min_overlap``), else singular."""
    best, score = SINGULAR, 0.0
    for cluster in sorted(set(labels.tolist()) - {SINGULAR}):
        inside = set(np.flatnonzero(labels == cluster).tolist())
        overlap = len(inside & members) / len(inside | members)
        if overlap > score:
            best, score = cluster, overlap
    return best if score >= min_overlap else SINGULAR


def _renumbered(applied: Applied, ids: Sequence[str]) -> Applied:
    """Clusters numbered as the clusterer numbers them (:func:`~models.clustering.size_order`), whatever the
    input order."""
    labels = applied.labels
    new = size_order(labels, ids)
    return Applied(np.array([new.get(c, SINGULAR) for c in labels.tolist()], dtype=int),
                   {new[c]: v for c, v in applied.names.items()}, {new[c]: v for c, v in applied.kept.items()})

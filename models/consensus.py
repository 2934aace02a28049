"""Where the room agrees and where it splits: agreement shares and Polis-style opinion groups.

Polis reads opinion groups off the vote matrix (participants × comments, 1 agree, -1 disagree,
0 pass, missing when unseen): participants with enough votes, missing votes imputed with the
comment's mean, PCA to two components, k-means with k chosen by silhouette. We do the same with
scikit-learn, seeded, so the same votes always give the same groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score

#: Share of disagreeing votes from which a key point counts as dividing the room.
DISAGREEMENT = 0.3
#: Gap between two opinion groups' agreement shares from which the groups split on it.
GROUP_GAP = 0.3
#: Agreement share from which an undivided key point counts as consensus.
CONSENSUS = 0.6
#: Fewest agree + disagree votes (overall, or within a group) before a share is read at all.
MIN_VOTES = 5


class OpinionGroups:
    """Opinion groups of participants from their votes (PCA + k-means, as Polis does).

    Args:
        n_components: PCA components the participants are placed on (Polis uses 2).
        max_groups: Largest number of groups tried; k runs from 2 to this.
        min_votes: Votes a participant needs to be placed (Polis uses 7, or every comment when there
            are fewer); others get ``-1``.
        random_state: Seed of k-means, so the grouping is repeatable.

    Attributes:
        labels_: Group of each participant (row), ``-1`` for those with too few votes.
        n_groups_: Number of groups found (0 when too few participants could be placed).
        projection_: Each placed participant's coordinates (``nan`` rows for the others).

    >>> votes = np.array([[1, 1, -1, -1]] * 6 + [[-1, -1, 1, 1]] * 6, dtype=float)
    >>> groups = OpinionGroups(min_votes=3).fit(votes)
    >>> groups.n_groups_, sorted(set(groups.labels_[:6])) != sorted(set(groups.labels_[6:]))
    (2, True)
    """

    def __init__(self, n_components: int = 2, max_groups: int = 5, min_votes: int = 7, random_state: int = 0) -> None:
        self.n_components = n_components
        self.max_groups = max_groups
        self.min_votes = min_votes
        self.random_state = random_state

    def fit(self, votes: np.ndarray) -> OpinionGroups:
        """Place participants and group them.

        Args:
            votes: ``(participants, comments)`` with 1, -1, 0 and ``nan`` for a comment not seen.
        """
        votes = np.asarray(votes, dtype=float)
        self.labels_ = np.full(votes.shape[0], -1, dtype=int)
        self.projection_ = np.full((votes.shape[0], self.n_components), np.nan)
        self.n_groups_ = 0
        needed = min(self.min_votes, votes.shape[1])
        placed = np.flatnonzero((~np.isnan(votes)).sum(axis=1) >= needed)
        if len(placed) < 4 or votes.shape[1] < self.n_components:
            return self
        seen = votes[placed]
        counts = (~np.isnan(seen)).sum(axis=0)
        means = np.divide(np.nansum(seen, axis=0), counts, out=np.zeros(seen.shape[1]), where=counts > 0)
        filled = np.where(np.isnan(seen), means, seen)
        xy = PCA(n_components=self.n_components, random_state=self.random_state).fit_transform(filled)
        best: tuple[float, np.ndarray] | None = None
        distinct = len(np.unique(np.round(xy, 9), axis=0))  # k-means cannot make more groups than points
        for k in range(2, min(self.max_groups, len(placed) - 1, distinct) + 1):
            labels = KMeans(n_clusters=k, n_init=10, random_state=self.random_state).fit_predict(xy)
            if len(set(labels)) < 2:
                continue
            score = float(silhouette_score(xy, labels))
            if best is None or score > best[0] + 1e-9:
                best = (score, labels)
        if best is None:
            return self
        self.labels_[placed] = best[1]
        self.projection_[placed] = xy
        self.n_groups_ = int(best[1].max()) + 1
        return self


def group_counts(votes: np.ndarray, labels: np.ndarray, n_groups: int) -> list[list[tuple[int, int]]]:
    """Per comment (column), ``(agrees, disagrees)`` within each opinion group.

    >>> v = np.array([[1, -1], [1, np.nan], [-1, 1]])
    >>> group_counts(v, np.array([0, 0, 1]), 2)
    [[(2, 0), (0, 1)], [(0, 1), (1, 0)]]
    """
    out = []
    for column in np.asarray(votes, dtype=float).T:
        out.append([(int(np.sum(column[labels == g] == 1)), int(np.sum(column[labels == g] == -1)))
                    for g in range(n_groups)])
    return out


@dataclass
class Stance:
    """How the room voted on a key point (its group's post-its together).

    Attributes:
        agrees: Agree votes on the group's post-its.
        disagrees: Disagree votes on them.
        groups: ``(agrees, disagrees)`` per opinion group, empty when no groups are known.
    """

    agrees: int
    disagrees: int
    groups: list[tuple[int, int]] = field(default_factory=list)

    @property
    def votes(self) -> int:
        """Agree and disagree votes together (passes are not counted)."""
        return self.agrees + self.disagrees

    @property
    def agreement(self) -> float | None:
        """Share of agreeing votes, ``None`` under :data:`MIN_VOTES`."""
        return self.agrees / self.votes if self.votes >= MIN_VOTES else None

    @property
    def group_agreement(self) -> list[float | None]:
        """Agreement share within each opinion group (``None`` where it has too few votes)."""
        return [a / (a + d) if a + d >= MIN_VOTES else None for a, d in self.groups]

    @property
    def divided(self) -> str | None:
        """Why the key point divides the room (``disagreement`` or ``groups``), or ``None``.

        >>> Stance(30, 4).divided, Stance(20, 15).divided, Stance(20, 6, [(18, 1), (2, 5)]).divided
        (None, 'disagreement', 'groups')
        """
        if self.agreement is None:
            return None
        if 1 - self.agreement >= DISAGREEMENT:
            return "disagreement"
        shares = [s for s in self.group_agreement if s is not None]
        if len(shares) >= 2 and max(shares) - min(shares) >= GROUP_GAP:
            return "groups"
        return None

    @property
    def label(self) -> str | None:
        """``consensus``, ``divided``, ``mixed``, or ``None`` without enough votes."""
        if self.agreement is None:
            return None
        if self.divided:
            return "divided"
        return "consensus" if self.agreement >= CONSENSUS else "mixed"

    def to_dict(self) -> dict[str, Any]:
        """Serialise in the ``synthesis.json`` shape (``key_points[].consensus``)."""
        return {"agrees": self.agrees, "disagrees": self.disagrees,
                "agreement": None if self.agreement is None else round(self.agreement, 3),
                "label": self.label, "divided": self.divided,
                "groups": [None if s is None else round(s, 3) for s in self.group_agreement]}


def stance_of(postits: Sequence[Any]) -> Stance | None:
    """The stance of a group of post-its (anything with ``agrees``, ``disagrees``, ``groups``).

    ``None`` when none of them carries agree/disagree counts (votes were dots, not opinions).
    """
    known = [p for p in postits if p.agrees is not None or p.disagrees is not None]
    if not known:
        return None
    width = max((len(p.groups) for p in known), default=0)
    groups = [(sum(p.groups[g][0] for p in known if len(p.groups) > g),
               sum(p.groups[g][1] for p in known if len(p.groups) > g)) for g in range(width)]
    return Stance(sum(p.agrees or 0 for p in known), sum(p.disagrees or 0 for p in known), groups)

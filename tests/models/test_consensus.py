"""Opinion groups and stances: repeatable, order-free, and never calling a split room a consensus."""

from __future__ import annotations

import hashlib

import numpy as np
from sklearn.metrics import adjusted_rand_score

from models.consensus import OpinionGroups, Stance, group_counts, stance_of
from models.types import PostIt


def camps(n: int = 40, comments: int = 12, seen: float = 0.7) -> np.ndarray:
    """Two camps voting opposite on half the comments, alike on the rest, with unseen cells (seeded)."""
    seed = int(hashlib.sha256(b"camps").hexdigest()[:8], 16)
    rng = np.random.default_rng(seed)
    side = np.where(np.arange(n) < n // 2, 1.0, -1.0)[:, None]
    votes = np.hstack([np.repeat(side, comments // 2, axis=1), np.ones((n, comments - comments // 2))])
    noise = rng.random(votes.shape) < 0.1
    votes[noise] = 0.0
    votes[rng.random(votes.shape) > seen] = np.nan
    return votes


def test_groups_find_the_camps_whatever_the_participant_order() -> None:
    votes = camps()
    found = OpinionGroups().fit(votes)
    truth = (np.arange(len(votes)) >= len(votes) // 2).astype(int)
    placed = found.labels_ >= 0  # participants with fewer than 7 votes are left unplaced, as in Polis
    assert found.n_groups_ == 2 and placed.sum() >= 30
    assert adjusted_rand_score(truth[placed], found.labels_[placed]) == 1.0
    order = np.random.default_rng(7).permutation(len(votes))
    again = OpinionGroups().fit(votes[order])
    assert adjusted_rand_score(found.labels_[order], again.labels_) == 1.0


def test_too_few_voters_give_no_groups() -> None:
    found = OpinionGroups().fit(np.array([[1.0, -1.0], [1.0, 1.0]]))
    assert found.n_groups_ == 0 and list(found.labels_) == [-1, -1]


def test_split_camps_make_a_divided_key_point_even_when_most_agree() -> None:
    votes = camps()
    found = OpinionGroups().fit(votes)
    counts = group_counts(votes, found.labels_, found.n_groups_)
    postits = [PostIt(f"p{i}", "x", agrees=int(np.sum(votes[:, i] == 1)), disagrees=int(np.sum(votes[:, i] == -1)),
                      groups=tuple(counts[i])) for i in range(votes.shape[1])]
    split = stance_of(postits[:6])
    shared = stance_of(postits[6:])
    assert split is not None and split.label == "divided"
    assert shared is not None and shared.label == "consensus" and shared.divided is None
    assert stance_of([PostIt("dots", "x", votes=12)]) is None  # dot votes say nothing about disagreement


def test_a_handful_of_votes_is_not_read_as_a_stance() -> None:
    assert Stance(2, 1).label is None and Stance(2, 1).to_dict()["agreement"] is None
    assert Stance(3, 3).label == "divided" and Stance(9, 1).label == "consensus"

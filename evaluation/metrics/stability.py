"""Stability: agreement between two clusterings of the same post-its (e.g. shuffled input)."""

from __future__ import annotations

from collections.abc import Mapping

from sklearn.metrics import adjusted_rand_score


def stability(first: Mapping[str, str], second: Mapping[str, str]) -> float:
    """ARI between two runs, over the post-its both placed (cluster names may differ).

    >>> stability({"a": "0", "b": "0", "c": "1"}, {"a": "7", "b": "7", "c": "3"})
    1.0
    """
    ids = sorted(set(first) & set(second))
    if len(ids) < 2:
        return 1.0
    return round(float(adjusted_rand_score([first[i] for i in ids], [second[i] for i in ids])), 4)

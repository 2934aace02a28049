"""Baselines run side by side with Atelier in every batch.

* ``bertopic``: BERTopic's default clustering recipe (UMAP to 5-d, HDBSCAN
  ``min_cluster_size=10``) on the same embeddings;
* ``oracle-k ward``: Ward agglomerative clustering cut at the *gold* number of
  groups, on the same embeddings: what a method that was told k could reach;
* ``top-voted``: the 8 most voted post-its as the pitch (strong on real consultations);
* ``random-8``: 8 post-its drawn at random (seeded with hashlib): the floor;
* ``whole-axis``: every post-it of the axis: the ceiling of coverage.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

import numpy as np

from evaluation.datasets import Case


def bertopic_labels(vectors: np.ndarray, ids: Sequence[str], seed: int = 42) -> dict[str, str]:
    """Cluster id per post-it with BERTopic's default recipe (``-1`` = noise)."""
    import hdbscan
    import umap

    if len(vectors) < 12:  # UMAP fails below ~10 points; BERTopic would too
        return {i: "-1" for i in ids}
    reduced = umap.UMAP(n_components=5, n_neighbors=min(15, len(vectors) - 1), min_dist=0.0, metric="cosine",
                        random_state=seed, n_jobs=1).fit_transform(vectors)
    labels = hdbscan.HDBSCAN(min_cluster_size=10, metric="euclidean", cluster_selection_method="eom",
                             core_dist_n_jobs=1).fit_predict(reduced)
    return {i: str(int(label)) for i, label in zip(ids, labels, strict=True)}


def oracle_k_labels(vectors: np.ndarray, ids: Sequence[str], k: int) -> dict[str, str]:
    """Cluster id per post-it from Ward linkage cut at ``k`` clusters (empty when k < 2).

    >>> v = np.array([[1.0, 0.0], [0.99, 0.1], [0.0, 1.0], [0.1, 0.99]])
    >>> oracle_k_labels(v, ["a", "b", "c", "d"], 2) in ({"a": "0", "b": "0", "c": "1", "d": "1"},
    ...                                                 {"a": "1", "b": "1", "c": "0", "d": "0"})
    True
    """
    from sklearn.cluster import AgglomerativeClustering

    if k < 2 or len(vectors) <= k:
        return {}
    order = sorted(range(len(ids)), key=lambda i: ids[i])  # canonical order: ties do not depend on input order
    labels = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(np.asarray(vectors)[order])
    return {ids[i]: str(int(label)) for i, label in zip(order, labels, strict=True)}


def top_voted(case: Case, k: int = 8) -> list[str]:
    """The ``k`` most voted post-its (ties by id)."""
    return [p.text for p in sorted(case.postits, key=lambda p: (-p.votes, p.id))[:k]]


def random_pick(case: Case, k: int = 8) -> list[str]:
    """``k`` post-its drawn with a seed derived from the case id (stable across processes)."""
    seed = int.from_bytes(hashlib.sha256(case.id.encode()).digest()[:8], "little")
    texts = [p.text for p in case.postits]
    return random.Random(seed).sample(texts, min(k, len(texts)))


def whole_axis(case: Case) -> list[str]:
    """All post-its of the axis."""
    return [p.text for p in case.postits]

"""Per-axis HDBSCAN designed for workshop sizes (10–300 post-its per axis).

Plain HDBSCAN on sentence embeddings leaves most of a small axis as noise
(14 of 14 CCC "Consommer" proposals with ``min_cluster_size=3``). A facilitator
needs every post-it somewhere, so this estimator:

1. scales ``min_cluster_size`` with the axis size and uses leaf selection,
   which keeps the fine-grained groups a workshop actually has;
2. attaches each noise point to the nearest cluster when it lies within that
   cluster's own radius (the least similar member), so clusters grow only by
   points as close as their own members;
3. retries with the smallest sizes when an axis of 10+ post-its comes back
   all noise;
4. leaves what is still unattached as *singular* (label ``-1``): the axis's
   explicit "idées singulières" group.

Rows are processed in a canonical order (by the given keys, e.g. post-it ids)
so the result does not depend on input order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin

SINGULAR = -1


class AxisClusterer(ClusterMixin, BaseEstimator):  # type: ignore[misc]
    """Cluster the normalised embeddings of one axis.

    Args:
        min_cluster_size: HDBSCAN's minimum cluster size; ``None`` scales it
            with the axis size (``max(2, round(sqrt(n) / 2))``).
        min_samples: HDBSCAN's neighbourhood size; ``None`` means
            ``min(min_cluster_size - 1, 3)`` (at least 1): small values keep
            sparse workshop data from turning into noise.
        cluster_selection_method: ``leaf`` (default, fine-grained) or ``eom``.
        attach_noise: Attach noise points that fall within a cluster's radius.
        retry_all_noise_from: Axis size from which an all-noise result is
            retried with the smallest sizes (then EOM with a single cluster allowed).

    Attributes:
        labels_: Cluster index per row, ``-1`` for singular ideas.
        n_clusters_: Number of clusters found.
        params_: The HDBSCAN parameters actually used.
    """

    def __init__(self, min_cluster_size: int | None = None, min_samples: int | None = None,
                 cluster_selection_method: str = "leaf", attach_noise: bool = True,
                 retry_all_noise_from: int = 3, noise_rounds: int = 3,
                 attach_margin: float = 0.0) -> None:
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.cluster_selection_method = cluster_selection_method
        self.attach_noise = attach_noise
        self.retry_all_noise_from = retry_all_noise_from
        self.noise_rounds = noise_rounds
        self.attach_margin = attach_margin

    def sizes_for(self, n: int) -> tuple[int, int]:
        """HDBSCAN (min_cluster_size, min_samples) for an axis of ``n`` rows."""
        mcs = self.min_cluster_size or max(2, round(math.sqrt(n) / 2))
        ms = self.min_samples or max(1, min(mcs - 1, 3))
        return int(mcs), int(ms)

    def fit(self, X: np.ndarray, y: None = None, keys: Sequence[str] | None = None) -> AxisClusterer:
        """Cluster ``X`` (rows L2-normalised).

        Args:
            X: Embeddings, shape ``(n, dim)``.
            y: Ignored (scikit-learn convention).
            keys: One sortable key per row (post-it ids) fixing the canonical
                order; rows are ordered by their values when omitted.

        Returns:
            self
        """
        X = np.asarray(X, dtype=np.float64)
        n = len(X)
        order = _canonical_order(X, keys)
        labels = np.full(n, SINGULAR, dtype=int)
        mcs, ms = self.sizes_for(n)
        self.params_ = {"min_cluster_size": mcs, "min_samples": ms,
                        "cluster_selection_method": self.cluster_selection_method}
        if n >= 2:
            canon = X[order]
            found = self._cluster(canon, mcs, ms)
            if (found == SINGULAR).all() and n >= self.retry_all_noise_from:
                # Smallest sizes first; then EOM with a single cluster allowed, which on
                # a handful of points finds the one dense group leaf selection misses.
                self.params_.update(min_cluster_size=2, min_samples=1, retried=True)
                found = self._cluster(canon, 2, 1)
                if (found == SINGULAR).all():
                    self.params_.update(cluster_selection_method="eom", allow_single_cluster=True)
                    found = self._cluster(canon, 2, 1, method="eom", single=True)
            found = self._recluster_noise(canon, found)
            if self.attach_noise:
                found = attach_to_clusters(canon, found, self.attach_margin)
            labels[order] = _renumber(found)
        self.labels_ = labels
        self.n_clusters_ = int(labels.max() + 1) if n else 0
        return self

    def _recluster_noise(self, X: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Cluster what a round left as noise, for up to ``noise_rounds`` rounds.

        Sparser groups are masked by denser ones in one HDBSCAN hierarchy; a
        round on the leftovers alone finds them.
        """
        for _ in range(self.noise_rounds):
            noise = np.flatnonzero(labels == SINGULAR)
            if len(noise) < 10:  # fewer leftovers are better left as singular ideas
                break
            mcs, ms = self.sizes_for(len(noise))
            extra = self._cluster(X[noise], mcs, ms)
            if (extra == SINGULAR).all():
                break
            offset = labels.max() + 1
            labels = labels.copy()
            labels[noise[extra != SINGULAR]] = extra[extra != SINGULAR] + offset
        return labels

    def _cluster(self, X: np.ndarray, mcs: int, ms: int, method: str | None = None,
                 single: bool = False) -> np.ndarray:
        import hdbscan

        distances = np.clip(1.0 - X @ X.T, 0.0, 2.0)
        np.fill_diagonal(distances, 0.0)
        if len(X) <= ms:
            return np.full(len(X), SINGULAR, dtype=int)
        if distances.max() < 1e-6:  # all the same idea: HDBSCAN sees no density change
            return np.zeros(len(X), dtype=int)
        model = hdbscan.HDBSCAN(
            min_cluster_size=max(2, min(mcs, len(X))), min_samples=ms, metric="precomputed",
            cluster_selection_method=method or self.cluster_selection_method,
            allow_single_cluster=single or len(X) < 2 * mcs, core_dist_n_jobs=1,
        )
        return np.asarray(model.fit_predict(distances), dtype=int)


def attach_to_clusters(X: np.ndarray, labels: np.ndarray, margin: float = 0.0) -> np.ndarray:
    """Attach noise rows that lie within the radius of their nearest cluster.

    Centroids and radii are computed once, before attaching, so the result
    does not depend on the order in which noise points are seen.
    """
    clusters = sorted(set(labels.tolist()) - {SINGULAR})
    if not clusters:
        return labels
    centroids = np.stack([_unit(X[labels == c].mean(axis=0)) for c in clusters])
    radii = np.array([(X[labels == c] @ centroids[i]).min() for i, c in enumerate(clusters)])
    out = labels.copy()
    noise = np.flatnonzero(labels == SINGULAR)
    if len(noise):
        sims = X[noise] @ centroids.T
        best = sims.argmax(axis=1)
        ok = sims[np.arange(len(noise)), best] >= radii[best] - margin
        out[noise[ok]] = np.asarray(clusters)[best[ok]]
    return out


def _unit(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v)
    return v / norm if norm > 0 else v


def _canonical_order(X: np.ndarray, keys: Sequence[str] | None) -> np.ndarray:
    if keys is not None:
        if len(keys) != len(X):
            raise ValueError(f"{len(keys)} keys for {len(X)} rows")
        return np.asarray(sorted(range(len(X)), key=lambda i: str(keys[i])), dtype=int)
    if len(X) == 0:
        return np.zeros(0, dtype=int)
    return np.lexsort(np.round(X, 6).T[::-1])


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Number clusters by size (largest first), ties by first row: stable ids."""
    clusters = [c for c in dict.fromkeys(labels.tolist()) if c != SINGULAR]
    clusters.sort(key=lambda c: -int((labels == c).sum()))
    mapping = {c: i for i, c in enumerate(clusters)}
    return np.array([mapping.get(c, SINGULAR) for c in labels.tolist()], dtype=int)

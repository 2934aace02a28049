"""Per-axis clustering: HDBSCAN on UMAP layouts, sized by the axis, deterministic.

HDBSCAN straight on 768-d sentence embeddings loses the grouping the vectors
carry (ARI 0.25 on CCC where Ward at the true number of groups reaches 0.37):
distances crowd together in high dimensions. This estimator:

1. lays the axis out with UMAP (cosine neighbourhoods, ``n_components`` dims,
   fixed seeds, canonical row order). On axes up to ``ensemble_max`` post-its
   it runs ``n_runs`` layouts with different seeds, clusters each with HDBSCAN,
   and clusters the *co-association* matrix (how often two post-its shared a
   cluster) with HDBSCAN again: one UMAP layout of 20–300 points is noisy (CCC
   ARI 0.25–0.37 from one seed to another), the consensus of sixteen much less
   (0.36–0.39 over four seeds). The consensus distance keeps a share of the
   original cosine distance: sixteen layouts give only seventeen co-association
   levels, and pairs the layouts tie on (or split by chance) are then told
   apart by what the vectors say (CCC 0.371 → 0.410 over six seeds, the other
   sets unchanged);
2. scales HDBSCAN's ``min_cluster_size`` and UMAP's ``n_neighbors`` with the
   axis size (``sqrt(n) / 3`` and ``sqrt(n)``, clipped), and selects clusters
   by excess of mass;
3. attaches each noise point to its nearest cluster when it lies within that
   cluster's own radius (the least similar member) in the original space;
4. leaves what is still unattached as *singular* (label ``-1``): the axis's
   explicit "idées singulières" group;
5. cuts in two (Ward) a cluster holding most of a large axis that has fewer
   than three clusters: excess of mass may keep one giant cluster (ArgKP: 101
   of 121 arguments against making assisted suicide an offence, where the
   human key points name four ideas), and two key points make a pitch of two
   sentences. Cut in two, it gave "… allowed for those with terminal
   illnesses" (59) and "People should have the right to choose their own
   death" (42). Clustering it again with HDBSCAN gave six pieces whose key
   points said the same stance again. On an axis with more clusters the giant
   is left whole: the Klimarat's Energie axis (335 of 515 comments, 8
   clusters), cut, lost its main idea from the pitch.

Distances are rounded (to 3 decimals, 2 on an axis laid out once) before any of this reads them: the
same texts encoded in another batch differ by float noise, and UMAP turns any difference into
another layout.

Axes under ``reduce_from`` post-its (too few for a layout) are clustered on
cosine distances directly, with leaf selection, and retried with the smallest
sizes when they come back all noise.

Rows are processed in a canonical order (by the given keys, e.g. post-it ids)
so the result does not depend on input order.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin

SINGULAR = -1
DENSE_MAX = 4096  # beyond this, UMAP finds neighbours approximately instead of from a dense matrix


class AxisClusterer(ClusterMixin, BaseEstimator):  # type: ignore[misc]
    """Cluster the normalised embeddings of one axis.

    Args:
        min_cluster_size: HDBSCAN's minimum cluster size; ``None`` scales it
            with the axis size (``max(2, round(sqrt(n) / 3))``).
        min_samples: HDBSCAN's neighbourhood size; ``None`` means HDBSCAN's
            default (``min_cluster_size``) on layouts, and
            ``min(min_cluster_size - 1, 3)`` on the small-axis path.
        n_neighbors: UMAP's neighbourhood; ``None`` means ``sqrt(n)`` clipped
            to 4–15.
        n_components: UMAP dimensions.
        n_runs: UMAP layouts combined on axes up to ``ensemble_max`` rows.
        distance_weight: Share of the cosine distance (scaled to end at 1) in
            the distance the consensus is clustered on; the rest is one minus
            the co-association. ``0`` clusters the co-association alone.
        ensemble_max: Largest axis clustered by consensus of ``n_runs`` layouts;
            larger axes get one layout (each costs ~0.2 s per 1,000 rows).
        reduce_from: Smallest axis laid out with UMAP; smaller ones are
            clustered on cosine distances directly.
        cluster_selection_method: HDBSCAN's selection on layouts (``eom``).
        attach_noise: Attach noise points that fall within a cluster's radius.
        retry_all_noise_from: On the small-axis path, axis size from which an
            all-noise result is retried with the smallest sizes (then EOM with a
            single cluster allowed).
        random_state: Seed of the first layout (the others use the next ones).
        large_axis_epochs: UMAP epochs when an axis is laid out once (over
            ``ensemble_max`` rows, or ``n_runs=1``) (UMAP's own default is 500 below 10,000 rows:
            2.5x slower for the same agreement with human groups on Make.org).
        split_share: A cluster holding more than this share of the axis is cut in two
            (``None``: never).
        split_from: Smallest cluster ``split_share`` applies to.
        split_below: Only an axis with fewer clusters than this has its giant cut.
        distance_decimals: Cosine distances are rounded to this many decimals before the layouts
            and HDBSCAN read them (``None``: not rounded). The same texts encoded in another batch
            or run differ by up to ~1e-7 per coordinate, and UMAP's optimisation amplifies any
            difference into another layout: unrounded, clusters under such noise agreed with the
            noiseless ones at ARI 0.80 on average (0.62 at worst) over `ccc`, `argkp`'s first eight
            cases and makeorg's exemplars; rounded to 3 decimals at 0.999 (0.99 at worst), with the
            same agreement with the human groups (ARI 0.275 unrounded, 0.288 rounded; 2 decimals
            0.247). Axes over :data:`DENSE_MAX` rows are laid out from the vectors, unrounded.
        large_axis_decimals: The same for an axis laid out once (over ``ensemble_max`` rows):
            with more pairs, more distances sit on a rounding boundary, and a single layout has no
            consensus to absorb them. Under the same noise the Klimarat's 515 Energie comments
            agreed with themselves at ARI 0.18–0.69 unrounded, 0.26–1.00 at 3 decimals, 0.95–1.00
            at 2; makeorg's 2,249 plébiscite proposals 0.83–0.89, 0.83–0.89 and 0.91 (human groups
            0.553, 0.544, 0.576).

    Attributes:
        labels_: Cluster index per row, ``-1`` for singular ideas.
        n_clusters_: Number of clusters found.
        params_: The parameters actually used.
    """

    def __init__(self, min_cluster_size: int | None = None, min_samples: int | None = None,
                 n_neighbors: int | None = None, n_components: int = 5, n_runs: int = 16,
                 distance_weight: float = 0.3, ensemble_max: int = 300, reduce_from: int = 12,
                 cluster_selection_method: str = "eom", attach_noise: bool = True,
                 retry_all_noise_from: int = 3, random_state: int = 42,
                 large_axis_epochs: int | None = 200, split_share: float | None = 0.5,
                 split_from: int = 40, split_below: int = 3, distance_decimals: int | None = 3,
                 large_axis_decimals: int | None = 2) -> None:
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.n_runs = n_runs
        self.distance_weight = distance_weight
        self.ensemble_max = ensemble_max
        self.reduce_from = reduce_from
        self.cluster_selection_method = cluster_selection_method
        self.attach_noise = attach_noise
        self.retry_all_noise_from = retry_all_noise_from
        self.random_state = random_state
        self.large_axis_epochs = large_axis_epochs
        self.split_share = split_share
        self.split_from = split_from
        self.split_below = split_below
        self.distance_decimals = distance_decimals
        self.large_axis_decimals = large_axis_decimals

    def sizes_for(self, n: int) -> tuple[int, int | None]:
        """HDBSCAN (min_cluster_size, min_samples) for an axis of ``n`` rows."""
        mcs = self.min_cluster_size or max(2, round(math.sqrt(n) / 3))
        return int(mcs), self.min_samples

    def neighbours_for(self, n: int) -> int:
        """UMAP ``n_neighbors`` for an axis of ``n`` rows."""
        return int(self.n_neighbors or max(4, min(15, round(math.sqrt(n)))))

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
        self.params_: dict[str, object] = {}
        if n >= 2:
            canon = X[order]
            found = self._layout_clusters(canon) if n >= self.reduce_from else self._small_axis(canon)
            if self.attach_noise:
                found = attach_to_clusters(canon, found)
            found = self._split_giants(canon, found)
            labels[order] = _renumber(found)
        self.labels_ = labels
        self.n_clusters_ = int(labels.max() + 1) if n else 0
        return self

    def _layout_clusters(self, X: np.ndarray) -> np.ndarray:
        """HDBSCAN on one UMAP layout, or on the consensus of ``n_runs`` layouts."""
        import hdbscan

        n = len(X)
        mcs, ms = self.sizes_for(n)
        runs = self.n_runs if n <= self.ensemble_max else 1
        decimals = self.distance_decimals if runs > 1 else self.large_axis_decimals
        self.params_.update(min_cluster_size=mcs, min_samples=ms, n_neighbors=self.neighbours_for(n),
                            n_components=self.n_components, layouts=runs, distance_decimals=decimals,
                            cluster_selection_method=self.cluster_selection_method)
        source = cosine_distances(X, decimals) if n <= DENSE_MAX else X
        found = [self._cluster(layout, mcs, ms) for layout in self._layouts(source, runs)]
        if runs == 1:
            return found[0]
        self.params_.update(distance_weight=self.distance_weight)
        cosine = source if n <= DENSE_MAX else cosine_distances(X, decimals)  # an ensemble_max set above DENSE_MAX
        distances = consensus_distances(found, cosine, self.distance_weight)
        model = hdbscan.HDBSCAN(min_cluster_size=mcs, min_samples=1, metric="precomputed",
                                cluster_selection_method="eom", core_dist_n_jobs=1)
        return np.asarray(model.fit_predict(distances), dtype=int)

    def _split_giants(self, X: np.ndarray, found: np.ndarray) -> np.ndarray:
        """Cut in two (Ward, deterministic) each cluster over :attr:`split_share` of an axis with few clusters."""
        from sklearn.cluster import AgglomerativeClustering

        out = found.copy()
        clusters = sorted(set(found.tolist()) - {SINGULAR})
        if self.split_share is None or len(clusters) >= self.split_below:
            return out
        for c in clusters:
            rows = np.flatnonzero(found == c)
            if len(rows) < self.split_from or len(rows) <= self.split_share * len(X):
                continue
            halves = AgglomerativeClustering(n_clusters=2).fit_predict(X[rows])
            out[rows[halves == 1]] = out.max() + 1
            self.params_.setdefault("split", []).append(len(rows))  # type: ignore[attr-defined]
        return out

    def _layouts(self, source: np.ndarray, runs: int) -> list[np.ndarray]:
        """UMAP layouts, one per seed; ``source`` is a cosine distance matrix or the vectors."""
        import umap

        n = len(source)
        dense = source.shape[0] == source.shape[1] and n <= DENSE_MAX
        out = []
        with warnings.catch_warnings():  # seeded UMAP warns that it runs on one thread: we want that
            warnings.simplefilter("ignore")
            for run in range(runs):
                model = umap.UMAP(n_components=min(self.n_components, n - 2), n_neighbors=min(self.neighbours_for(n),
                                  n - 1), min_dist=0.0, metric="precomputed" if dense else "cosine",
                                  random_state=self.random_state + run, n_jobs=1,
                                  n_epochs=self.large_axis_epochs if runs == 1 else None)
                out.append(np.asarray(model.fit_transform(source), dtype=np.float64))
        return out

    def _cluster(self, X: np.ndarray, mcs: int, ms: int | None) -> np.ndarray:
        import hdbscan

        model = hdbscan.HDBSCAN(min_cluster_size=max(2, min(mcs, len(X))), min_samples=ms,
                                cluster_selection_method=self.cluster_selection_method, core_dist_n_jobs=1)
        return np.asarray(model.fit_predict(X), dtype=int)

    def _small_axis(self, X: np.ndarray) -> np.ndarray:
        """An axis too small for a layout: HDBSCAN on cosine distances, leaf selection, retried if all noise."""
        mcs = self.min_cluster_size or 2
        ms = self.min_samples or 1
        self.params_.update(min_cluster_size=mcs, min_samples=ms, cluster_selection_method="leaf")
        found = _precomputed_hdbscan(X, mcs, ms, "leaf", self.distance_decimals)
        if (found == SINGULAR).all() and len(X) >= self.retry_all_noise_from:
            # EOM with a single cluster allowed finds the one dense group leaf selection misses.
            self.params_.update(cluster_selection_method="eom", allow_single_cluster=True, retried=True)
            found = _precomputed_hdbscan(X, 2, 1, "eom", self.distance_decimals, single=True)
        return found


def consensus_distances(found: Sequence[np.ndarray], cosine: np.ndarray, weight: float) -> np.ndarray:
    """One minus the co-association of ``found`` labellings, mixed with scaled cosine distances.

    Two rows share a cluster in a labelling when they carry the same label other
    than :data:`SINGULAR`.

    >>> found = [np.array([0, 0, 1]), np.array([0, -1, 1])]
    >>> cosine = np.array([[0.0, 0.2, 0.8], [0.2, 0.0, 0.4], [0.8, 0.4, 0.0]])
    >>> consensus_distances(found, cosine, 0.0).round(2).tolist()
    [[0.0, 0.5, 1.0], [0.5, 0.0, 1.0], [1.0, 1.0, 0.0]]
    >>> consensus_distances(found, cosine, 0.5).round(2).tolist()
    [[0.0, 0.38, 1.0], [0.38, 0.0, 0.75], [1.0, 0.75, 0.0]]
    """
    together = np.zeros(cosine.shape)
    for labels in found:
        together += (labels[:, None] == labels[None, :]) & (labels[:, None] != SINGULAR)
    distances = 1.0 - together / len(found)
    top = cosine.max()
    if weight and top > 0:
        distances = (1.0 - weight) * distances + weight * cosine / top
    np.fill_diagonal(distances, 0.0)
    return distances


def cosine_distances(X: np.ndarray, decimals: int | None = None) -> np.ndarray:
    """``1 - cos`` of L2-normalised rows, clipped to [0, 2], zero diagonal, rounded to ``decimals``.

    Rounded, vectors that differ only by float noise give the same distances (but where a distance
    sits on a rounding boundary, much rarer than a difference anywhere):

    >>> X = np.array([[1.0, 0.0], [0.6, 0.8]])
    >>> noisy = X + np.array([[0.0, 0.0], [1e-7, -1e-7]])
    >>> bool((cosine_distances(X) == cosine_distances(noisy)).all())
    False
    >>> bool((cosine_distances(X, 3) == cosine_distances(noisy, 3)).all()), float(cosine_distances(X, 3)[0, 1])
    (True, 0.4)
    """
    distances = np.clip(1.0 - X @ X.T, 0.0, 2.0)
    if decimals is not None:
        distances = np.round(distances, decimals)
    np.fill_diagonal(distances, 0.0)
    return distances


def _precomputed_hdbscan(X: np.ndarray, mcs: int, ms: int, method: str, decimals: int | None,
                         single: bool = False) -> np.ndarray:
    import hdbscan

    distances = cosine_distances(X, decimals)
    if len(X) <= ms:
        return np.full(len(X), SINGULAR, dtype=int)
    if distances.max() < 1e-6:  # all the same idea: HDBSCAN sees no density change
        return np.zeros(len(X), dtype=int)
    model = hdbscan.HDBSCAN(min_cluster_size=max(2, min(mcs, len(X))), min_samples=ms, metric="precomputed",
                            cluster_selection_method=method, allow_single_cluster=single or len(X) < 2 * mcs,
                            core_dist_n_jobs=1)
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


def size_order(labels: np.ndarray, keys: Sequence[str] | None = None) -> dict[int, int]:
    """The new number of each cluster: largest first, ties by smallest key (by first row without keys).

    The one numbering rule: the clusterer applies it in canonical order, reviewer decisions
    (``models.decisions``) in any order with the post-it ids as keys, and both agree.

    >>> size_order(np.array([5, 7, 7, -1, 5]), ["b", "c", "d", "e", "a"])
    {5: 0, 7: 1}
    """
    first: dict[int, str | int] = {}
    for row, label in enumerate(labels.tolist()):
        key = keys[row] if keys is not None else row
        if label != SINGULAR and (label not in first or key < first[label]):  # type: ignore[operator]
            first[label] = key
    ordered = sorted(first, key=lambda c: (-int((labels == c).sum()), first[c]))
    return {c: i for i, c in enumerate(ordered)}


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Number clusters by :func:`size_order`: stable ids."""
    mapping = size_order(labels)
    return np.array([mapping.get(c, SINGULAR) for c in labels.tolist()], dtype=int)

"""Themes: an axis' key points in 2–3 named groups, the second level of a human synthesis.

The CCC's citizens, Make.org's report and the seed's workshops all write an axis as a few
themes, each a handful of short actions. Key points are grouped by their meaning (average-linkage
agglomerative clustering of their embeddings, cosine), into as many themes (2 or 3) as the
silhouette prefers.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics import silhouette_score

MIN_KEY_POINTS = 4  # below this an axis is one theme: splitting three actions in two says nothing


class ThemeGrouper:
    """Groups an axis' key points into themes.

    Args:
        min_key_points: Fewest key points an axis needs to get themes.
        n_themes: Candidate numbers of themes; the one with the best silhouette wins.

    Attributes:
        labels_: Theme index of each key point (``-1`` everywhere when the axis gets no themes).
        n_themes_: Themes found (0 when none).
    """

    def __init__(self, min_key_points: int = MIN_KEY_POINTS, n_themes: tuple[int, ...] = (2, 3)) -> None:
        self.min_key_points = min_key_points
        self.n_themes = n_themes

    def fit(self, X: np.ndarray, weights: np.ndarray | None = None) -> ThemeGrouper:
        """Group the rows of ``X`` (unit key point embeddings, heaviest first).

        Themes are numbered by weight (``weights``, default the row order's), heaviest first, so
        the same key points always give the same numbering.

        >>> X = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9], [0.95, 0.05]], dtype=float)
        >>> ThemeGrouper().fit(X / np.linalg.norm(X, axis=1, keepdims=True)).labels_.tolist()
        [0, 0, 1, 1, 0]
        """
        n = len(X)
        self.labels_ = np.full(n, -1, dtype=int)
        self.n_themes_ = 0
        candidates = [k for k in self.n_themes if 2 <= k <= n // 2]
        if n < self.min_key_points or not candidates:
            return self
        best: tuple[float, np.ndarray] | None = None
        for k in candidates:
            labels = AgglomerativeClustering(n_clusters=k, metric="cosine", linkage="average").fit_predict(X)
            score = float(silhouette_score(X, labels, metric="cosine")) if len(set(labels)) > 1 else -1.0
            if best is None or score > best[0] + 1e-9:
                best = (score, labels)
        assert best is not None
        w = np.asarray(weights if weights is not None else np.arange(n, 0, -1), dtype=float)
        order = sorted(set(best[1].tolist()), key=lambda t: (-w[best[1] == t].sum(), int(np.argmax(best[1] == t))))
        remap = {old: new for new, old in enumerate(order)}
        self.labels_ = np.array([remap[int(t)] for t in best[1]], dtype=int)
        self.n_themes_ = len(order)
        return self

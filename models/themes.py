"""Themes: an axis' key points in 2–3 named groups, the second level of a human synthesis.

The CCC's citizens, Make.org's report and the seed's workshops all write an axis as a few
themes, each a handful of short actions. Key points are grouped by their meaning (Ward-linkage
agglomerative clustering of their unit embeddings, where Euclidean distance ranks pairs as cosine
does), into as many themes (2 or 3) as the silhouette prefers among groupings whose every theme
holds at least two key points (a lone key point joins the closest theme; where every grouping
collapses into one theme, the key points are halved along their main direction). Average linkage,
tried first, split the German Klimarat "Energie" axis' 17 key points 16 + 1: a theme of one says
nothing a key point does not.

Human themes hold 3–5 actions, so an axis with more key points than two themes of
``MAX_THEME_SIZE`` hold is grouped in three: Energie's 18 key points went 13 + 5 on a silhouette of
0.11, where three themes (0.08) give 10 + 5 + 3, the third the energy companies' and prices' claims.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics import silhouette_score

MIN_KEY_POINTS = 4  # below this an axis is one theme: splitting three actions in two says nothing
MIN_THEME_SIZE = 2  # a grouping with a smaller theme loses to any grouping without one
MAX_THEME_SIZE = 5  # human themes hold 3-5 actions: an axis with more than two such themes hold asks for a third


def absorb_small(X: np.ndarray, labels: np.ndarray, min_size: int = MIN_THEME_SIZE) -> np.ndarray:
    """``labels`` with each theme smaller than ``min_size`` merged into the theme whose centre is closest.

    >>> X = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.2, 0.8]], dtype=float)
    >>> absorb_small(X, np.array([0, 0, 1, 2])).tolist()
    [0, 0, 2, 2]
    """
    labels = labels.copy()
    while True:
        sizes = {int(t): int((labels == t).sum()) for t in set(labels.tolist())}
        small = [t for t, size in sorted(sizes.items(), key=lambda x: x[1]) if size < min_size]
        if not small or len(sizes) < 2:
            return labels
        t = small[0]
        centres = {u: X[labels == u].mean(axis=0) for u in sizes if u != t}
        mean = X[labels == t].mean(axis=0)
        labels[labels == t] = max(centres, key=lambda u: float(centres[u] @ mean) / float(np.linalg.norm(centres[u])))


def halves(X: np.ndarray) -> np.ndarray:
    """Two themes of (nearly) equal size, split along the rows' main direction of variation.

    >>> halves(np.array([[1, 0], [0.9, 0.1], [0, 1], [0.2, 0.8]], dtype=float)).tolist()
    [0, 0, 1, 1]
    """
    centred = X - X.mean(axis=0)
    direction = np.linalg.svd(centred, full_matrices=False)[2][0]
    order = np.argsort(centred @ direction, kind="stable")
    labels = np.zeros(len(X), dtype=int)
    labels[order[len(X) // 2:]] = 1
    return labels if labels[0] == 0 else 1 - labels


class ThemeGrouper:
    """Groups an axis' key points into themes.

    Args:
        min_key_points: Fewest key points an axis needs to get themes.
        n_themes: Candidate numbers of themes; the one with the best silhouette wins.
        max_theme_size: Key points a theme should hold at most: candidates too few for the axis'
            key points at this size are left out, unless none is enough (then the largest stays).

    Attributes:
        labels_: Theme index of each key point (``-1`` everywhere when the axis gets no themes).
        n_themes_: Themes found (0 when none).
    """

    def __init__(self, min_key_points: int = MIN_KEY_POINTS, n_themes: tuple[int, ...] = (2, 3),
                 max_theme_size: int = MAX_THEME_SIZE) -> None:
        self.min_key_points = min_key_points
        self.n_themes = n_themes
        self.max_theme_size = max_theme_size

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
        roomy = [k for k in candidates if n <= k * self.max_theme_size]
        if candidates and not roomy:  # too many key points for any: as many themes as allowed
            roomy = [max(candidates)]
        candidates = roomy
        if n < self.min_key_points or not candidates:
            return self
        best: tuple[float, np.ndarray] | None = None
        for k in candidates:
            labels = absorb_small(X, AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(X))
            if len(set(labels.tolist())) < 2:
                continue
            score = float(silhouette_score(X, labels, metric="cosine"))
            if best is None or score > best[0] + 1e-9:
                best = (score, labels)
        # every grouping was one big theme and lone key points: halve along the main direction instead
        chosen = best[1] if best is not None else halves(X)
        w = np.asarray(weights if weights is not None else np.arange(n, 0, -1), dtype=float)
        order = sorted(set(chosen.tolist()), key=lambda t: (-w[chosen == t].sum(), int(np.argmax(chosen == t))))
        remap = {old: new for new, old in enumerate(order)}
        self.labels_ = np.array([remap[int(t)] for t in chosen], dtype=int)
        self.n_themes_ = len(order)
        return self

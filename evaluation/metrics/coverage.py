"""Bullet coverage: which reference bullets a draft sentence matches, and the precision the other way.

Score with a *sentence-similarity* embedding (EmbeddingGemma: ``task: sentence
similarity``), never the clustering one, under which every French pair scores
≥ 0.7; and always report the random-pick floor beside it.
"""

from __future__ import annotations

import numpy as np

DEFAULT_THRESHOLD = 0.6


def coverage(draft: np.ndarray, bullets: np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> dict[str, float]:
    """Share of bullets matched by some draft sentence, and of draft sentences matching some bullet.

    >>> draft = np.array([[1.0, 0.0], [0.6, 0.8]])
    >>> bullets = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    >>> coverage(draft, bullets, threshold=0.7)
    {'coverage': 0.6667, 'precision': 1.0}
    """
    if len(draft) == 0 or len(bullets) == 0:
        return {"coverage": 0.0, "precision": 0.0}
    sims = draft @ bullets.T
    return {"coverage": round(float((sims.max(axis=0) >= threshold).mean()), 4),
            "precision": round(float((sims.max(axis=1) >= threshold).mean()), 4)}

"""BERTScore-style similarity at sentence level: greedy matching of normalised embeddings."""

from __future__ import annotations

import numpy as np


def greedy_match(draft: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    """Precision (draft sentences → best reference), recall (reference → best draft) and F1.

    Args:
        draft: Normalised embeddings of the draft's sentences, ``(n, d)``.
        reference: Normalised embeddings of the reference sentences, ``(m, d)``.

    >>> d = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> r = np.array([[1.0, 0.0]])
    >>> greedy_match(d, r)
    {'precision': 0.5, 'recall': 1.0, 'f1': 0.6667}
    """
    if len(draft) == 0 or len(reference) == 0:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    sims = draft @ reference.T
    precision = float(sims.max(axis=1).mean())
    recall = float(sims.max(axis=0).mean())
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}

"""Bootstrap 95 % confidence intervals across cases (percentile method, seeded)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def bootstrap_ci(values: Sequence[float], n_resamples: int = 2000, seed: int = 0,
                 level: float = 0.95) -> dict[str, float]:
    """Mean and percentile interval of the mean.

    >>> bootstrap_ci([0.5, 0.5, 0.5])
    {'mean': 0.5, 'low': 0.5, 'high': 0.5, 'n': 3}
    >>> ci = bootstrap_ci([0.0, 1.0] * 20)
    >>> ci["low"] < 0.5 < ci["high"]
    True
    """
    data = np.asarray([v for v in values if v is not None and not np.isnan(v)], dtype=float)
    if len(data) == 0:
        return {"mean": float("nan"), "low": float("nan"), "high": float("nan"), "n": 0}
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, len(data), size=(n_resamples, len(data)))].mean(axis=1)
    tail = (1 - level) / 2 * 100
    return {"mean": round(float(data.mean()), 4), "low": round(float(np.percentile(means, tail)), 4),
            "high": round(float(np.percentile(means, 100 - tail)), 4), "n": len(data)}

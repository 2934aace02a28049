"""Float noise on clustering vectors: how much of a clustering number another machine would move.

The same post-its encoded on another machine, thread count or batch differ by ~1e-7, and the
clusterer's sixteen UMAP layouts amplify any difference in what they read: on ``ccc`` that alone
moved a case's clusters to an ARI of 0.55–1.00 against themselves (``docs/measurements.md``). The
clusterer now rounds its distances to 3 decimals (``AxisClusterer.distance_decimals``), so such noise
moves clusters only where a distance sits on a rounding boundary. The evaluation clusters every case
once more with that much noise on its vectors and reports the agreement (``noise_stability``): what
is left of that spread, and a difference between two configurations smaller than it is no difference.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from models.embedding import Embedder, Task

#: Standard deviation of the Gaussian noise added to each coordinate of a unit vector: the size of
#: the differences measured between the same texts encoded by two runs (at most 1.1e-7).
NOISE_SCALE = 1e-7


def perturbed(vectors: np.ndarray, seed: str, scale: float = NOISE_SCALE) -> np.ndarray:
    """``vectors`` with Gaussian noise of ``scale`` (seeded by ``seed`` through SHA-256), renormalised.

    >>> v = np.array([[0.6, 0.8], [1.0, 0.0]], dtype=np.float32)
    >>> noisy = perturbed(v, "case-1")
    >>> bool(np.abs(noisy - v).max() < 1e-6), bool((noisy == perturbed(v, "case-1")).all())
    (True, True)
    """
    state = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
    noisy = vectors.astype(np.float64) + np.random.default_rng(state).normal(0.0, scale, vectors.shape)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    return noisy.astype(np.float32)


class NoisyEmbedder:
    """An embedder whose clustering vectors carry :data:`NOISE_SCALE` noise (other tasks untouched).

    Args:
        inner: The embedder whose vectors are perturbed.
        seed: Seeds the noise, so a case's noisy clustering is the same on every run.
    """

    def __init__(self, inner: Embedder, seed: str) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.seed = seed

    def encode(self, texts: Sequence[str], task: Task = "clustering") -> np.ndarray:
        """The inner embedder's vectors, perturbed for clustering."""
        vectors = self.inner.encode(texts, task)
        return perturbed(vectors, self.seed) if task == "clustering" and len(vectors) else vectors

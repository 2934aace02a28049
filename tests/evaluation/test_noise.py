from __future__ import annotations

import numpy as np

from evaluation.noise import NOISE_SCALE, NoisyEmbedder
from tests.fakes import HashingEmbedder


def test_only_clustering_vectors_carry_the_noise_and_the_same_seed_gives_the_same_noise() -> None:
    texts = ["piste cyclable", "bus de nuit", "vélo électrique"]
    inner = HashingEmbedder()
    noisy, again, other = (NoisyEmbedder(inner, seed) for seed in ("case-1", "case-1", "case-2"))
    clean = inner.encode(texts, "clustering")
    moved = noisy.encode(texts, "clustering")
    assert not np.array_equal(moved, clean) and np.abs(moved - clean).max() < 20 * NOISE_SCALE
    assert np.allclose(np.linalg.norm(moved, axis=1), 1.0, atol=1e-6)
    assert np.array_equal(moved, again.encode(texts, "clustering"))
    assert not np.array_equal(moved, other.encode(texts, "clustering"))
    assert np.array_equal(noisy.encode(texts, "similarity"), inner.encode(texts, "similarity"))

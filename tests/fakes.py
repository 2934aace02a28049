"""Fast, deterministic stand-ins for the models (seeded with hashlib, never hash())."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from models.labelling import tokenize


class HashingEmbedder:
    """Bag-of-words embedder: texts sharing words get similar vectors.

    Each word maps to a fixed random direction derived from its SHA-256, so
    results are identical across processes and runs.
    """

    def __init__(self, dim: int = 64, model_id: str = "fake-hashing") -> None:
        self.dim = dim
        self.model_id = model_id
        self.calls: list[tuple[str, int]] = []

    def _word(self, word: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "little")
        return np.random.default_rng(seed).standard_normal(self.dim)

    def encode(self, texts: Sequence[str], task: str = "clustering") -> np.ndarray:
        self.calls.append((task, len(texts)))
        rows = []
        for text in texts:
            vec = sum((self._word(w) for w in tokenize(text)), np.zeros(self.dim))
            vec = vec + 1e-3 * self._word("\x00" + text)
            rows.append(vec / np.linalg.norm(vec))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim)

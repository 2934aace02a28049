"""Fast, deterministic stand-ins for the models (seeded with hashlib, never hash())."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence

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


class ScriptedGenerator:
    """A ``Generator`` whose replies are computed from the prompt by ``reply(messages)``.

    Records every conversation it was sent, so tests can read the prompts.
    ``agree(messages)`` gives the judge's probability of "yes".
    """

    runtime = "scripted"

    def __init__(self, reply: Callable[[list[dict[str, str]]], str] | None = None,
                 agree: Callable[[list[dict[str, str]]], float] | None = None, model_id: str = "scripted") -> None:
        self.reply = reply or (lambda messages: "Une idée commune.")
        self.agree = agree or (lambda messages: 0.9)
        self.model_id = model_id
        self.settings = {"runtime": self.runtime, "do_sample": False}
        self.sent: list[list[dict[str, str]]] = []
        self.judged: list[list[dict[str, str]]] = []

    def chat(self, conversations: Sequence[list[dict[str, str]]], max_new_tokens: int) -> list[str]:
        self.sent += [list(m) for m in conversations]
        return [self.reply(list(m)) for m in conversations]

    def first_tokens(self, conversations: Sequence[list[dict[str, str]]], k: int = 6) -> list[dict[str, float]]:
        self.judged += [list(m) for m in conversations]
        out = []
        for m in conversations:
            p = min(max(self.agree(list(m)), 1e-6), 1 - 1e-6)
            out.append({"oui": math.log(p), "non": math.log(1 - p)})
        return out

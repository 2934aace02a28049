"""Sentence embeddings: the ``Embedder`` protocol, sentence-transformers, a disk cache.

Two tasks matter: ``clustering`` (grouping post-its) and ``similarity``
(scoring whether a sentence is supported by post-its). Some models, such as
EmbeddingGemma, need a different prompt for each: with its clustering prompt
every pair of French sentences scores about 0.7, which makes support scores
meaningless, so the task is part of every call and of every cache key.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np

from models.store import ResolvedModel, resolve

Task = Literal["clustering", "similarity", "query", "document"]

# Prompt names used by sentence-transformers configs (EmbeddingGemma ships them)
# for each of our tasks, most specific first.
_PROMPT_NAMES: dict[str, tuple[str, ...]] = {
    "clustering": ("Clustering", "clustering"),
    "similarity": ("STS", "sentence_similarity", "similarity"),
    "query": ("query", "Retrieval-query"),
    "document": ("document", "Retrieval-document"),
}


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into L2-normalised vectors."""

    model_id: str

    def encode(self, texts: Sequence[str], task: Task = "clustering") -> np.ndarray:
        """Return one normalised row per text (``float32``, shape ``(n, dim)``)."""
        ...


class SentenceTransformerEmbedder:
    """Embedder backed by a sentence-transformers model.

    Args:
        name: Packaged name, local folder or hub id (see :mod:`models.store`).
        batch_size: Texts per forward pass.
        device: Torch device, ``cpu`` by default.
        prompts: Optional explicit prompt per task (e.g. ``{"clustering": "query: "}``
            for e5 models); otherwise the model's own named prompts are used.
    """

    def __init__(self, name: str, batch_size: int = 32, device: str = "cpu",
                 prompts: dict[str, str] | None = None) -> None:
        from sentence_transformers import SentenceTransformer

        self.resolved: ResolvedModel = resolve(name)
        self.model_id = self.resolved.name
        self.batch_size = batch_size
        local = self.resolved.source != "hub"
        self.model = SentenceTransformer(self.resolved.path, device=device, local_files_only=local)
        self.prompts = dict(prompts or {})

    def _prompt(self, task: Task) -> str | None:
        if task in self.prompts:
            return self.prompts[task]
        known: dict[str, str] = getattr(self.model, "prompts", {}) or {}
        for candidate in _PROMPT_NAMES[task]:
            if candidate in known:
                return known[candidate]
        return None

    def encode(self, texts: Sequence[str], task: Task = "clustering") -> np.ndarray:
        """Encode texts, normalised, with the task's prompt."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, prompt=self._prompt(task),
            normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    @property
    def dimension(self) -> int:
        """Embedding size."""
        get = getattr(self.model, "get_embedding_dimension", None) or \
            self.model.get_sentence_embedding_dimension
        return int(get() or 0)


def text_key(text: str) -> str:
    """Cache key of a text (SHA-256, stable across processes)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CachedEmbedder:
    """Wraps an embedder with an on-disk cache keyed by (model id, task, text hash).

    An unchanged post-it is never encoded twice, across runs and processes.
    SQLite gives atomic writes and safe concurrent readers for free.

    Args:
        inner: The embedder doing the work.
        path: SQLite file; ``None`` keeps the cache in memory only.
    """

    def __init__(self, inner: Embedder, path: Path | None = None) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.path = path
        self._lock = threading.Lock()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA secure_delete=ON")  # erased vectors are overwritten, not left in free pages
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, task TEXT, key TEXT, "
            "dim INTEGER, data BLOB, PRIMARY KEY (model, task, key))"
        )
        self.hits = 0
        self.misses = 0

    def lookup(self, texts: Sequence[str], task: Task) -> dict[str, np.ndarray]:
        """Return the cached vectors among ``texts``, by text key."""
        keys = sorted({text_key(t) for t in texts})
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, data FROM vectors WHERE model=? AND task=? AND key IN ({marks})",
                    (self.model_id, task, *chunk),
                ).fetchall()
                found.update({k: np.frombuffer(d, dtype=np.float32) for k, d in rows})
        return found

    def encode(self, texts: Sequence[str], task: Task = "clustering") -> np.ndarray:
        """Encode texts, reading and filling the cache."""
        found = self.lookup(texts, task)
        missing = list(dict.fromkeys(t for t in texts if text_key(t) not in found))
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing:
            fresh = self.inner.encode(missing, task)
            rows: list[tuple[Any, ...]] = []
            for text, vector in zip(missing, fresh, strict=True):
                key = text_key(text)
                found[key] = np.asarray(vector, dtype=np.float32)
                rows.append((self.model_id, task, key, len(vector), found[key].tobytes()))
            with self._lock, self._db:
                self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?,?,?,?,?)", rows)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[text_key(t)] for t in texts])

    def forget(self, texts: Sequence[str]) -> int:
        """Erase the vectors of ``texts`` (every model and task) and fold the log into the file; how many."""
        keys = sorted({text_key(t) for t in texts})
        removed = 0
        with self._lock:
            with self._db:
                for start in range(0, len(keys), 500):
                    chunk = keys[start:start + 500]
                    marks = ",".join("?" * len(chunk))
                    removed += self._db.execute(f"DELETE FROM vectors WHERE key IN ({marks})", chunk).rowcount
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return removed

    def cached_count(self, texts: Sequence[str], task: Task = "clustering") -> int:
        """How many of ``texts`` are already cached (for job progress)."""
        found = self.lookup(texts, task)
        return sum(1 for t in texts if text_key(t) in found)


class PrecomputedEmbedder:
    """Answers clustering vectors computed earlier (stored with the post-its) and encodes the rest.

    Args:
        inner: Encodes what is not given, and every other task.
        vectors: Clustering vectors by text, computed by ``inner``'s model.

    >>> class Ones:
    ...     model_id = "ones"
    ...     def encode(self, texts, task="clustering"):
    ...         return np.ones((len(texts), 2), dtype=np.float32)
    >>> embedder = PrecomputedEmbedder(Ones(), {"kept": np.zeros(2, dtype=np.float32)})
    >>> embedder.encode(["kept", "new"]).tolist(), embedder.reused
    ([[0.0, 0.0], [1.0, 1.0]], 1)
    """

    def __init__(self, inner: Embedder, vectors: dict[str, np.ndarray]) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.vectors = vectors
        self.reused = 0

    def encode(self, texts: Sequence[str], task: Task = "clustering") -> np.ndarray:
        """Stored vectors for known texts (clustering only), the inner embedder for the rest."""
        if task != "clustering" or not texts:
            return self.inner.encode(texts, task)
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        found = dict(self.vectors)
        if missing:
            found.update(zip(missing, self.inner.encode(missing, task), strict=True))
        self.reused += len(texts) - len(missing)
        return np.stack([np.asarray(found[t], dtype=np.float32) for t in texts])

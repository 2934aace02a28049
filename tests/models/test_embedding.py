from __future__ import annotations

from pathlib import Path

import numpy as np

from models.embedding import CachedEmbedder, SentenceTransformerEmbedder
from tests.fakes import HashingEmbedder


def test_cache_never_encodes_a_text_twice(tmp_path: Path) -> None:
    inner = HashingEmbedder()
    cache = CachedEmbedder(inner, tmp_path / "e.sqlite")
    first = cache.encode(["a b", "c d", "a b"])
    assert inner.calls == [("clustering", 2)]
    again = CachedEmbedder(inner, tmp_path / "e.sqlite").encode(["c d", "a b"])
    assert inner.calls == [("clustering", 2)]
    assert np.allclose(again, first[[1, 0]])


def test_cache_keys_include_the_task(tmp_path: Path) -> None:
    inner = HashingEmbedder()
    cache = CachedEmbedder(inner, tmp_path / "e.sqlite")
    cache.encode(["x"], "clustering")
    cache.encode(["x"], "similarity")
    assert [t for t, _ in inner.calls] == ["clustering", "similarity"]
    assert cache.cached_count(["x", "y"], "similarity") == 1


def test_tiny_sentence_transformer_from_local_path(tiny_models: dict[str, Path]) -> None:
    embedder = SentenceTransformerEmbedder(str(tiny_models["embedder"]))
    vectors = embedder.encode(["Des FabLabs ruraux", "Former les artisans"])
    assert vectors.shape == (2, embedder.dimension)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.encode([]).shape == (0, embedder.dimension)
    assert embedder.resolved.source == "local"

"""Build the swappable parts from names (used by the CLI, the service and evaluation)."""

from __future__ import annotations

from pathlib import Path

from models.drafting import Drafter, ExtractiveDrafter, TransformersDrafter
from models.embedding import CachedEmbedder, SentenceTransformerEmbedder
from models.store import DEFAULT_EMBEDDER, DEFAULT_GENERATOR, atelier_home

DRAFTERS = ("transformers", "extractive")


def set_threads(threads: int | None) -> None:
    """Cap torch's intra-op threads (on a busy 2-core box, fewer threads is faster)."""
    if threads:
        import torch

        torch.set_num_threads(threads)


def build_embedder(name: str | None = None, home: Path | None = None, cache: bool = True) -> CachedEmbedder:
    """The default (or named) sentence-transformers embedder behind the disk cache."""
    inner = SentenceTransformerEmbedder(name or DEFAULT_EMBEDDER)
    path = (home or atelier_home()) / "cache" / "embeddings.sqlite" if cache else None
    return CachedEmbedder(inner, path)


def build_drafter(kind: str = "transformers", generator: str | None = None) -> Drafter:
    """A drafter by kind; ``transformers`` loads the default (or named) generator."""
    if kind == "extractive":
        return ExtractiveDrafter()
    if kind == "transformers":
        return TransformersDrafter(generator or DEFAULT_GENERATOR)
    raise ValueError(f"unknown drafter {kind!r}; choose one of {', '.join(DRAFTERS)}")

"""Build the swappable parts from names (used by the CLI, the service and evaluation)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

from models.drafting import Drafter, ExtractiveDrafter, LLMDrafter
from models.embedding import CachedEmbedder, SentenceTransformerEmbedder
from models.generation import Runtime, build_generator
from models.store import DEFAULT_EMBEDDER, atelier_home


class DrafterName(StrEnum):
    """A drafter: a chat model on one of the runtimes, or ``extractive`` (no model: quotes post-its)."""

    OPENVINO = Runtime.OPENVINO.value
    TRANSFORMERS = Runtime.TRANSFORMERS.value
    OPENAI = Runtime.OPENAI.value
    EXTRACTIVE = "extractive"


DRAFTERS = tuple(DrafterName)
DEFAULT_DRAFTER = DrafterName.OPENVINO


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


def check_drafter(kind: str) -> str:
    """``kind`` if it names a drafter (the one rule the CLI, the API and evaluation share).

    Raises:
        ValueError: Unknown drafter, naming the choices.
    """
    if kind not in DRAFTERS:
        raise ValueError(f"unknown drafter {kind!r}; choose one of {', '.join(DRAFTERS)}")
    return kind


def build_drafter(kind: str = DEFAULT_DRAFTER, generator: str | None = None, **options: Any) -> Drafter:
    """A drafter by kind: ``extractive``, or a chat model on the ``openvino``, ``transformers`` or ``openai`` runtime.

    Args:
        kind: One of :data:`DRAFTERS`.
        generator: Model name; the runtime's default when ``None``.
        **options: Passed to the generator (e.g. ``base_url`` for ``openai``).
    """
    if check_drafter(kind) == DrafterName.EXTRACTIVE:
        return ExtractiveDrafter()
    return LLMDrafter(build_generator(kind, generator, **options))

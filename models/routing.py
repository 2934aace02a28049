"""Axes of a workshop and routing of post-its written under no (known) axis."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

from models.embedding import Embedder
from models.types import Axis, PostIt

DEFAULT_AXIS = "Général"


def axis_key(name: str) -> str:
    """Matching key of an axis name: case, accents' composition and spacing ignored."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def slugify(name: str, max_len: int = 40) -> str:
    """ASCII slug of an axis name, for stable cluster ids.

    >>> slugify("Compétences numériques des artisans")
    'competences-numeriques-des-artisans'
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:max_len].rstrip("-") or "axe"


def axes_from_postits(postits: Sequence[PostIt]) -> list[Axis]:
    """Axes named by the post-its, in order of first appearance; one default axis if none."""
    names: dict[str, str] = {}
    for p in postits:
        if p.axis and p.axis.strip():
            names.setdefault(axis_key(p.axis), p.axis.strip())
    return [Axis(n) for n in names.values()] or [Axis(DEFAULT_AXIS)]


def assign_axes(postits: Sequence[PostIt], vectors: np.ndarray, axes: Sequence[Axis] | None,
                embedder: Embedder) -> tuple[list[Axis], dict[str, list[int]], set[int]]:
    """Put every post-it under exactly one axis.

    Post-its whose axis is missing or unknown go to the axis whose name and
    description are most similar to their text, and are reported as routed.

    Args:
        postits: All post-its.
        vectors: Their (clustering) embeddings, row-aligned.
        axes: The workshop's axes; read off the post-its when ``None``.
        embedder: Encodes the axis texts (in the same space as ``vectors``).

    Returns:
        The axes, the row indices of each axis (by name), and the routed rows.
    """
    axes = list(axes) if axes else axes_from_postits(postits)
    by_key = {axis_key(a.name): a.name for a in axes}
    members: dict[str, list[int]] = {a.name: [] for a in axes}
    lost = []
    for i, p in enumerate(postits):
        name = by_key.get(axis_key(p.axis or ""))
        if name is None:
            lost.append(i)
        else:
            members[name].append(i)
    if lost:
        if len(axes) == 1:
            best = np.zeros(len(lost), dtype=int)
        else:
            labels = [f"{a.name}. {a.description}".strip() for a in axes]
            best = (vectors[lost] @ embedder.encode(labels, "clustering").T).argmax(axis=1)
        for i, b in zip(lost, best.tolist(), strict=True):
            members[axes[b].name].append(i)
    return axes, members, set(lost)

"""Axes of a workshop and routing of post-its written under no (known) axis."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

from models.embedding import Embedder
from models.text import unaccented
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
    slug = re.sub(r"[^a-z0-9]+", "-", unaccented(name).lower()).strip("-")
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

    Post-its whose axis is missing or unknown go to the axis they are most like
    (:func:`nearest_axes`), and are reported as routed.

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
            labels = embedder.encode([f"{a.name}. {a.description}".strip() for a in axes], "clustering")
            best = nearest_axes(vectors[lost], labels, [vectors[members[a.name]] for a in axes])
        for i, b in zip(lost, best.tolist(), strict=True):
            members[axes[b].name].append(i)
    return axes, members, set(lost)


#: How many of an axis' closest examples (its name among them) a routed post-it is compared with.
NEAREST_EXAMPLES = 3
_CHUNK = 1024  # rows routed at once: a 10,000-post-it axis then costs 40 MB of similarities, not 400


def nearest_axes(queries: np.ndarray, labels: np.ndarray, examples: Sequence[np.ndarray],
                 k: int = NEAREST_EXAMPLES) -> np.ndarray:
    """The axis each query row is most like: the mean similarity of its ``k`` closest examples,
    the axis' own post-its and its name and description counted as one more.

    An axis' name alone is a poor example of what is written under it: leave-one-out on the
    labelled post-its, the name routed 0.78 of the Make.org sample's (14 axes) and 0.46 of the
    CCC's proposals (6 terse themes: "Consommer", "Se loger") to their own axis; the three closest
    examples, the name among them, 0.83 and 0.76 (``docs/measurements.md``).

    Args:
        queries: Normalised vectors of the post-its to route, shape ``(n, dim)``.
        labels: Normalised vectors of the axes' names and descriptions, ``(n_axes, dim)``.
        examples: Per axis, the normalised vectors of its post-its (possibly none).
        k: Closest examples averaged per axis.

    Returns:
        The index of the chosen axis per query row.

    >>> labels = np.eye(3)[:2]  # two axes named along x and y
    >>> examples = [np.empty((0, 3)), np.array([[0.6, 0.0, 0.8], [0.6, 0.0, 0.8]])]
    >>> nearest_axes(np.array([[0.6, 0.0, 0.8]]), labels, examples).tolist()  # like axis 1's post-its
    [1]
    >>> nearest_axes(np.array([[1.0, 0.0, 0.0]]), labels, examples).tolist()
    [0]
    """
    known = [np.vstack([labels[a:a + 1], examples[a]]).T for a in range(len(labels))]
    best = np.empty(len(queries), dtype=int)
    for start in range(0, len(queries), _CHUNK):
        chunk = queries[start:start + _CHUNK]
        scores = np.stack([_top_mean(chunk @ axis, k) for axis in known], axis=1)
        best[start:start + len(chunk)] = scores.argmax(axis=1)
    return best


def _top_mean(similarities: np.ndarray, k: int) -> np.ndarray:
    """Per row, the mean of its ``k`` largest values (all of them where there are fewer)."""
    k = min(k, similarities.shape[1])
    return np.partition(similarities, similarities.shape[1] - k, axis=1)[:, -k:].mean(axis=1)

"""Copied share: pitch sentences that were not written, only copied from a key point or a post-it.

Words are compared by :func:`models.text.word_jaccard` (leading link words dropped), the rule the
pitch composer applies too.
"""

from __future__ import annotations

from collections.abc import Sequence

from models.text import word_jaccard as jaccard


def copied_share(sentences: Sequence[str], sources: Sequence[str], quoted: Sequence[bool] | None = None,
                 threshold: float = 0.8) -> float:
    """Share of pitch sentences that are quoted, or whose words match one source's at Jaccard ≥ ``threshold``.

    ``sources`` are the axis' key points and post-its.

    >>> copied_share(["En parallèle, réduire les emballages.", "Réduire les emballages et taxer le kérosène."],
    ...              ["Réduire les emballages", "Taxer le kérosène"])
    0.5
    >>> copied_share(["« Plus de bus. »"], [], quoted=[True])
    1.0
    """
    if not sentences:
        return 0.0
    flags = quoted or [False] * len(sentences)
    copies = sum(q or any(jaccard(s, src) >= threshold for src in sources)
                 for s, q in zip(sentences, flags, strict=True))
    return round(copies / len(sentences), 4)

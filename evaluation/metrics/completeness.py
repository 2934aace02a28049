"""Incomplete share: pitch sentences a facilitator could not read out as they stand."""

from __future__ import annotations

from collections.abc import Sequence

from models.text import complete_sentence


def incomplete_share(sentences: Sequence[str]) -> float:
    """Share of sentences that fail :func:`models.text.complete_sentence` (cut off, stray brackets).

    >>> incomplete_share(["Réduire les emballages.", "Trier nos poubelles, taxer les.", "[Proposer un bonus."])
    0.6667
    >>> incomplete_share([])
    0.0
    """
    if not sentences:
        return 0.0
    return round(sum(not complete_sentence(s) for s in sentences) / len(sentences), 4)

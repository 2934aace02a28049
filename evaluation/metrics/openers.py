"""Repeated-opener rate: how monotone a pitch reads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from models.text import opener


def repeated_opener_rate(sentences: Sequence[str]) -> float:
    """Share of sentences whose first word already opened an earlier sentence of the same text.

    >>> repeated_opener_rate(["Développer les FabLabs.", "Développer l'apprentissage.", "Créer des lieux."])
    0.3333
    >>> repeated_opener_rate(["Un seul."])
    0.0
    """
    if not sentences:
        return 0.0
    counts = Counter(opener(s) for s in sentences)
    repeats = sum(c - 1 for c in counts.values())
    return round(repeats / len(sentences), 4)

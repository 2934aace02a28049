"""Platform-prompt share: shown texts that still open on a platform's prompt ("J'ai une idée !")."""

from __future__ import annotations

from collections.abc import Sequence

from models.platform import starts_with_platform_prompt


def platform_prompt_share(texts: Sequence[str], language: str = "fr") -> float:
    """Share of ``texts`` (key points, pitch sentences) the platform-prompt rule would still change.

    >>> platform_prompt_share(["« J'ai une idée ! Favoriser le télétravail. »", "Réduire les emballages."])
    0.5
    >>> platform_prompt_share(["We should plant native trees."], "en")
    1.0
    """
    if not texts:
        return 0.0
    return round(sum(starts_with_platform_prompt(t, language) for t in texts) / len(texts), 4)

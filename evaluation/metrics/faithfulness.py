"""Faithfulness: share of draft sentences supported by the post-its they cite."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def faithfulness(sentences: Sequence[dict[str, Any]]) -> float:
    """Share of sentences flagged ``supported`` (sentences with no citation count as unsupported).

    >>> faithfulness([{"supported": True, "citations": ["a"]}, {"supported": False, "citations": ["b"]},
    ...               {"supported": True, "citations": []}])
    0.3333
    """
    if not sentences:
        return 0.0
    ok = sum(1 for s in sentences if s.get("supported") and s.get("citations"))
    return round(ok / len(sentences), 4)

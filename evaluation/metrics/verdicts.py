"""Verdicts: how drafted sentences fared, and how well a verifier detects inversions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from models.types import VERDICTS

# What a verifier should answer for each kind of labelled pair.
# "fused": two post-its joined into a claim neither makes; "garbled": their words, no sentence.
EXPECTED = {"faithful": ("supported",), "inverted": ("contradicted", "unsupported"), "unrelated": ("unsupported",),
            "fused": ("contradicted", "unsupported"), "garbled": ("contradicted", "unsupported")}


def verdict_shares(sentences: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Share of each verdict among drafted sentences, and of quoted replacements.

    >>> verdict_shares([{"verdict": "supported"}, {"verdict": "contradicted", "quoted": True}])
    {'verdict_supported': 0.5, 'verdict_contradicted': 0.5, 'verdict_unsupported': 0.0, 'quoted': 0.5}
    """
    n = len(sentences) or 1
    shares = {f"verdict_{v}": round(sum(s.get("verdict") == v for s in sentences) / n, 4) for v in VERDICTS}
    shares["quoted"] = round(sum(bool(s.get("quoted")) for s in sentences) / n, 4)
    return shares


def detection_rates(labels: Sequence[str], verdicts: Sequence[str]) -> dict[str, float]:
    """Per pair label, the share answered as expected (faithful → supported; inverted → flagged…).

    >>> detection_rates(["faithful", "faithful", "inverted", "unrelated"],
    ...                 ["supported", "contradicted", "unsupported", "unsupported"])
    {'faithful': 0.5, 'inverted': 1.0, 'unrelated': 1.0}
    """
    out = {}
    for label, expected in EXPECTED.items():
        hits = [v in expected for lab, v in zip(labels, verdicts, strict=True) if lab == label]
        if hits:
            out[label] = round(sum(hits) / len(hits), 4)
    return out

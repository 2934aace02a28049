"""Slow tests: the real packaged models on the bundled CC0 Make.org excerpt.

`make test` fetches the models first (`atelier models fetch defaults`); these
tests fail, loudly, if they are missing rather than being skipped.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from models.drafting import ExtractiveDrafter, TransformersDrafter
from models.embedding import SentenceTransformerEmbedder
from models.pipeline import Pipeline
from models.store import DEFAULT_EMBEDDER, DEFAULT_GENERATOR
from models.types import Axis, PostIt

pytestmark = pytest.mark.slow


@cache
def gemma() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(DEFAULT_EMBEDDER)


def _three_axes(excerpt: list[PostIt]) -> list[PostIt]:
    axes = sorted({p.axis for p in excerpt if p.axis})[:3]
    return [p for p in excerpt if p.axis in axes]


def test_similarity_prompt_separates_related_from_unrelated() -> None:
    vectors = gemma().encode(["Il faut développer les circuits courts alimentaires",
                              "Il faut favoriser les producteurs locaux et la vente directe",
                              "The bus timetable changes on Sunday"], "similarity")
    related, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert related > unrelated + 0.15


def test_real_pipeline_extractive(excerpt: list[PostIt]) -> None:
    postits = _three_axes(excerpt)
    result = Pipeline(gemma(), ExtractiveDrafter()).run(postits).to_dict()
    placed = [i for a in result["axes"] for i in a["singular_postit_ids"] + [x for c in a["clusters"]
                                                                           for x in c["postit_ids"]]]
    assert sorted(placed) == sorted(p.id for p in postits)
    for axis in result["axes"]:
        assert axis["clusters"] or axis["singular_postit_ids"]
        # A sentence quoting a post-it under its label must count as supported by it.
        assert all(s["supported"] for s in axis["pitch"]["sentences"]), axis["pitch"]


def test_real_generator_drafts_cited_french(excerpt: list[PostIt]) -> None:
    postits = [p for p in excerpt if p.axis == "Favoriser la consommation locale et les circuits de proximité"]
    drafter = TransformersDrafter(DEFAULT_GENERATOR, max_new_tokens=48)
    pipeline = Pipeline(gemma(), drafter)
    synthesis = pipeline.run(postits, [Axis(postits[0].axis or "")]).to_dict()
    sentences = synthesis["axes"][0]["pitch"]["sentences"]
    ids = {p.id for p in postits}
    assert sentences and all(s["citations"] and set(s["citations"]) <= ids for s in sentences)
    text = " ".join(s["text"] for s in sentences).lower()
    assert any(w in text for w in ("local", "circuit", "producteur", "proximité"))
    assert np.mean([s["support"] for s in sentences]) > 0.5
    assert synthesis["provenance"]["generator"] == DEFAULT_GENERATOR

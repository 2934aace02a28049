"""Shared fixtures: fake and tiny models, the bundled Make.org excerpt."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from models.inputs import read_postits
from models.types import PostIt
from tests.fakes import HashingEmbedder
from tests.tiny_models import build_tiny_causal_lm, build_tiny_sentence_transformer

ROOT = Path(__file__).resolve().parents[1]
EXCERPT = ROOT / "evaluation" / "data" / "makeorg_excerpt.csv"
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture
def embedder() -> HashingEmbedder:
    """Deterministic bag-of-words embedder."""
    return HashingEmbedder()


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Folders of a tiny sentence-transformer and a tiny causal LM (built once per session)."""
    folder = tmp_path_factory.mktemp("tiny-models")
    return {"embedder": build_tiny_sentence_transformer(folder), "generator": build_tiny_causal_lm(folder)}


@pytest.fixture(scope="session")
def excerpt() -> list[PostIt]:
    """The bundled CC0 Make.org excerpt (82 exemplars under 14 axes, 40 without axis)."""
    return read_postits(EXCERPT)


def workshop(n_axes: int = 3, per_axis: int = 12) -> list[PostIt]:
    """A synthetic workshop with clear themes per axis (for the hashing embedder)."""
    themes = [
        ["fablab imprimante", "tiers-lieu atelier partagé", "formation numérique artisans"],
        ["vente en ligne boutique", "site internet vitrine", "paiement sans contact"],
        ["apprentissage jeunes élèves", "transmission savoir-faire", "stage découverte métiers"],
    ]
    out = []
    for a in range(n_axes):
        for i in range(per_axis):
            theme = themes[a % 3][i % 3]
            out.append(PostIt(id=f"a{a}-{i:02d}", text=f"{theme} idée {i} variante {i % 4}",
                              axis=f"Axe {a}", votes=(i * 7) % 11))
    return out


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the fast tests first so a failure shows up before the model loads."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is not None)

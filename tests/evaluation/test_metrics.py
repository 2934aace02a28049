from __future__ import annotations

import numpy as np
import pytest

from evaluation.metrics.bootstrap import bootstrap_ci
from evaluation.metrics.clustering import cluster_agreement
from evaluation.metrics.coverage import coverage
from evaluation.metrics.rouge import UnicodeTokenizer, rouge
from evaluation.metrics.stability import stability


def test_rouge_keeps_french_accents() -> None:
    assert UnicodeTokenizer().tokenize("Élèves, écoles à côté") == ["élèves", "écoles", "à", "côté"]
    same = rouge("Les élèves vont à l'école", "Les élèves vont à l'école")
    assert same == {"rouge1": 1.0, "rouge2": 1.0, "rougeL": 1.0}
    # With rouge-score's default tokenizer, "élèves" and "eleves" would share "l ves"-like fragments;
    # here accented and unaccented words are different words.
    assert rouge("élèves", "eleves")["rouge1"] == 0.0


def test_rouge_on_a_hand_made_french_pair() -> None:
    scores = rouge("Créer des FabLabs dans les communes rurales", "Des FabLabs pour les communes rurales")
    assert scores["rouge1"] == pytest.approx(2 * (5 / 7) * (5 / 6) / (5 / 7 + 5 / 6), abs=1e-4)
    assert 0 < scores["rouge2"] < scores["rouge1"]


def test_coverage_threshold_and_floor() -> None:
    bullets = np.eye(3)
    draft = np.array([[1.0, 0.0, 0.0], [0.0, 0.8, 0.6]])
    assert coverage(draft, bullets, 0.75) == {"coverage": 0.6667, "precision": 1.0}
    assert coverage(draft, bullets, 0.95) == {"coverage": 0.3333, "precision": 0.5}
    assert coverage(np.zeros((0, 3)), bullets) == {"coverage": 0.0, "precision": 0.0}


def test_cluster_agreement_counts_singular_as_singletons() -> None:
    gold = {"a": "x", "b": "x", "c": "y", "d": "y"}
    lumped = cluster_agreement({"a": "-1", "b": "-1", "c": "-1", "d": "-1"}, gold)
    assert lumped["ari"] == 0.0 and lumped["noise_share"] == 1.0 and lumped["n_clusters"] == 0
    perfect = cluster_agreement({"a": "1", "b": "1", "c": "2", "d": "2", "e": "-1"}, gold)
    assert perfect["ari"] == 1.0 and perfect["n_clusters"] == 2


def test_stability_ignores_cluster_names() -> None:
    assert stability({"a": "0", "b": "1"}, {"a": "1", "b": "0"}) == 1.0
    assert stability({"a": "0", "b": "0", "c": "1", "d": "1"}, {"a": "0", "b": "1", "c": "0", "d": "1"}) < 0.5


def test_bootstrap_is_seeded_and_brackets_the_mean() -> None:
    values = [0.1, 0.4, 0.35, 0.8, 0.5]
    ci = bootstrap_ci(values)
    assert ci == bootstrap_ci(values) and ci["low"] <= ci["mean"] <= ci["high"]
    assert bootstrap_ci([])["n"] == 0

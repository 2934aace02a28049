from __future__ import annotations

import numpy as np

from models.labelling import ctfidf_keywords, representatives, short_label, tokenize


def test_tokenize_keeps_accents_and_drops_elisions() -> None:
    assert tokenize("Les élèves d'aujourd'hui à l’école") == ["les", "élèves", "aujourd", "hui", "à", "école"]


def test_ctfidf_finds_distinctive_words_without_stop_words() -> None:
    clusters = [["Il faut des FabLabs partout", "Des FabLabs pour les élèves"],
                ["La vente en ligne pour les artisans", "Former à la vente en ligne"]]
    kws = ctfidf_keywords(clusters, "fr", top_k=3)
    assert "fablabs" in kws[0]
    assert any("vente" in k for k in kws[1])
    assert not {"il", "faut", "des", "les", "la"} & {w for k in kws for term in k for w in term.split()}


def test_ctfidf_handles_only_stop_words() -> None:
    assert ctfidf_keywords([["le la les"], ["de des"]], "fr") == [[], []]


def test_short_label_is_capitalised() -> None:
    assert short_label(["élèves", "fablabs"]) == "Élèves, fablabs"
    assert short_label([]) == "Sans mot-clé"


def test_representatives_prefer_voted_post_its() -> None:
    X = np.array([[1.0, 0.0], [1.0, 0.0], [0.6, 0.8]])
    assert representatives(X, [0, 0, 0], k=2) == [0, 1]
    assert representatives(X, [0, 0, 1000], k=1) == [2]

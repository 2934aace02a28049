from __future__ import annotations

import hashlib

import numpy as np
import pytest

from evaluation.noise import perturbed
from models.clustering import SINGULAR, AxisClusterer
from tests.conftest import workshop
from tests.fakes import HashingEmbedder


def _axis(n: int = 36) -> tuple[np.ndarray, list[str]]:
    postits = workshop(n_axes=1, per_axis=n)
    return HashingEmbedder().encode([p.text for p in postits]), [p.id for p in postits]


def test_every_row_gets_exactly_one_label() -> None:
    X, keys = _axis()
    model = AxisClusterer().fit(X, keys=keys)
    assert model.labels_.shape == (len(X),)
    assert set(model.labels_) <= set(range(model.n_clusters_)) | {SINGULAR}
    assert model.n_clusters_ >= 2


def test_result_does_not_depend_on_input_order() -> None:
    X, keys = _axis()
    base = dict(zip(keys, AxisClusterer().fit(X, keys=keys).labels_, strict=True))
    for seed in range(3):
        perm = np.random.default_rng(seed).permutation(len(X))
        labels = AxisClusterer().fit(X[perm], keys=[keys[i] for i in perm]).labels_
        assert dict(zip([keys[i] for i in perm], labels, strict=True)) == base


def test_deterministic_without_keys() -> None:
    X, _ = _axis()
    first = AxisClusterer().fit(X).labels_
    assert (AxisClusterer().fit(X).labels_ == first).all()


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_tiny_axes_do_not_fail(n: int) -> None:
    X, keys = _axis(12)
    model = AxisClusterer().fit(X[:n], keys=keys[:n])
    assert len(model.labels_) == n
    if n <= 1:
        assert (model.labels_ == SINGULAR).all()


def test_ten_varied_postits_are_not_all_noise() -> None:
    texts = ["fablab imprimante 3d", "fablab découpe laser", "fablab atelier partagé",
             "vente en ligne artisans", "vente en ligne boutique", "site vente en ligne",
             "apprentissage jeunes", "apprentissage métiers", "élèves apprentissage", "bus rural"]
    X = HashingEmbedder().encode(texts)
    model = AxisClusterer().fit(X, keys=[f"{i:02d}" for i in range(10)])
    assert model.n_clusters_ >= 1
    assert (model.labels_ != SINGULAR).sum() >= 5


def test_parameters_follow_size_and_can_be_overridden() -> None:
    assert AxisClusterer().sizes_for(10)[0] < AxisClusterer().sizes_for(300)[0]
    assert AxisClusterer(min_cluster_size=7, min_samples=2).sizes_for(300) == (7, 2)
    X, keys = _axis()
    model = AxisClusterer(min_cluster_size=5).fit(X, keys=keys)
    assert model.params_["min_cluster_size"] == 5
    assert AxisClusterer(min_cluster_size=5).get_params()["min_cluster_size"] == 5


def test_identical_points_form_one_cluster() -> None:
    X = np.tile(HashingEmbedder().encode(["même idée"]), (6, 1))
    model = AxisClusterer().fit(X, keys=[str(i) for i in range(6)])
    assert model.n_clusters_ == 1 and (model.labels_ == 0).all()


def test_consensus_distance_keeps_the_vectors_share() -> None:
    # Three tight, far-apart groups: with the cosine distance alone (weight 1) the consensus
    # step must still find them, so the vectors' share really reaches the final HDBSCAN.
    rng = np.random.default_rng(0)
    centres = np.eye(3, 16)
    X = np.vstack([c + 0.01 * rng.standard_normal((8, 16)) for c in centres])
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    keys = [f"{i:02d}" for i in range(len(X))]
    for weight in (0.0, 0.3, 1.0):
        model = AxisClusterer(n_runs=4, distance_weight=weight).fit(X, keys=keys)
        assert model.params_["distance_weight"] == weight
        assert [len(set(model.labels_[i:i + 8])) for i in (0, 8, 16)] == [1, 1, 1]
        assert model.n_clusters_ == 3


def _blobs(sizes: list[int], dim: int = 16) -> np.ndarray:
    rng = np.random.default_rng(7)
    X = np.vstack([rng.normal(size=dim) * 3 + rng.normal(scale=0.3, size=(n, dim)) for n in sizes])
    return np.asarray(X / np.linalg.norm(X, axis=1, keepdims=True))


def test_a_cluster_holding_most_of_the_axis_is_cut_in_two() -> None:
    X = _blobs([30, 30, 10])  # two ideas kept as one group (label 0), a third on its own
    found = np.array([0] * 60 + [1] * 10)
    model = AxisClusterer()
    model.params_ = {}
    split = model._split_giants(X, found)
    assert sorted(np.bincount(split).tolist()) == [10, 30, 30]
    assert (split[60:] == 1).all()  # the small cluster is left alone
    assert model.params_["split"] == [60]
    assert (AxisClusterer(split_share=None)._split_giants(X, found) == found).all()
    assert (AxisClusterer(split_below=2)._split_giants(X, found) == found).all()  # enough clusters already


def test_vectors_that_differ_by_float_noise_cluster_alike() -> None:
    # The same texts encoded in another batch differ by up to ~1e-7 per coordinate; four loose groups
    # of twelve, where that noise is enough to give UMAP another layout unless distances are rounded.
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(b"loose-groups").digest()[:8], "big"))
    X = np.repeat(rng.normal(size=(4, 96)), 12, axis=0) + 4.0 * rng.normal(size=(48, 96))
    X = (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(np.float32)
    keys = [f"p{i:02d}" for i in range(48)]
    noisy = [perturbed(X, f"noise-{k}") for k in range(3)]

    def moved(decimals: int | None) -> list[bool]:
        base = AxisClusterer(distance_decimals=decimals).fit(X, keys=keys).labels_
        return [bool((AxisClusterer(distance_decimals=decimals).fit(N, keys=keys).labels_ != base).any())
                for N in noisy]

    assert any(moved(None))  # the noise does move unrounded clusters here
    assert not any(moved(3))


def test_an_axis_laid_out_once_rounds_its_distances_coarser() -> None:
    X, keys = _axis()
    assert AxisClusterer().fit(X, keys=keys).params_["distance_decimals"] == 3
    assert AxisClusterer(n_runs=1).fit(X, keys=keys).params_["distance_decimals"] == 2
    assert AxisClusterer(n_runs=1, large_axis_decimals=None).fit(X, keys=keys).params_["distance_decimals"] is None

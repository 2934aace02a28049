"""Themes: 2–3 groups of an axis' key points, none of them a lone key point."""

from __future__ import annotations

import numpy as np

from models.themes import ThemeGrouper


def test_an_outlier_does_not_get_a_theme_of_its_own() -> None:
    rng = np.random.default_rng(0)
    centre = np.eye(8)[0]
    near = centre + 0.15 * rng.standard_normal((9, 8))  # nine close key points...
    outlier = np.eye(8)[5][None, :]  # ...and one far from them all
    X = np.vstack([near, outlier])
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    model = ThemeGrouper().fit(X)
    assert model.n_themes_ in (2, 3) and np.bincount(model.labels_).min() >= 2


def test_few_key_points_get_no_themes() -> None:
    X = np.eye(3)
    assert ThemeGrouper().fit(X).labels_.tolist() == [-1, -1, -1]


def test_an_axis_with_more_key_points_than_two_themes_hold_gets_three() -> None:
    rng = np.random.default_rng(7)
    X = np.vstack([c + 0.05 * rng.standard_normal((6, 3)) for c in np.eye(3)[:2]])  # two clear groups of six
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    assert ThemeGrouper(max_theme_size=6).fit(X).n_themes_ == 2  # the silhouette's choice where two can hold them
    three = ThemeGrouper().fit(X)  # 12 key points: two themes of five cannot
    assert three.n_themes_ == 3 and np.bincount(three.labels_).min() >= 2

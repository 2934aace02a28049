"""Cluster agreement with human groups on gold-labelled post-its.

Singular ideas (label ``-1``) count as clusters of one: calling an idea
singular is a claim about it, not an abstention.
"""

from __future__ import annotations

from collections.abc import Mapping

from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score, v_measure_score


def _as_singletons(predicted: list[str]) -> list[str]:
    return [f"singular-{i}" if p == "-1" else p for i, p in enumerate(predicted)]


def cluster_agreement(predicted: Mapping[str, str], gold: Mapping[str, str]) -> dict[str, float]:
    """ARI, NMI, V-measure on the post-its that have a gold cluster; noise share and cluster count overall.

    Args:
        predicted: Post-it id → predicted cluster (``"-1"`` for singular).
        gold: Post-it id → gold cluster (only the labelled ones).

    >>> pred = {"a": "0", "b": "0", "c": "1", "d": "-1"}
    >>> gold = {"a": "x", "b": "x", "c": "y"}
    >>> cluster_agreement(pred, gold)
    {'ari': 1.0, 'nmi': 1.0, 'v_measure': 1.0, 'noise_share': 0.25, 'n_clusters': 2}
    """
    ids = [i for i in gold if i in predicted]
    labels = _as_singletons([predicted[i] for i in ids])
    truth = [gold[i] for i in ids]
    scores = {"ari": 0.0, "nmi": 0.0, "v_measure": 0.0}
    if len(ids) >= 2:
        scores = {"ari": round(float(adjusted_rand_score(truth, labels)), 4),
                  "nmi": round(float(normalized_mutual_info_score(truth, labels)), 4),
                  "v_measure": round(float(v_measure_score(truth, labels)), 4)}
    noise = sum(1 for v in predicted.values() if v == "-1") / max(len(predicted), 1)
    return {**scores, "noise_share": round(noise, 4),
            "n_clusters": len({v for v in predicted.values() if v != "-1"})}

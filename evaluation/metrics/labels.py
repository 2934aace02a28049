"""Label quality: similarity of cluster labels to the human labels of the groups they match."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence


def label_quality(predicted: Mapping[str, str], pred_labels: Mapping[str, str], gold: Mapping[str, str],
                  gold_labels: Mapping[str, str], similarity: Callable[[Sequence[str], Sequence[str]], list[float]]
                  ) -> float | None:
    """Mean similarity between each human label and the label of the cluster holding most of its post-its.

    Args:
        predicted: Post-it id → predicted cluster.
        pred_labels: Predicted cluster → its label.
        gold: Post-it id → gold cluster.
        gold_labels: Gold cluster → human label.
        similarity: Pairwise similarity of two equally long lists of texts.

    Returns:
        The mean, or ``None`` when no gold cluster has both a label and a matching cluster.

    >>> same = lambda a, b: [1.0 if x.lower() == y.lower() else 0.0 for x, y in zip(a, b)]
    >>> label_quality({"a": "0", "b": "0", "c": "1"}, {"0": "Vélo", "1": "Bus"},
    ...               {"a": "g1", "b": "g1", "c": "g2"}, {"g1": "vélo", "g2": "Train"}, same)
    0.5
    """
    pairs = []
    for group, human in gold_labels.items():
        members = [predicted[i] for i, g in gold.items() if g == group and i in predicted and predicted[i] != "-1"]
        if members:
            best = Counter(members).most_common(1)[0][0]
            if best in pred_labels:
                pairs.append((pred_labels[best], human))
    if not pairs:
        return None
    scores = similarity([p for p, _ in pairs], [h for _, h in pairs])
    return round(sum(scores) / len(scores), 4)

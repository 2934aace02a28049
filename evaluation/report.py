"""Write ``metrics.json``, ``cases.csv`` and ``report.md`` (with PNG figures)."""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evaluation.metrics.bootstrap import bootstrap_ci

TEXT_METRICS = ["coverage", "precision", "emb_f1", "rouge1", "rouge2", "rougeL", "faithfulness", "verdict_supported",
                "verdict_contradicted", "verdict_unsupported", "quoted", "repeated_opener_rate", "n_sentences"]
CLUSTER_METRICS = ["ari", "nmi", "v_measure", "noise_share", "n_clusters", "stability", "noise_stability",
                   "label_quality", "cluster_seconds"]
BAND_METRICS = ["ari", "noise_share", "n_clusters", "stability", "noise_stability"]
BANDS = ((30, "≤ 30 post-its"), (300, "31–300 post-its"), (None, "> 300 post-its"))


def band(n_postits: int) -> str:
    """The size band of an axis.

    >>> band(30), band(31), band(2249)
    ('≤ 30 post-its', '31–300 post-its', '> 300 post-its')
    """
    return next(name for limit, name in BANDS if limit is None or n_postits <= limit)


def band_tables(rows: Sequence[dict[str, Any]]) -> list[str]:
    """ARI, singular share, cluster count and stability per size band, every system side by side."""
    lines: list[str] = []
    for _, name in BANDS:
        members = [r for r in rows if band(int(r["n_postits"])) == name and "ari" in r]
        if members:
            lines += ["", f"### {name} ({len({r['case'] for r in members})} cases)", ""]
            lines += _table(aggregate(members), BAND_METRICS)
    return lines


def aggregate(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, dict[str, float]]]:
    """Bootstrap 95 % CI of each metric for each (config, system), across cases."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[f"{row['config']} / {row['system']}" if row["system"] != row["config"] else row["config"]].append(row)
    out = {}
    for name, items in grouped.items():
        out[name] = {m: bootstrap_ci([r[m] for r in items if r.get(m) is not None])
                     for m in TEXT_METRICS + CLUSTER_METRICS if any(r.get(m) is not None for r in items)}
    return out


def _cell(ci: dict[str, float] | None) -> str:
    if not ci or ci["n"] == 0 or math.isnan(ci["mean"]):
        return "–"
    if ci["n"] == 1:
        return f"{ci['mean']:.3f}"
    return f"{ci['mean']:.3f} [{ci['low']:.2f}, {ci['high']:.2f}]"


def _table(agg: dict[str, dict[str, dict[str, float]]], metrics: list[str]) -> list[str]:
    used = [m for m in metrics if any(m in v for v in agg.values())]
    rows = [name for name, v in agg.items() if any(m in v for m in used)]
    if not used or not rows:
        return []
    lines = ["| system | " + " | ".join(used) + " |", "|---|" + "---|" * len(used)]
    lines += [f"| {name} | " + " | ".join(_cell(agg[name].get(m)) for m in used) + " |" for name in rows]
    return lines


def _figure(agg: dict[str, dict[str, dict[str, float]]], metrics: list[str], path: Path, title: str) -> bool:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    used = [m for m in metrics if any(m in v for v in agg.values())]
    systems = [s for s in agg if any(m in agg[s] for m in used)]
    if not used or not systems:
        return False
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(used)) + 3, 4))
    width = 0.8 / len(systems)
    colours = [plt.get_cmap("tab20")(i) for i in range(20)]
    for k, system in enumerate(systems):
        cis = [agg[system].get(m) for m in used]
        means = [c["mean"] if c and c["n"] else 0.0 for c in cis]
        errs = [[max(0.0, m - c["low"]) if c and c["n"] else 0.0 for m, c in zip(means, cis, strict=True)],
                [max(0.0, c["high"] - m) if c and c["n"] else 0.0 for m, c in zip(means, cis, strict=True)]]
        ax.bar([i + k * width for i in range(len(used))], means, width, yerr=errs, capsize=2, label=system,
               color=colours[k % len(colours)])
    ax.set_xticks([i + width * (len(systems) - 1) / 2 for i in range(len(used))], used)
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write(out: Path, dataset: str, rows: list[dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    """Write every output file; returns the aggregate."""
    out.mkdir(parents=True, exist_ok=True)
    agg = aggregate(rows)
    (out / "metrics.json").write_text(json.dumps({**meta, "dataset": dataset, "aggregate": agg, "cases": rows},
                                                 ensure_ascii=False, indent=2))
    columns = list(dict.fromkeys(k for row in rows for k in row))
    with (out / "cases.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    lines = [f"# Evaluation on `{dataset}`", "",
             f"{len({r['case'] for r in rows})} cases; mean [bootstrap 95 % CI across cases]. "
             "Coverage and precision use the sentence-similarity embedding; read them against the "
             "random-8 floor and the whole-axis ceiling.", "", "## Drafts against human syntheses", ""]
    lines += _table(agg, TEXT_METRICS)
    if _figure(agg, ["coverage", "precision", "emb_f1", "rougeL"], out / "text-metrics.png", "Drafts vs references"):
        lines += ["", "![text metrics](text-metrics.png)"]
    lines += ["", "## Clusters against human groups", ""]
    lines += _table(agg, CLUSTER_METRICS)
    shown = ["ari", "nmi", "v_measure", "stability", "noise_stability"]
    if _figure(agg, shown, out / "cluster-metrics.png", "Clusters vs gold"):
        lines += ["", "![cluster metrics](cluster-metrics.png)"]
    lines += ["", "## Clusters by axis size", "",
              "`noise_share` is the share of singular ideas; singular ideas count as clusters of one in ARI. "
              "`cluster_seconds`: clustering one axis, embeddings given."]
    lines += band_tables(rows)
    lines += ["", "## Configurations", "", "```json", json.dumps(meta, ensure_ascii=False, indent=2), "```", ""]
    (out / "report.md").write_text("\n".join(lines))
    return agg

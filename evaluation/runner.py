"""Run configurations and baselines over cases, cache each case's outputs, score them.

Outputs of a case are cached under ``OUT/cache/<config>/<case>.json`` as soon as
they exist, so an interrupted batch resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from evaluation import baselines
from evaluation.datasets import Case
from evaluation.metrics.clustering import cluster_agreement
from evaluation.metrics.completeness import incomplete_share
from evaluation.metrics.copied import copied_share
from evaluation.metrics.coverage import DEFAULT_THRESHOLD, coverage
from evaluation.metrics.embedding_similarity import greedy_match
from evaluation.metrics.faithfulness import faithfulness
from evaluation.metrics.labels import label_quality
from evaluation.metrics.openers import repeated_opener_rate
from evaluation.metrics.platform_prompts import platform_prompt_share
from evaluation.metrics.rouge import rouge
from evaluation.metrics.stability import stability
from evaluation.metrics.verdicts import verdict_shares
from evaluation.noise import NoisyEmbedder
from models.drafting import Drafter, ExtractiveDrafter
from models.embedding import Embedder
from models.factory import DEFAULT_DRAFTER
from models.pipeline import AxisClusters, Pipeline, PipelineConfig
from models.types import Axis
from models.verification import SUPPORT_THRESHOLD

EmbedderFactory = Callable[[str | None], Embedder]
DrafterFactory = Callable[[str, str | None], Drafter]


@dataclass
class EvalConfig:
    """One configuration to evaluate (a ``--config`` file holds these fields, JSON or TOML)."""

    name: str = "atelier"
    drafter: str = DEFAULT_DRAFTER
    embedder: str | None = None
    generator: str | None = None
    min_cluster_size: int | None = None
    min_samples: int | None = None
    support_threshold: float = SUPPORT_THRESHOLD
    coverage_threshold: float = DEFAULT_THRESHOLD
    max_singular_key_points: int = 3
    take_clean_postits: bool = True
    write_pitch: bool = False
    name_themes: bool = False
    condense_quotes: bool = False
    agreement_thresholds: dict[str, float] = field(default_factory=dict)
    draft: bool = True

    @classmethod
    def from_file(cls, path: Path) -> EvalConfig:
        """Read a JSON or TOML configuration."""
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
        return cls(**{"name": path.stem, **data})

    def key(self) -> str:
        """Cache folder name: a hash of the settings that change outputs (not the name, not scoring).

        Configurations that differ only in how they are scored (``coverage_threshold``)
        share their cached outputs, so a threshold sweep costs no model time.
        """
        produced = {k: v for k, v in asdict(self).items() if k not in ("name", "coverage_threshold")}
        if not self.agreement_thresholds:  # added later: its default keeps the outputs cached before it
            del produced["agreement_thresholds"]
        digest = hashlib.sha256(json.dumps(produced, sort_keys=True).encode()).hexdigest()[:10]
        return f"{self.drafter}-{digest}"


@dataclass
class CaseOutput:
    """What one configuration produced for one case (cached as JSON)."""

    sentences: list[dict[str, Any]]
    labels: dict[str, str]
    labels_shuffled: dict[str, str]
    cluster_labels: dict[str, str]
    extractive: list[dict[str, Any]] = field(default_factory=list)
    bertopic: dict[str, str] = field(default_factory=dict)
    bertopic_shuffled: dict[str, str] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    key_points: list[dict[str, Any]] = field(default_factory=list)
    extractive_key_points: list[dict[str, Any]] = field(default_factory=list)
    oracle: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    labels_noisy: dict[str, str] = field(default_factory=dict)


def _labels(clustered: AxisClusters) -> tuple[dict[str, str], dict[str, str]]:
    labels = {pid: "-1" for pid in clustered.singular_ids}
    names = {}
    for k, cluster in enumerate(clustered.clusters):
        names[str(k)] = cluster.label
        labels.update({pid: str(k) for pid in cluster.postit_ids})
    return labels, names


class Runner:
    """Produce (or reload) outputs per case, then score them.

    Args:
        out: Output folder (holds the cache).
        embedder_factory: Builds the embedder of a configuration.
        drafter_factory: Builds the drafter of a configuration.
        baselines: Also run the baselines.
    """

    def __init__(self, out: Path, embedder_factory: EmbedderFactory, drafter_factory: DrafterFactory,
                 with_baselines: bool = True) -> None:
        self.out = out
        self.embedder_factory = embedder_factory
        self.drafter_factory = drafter_factory
        self.with_baselines = with_baselines

    def outputs(self, config: EvalConfig, cases: Sequence[Case]) -> dict[str, CaseOutput]:
        """Outputs of every case, from the cache when present."""
        folder = self.out / "cache" / config.key()
        folder.mkdir(parents=True, exist_ok=True)
        done = {c.id: CaseOutput(**json.loads((folder / f"{c.id}.json").read_text()))
                for c in cases if (folder / f"{c.id}.json").exists()}
        todo = [c for c in cases if c.id not in done]
        if not todo:
            return done
        embedder = self.embedder_factory(config.embedder)
        drafter = self.drafter_factory(config.drafter if config.draft else "extractive", config.generator)
        for case in tqdm(todo, desc=f"{config.name}", unit="case", file=sys.stderr):
            output = self._run_case(config, case, embedder, drafter)
            (folder / f"{case.id}.json").write_text(json.dumps(asdict(output), ensure_ascii=False))
            done[case.id] = output
        return done

    def _run_case(self, config: EvalConfig, case: Case, embedder: Embedder, drafter: Drafter) -> CaseOutput:
        settings = PipelineConfig(language=case.language, min_cluster_size=config.min_cluster_size,
                                  min_samples=config.min_samples, support_threshold=config.support_threshold,
                                  max_singular_key_points=config.max_singular_key_points,
                                  take_clean_postits=config.take_clean_postits,
                                  write_pitch=config.write_pitch, name_themes=config.name_themes,
                                  condense_quotes=config.condense_quotes,
                                  agreement_thresholds=config.agreement_thresholds)
        axis = [Axis(case.axis, case.description)]
        postits = case.as_postits()
        pipeline = Pipeline(embedder, drafter, settings)
        vectors = embedder.encode([p.text for p in postits], "clustering")  # so the timing below excludes it
        started = time.perf_counter()
        [clustered] = pipeline.cluster(postits, axis)
        seconds = time.perf_counter() - started
        shuffled = postits[:]
        random.Random(case.id).shuffle(shuffled)
        labels, names = _labels(clustered)
        shuffled_labels = _labels(pipeline.cluster(shuffled, axis)[0])[0]
        noisy = Pipeline(NoisyEmbedder(embedder, case.id), drafter, settings).cluster(postits, axis)[0]
        output = CaseOutput([], labels, shuffled_labels, names, provenance=pipeline.provenance(), seconds=seconds,
                            labels_noisy=_labels(noisy)[0])
        if config.draft:
            [draft] = pipeline.draft([clustered])
            output.sentences = [s.to_dict() for s in draft.pitch.sentences]
            output.key_points = [k.to_dict() for k in draft.key_points]
        if self.with_baselines:
            if config.draft:
                [quotes] = Pipeline(embedder, ExtractiveDrafter(), settings).draft([clustered])
                output.extractive = [s.to_dict() for s in quotes.pitch.sentences]
                output.extractive_key_points = [k.to_dict() for k in quotes.key_points]
            ids = [p.id for p in postits]
            output.bertopic = baselines.bertopic_labels(vectors, ids)
            order = [ids.index(p.id) for p in shuffled]
            output.bertopic_shuffled = baselines.bertopic_labels(vectors[order], [ids[i] for i in order])
            output.oracle = baselines.oracle_k_labels(vectors, ids, len({p.gold_cluster for p in case.postits
                                                                         if p.gold_cluster is not None}))
        return output


def text_metrics(sentences: Sequence[str], case: Case, embedder: Embedder, threshold: float) -> dict[str, float]:
    """ROUGE against the reference text, greedy embedding match and bullet coverage."""
    bullets = case.bullets
    reference = case.reference.get("synthesis") or " ".join(bullets)
    scores: dict[str, float] = {}
    if reference:
        scores.update(rouge(" ".join(sentences), reference))
    if bullets and sentences:
        draft_vecs = embedder.encode(list(sentences), "similarity")
        ref_vecs = embedder.encode(bullets, "similarity")
        match = greedy_match(draft_vecs, ref_vecs)
        scores["emb_f1"] = match["f1"]
        scores.update(coverage(draft_vecs, ref_vecs, threshold))
    return scores


class _Scorer:
    """Rows of one case's systems: the metrics each system's output allows."""

    def __init__(self, case: Case, config: EvalConfig, embedder: Embedder) -> None:
        self.case, self.config, self.embedder = case, config, embedder
        self.gold = {p.id: p.gold_cluster for p in case.postits if p.gold_cluster is not None}

    def row(self, system: str, sentences: Sequence[str] | None, cited: Sequence[dict[str, Any]] | None = None,
            labels: dict[str, str] | None = None, shuffled: dict[str, str] | None = None,
            noisy: dict[str, str] | None = None) -> dict[str, Any]:
        """Text metrics for ``sentences``, faithfulness and verdicts for ``cited``, clusters for ``labels``
        (their agreement with the clusters of the shuffled post-its, and of their vectors under float noise)."""
        case = self.case
        row: dict[str, Any] = {"config": self.config.name, "system": system, "case": case.id,
                               "n_postits": len(case.postits)}
        if sentences is not None:
            row.update(text_metrics(sentences, case, self.embedder, self.config.coverage_threshold))
            row["n_sentences"] = len(sentences)
        if cited is not None:
            row["faithfulness"] = faithfulness(cited)
            row.update(verdict_shares(cited))
        if labels is not None and self.gold:
            row.update(cluster_agreement(labels, self.gold))
        if labels is not None and shuffled is not None:
            row["stability"] = stability(labels, shuffled)
        if labels is not None and noisy:
            row["noise_stability"] = stability(labels, noisy)
        return row


def score_case(case: Case, output: CaseOutput, config: EvalConfig, embedder: Embedder,
               with_baselines: bool) -> list[dict[str, Any]]:
    """One row per system for this case."""
    scorer = _Scorer(case, config, embedder)
    drafted = bool(output.sentences) or config.draft
    own = scorer.row(config.name, [s["text"] for s in output.sentences] if drafted else None,
                     output.sentences if drafted else None, output.labels, output.labels_shuffled, output.labels_noisy)
    own["cluster_seconds"] = round(output.seconds, 3)
    if drafted:
        own.update(pitch_shares(output, case))
    labels = case.reference.get("labels") or {}
    if labels and scorer.gold:
        own["label_quality"] = label_quality(output.labels, output.cluster_labels, scorer.gold, labels,
                                             _similarity(embedder))
    rows = [own]
    if output.key_points:
        rows.append(scorer.row(f"{config.name} key points", [kp["text"] for kp in output.key_points],
                               output.key_points))
    if with_baselines:
        rows += _baseline_rows(scorer, output, drafted)
    return rows


def _baseline_rows(scorer: _Scorer, output: CaseOutput, drafted: bool) -> list[dict[str, Any]]:
    """The baselines' rows, each at the length of what it is compared with."""
    case, row, k = scorer.case, scorer.row, len(output.key_points)
    rows = []
    if drafted:
        rows.append(row("extractive", [s["text"] for s in output.extractive], output.extractive))
        if output.extractive_key_points and output.sentences:
            # the quoted pitch is the heaviest extractive key points; cut to the pitch's own length
            n = len(output.sentences)
            rows.append(row("extractive, equal length (n = pitch sentences)",
                            [kp["text"] for kp in output.extractive_key_points[:n]], output.extractive_key_points[:n]))
        if k:
            rows += [row("extractive key points", [kp["text"] for kp in output.extractive_key_points],
                         output.extractive_key_points),
                     row("top-voted-k (k = key points)", baselines.top_voted(case, k)),
                     row("random-k (floor, k = key points)", baselines.random_pick(case, k))]
    rows.append(row("bertopic", None, labels=output.bertopic, shuffled=output.bertopic_shuffled))
    if output.oracle:
        rows.append(row("oracle-k ward (knows the gold k)", None, labels=output.oracle))
    if drafted:
        rows += [row("top-voted-8", baselines.top_voted(case)), row("random-8 (floor)", baselines.random_pick(case)),
                 row("whole-axis (ceiling)", baselines.whole_axis(case))]
    return rows


def pitch_shares(output: CaseOutput, case: Case) -> dict[str, float]:
    """How the pitch reads: repeated openers, copied, incomplete and platform-prompt shares, templates used."""
    pitch = [s["text"] for s in output.sentences]
    sources = [k["text"] for k in output.key_points] + [p.text for p in case.postits]
    shown = pitch + [k["text"] for k in output.key_points]
    return {"repeated_opener_rate": repeated_opener_rate(pitch),
            "copied_share": copied_share(pitch, sources, [bool(s.get("quoted")) for s in output.sentences]),
            "incomplete_share": incomplete_share(pitch),
            "platform_prompt_share": platform_prompt_share(shown, case.language),
            "template_share": round(sum(bool(s.get("template")) for s in output.sentences) / len(pitch), 4)
            if pitch else 0.0}


def _similarity(embedder: Embedder) -> Callable[[Sequence[str], Sequence[str]], list[float]]:
    def similarity(a: Sequence[str], b: Sequence[str]) -> list[float]:
        va, vb = embedder.encode(list(a), "similarity"), embedder.encode(list(b), "similarity")
        return [float(x) for x in np.einsum("ij,ij->i", va, vb)]
    return similarity

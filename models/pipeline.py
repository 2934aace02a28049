"""The whole flow, top to bottom: route, embed, cluster per axis, label, draft, score.

    postits ─▶ axes (given, or read off the post-its) ─▶ embed (cached)
            ─▶ route axis-less post-its to the closest axis
            ─▶ per axis: HDBSCAN clusters + singular ideas ─▶ keywords, label, representatives
            ─▶ drafter: one cited sentence per weighty group ─▶ support score per sentence
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from models.clustering import SINGULAR, AxisClusterer
from models.drafting import Drafter, GroupBrief, PitchRequest
from models.embedding import Embedder
from models.labelling import ctfidf_keywords, representatives, short_label, vote_weights
from models.routing import assign_axes, slugify
from models.types import SINGULAR_LABEL, Axis, AxisSynthesis, Cluster, Pitch, PostIt, Sentence, Synthesis

Progress = Callable[[str, float], None]


@dataclass
class PipelineConfig:
    """Tunable settings, recorded in every synthesis' provenance."""

    language: str = "fr"
    min_cluster_size: int | None = None
    min_samples: int | None = None
    max_sentences: int = 4
    n_representatives: int = 3
    n_keywords: int = 5
    support_threshold: float = 0.5


@dataclass
class AxisClusters:
    """Clusters of one axis before drafting."""

    axis: Axis
    postits: list[PostIt]
    clusters: list[Cluster]
    singular_ids: list[str]
    routed_ids: list[str]


class Pipeline:
    """Post-its in, cited syntheses out. Models are passed in, never global.

    Args:
        embedder: Encodes post-its (wrap it in ``CachedEmbedder`` to reuse work).
        drafter: Writes the sentences.
        config: Settings.
    """

    def __init__(self, embedder: Embedder, drafter: Drafter, config: PipelineConfig | None = None) -> None:
        self.embedder = embedder
        self.drafter = drafter
        self.config = config or PipelineConfig()

    def run(self, postits: Sequence[PostIt], axes: Sequence[Axis] | None = None,
            progress: Progress | None = None) -> Synthesis:
        """Cluster then draft every axis."""
        clustered = self.cluster(postits, axes, progress)
        pitches = self.draft(clustered, progress)
        results = [
            AxisSynthesis(c.axis.name, c.axis.description, c.clusters, c.singular_ids, c.routed_ids, p)
            for c, p in zip(clustered, pitches, strict=True)
        ]
        return Synthesis(results, self.provenance())

    def cluster(self, postits: Sequence[PostIt], axes: Sequence[Axis] | None = None,
                progress: Progress | None = None) -> list[AxisClusters]:
        """Embed, route and cluster; every post-it lands in exactly one axis group."""
        report = progress or (lambda _stage, _fraction: None)
        _check_unique(postits)
        report("embedding", 0.0)
        vectors = self.embedder.encode([p.text for p in postits], "clustering")
        report("embedding", 1.0)
        axes, members, routed = assign_axes(postits, vectors, axes, self.embedder)
        out: list[AxisClusters] = []
        slugs: dict[str, str] = {}
        for index, axis in enumerate(axes):
            rows = members[axis.name]
            slug = slugify(axis.name)
            slugs[axis.name] = slug if slug not in slugs.values() else f"{slug}-{index + 1}"
            out.append(self._cluster_axis(slugs[axis.name], axis, [postits[i] for i in rows], vectors[rows],
                                          [postits[i].id for i in rows if i in routed]))
            report("clustering", (index + 1) / len(axes))
        return out

    def _cluster_axis(self, slug: str, axis: Axis, postits: list[PostIt], X: np.ndarray,
                      routed: list[str]) -> AxisClusters:
        cfg = self.config
        model = AxisClusterer(cfg.min_cluster_size, cfg.min_samples).fit(X, keys=[p.id for p in postits])
        groups = [np.flatnonzero(model.labels_ == k) for k in range(model.n_clusters_)]
        keywords = ctfidf_keywords([[postits[i].text for i in g] for g in groups], cfg.language, cfg.n_keywords)
        clusters = []
        for k, (rows, kws) in enumerate(zip(groups, keywords, strict=True)):
            ordered = sorted(rows, key=lambda i: postits[i].id)
            reps = representatives(X[ordered], [postits[i].votes for i in ordered], cfg.n_representatives)
            clusters.append(Cluster(
                id=f"{slug}-{k + 1}", label=short_label(kws), keywords=kws,
                postit_ids=[postits[i].id for i in ordered],
                representative_ids=[postits[ordered[r]].id for r in reps],
                count=len(rows), votes=sum(postits[i].votes for i in rows),
            ))
        singular = sorted(p.id for p, lab in zip(postits, model.labels_, strict=True) if lab == SINGULAR)
        return AxisClusters(axis, postits, clusters, singular, sorted(routed))

    def draft(self, clustered: Sequence[AxisClusters], progress: Progress | None = None) -> list[Pitch]:
        """Draft and score one pitch per axis (all axes batched through the drafter)."""
        report = progress or (lambda _stage, _fraction: None)
        requests = [PitchRequest(c.axis, self.config.language, self._groups(c)) for c in clustered]
        report("drafting", 0.0)
        drafts = self.drafter.draft(requests, lambda f: report("drafting", f))
        texts = {p.id: p.text for c in clustered for p in c.postits}
        self._score(drafts, texts)
        report("scoring", 1.0)
        return [Pitch(sentences) for sentences in drafts]

    def _groups(self, c: AxisClusters) -> list[GroupBrief]:
        """The groups a pitch speaks of: heaviest clusters first, else singular ideas."""
        by_id = {p.id: p for p in c.postits}
        cfg = self.config

        def weight(cluster: Cluster) -> tuple[float, str]:
            return (-float(vote_weights([by_id[i].votes for i in cluster.postit_ids]).sum()), cluster.id)

        groups = []
        for cl in sorted(c.clusters, key=weight)[: cfg.max_sentences]:
            first = cl.representative_ids + [i for i in cl.postit_ids if i not in cl.representative_ids]
            groups.append(GroupBrief(cl.label, cl.keywords, [by_id[i] for i in first], cl.count, cl.votes))
        if not groups:
            lonely = sorted((by_id[i] for i in c.singular_ids), key=lambda p: (-p.votes, p.id))
            groups = [GroupBrief(SINGULAR_LABEL, [], [p], 1, p.votes, singular=True)
                      for p in lonely[: cfg.max_sentences]]
        return groups

    def _score(self, drafts: list[list[Sentence]], texts: dict[str, str]) -> None:
        """Support = best similarity between a sentence and one of its cited post-its."""
        sentences = [s for d in drafts for s in d]
        if not sentences:
            return
        cited = sorted({c for s in sentences for c in s.citations})
        sent_vecs = self.embedder.encode([s.text for s in sentences], "similarity")
        cited_vecs = dict(zip(cited, self.embedder.encode([texts[c] for c in cited], "similarity"), strict=True))
        for s, v in zip(sentences, sent_vecs, strict=True):
            sims = [float(v @ cited_vecs[c]) for c in s.citations]
            s.support = round(max(sims, default=0.0), 4)
            s.supported = s.support >= self.config.support_threshold

    def provenance(self) -> dict[str, Any]:
        """Model ids, prompt id and hash, settings and version of this pipeline."""
        from atelier import __version__

        prompt = self.drafter.prompt_for(self.config.language)
        if prompt is None:
            prompt_info = {"id": f"{self.drafter.name}/builtin", "sha256": _builtin_hash(self.drafter.name)}
        else:
            prompt_info = {"id": prompt.id, "sha256": prompt.sha256}
        return {
            "embedder": self.embedder.model_id, "generator": self.drafter.model_id,
            "drafter": self.drafter.name, "prompt": prompt_info,
            "settings": {**asdict(self.config), "drafter": dict(self.drafter.settings)},
            "version": __version__,
        }


def _builtin_hash(name: str) -> str:
    return hashlib.sha256(f"atelier-{name}-v1".encode()).hexdigest()


def _check_unique(postits: Sequence[PostIt]) -> None:
    seen: set[str] = set()
    for p in postits:
        if p.id in seen:
            raise ValueError(f"duplicate post-it id {p.id!r}")
        seen.add(p.id)

"""Pipeline benchmark: prints numbers, asserts nothing (``atelier bench``, ``python -m evaluation.bench``).

1. Embedding throughput of the pipeline's embedder (cache wrapper, cold) versus
   raw ``SentenceTransformer.encode`` of the same model on the same texts.
2. Clustering (HDBSCAN + labelling) of 10,000 post-its over 6 axes, embeddings given.
3. End-to-end on a 300-post-it, 6-axis workshop of real Make.org proposals:
   time to clusters (cold embedding cache), model load, and time to draft key
   points and pitches, verification included.
4. Generation runtimes side by side: load time and tokens/s at batch 1 and 4,
   same prompt, 80 new tokens, greedy (``--runtimes openvino,transformers``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from evaluation.datasets import default_data_dir
from evaluation.metering import MeteredGenerator, token_counter
from models.types import VERDICTS, Axis, AxisSynthesis, PostIt

if TYPE_CHECKING:
    from models.pipeline import AxisClusters, Pipeline


def real_workshop(n: int = 300, n_axes: int = 6) -> tuple[list[PostIt], list[Axis]]:
    """Plébiscite Make.org proposals, unassigned, under the report's first ``n_axes`` ideas."""
    base = default_data_dir() / "makeorg-monde-dapres"
    ideas = json.loads((base / "ideas.json").read_text())["ideas"][:n_axes]
    axes = [Axis(i["idea_title"], " ".join(i["human_synthesis_bullets"])) for i in ideas]
    postits = []
    with (base / "proposals.csv").open(newline="") as handle:
        for row_index, row in enumerate(csv.DictReader(handle)):
            if int(row["votes"]) >= 90 and float(row["adhesion"]) >= 0.8 and float(row["engagement"]) >= 0.37:
                postits.append(PostIt(f"mk{row_index}", row["proposition"].strip(), None, int(row["votes"])))
            if len(postits) == n:
                break
    return postits, axes


class FixedEmbedder:
    """Returns precomputed vectors (to time clustering alone)."""

    model_id = "precomputed"

    def __init__(self, table: dict[str, np.ndarray]) -> None:
        self.table = table

    def encode(self, texts: Sequence[str], task: str = "clustering") -> np.ndarray:
        return np.stack([self.table[t] for t in texts])


def bench_embedding(texts: list[str]) -> None:
    from models.embedding import CachedEmbedder, SentenceTransformerEmbedder

    inner = SentenceTransformerEmbedder("embeddinggemma-300m")
    inner.encode(texts[:16])  # warm-up
    prompt = inner._prompt("clustering")
    t0 = time.perf_counter()
    inner.model.encode(texts, batch_size=inner.batch_size, prompt=prompt, normalize_embeddings=True)
    raw = time.perf_counter() - t0
    t0 = time.perf_counter()
    CachedEmbedder(inner, None).encode(texts)
    ours = time.perf_counter() - t0
    print(f"embedding: raw SentenceTransformer.encode {len(texts) / raw:.1f} post-its/s, "
          f"pipeline {len(texts) / ours:.1f} post-its/s, ratio {raw / ours:.3f} (goal >= 0.95)")


def bench_clustering(n: int, n_axes: int = 6, dim: int = 768) -> None:
    from models.drafting import ExtractiveDrafter
    from models.pipeline import Pipeline

    rng = np.random.default_rng(0)
    centres = rng.standard_normal((n_axes * 12, dim))
    postits, table = [], {}
    for i in range(n):
        vec = centres[rng.integers(len(centres))] + 0.8 * rng.standard_normal(dim)
        text = f"post-it {i}"
        table[text] = (vec / np.linalg.norm(vec)).astype(np.float32)
        postits.append(PostIt(f"p{i:05d}", text, f"Axe {i % n_axes}"))
    pipeline = Pipeline(FixedEmbedder(table), ExtractiveDrafter())
    for run in ("first run in this process (imports, UMAP's compilation or its cache)", "warm"):
        t0 = time.perf_counter()
        clustered = pipeline.cluster(postits)
        took = time.perf_counter() - t0
        k = sum(len(c.clusters) for c in clustered)
        singular = sum(len(c.singular_ids) for c in clustered)
        print(f"clustering: {n} post-its over {n_axes} axes in {took:.2f} s, {run} (goal < 10 s with a reduction "
              f"step), {k} clusters, {singular} singular")


class StreamedRun:
    """Route, then each axis's clusters just before it is drafted, as the service runs a synthesis, timed.

    Attributes:
        clustered: Each axis's clusters, in order.
        drafts: Each axis drafted.
        clustering: Seconds spent routing and clustering, all axes.
        first_clusters: Seconds from the start until the first axis's clusters were ready.
        first: Seconds from the start until the first axis was drafted.
        total: Seconds from the start until every axis was drafted.
    """

    def __init__(self, pipeline: Pipeline, postits: Sequence[PostIt], axes: Sequence[Axis] | None) -> None:
        self.clustered: list[AxisClusters] = []
        self.drafts: list[AxisSynthesis] = []
        self.first_clusters = self.first = 0.0
        t0 = time.perf_counter()
        listed, clusters = pipeline.cluster_each(postits, axes)
        self.clustering = time.perf_counter() - t0
        for axis in pipeline.draft_each(self._timed(clusters, t0), axes=listed):
            self.drafts.append(axis)
            self.first = self.first or time.perf_counter() - t0
        self.total = time.perf_counter() - t0

    def _timed(self, clusters: Iterator[AxisClusters], t0: float) -> Iterator[AxisClusters]:
        while True:
            t = time.perf_counter()
            c = next(clusters, None)
            self.clustering += time.perf_counter() - t
            if c is None:
                return
            self.clustered.append(c)
            self.first_clusters = self.first_clusters or time.perf_counter() - t0
            yield c


def bench_end_to_end(n: int, skip_drafting: bool) -> None:
    """Time clusters (cold embedding cache), then drafting axis after axis as the service runs it."""
    from models.drafting import LLMDrafter
    from models.embedding import PrecomputedEmbedder
    from models.factory import DEFAULT_DRAFTER, build_drafter, build_embedder
    from models.pipeline import Pipeline

    postits, axes = real_workshop(n)
    embedder = build_embedder(cache=False)
    t0 = time.perf_counter()
    drafter = build_drafter("extractive" if skip_drafting else DEFAULT_DRAFTER)
    print(f"generator load: {time.perf_counter() - t0:.1f} s (goal < 20 s, {drafter.name} {drafter.model_id})")
    metered = None
    if isinstance(drafter, LLMDrafter):  # count what the model reads and writes, the cost on a CPU
        drafter.generator = metered = MeteredGenerator(drafter.generator)
    t0 = time.perf_counter()
    Pipeline(embedder, drafter).cluster(postits, axes)
    t_clusters = time.perf_counter() - t0
    # As the service runs it: post-its embedded at push time, then clusters, then axis after axis.
    vectors = dict(zip((p.text for p in postits), embedder.encode([p.text for p in postits], "clustering"),
                       strict=True))
    streamed = Pipeline(PrecomputedEmbedder(embedder, vectors), drafter)
    run = StreamedRun(streamed, postits, axes)
    clustered, drafts = run.clustered, run.drafts
    t_clustering, t_first = run.clustering, run.first
    t_pitches = run.total - t_clustering
    n_kp = sum(len(d.key_points) for d in drafts)
    n_sent = sum(len(d.pitch.sentences) for d in drafts)
    print(f"end-to-end: {len(postits)} real post-its, {len(axes)} axes: clusters in {t_clusters:.1f} s "
          f"(goal < 15 s; cold embedding cache), key points + pitches + verification in {t_pitches:.1f} s "
          f"(goal < 60 s, {BASELINE['seconds']} s when issue 24 was filed; drafter {drafter.name}, {n_kp} key points, "
          f"{n_sent} pitch sentences, axis after axis); "
          f"first axis done {t_first:.1f} s after the start with post-its embedded (goal < 20 s; its clusters ready "
          f"at {run.first_clusters:.1f} s, the others clustered after it as the service does, every axis's "
          f"clusters {t_clustering:.1f} s)")
    _print_drafts(streamed, clustered, drafts, postits)
    for line in metered.report() if metered else []:
        print(f"  model {line}")
    if metered:
        print(f"  model calls when issue 24 was filed: {BASELINE['chat']}; {BASELINE['judge']}")


def _print_drafts(pipeline: Pipeline, clustered: Sequence[AxisClusters], drafts: Sequence[AxisSynthesis],
                  postits: Sequence[PostIt]) -> None:
    """Per axis its groups; then verdicts, quotes and the pitch shares over every axis."""
    from models.drafting import taken_as_is

    for c in clustered:
        print(f"  {c.axis.name[:50]:50} {len(c.postits):4d} post-its {len(c.clusters):3d} clusters "
              f"{len(c.singular_ids):3d} singular")
    groups = [g for c in clustered for g in pipeline._groups(c)]
    taken = sum(taken_as_is(g, pipeline.config.language) is not None for g in groups)
    print(f"  key points taken as is from a group's best post-it (no model, no judge): {taken} of {len(groups)}")
    sentences = [s for d in drafts for s in d.pitch.sentences]
    key_points = [k.sentence for d in drafts for k in d.key_points]
    for name, items in (("key points", key_points), ("pitch sentences", sentences)):
        verdicts = {v: sum(s.verdict == v for s in items) for v in VERDICTS}
        print(f"  {name}: { {str(k): v for k, v in verdicts.items()} }, quoted (taken as is, singular ideas, or after "
              f"a second flag): {sum(s.quoted for s in items)}")
    for name, values in _pitch_shares(clustered, drafts, postits).items():
        print(f"  pitch {name}: {float(np.mean(values)):.2f}")


def _pitch_shares(clustered: Sequence[AxisClusters], drafts: Sequence[AxisSynthesis],
                  postits: Sequence[PostIt]) -> dict[str, list[float]]:
    """Each pitch metric, axis by axis."""
    from evaluation.metrics.completeness import incomplete_share
    from evaluation.metrics.copied import copied_share
    from evaluation.metrics.openers import repeated_opener_rate
    from evaluation.metrics.platform_prompts import platform_prompt_share

    texts = {p.id: p.text for p in postits}
    pitches = [[s.text for s in d.pitch.sentences] for d in drafts]
    sources = [[k.sentence.text for k in d.key_points] + [texts[i] for c in cl.clusters for i in c.postit_ids]
               for d, cl in zip(drafts, clustered, strict=True)]
    return {
        "repeated openers (goal < 0.25)": [repeated_opener_rate(p) for p in pitches],
        "copied (goal <= 0.10)": [copied_share(p, src, [s.quoted for s in d.pitch.sentences])
                                  for p, src, d in zip(pitches, sources, drafts, strict=True)],
        "incomplete (goal 0)": [incomplete_share(p) for p in pitches],
        "platform prompts (goal 0)": [platform_prompt_share(p + [k.sentence.text for k in d.key_points])
                                      for p, d in zip(pitches, drafts, strict=True)],
        "template sentences": [sum(s.template for s in d.pitch.sentences) / max(1, len(d.pitch.sentences))
                               for d in drafts],
    }


#: The end-to-end run of ``atelier bench`` when issue 24 was filed (2 cores, 300 post-its, 6 axes).
BASELINE = {"seconds": 143.1,
            "chat": "chat 45 conversations, 25,844 prompt tokens, 2,397 generated, 107.6 s",
            "judge": "first_tokens 60 conversations, 7,241 prompt tokens, 27.1 s"}


BENCH_PROMPT = [{"role": "user", "content": (
    "Voici des post-its d'un atelier sur l'inclusion numérique : ouvrir des espaces numériques dans les mairies "
    "rurales ; former les seniors aux démarches en ligne ; prêter des tablettes. Rédige un pitch de 3 phrases.")}]


def bench_runtimes(runtimes: Sequence[str], tokens: int = 80) -> None:
    """Load time and tokens/s of each local runtime on its default generator, side by side."""
    from models.generation import build_generator, default_generator

    for runtime in runtimes:
        t0 = time.perf_counter()
        generator = build_generator(runtime)
        load = time.perf_counter() - t0
        count = token_counter(generator)
        speeds = []
        for batch in (1, 4):
            generator.chat([BENCH_PROMPT], 4)  # warm-up
            t0 = time.perf_counter()
            replies = generator.chat([BENCH_PROMPT] * batch, tokens)
            took = time.perf_counter() - t0
            produced = sum(count(r) for r in replies)
            speeds.append(f"batch {batch}: {produced / took:.1f} tok/s")
        print(f"runtime {runtime:12} {default_generator(runtime)}: load {load:.1f} s, " + ", ".join(speeds))
        del generator


def main(quick: bool = False, skip_drafting: bool = False, runtimes: Sequence[str] = ("openvino",)) -> int:
    """Run the benchmarks and print their lines."""
    from models.factory import set_threads

    set_threads(int(os.environ.get("ATELIER_THREADS", "2")))
    postits, _ = real_workshop(100 if quick else 300)
    if not skip_drafting and runtimes:
        bench_runtimes(runtimes)
    bench_embedding([p.text for p in postits][: 64 if quick else 200])
    bench_clustering(2000 if quick else 10_000)
    bench_end_to_end(60 if quick else 300, skip_drafting)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-drafting", action="store_true")
    parser.add_argument("--runtimes", default="openvino", help="comma-separated, e.g. openvino,transformers")
    args = parser.parse_args()
    raise SystemExit(main(args.quick, args.skip_drafting, [r for r in args.runtimes.split(",") if r]))

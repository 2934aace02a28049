"""The whole flow, top to bottom: route, embed, cluster per axis, label, draft, verify.

    postits ─▶ axes (given, or read off the post-its) ─▶ embed (cached)
            ─▶ route axis-less post-its to the closest axis
            ─▶ per axis: HDBSCAN clusters + singular ideas ─▶ keywords, label, representatives
            ─▶ key points: one cited sentence per cluster (+ voted singular ideas) ─▶ verify
            ─▶ pitch: 3–5 sentences from the key points, each naming those it draws on ─▶ verify
    (a flagged sentence is written again once, then quoted from its group's best post-it)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from models.clustering import SINGULAR, AxisClusterer
from models.consensus import stance_of
from models.decisions import ReviewDecisions, apply_decisions
from models.drafting import Drafter, GroupBrief, PitchBrief, PitchRequest, gist, quote_sentence
from models.embedding import Embedder
from models.labelling import ctfidf_keywords, representatives, short_label, vote_weights
from models.routing import assign_axes, slugify
from models.text import opener
from models.types import SINGULAR_LABEL, Axis, AxisSynthesis, Cluster, KeyPoint, Pitch, PostIt, Sentence, Synthesis
from models.verification import Claim, Verifier

Progress = Callable[[str, float], None]


#: What a pitch sentence drawn only from divided key points says of itself, per language.
DIVIDED_NOTE = {"fr": "point qui divise : {p} % d'accord", "en": "divisive: {p}% agree",
                "de": "umstritten: {p} % Zustimmung"}


def mark_divided(sentences: list[Sentence], key_points: Sequence[KeyPoint], language: str) -> None:
    """A sentence that rests only on key points the room is divided on says so, whatever the model wrote.

    The prompt asks for it, but a small model often states a divided point as plain fact; the
    note comes from the votes, so the pitch never passes a split for an agreement.

    >>> from models.consensus import Stance
    >>> kp = KeyPoint("kp-1", "c1", Sentence("Des éoliennes.", ["p1"]), stance=Stance(11, 9))
    >>> s = [Sentence("Installer des éoliennes près des villages.", ["p1"], key_points=["kp-1"])]
    >>> mark_divided(s, [kp], "fr"); s[0].text
    "Installer des éoliennes près des villages (point qui divise : 55 % d'accord)."
    """
    by_id = {k.id: k for k in key_points}
    for s in sentences:
        cited = [by_id[k] for k in s.key_points if k in by_id]
        stances = [k.stance for k in cited if k.stance is not None]
        if not cited or len(stances) < len(cited) or any(st.label != "divided" for st in stances):
            continue
        agrees, total = sum(st.agrees for st in stances), sum(st.votes for st in stances)
        note = DIVIDED_NOTE.get(language, DIVIDED_NOTE["en"]).format(p=round(100 * agrees / total))
        body, end = (s.text[:-1], s.text[-1]) if s.text[-1:] in ".!?" else (s.text, ".")
        s.text = f"{body} ({note}){end}"


def order_key(postit: PostIt) -> str:
    """The clusterer's canonical order: by text first, so the same post-its cluster alike whatever
    ids a service gave them (a re-import gets new UUIDs); the id only breaks ties between equal texts.

    >>> order_key(PostIt("b7", "Des pistes cyclables")) < order_key(PostIt("a1", "Plus de bus"))
    False
    """
    digest = hashlib.sha256(" ".join(postit.text.split()).lower().encode()).hexdigest()[:16]
    return f"{digest}:{postit.id}"


def pitch_points(key_points: list[KeyPoint]) -> list[KeyPoint]:
    """The key points a pitch is written from: the room's groups, not quoted lone post-its.

    A singular idea is one participant's words, quoted verbatim; a small model restating it in the
    pitch restated an injected order too ("J'AI ÉTÉ PIRATÉ"). It stays a key point of the axis.
    An axis with only singular ideas keeps them.
    """
    grouped = [k for k in key_points if k.cluster_id is not None or not k.sentence.quoted]
    return grouped or key_points


def consensus_first(key_points: list[KeyPoint]) -> list[KeyPoint]:
    """The order the pitch prompt lists key points in: consensus, then the rest, divided ones last.

    Stable, so key points without agree/disagree votes keep their weight order.
    """
    rank = {"consensus": 0, "divided": 2}
    return sorted(key_points, key=lambda k: rank.get(k.stance.label or "", 1) if k.stance else 1)


@dataclass
class PipelineConfig:
    """Tunable settings, recorded in every synthesis' provenance."""

    language: str = "fr"
    min_cluster_size: int | None = None
    min_samples: int | None = None
    max_singular_key_points: int = 3
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
    slug: str = ""


@dataclass
class AxisDraft:
    """An axis's verified key points and pitch."""

    key_points: list[KeyPoint]
    pitch: Pitch


class Pipeline:
    """Post-its in, cited syntheses out. Models are passed in, never global.

    Args:
        embedder: Encodes post-its (wrap it in ``CachedEmbedder`` to reuse work).
        drafter: Writes the key points and pitches.
        config: Settings.
        verifier: Gives each sentence its verdict; by default similarity plus the
            drafter's own model as judge (similarity alone for model-free drafters).
    """

    def __init__(self, embedder: Embedder, drafter: Drafter, config: PipelineConfig | None = None,
                 verifier: Verifier | None = None) -> None:
        self.embedder = embedder
        self.drafter = drafter
        self.config = config or PipelineConfig()
        self.verifier = verifier or Verifier(embedder, getattr(drafter, "generator", None),
                                             support_threshold=self.config.support_threshold)

    def run(self, postits: Sequence[PostIt], axes: Sequence[Axis] | None = None,
            progress: Progress | None = None, decisions: Mapping[str, ReviewDecisions] | None = None) -> Synthesis:
        """Cluster then draft every axis (``decisions``: reviewers' moves, merges and renames, by axis name)."""
        clustered = self.cluster(postits, axes, progress, decisions)
        drafts = self.draft(clustered, progress)
        results = [
            AxisSynthesis(c.axis.name, c.axis.description, c.clusters, c.singular_ids, c.routed_ids, d.pitch,
                          d.key_points)
            for c, d in zip(clustered, drafts, strict=True)
        ]
        return Synthesis(results, self.provenance())

    def cluster(self, postits: Sequence[PostIt], axes: Sequence[Axis] | None = None,
                progress: Progress | None = None,
                decisions: Mapping[str, ReviewDecisions] | None = None) -> list[AxisClusters]:
        """Embed, route and cluster; every post-it lands in exactly one axis group; reviewer decisions kept."""
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
                                          [postits[i].id for i in rows if i in routed],
                                          (decisions or {}).get(axis.name)))
            report("clustering", (index + 1) / len(axes))
        return out

    def _cluster_axis(self, slug: str, axis: Axis, postits: list[PostIt], X: np.ndarray,
                      routed: list[str], decisions: ReviewDecisions | None = None) -> AxisClusters:
        cfg = self.config
        ids = [p.id for p in postits]
        keys = [order_key(p) for p in postits]
        model = AxisClusterer(cfg.min_cluster_size, cfg.min_samples).fit(X, keys=keys)
        applied = apply_decisions(ids, model.labels_, decisions or ReviewDecisions(), keys=keys)
        labels = applied.labels
        groups = [np.flatnonzero(labels == k) for k in range(int(labels.max()) + 1 if len(labels) else 0)]
        keywords = ctfidf_keywords([[postits[i].text for i in g] for g in groups], cfg.language, cfg.n_keywords)
        clusters = []
        for k, (rows, kws) in enumerate(zip(groups, keywords, strict=True)):
            ordered = sorted(rows, key=lambda i: postits[i].id)
            reps = representatives(X[ordered], [postits[i].votes for i in ordered], cfg.n_representatives)
            clusters.append(Cluster(
                id=f"{slug}-{k + 1}", label=applied.names.get(k) or short_label(kws), keywords=kws,
                postit_ids=[postits[i].id for i in ordered],
                representative_ids=[postits[ordered[r]].id for r in reps],
                count=len(rows), votes=sum(postits[i].votes for i in rows),
                kept_from_review=applied.kept.get(k, []),
            ))
        singular = sorted(p.id for p, lab in zip(postits, labels, strict=True) if lab == SINGULAR)
        return AxisClusters(axis, postits, clusters, singular, sorted(routed), slug)

    def draft(self, clustered: Sequence[AxisClusters], progress: Progress | None = None) -> list[AxisDraft]:
        """Key points, then pitches, every sentence verified (all axes batched through the drafter)."""
        report = progress or (lambda _stage, _fraction: None)
        texts = {p.id: p.text for c in clustered for p in c.postits}
        requests = [PitchRequest(c.axis, self.config.language, self._groups(c)) for c in clustered]
        report("drafting", 0.0)
        drafted = self.drafter.key_points(requests, lambda f: report("drafting", f / 2))
        key_points = self._checked_key_points(clustered, requests, drafted, texts)
        briefs = [PitchBrief(c.axis, self.config.language, consensus_first(pitch_points(kps)))
                  for c, kps in zip(clustered, key_points, strict=True)]
        pitches = self.drafter.pitches(briefs, lambda f: report("drafting", 0.5 + f / 2))
        report("scoring", 0.0)
        self._attach(briefs, pitches)
        # the briefs list key points consensus first; the groups stay in weight order
        groups = [{k.id: g for k, g in zip(kps, r.groups, strict=True)}
                  for kps, r in zip(key_points, requests, strict=True)]
        kp_texts = {k.id: k.sentence.text for b in briefs for k in b.key_points}
        self._check_pitches(briefs, pitches, groups, texts, kp_texts)
        drop_repeats(pitches)  # before openers: a rewrite must not turn a repeat into "Also, <same sentence>"
        self._vary_openers(briefs, pitches, texts, kp_texts)
        for brief, sentences in zip(briefs, pitches, strict=True):
            mark_divided(sentences, brief.key_points, self.config.language)
        report("scoring", 1.0)
        return [AxisDraft(kps, Pitch(sentences)) for kps, sentences in zip(key_points, pitches, strict=True)]

    def _groups(self, c: AxisClusters) -> list[GroupBrief]:
        """One group per cluster, heaviest first, then singular ideas that carry votes (capped)."""
        by_id = {p.id: p for p in c.postits}

        def weight(cluster: Cluster) -> tuple[float, int, str]:
            votes = float(vote_weights([by_id[i].votes for i in cluster.postit_ids]).sum())
            return (-votes, -cluster.count, cluster.id)

        groups = []
        for cl in sorted(c.clusters, key=weight):
            first = cl.representative_ids + [i for i in cl.postit_ids if i not in cl.representative_ids]
            groups.append(GroupBrief(cl.label, cl.keywords, [by_id[i] for i in first], cl.count, cl.votes,
                                     cluster_id=cl.id, stance=stance_of([by_id[i] for i in cl.postit_ids])))
        lonely = sorted((by_id[i] for i in c.singular_ids), key=lambda p: (-p.votes, p.id))
        voted = [p for p in lonely if p.votes > 0] if groups else lonely
        groups += [GroupBrief(SINGULAR_LABEL, [], [p], 1, p.votes, singular=True, stance=stance_of([p]))
                   for p in voted[: self.config.max_singular_key_points]]
        return groups

    def _claims(self, sentences: Sequence[Sentence], texts: dict[str, str],
                key_points: dict[str, str] | None = None) -> list[Claim]:
        """What each sentence is checked against: its key points (a pitch sentence), else its post-its.

        A pitch sentence says what its key points say, in other words; its closest post-it may
        speak of only part of it, which made the judge miss inversions ("un modèle basé sur le
        carbone" against a key point asking for a low-carbon one).
        """
        claims = []
        for s in sentences:
            refs = [key_points[k] for k in s.key_points if k in key_points] if key_points else []
            refs = refs or [texts[c] for c in s.citations if c in texts]
            claims.append(Claim(s.text, refs, self.config.language))
        return claims

    def _verify(self, sentences: Sequence[Sentence], texts: dict[str, str],
                key_points: dict[str, str] | None = None) -> list[bool]:
        """Set each sentence's verdict and support; whether each is flagged.

        A quote is its post-it, verbatim: supported by construction, never sent to the judge.
        """
        drafted = [s for s in sentences if not s.quoted]
        for s, check in zip(drafted, self.verifier.check(self._claims(drafted, texts, key_points)), strict=True):
            s.support, s.verdict = check.support, check.verdict
        for s in sentences:
            if s.quoted:
                s.support, s.verdict = 1.0, "supported"
            s.supported = s.verdict == "supported"
        return [not s.supported for s in sentences]

    def _flagged(self, table: list[list[Sentence]], at: Sequence[tuple[int, int]], texts: dict[str, str],
                 key_points: dict[str, str] | None = None) -> list[tuple[int, int]]:
        """Verify the sentences at positions ``at`` of ``table``; the positions flagged."""
        flags = self._verify([table[i][j] for i, j in at], texts, key_points)
        return [pos for pos, flag in zip(at, flags, strict=True) if flag]

    def _checked_key_points(self, clustered: Sequence[AxisClusters], requests: Sequence[PitchRequest],
                            drafted: list[list[Sentence]], texts: dict[str, str]) -> list[list[KeyPoint]]:
        """Verify key points; write flagged ones again once; quote the group's best post-it if still flagged."""
        flagged = self._flagged(drafted, [(i, j) for i, d in enumerate(drafted) for j in range(len(d))], texts)
        if flagged:
            again = self.drafter.rewrite_key_points(requests, [(i, j, drafted[i][j]) for i, j in flagged])
            for (i, j), sentence in zip(flagged, again, strict=True):
                drafted[i][j] = sentence
            for i, j in self._flagged(drafted, flagged, texts):
                drafted[i][j] = self._quoted(requests[i].groups[j], texts)
        out = []
        for c, request, sentences in zip(clustered, requests, drafted, strict=True):
            slug = c.slug or slugify(c.axis.name)
            out.append([KeyPoint(f"kp-{g.cluster_id}" if g.cluster_id else f"kp-{slug}-s{n + 1}", g.cluster_id, s,
                                 g.count, g.votes, g.stance)
                        for n, (g, s) in enumerate(zip(request.groups, sentences, strict=True))])
        return out

    def _quoted(self, group: GroupBrief, texts: dict[str, str]) -> Sentence:
        quote = quote_sentence(group, self.config.language)
        self._verify([quote], texts)
        return quote

    def _attach(self, briefs: Sequence[PitchBrief], pitches: list[list[Sentence]]) -> None:
        """A pitch sentence that names no key point draws on the one it is most similar to."""
        for brief, sentences in zip(briefs, pitches, strict=True):
            loose = [s for s in sentences if not s.key_points]
            if not loose or not brief.key_points:
                continue
            kp_vecs = self.embedder.encode([k.sentence.text for k in brief.key_points], "similarity")
            for s, v in zip(loose, self.embedder.encode([s.text for s in loose], "similarity"), strict=True):
                best = brief.key_points[int(np.argmax(kp_vecs @ v))]
                s.key_points, s.citations = [best.id], list(best.sentence.citations)

    def _check_pitches(self, briefs: Sequence[PitchBrief], pitches: list[list[Sentence]],
                       groups: Sequence[dict[str, GroupBrief]], texts: dict[str, str],
                       kp_texts: dict[str, str]) -> None:
        """Verify pitch sentences; rewrite flagged ones once; then quote their first key point's best post-it.

        ``groups`` gives, per axis, the group each key point was written from; ``kp_texts`` what
        pitch sentences are checked against.
        """
        at = [(i, j) for i, p in enumerate(pitches) for j in range(len(p))]
        flagged = self._flagged(pitches, at, texts, kp_texts)
        if not flagged:
            return
        again = self.drafter.rewrite_pitch(briefs, [(i, pitches[i][j]) for i, j in flagged])
        for (i, j), sentence in zip(flagged, again, strict=True):
            pitches[i][j] = sentence
        for i, j in self._flagged(pitches, flagged, texts, kp_texts):
            first = pitches[i][j].key_points[:1]
            fallback = next(iter(groups[i].values()))  # the heaviest group
            quote = self._quoted((groups[i].get(first[0]) if first else None) or fallback, texts)
            quote.key_points = first
            pitches[i][j] = quote

    def _vary_openers(self, briefs: Sequence[PitchBrief], pitches: list[list[Sentence]],
                      texts: dict[str, str], kp_texts: dict[str, str]) -> None:
        """A generated sentence opening on an earlier sentence's first word is said again, once.

        The new wording is kept only if it opens differently, is not another sentence of the
        pitch behind a new first word, and is still verified as supported by its key points: a
        monotone pitch is better than an unfaithful or repetitive one.
        """
        repeats: list[tuple[int, int, list[str]]] = []
        for i, sentences in enumerate(pitches):
            seen: list[str] = []
            for j, s in enumerate(sentences):
                word = opener(s.text)
                if word in seen and not s.quoted:
                    repeats.append((i, j, list(seen)))
                seen.append(word)
        if not repeats:
            return
        again = self.drafter.vary_openers(briefs, [(i, pitches[i][j], words) for i, j, words in repeats])
        # a rewrite that copies another sentence of its pitch behind a new first word says it twice
        fresh = [(i, j, s) for (i, j, words), s in zip(repeats, again, strict=True)
                 if opener(s.text) not in words and not any(
                     gist(s.text).endswith(gist(o.text)) for k, o in enumerate(pitches[i]) if k != j)]
        flags = self._verify([s for _, _, s in fresh], texts, kp_texts)
        offered = {(i, j): s for (i, j, s), flagged in zip(fresh, flags, strict=True) if not flagged}
        for i, sentences in enumerate(pitches):
            opened: set[str] = set()
            for j in range(len(sentences)):
                better = offered.get((i, j))
                # checked against the pitch as it now reads: two rewrites must not open alike either
                if better is not None and opener(better.text) not in opened:
                    sentences[j] = better
                opened.add(opener(sentences[j].text))

    def provenance(self) -> dict[str, Any]:
        """Model ids, prompt id and hash, settings and version of this pipeline."""
        from atelier import __version__

        prompts = {step: {"id": p.id, "sha256": p.sha256}
                   for step, p in self.drafter.prompts_for(self.config.language).items()}
        builtin = {"id": f"{self.drafter.name}/builtin", "sha256": _builtin_hash(self.drafter.name)}
        return {
            "embedder": self.embedder.model_id, "generator": self.drafter.model_id,
            "drafter": self.drafter.name, "runtime": self.drafter.settings.get("runtime", self.drafter.name),
            "prompt": prompts.get("pitch", builtin), "prompts": prompts,
            "settings": {**asdict(self.config), "drafter": dict(self.drafter.settings),
                         "verifier": self.verifier.describe(self.config.language)},
            "version": __version__,
        }


def drop_repeats(pitches: list[list[Sentence]]) -> None:
    """Keep the first of sentences of one pitch that say the same words.

    A small model can write one key point twice ("Countries hold nuclear weapons to protect
    themselves from attack." twice in an argkp pitch), and two flagged sentences can fall back
    on the same quote.

    >>> pitch = [[Sentence("Des bus.", []), Sentence("Des vélos.", []), Sentence("des bus", [])]]
    >>> drop_repeats(pitch); [s.text for s in pitch[0]]
    ['Des bus.', 'Des vélos.']
    """
    for sentences in pitches:
        seen: set[str] = set()
        kept = []
        for s in sentences:
            if gist(s.text) not in seen:
                kept.append(s)
                seen.add(gist(s.text))
        sentences[:] = kept


def _builtin_hash(name: str) -> str:
    return hashlib.sha256(f"atelier-{name}-v1".encode()).hexdigest()


def _check_unique(postits: Sequence[PostIt]) -> None:
    seen: set[str] = set()
    for p in postits:
        if p.id in seen:
            raise ValueError(f"duplicate post-it id {p.id!r}")
        seen.add(p.id)

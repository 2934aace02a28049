"""The whole flow, top to bottom: route, embed, cluster per axis, label, draft, verify.

    postits ─▶ axes (given, or read off the post-its) ─▶ embed (cached)
            ─▶ route axis-less post-its to the closest axis
            ─▶ per axis: HDBSCAN clusters + singular ideas ─▶ keywords, label, representatives
            ─▶ key points: one cited action phrase per cluster (+ voted singular ideas) ─▶ verify
               (a flagged one is written again once, then quoted from its group's best post-it)
            ─▶ themes: 2–3 named groups of key points (axes with ≥ 4)
            ─▶ pitch: planned by models.pitch (ambition, then a sentence per theme), said by its
               slots' templates (the model writes the pieces only with ``write_pitch``) ─▶ verify
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from itertools import islice
from typing import Any

import numpy as np

from models.clustering import SINGULAR, AxisClusterer
from models.consensus import stance_of
from models.decisions import ReviewDecisions, apply_decisions
from models.drafting import (
    Drafter,
    GroupBrief,
    PitchRequest,
    condense_ask,
    copies_another_voice,
    key_point_phrase,
    quote_first_sentence,
    quote_sentence,
    shown_text,
    stands_as_key_point,
    taken_as_is,
    word_for_word,
)
from models.embedding import Embedder
from models.keypoint_rules import Drafted, Remedy, failed_rule, stands_in_for
from models.labelling import ctfidf_keywords, representatives, short_label, vote_weights
from models.language import DEFAULT_LANGUAGE
from models.pitch import (
    Ask,
    inherit_verdict,
    mark_divided,
    plan,
    quote_pitch,
    sentence_from,
    speaks_beyond,
)
from models.routing import assign_axes, slugify
from models.text import flatten, unquoted, word_set
from models.theme_names import default_name, theme_name
from models.themes import MIN_KEY_POINTS, ThemeGrouper
from models.types import (
    SINGULAR_LABEL,
    Axis,
    AxisSynthesis,
    Cluster,
    KeyPoint,
    Pitch,
    PostIt,
    Sentence,
    Stage,
    Synthesis,
    Theme,
    Verdict,
)
from models.verification import SUPPORT_THRESHOLD, Claim, Verifier
from prompts import load_templates

Progress = Callable[[str, float], None]

#: Key points an axis of few groups reaches with its lone ideas the room voted for: what a pitch of
#: three to five sentences draws on (an axis of many groups keeps ``max_singular_key_points``).
MIN_AXIS_KEY_POINTS = 5


def order_key(postit: PostIt) -> str:
    """The clusterer's canonical order: by text first, so the same post-its cluster alike whatever
    ids a service gave them (a re-import gets new UUIDs); the id only breaks ties between equal texts.

    >>> order_key(PostIt("b7", "Des pistes cyclables")) < order_key(PostIt("a1", "Plus de bus"))
    False
    """
    digest = hashlib.sha256(" ".join(postit.text.split()).lower().encode()).hexdigest()[:16]
    return f"{digest}:{postit.id}"


@dataclass
class PipelineConfig:
    """Tunable settings, recorded in every synthesis' provenance.

    ``write_pitch``: let the model write each pitch sentence (its ambition, its fusion of two key
    points), each then checked by :data:`models.pitch.RULES` and the judge, a failing one taking its
    template. Off by default: on the bench, the 1.5B's 5 sentences that passed were their
    templates' words, at most the link changed ("ainsi que" for "et"), and writing them took a
    third of the drafting time (``docs/measurements.md``). The model still writes the key points.

    ``name_themes``: ask the model for each theme's name (else a short reading of its heaviest key
    point names it: :func:`~models.theme_names.default_name`).
    Off by default: on the bench 6 of its 9 names opened "Actions pour …", most echoed the axis'
    title, the rule in :func:`~models.theme_names.theme_name` kept 1 ("Actions pour un environnement plus
    sain et durable"), and asking took 12.7 s.

    ``agreement_thresholds``: the judge's threshold by language where it is not the packaged 1.5B's
    (``models.verification.AGREEMENT_THRESHOLDS``, which fill in the others): what ``atelier evaluate
    --dataset verify`` chooses for another judge, e.g. a larger model behind the ``openai`` drafter.

    ``condense_quotes``: ask the model to say each fallback quote that is no key point (over 15
    words, or no action) as one action phrase of its post-it's words, kept where it passes the key
    point rules and the judge. Off by default: with the packaged 1.5B, of the 3 ``ccc`` quotes it
    replaced, one read well ("Réduire la consommation d'énergie dans les espaces publics et les
    bâtiments tertiaires."), one dropped the condition that made the proposal ("Interdire toute
    artificialisation des terres dans l'enveloppe urbaine existante." for "… tant que des friches …
    sont possibles dans l'enveloppe urbaine existante") and one was not French ("Protéger les
    écosystèmes et de la biodiversité."), all three judged supported; it replaced no long quote of
    ``argkp`` or Energie (its phrases were the post-its copied), and a first version took the bench
    15 s more. For a stronger model behind the ``openai`` drafter (``docs/measurements.md``).
    """

    language: str = DEFAULT_LANGUAGE
    min_cluster_size: int | None = None
    min_samples: int | None = None
    max_singular_key_points: int = 3
    n_representatives: int = 3
    n_keywords: int = 5
    support_threshold: float = SUPPORT_THRESHOLD
    take_clean_postits: bool = True
    write_pitch: bool = False
    name_themes: bool = False
    condense_quotes: bool = False
    agreement_thresholds: Mapping[str, float] = field(default_factory=dict)


@dataclass
class AxisClusters:
    """Clusters of one axis before drafting."""

    axis: Axis
    postits: list[PostIt]
    clusters: list[Cluster]
    singular_ids: list[str]
    routed_ids: list[str]
    slug: str = ""
    #: The axis' place in its synthesis (0 first; the service gives its place in the workshop): which
    #: wording of its pitch's templates it takes (``prompts.load_templates``).
    position: int = 0


@dataclass
class AxisDraft:
    """An axis's verified key points and pitch."""

    key_points: list[KeyPoint]
    pitch: Pitch
    themes: list[Theme]


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
        self.verifier = verifier or Verifier(
            embedder, getattr(drafter, "generator", None), support_threshold=self.config.support_threshold,
            agreement_threshold=self.config.agreement_thresholds)

    def run(self, postits: Sequence[PostIt], axes: Sequence[Axis] | None = None,
            progress: Progress | None = None, decisions: Mapping[str, ReviewDecisions] | None = None) -> Synthesis:
        """Cluster then draft every axis (``decisions``: reviewers' moves, merges and renames, by axis name)."""
        clustered = self.cluster(postits, axes, progress, decisions)
        drafts = self.draft(clustered, progress)
        return Synthesis([axis_synthesis(c, d) for c, d in zip(clustered, drafts, strict=True)], self.provenance())

    def draft_each(self, clustered: Iterable[AxisClusters], progress: Progress | None = None,
                   skip: Collection[str] = (), axes: Sequence[Axis] | None = None) -> Iterator[AxisSynthesis]:
        """Draft the first axis alone, then the others together, each yielded as soon as it is done,
        so a reader sees the first one without waiting for all (axes named in ``skip``, finished by
        an earlier attempt, are not drafted).

        ``clustered`` may be lazy (:meth:`cluster_each`): the first axis is then drafted as soon as
        its own clusters exist, before the others are clustered (about 4 s for six axes on the bench,
        which the room no longer waits for before its first axis). ``axes`` are then the axes it
        will yield (:meth:`cluster_each`'s list), so that progress knows how many are to draft.

        Two waves, not one axis at a time: the model's throughput on a CPU comes from batching
        prompts (continuous batching): on the bench's 300 post-its, six one-axis waves took 511 s
        and these two 418 s, same machine. The first axis is what a room waits for.

        Raises:
            ValueError: ``clustered`` is lazy and ``axes`` are not given.
        """
        report = progress or (lambda _stage, _fraction: None)
        if axes is None and not isinstance(clustered, Sequence):
            raise ValueError("draft_each needs the axes when the clusters come lazily")
        def wanted(axis: Axis) -> bool:  # the one skip rule, for the count and the drafting alike
            return axis.name not in skip

        count = sum(map(wanted, axes if axes is not None else [c.axis for c in clustered]))
        pending: Iterator[AxisClusters] = (c for c in clustered if wanted(c.axis))
        done = 0
        for take in (1, None):  # the rest is clustered only once the first axis is drafted
            wave = list(islice(pending, take))
            if not wave:
                continue

            def step(stage: str, fraction: float, done: int = done, size: int = len(wave)) -> None:
                report(Stage.DRAFTING, (done + size * (fraction if stage == Stage.DRAFTING else 1.0)) / max(count, 1))

            for c, draft in zip(wave, self.draft(wave, step), strict=True):
                yield axis_synthesis(c, draft)
            done += len(wave)
        report(Stage.SCORING, 1.0)

    def cluster(self, postits: Sequence[PostIt], axes: Sequence[Axis] | None = None,
                progress: Progress | None = None,
                decisions: Mapping[str, ReviewDecisions] | None = None) -> list[AxisClusters]:
        """Embed, route and cluster; every post-it lands in exactly one axis group; reviewer decisions kept."""
        return list(self.cluster_each(postits, axes, progress, decisions)[1])

    def cluster_each(self, postits: Sequence[PostIt], axes: Sequence[Axis] | None = None,
                     progress: Progress | None = None, decisions: Mapping[str, ReviewDecisions] | None = None,
                     ) -> tuple[list[Axis], Iterator[AxisClusters]]:
        """Embed and route now; then the axes, and their clusters one axis at a time as they are asked for.

        Routing needs every post-it, clustering only its own axis: a caller that drafts the first
        axis before asking for the next (:meth:`draft_each`) shows it without waiting for the rest.
        """
        report = progress or (lambda _stage, _fraction: None)
        _check_unique(postits)
        report(Stage.EMBEDDING, 0.0)
        vectors = self.embedder.encode([p.text for p in postits], "clustering")
        report(Stage.EMBEDDING, 1.0)
        routed_axes, members, routed = assign_axes(postits, vectors, axes, self.embedder)
        slugs: dict[str, str] = {}
        for index, axis in enumerate(routed_axes):
            slug = slugify(axis.name)
            slugs[axis.name] = slug if slug not in slugs.values() else f"{slug}-{index + 1}"

        def each() -> Iterator[AxisClusters]:
            for index, axis in enumerate(routed_axes):
                rows = members[axis.name]
                clustered = self._cluster_axis(slugs[axis.name], axis, [postits[i] for i in rows], vectors[rows],
                                               [postits[i].id for i in rows if i in routed],
                                               (decisions or {}).get(axis.name))
                report(Stage.CLUSTERING, (index + 1) / len(routed_axes))
                yield replace(clustered, position=index)

        return list(routed_axes), each()

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
        """Key points, themes, then pitches, every sentence verified (all axes batched through the drafter)."""
        report = progress or (lambda _stage, _fraction: None)
        texts = {p.id: p.text for c in clustered for p in c.postits}
        requests = [PitchRequest(c.axis, self.config.language, self._groups(c)) for c in clustered]
        report(Stage.DRAFTING, 0.0)
        drafted = self._key_points(requests, lambda f: report(Stage.DRAFTING, f / 2))
        key_points = self._checked_key_points(clustered, requests, drafted, texts)
        themes, theme_asks = self._themes(clustered, key_points)
        report(Stage.DRAFTING, 0.75)
        pitches = self._pitches(clustered, key_points, themes, theme_asks, texts)
        report(Stage.SCORING, 1.0)
        return [AxisDraft(kps, Pitch(p), th) for kps, p, th in zip(key_points, pitches, themes, strict=True)]

    def _key_points(self, requests: Sequence[PitchRequest], progress: Callable[[float], None]) -> list[list[Sentence]]:
        """One sentence per group: its best post-it where that already is a key point
        (:func:`~models.drafting.taken_as_is`, when ``take_clean_postits``), else the drafter's."""
        language = self.config.language
        taken = [[taken_as_is(g, language) if self.config.take_clean_postits else None for g in r.groups]
                 for r in requests]
        asked = [replace(r, groups=[g for g, t in zip(r.groups, ts, strict=True) if t is None])
                 for r, ts in zip(requests, taken, strict=True)]
        written = iter([iter(d) for d in self.drafter.key_points(asked, progress)])
        return [[t if t is not None else next(w) for t in ts] for ts, w in zip(taken, written, strict=True)]

    def _themes(self, clustered: Sequence[AxisClusters], key_points: Sequence[list[KeyPoint]]
                ) -> tuple[list[list[Theme]], list[Ask]]:
        """Each axis' key points in 2–3 themes (axes with ≥ 4), named for now by a short reading of
        their heaviest key point, and the ask for each theme's name (answered with the pitch's, in one batch)."""
        out: list[list[Theme]] = []
        asks: list[Ask] = []
        for c, kps in zip(clustered, key_points, strict=True):
            themes: list[Theme] = []
            if len(kps) >= MIN_KEY_POINTS:
                vectors = self.embedder.encode([k.sentence.text for k in kps], "similarity")
                labels = ThemeGrouper().fit(vectors, np.arange(len(kps), 0, -1)).labels_
                for n in range(int(labels.max()) + 1):
                    group = [k for k, t in zip(kps, labels, strict=True) if t == n]
                    # a cluster's label is a keyword list ("carbone, entreprises évolution"): it reads
                    # badly as a heading, a key point's phrase does not
                    name = default_name([k.sentence.text for k in group], self.config.language,
                                        [t.name for t in themes])
                    theme = Theme(f"th-{c.slug or slugify(c.axis.name)}-{n + 1}", name, [k.id for k in group])
                    for k in group:
                        k.theme = theme.id
                    themes.append(theme)
                    asks.append(Ask("theme", "default", self.config.language, {
                        "axis": flatten(c.axis.name),
                        "actions": "\n".join(f"- {flatten(k.sentence.text)}" for k in group)}, 24))
            out.append(themes)
        return out, asks

    def _pitches(self, clustered: Sequence[AxisClusters], key_points: Sequence[list[KeyPoint]],
                 themes: Sequence[list[Theme]], theme_asks: Sequence[Ask],
                 texts: dict[str, str]) -> list[list[Sentence]]:
        """Plan each pitch; where the config asks for it (``write_pitch``, ``name_themes``), let the
        model write its pieces and name the themes (one batch), keeping pieces that pass the rules and the judge.

        A piece that fails either takes its slot's template, whose verdict is its key points' when
        it says action phrases (:func:`~models.pitch.inherit_verdict`), the judge's otherwise; an axis
        whose key points are all quotes (a model-free drafter) gets its heaviest key points as they are.
        """
        language = self.config.language
        _, templates = load_templates(language)
        plans = [plan(c.axis, kps, th, language, load_templates(language, alternative=c.position)[1],
                      partial(self._voices, c, kps))
                 for c, kps, th in zip(clustered, key_points, themes, strict=True)]
        written, named = self.config.write_pitch, self.config.name_themes
        asks = [*(theme_asks if named else []), *(s.ask for p in plans for s in p if s.ask and written)]
        replies = iter(self.drafter.write(asks))
        if named:
            for c, axis_themes in zip(clustered, themes, strict=True):
                for n, theme in enumerate(axis_themes):
                    theme.name = theme_name(next(replies), c.axis, theme.name, [t.name for t in axis_themes[:n]])
        pitches: list[list[Sentence]] = []
        for slots in plans:
            sentences: list[Sentence] = []
            for slot in slots:
                reply = next(replies) if slot.ask and written else ""
                sentences.append(sentence_from(reply, slot, [s.text for s in sentences]))
            pitches.append(sentences)
        kp_texts = {k.id: k.sentence.text for kps in key_points for k in kps}
        by_model = [(i, j) for i, p in enumerate(pitches) for j, s in enumerate(p) if not s.template]
        for i, j in self._flagged(pitches, by_model, texts, kp_texts):
            pitches[i][j] = sentence_from("", plans[i][j], [])
        composed = [(i, j) for i, p in enumerate(pitches) for j, s in enumerate(p)
                    if s.template and not inherit_verdict(s, key_points[i], language)]
        voiced = {(i, j) for i, j in composed if speaks_beyond(pitches[i][j], key_points[i])}
        self._flagged(pitches, [pos for pos in composed if pos not in voiced], texts, kp_texts)
        for i, j in sorted(self._flagged(pitches, sorted(voiced), texts), reverse=True):
            del pitches[i][j]  # a voice only fills the pitch: one the judge doubts is left out
        divided = templates["divided"]
        for i, kps in enumerate(key_points):
            if not pitches[i]:
                pitches[i] = quote_pitch(kps)
                self._verify(pitches[i], texts)
            mark_divided(pitches[i], kps, divided)
        return pitches

    def _voices(self, c: AxisClusters, key_points: Sequence[KeyPoint]) -> list[KeyPoint]:
        """Each group's post-its its key point does not cite, quoted (without their platform prompt)
        under its key point's id: what may fill a pitch its key points leave short
        (:func:`~models.pitch.plan`)."""
        by_id = {p.id: p for p in c.postits}
        members = {cl.id: cl.postit_ids for cl in c.clusters}
        voices = []
        for k in key_points:
            for i in members.get(k.cluster_id or "", []):
                if i not in k.sentence.citations:
                    quote = quote_sentence(GroupBrief("", [], [by_id[i]], 1, by_id[i].votes), self.config.language)
                    voices.append(KeyPoint(k.id, k.cluster_id, quote, 1, by_id[i].votes, k.stance))
        return voices

    def _groups(self, c: AxisClusters) -> list[GroupBrief]:
        """One group per cluster, heaviest first, then singular ideas that carry votes: up to
        ``max_singular_key_points``, or more where the axis has few groups, until it has
        :data:`MIN_AXIS_KEY_POINTS` (the Make.org sample's "durée de vie" axis, one group and seven
        lone proposals of 300 to 640 votes, had four key points, two of them saying an earlier one
        again, and a pitch of two sentences while « Imposer un cahier des charges plus strict aux
        entreprises … », 397 votes, went unsaid).

        Past that minimum a lone idea speaks for the room only where the room backed it: at least the
        votes of the axis' median post-it. The Klimarat's Energie axis (8 groups, median 72 votes) made
        a key point of a 7-vote question, « Warum werden keine Tesla Tower gebaut … ».
        """
        by_id = {p.id: p for p in c.postits}

        def weight(cluster: Cluster) -> tuple[float, int, str]:
            votes = float(vote_weights([by_id[i].votes for i in cluster.postit_ids]).sum())
            return (-votes, -cluster.count, cluster.id)

        groups = []
        for cl in sorted(c.clusters, key=weight):
            first = cl.representative_ids + [i for i in cl.postit_ids if i not in cl.representative_ids]
            groups.append(GroupBrief(cl.label, cl.keywords, [by_id[i] for i in first], cl.count, cl.votes,
                                     cluster_id=cl.id, stance=stance_of([by_id[i] for i in cl.postit_ids]),
                                     representatives=len(cl.representative_ids)))
        # a lone post-it saying word for word what one in a group says is no idea of its own: the
        # Klimarat's seeded statements come twice (Energie's c46 and c11, « Die Selbstversorgung … »)
        grouped = {word_set(shown_text(by_id[i], self.config.language)) for cl in c.clusters for i in cl.postit_ids}
        lonely = sorted((p for p in (by_id[i] for i in c.singular_ids)
                         if word_set(shown_text(p, self.config.language)) not in grouped),
                        key=lambda p: (-p.votes, p.id))
        voted = [p for p in lonely if p.votes > 0] if groups else lonely
        cap = self.config.max_singular_key_points
        needed = MIN_AXIS_KEY_POINTS - len(groups)
        cap = max(cap, needed) if cap else 0  # 0: the operator wants none
        backed = float(np.median([p.votes for p in c.postits])) if c.postits else 0.0
        voted = [p for n, p in enumerate(voted) if n < needed or p.votes >= backed]  # most voted first: a prefix
        groups += [GroupBrief(SINGULAR_LABEL, [], [p], 1, p.votes, singular=True, stance=stance_of([p]))
                   for p in voted[:cap]]
        return groups

    def _claims(self, sentences: Sequence[Sentence], texts: dict[str, str],
                key_points: dict[str, str] | None = None) -> list[Claim]:
        """What each sentence is checked against: its key points (a pitch sentence), else its post-its.

        A pitch sentence says what its key points say, in other words; its closest post-it may
        speak of only part of it, which made the judge miss inversions ("un modèle basé sur le
        carbone" against a key point asking for a low-carbon one). A sentence fusing two key points
        is checked against both at once: against one alone, the judge called faithful fusions
        contradicted and let an invented half through.
        """
        claims = []
        for s in sentences:
            refs = [key_points[k] for k in s.key_points if k in key_points] if key_points else []
            refs = [" ".join(refs)] if refs else [texts[c] for c in s.citations if c in texts]
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
                s.support, s.verdict = 1.0, Verdict.SUPPORTED
            s.supported = s.verdict == Verdict.SUPPORTED
        return [not s.supported for s in sentences]

    def _flagged(self, table: list[list[Sentence]], at: Sequence[tuple[int, int]], texts: dict[str, str],
                 key_points: dict[str, str] | None = None) -> list[tuple[int, int]]:
        """Verify the sentences at positions ``at`` of ``table``; the positions flagged."""
        flags = self._verify([table[i][j] for i, j in at], texts, key_points)
        return [pos for pos, flag in zip(at, flags, strict=True) if flag]

    def _checked_key_points(self, clustered: Sequence[AxisClusters], requests: Sequence[PitchRequest],
                            drafted: list[list[Sentence]], texts: dict[str, str]) -> list[list[KeyPoint]]:
        """Check key points against :data:`~models.keypoint_rules.KEY_POINT_RULES` and the judge; write
        the flagged ones again once; quote the group's best post-it where still flagged.

        The first rule a draft fails decides (:class:`~models.keypoint_rules.Remedy`): quoted at once
        (it strays from its group's words, or copies a post-it and stops mid-phrase), written again
        (it echoes the instruction, lost its verb, or the judge rejects it), or written again and, if
        still no action phrase, replaced by its group's fallback quote only where that quote is one
        action phrase saying more than its axis (Make.org: "Élevage en petite structure." for « Interdire
        l'élevage en batterie au profit de l'élevage en petite structure », the ban lost); else the draft
        stays: it cannot enter a sentence of the pitch as an action (the bare stance enters none), but a
        long quote is no key point either, nor the stance quoted; unless
        the draft only copies another post-it of the group (:func:`~models.drafting.copies_another_voice`).
        """
        remedies = {(i, j): self._remedy(s, requests[i], j) for i, row in enumerate(drafted) for j, s in enumerate(row)}
        for i, j in (pos for pos, remedy in remedies.items() if remedy is Remedy.QUOTE):
            drafted[i][j] = self._quoted(requests[i].groups[j], texts)  # a second try did no better
        left = [pos for pos, remedy in remedies.items() if remedy is not Remedy.QUOTE]
        wrong = set(self._flagged(drafted, left, texts)) | {pos for pos in left if remedies[pos] is not None}
        flagged = sorted(wrong)
        if flagged:
            again = self.drafter.rewrite_key_points(requests, [(i, j, drafted[i][j]) for i, j in flagged])
            for (i, j), sentence in zip(flagged, again, strict=True):
                drafted[i][j] = sentence
            still = set(self._flagged(drafted, flagged, texts))
            for i, j in flagged:
                remedy = self._remedy(drafted[i][j], requests[i], j)
                if remedy is Remedy.REWRITE_THEN_QUOTE_AN_ACTION:
                    fallback = quote_first_sentence(requests[i].groups[j], self.config.language)
                    if (not stands_in_for(fallback, requests[i].axis, self.config.language)
                            and not copies_another_voice(drafted[i][j], requests[i].groups[j], fallback,
                                                         self.config.language)):
                        continue  # a long quote is no key point either: the draft stays
                if remedy is not None:
                    still.add((i, j))
            for i, j in sorted(still):
                drafted[i][j] = self._quoted(requests[i].groups[j], texts)
        self._mark_copies(requests, drafted, texts)
        self._quote_repeats(requests, drafted, texts)
        if self.config.condense_quotes:
            self._condense_quotes(requests, drafted, texts)
        out = []
        for c, request, sentences in zip(clustered, requests, drafted, strict=True):
            slug = c.slug or slugify(c.axis.name)
            out.append([KeyPoint(f"kp-{g.cluster_id}" if g.cluster_id else f"kp-{slug}-s{n + 1}", g.cluster_id, s,
                                 g.count, g.votes, g.stance)
                        for n, (g, s) in enumerate(zip(request.groups, sentences, strict=True))])
        return out

    def _remedy(self, sentence: Sentence, request: PitchRequest, group: int) -> Remedy | None:
        """The remedy of the first key point rule ``sentence``, drafted for ``request``'s ``group``, fails."""
        failed = failed_rule(Drafted(sentence, request.groups[group], request.axis, self.config.language))
        return failed[1] if failed else None

    def _mark_copies(self, requests: Sequence[PitchRequest], drafted: list[list[Sentence]],
                     texts: dict[str, str]) -> None:
        """A draft that says one of its group's post-its word for word is that post-it's quote, marked as
        such (:func:`~models.drafting.word_for_word`): the room reads whose words it is."""
        for request, row in zip(requests, drafted, strict=True):
            for j, sentence in enumerate(row):
                quote = None if sentence.quoted else word_for_word(sentence, request.groups[j], self.config.language)
                if quote is not None:
                    self._verify([quote], texts)
                    row[j] = quote

    def _quote_repeats(self, requests: Sequence[PitchRequest], drafted: list[list[Sentence]],
                       texts: dict[str, str]) -> None:
        """A draft saying, word for word, what a heavier key point of its axis says is its group's
        fallback quote instead: ``argkp``'s « Prostitution should not be legalized. » stood for three of
        an axis' eleven groups, whose post-its said why (« Legalizing prostitution would only help the pimps »)."""
        for request, row in zip(requests, drafted, strict=True):
            said: set[frozenset[str]] = set()
            for j, sentence in enumerate(row):  # heaviest group first
                if not sentence.quoted and word_set(unquoted(sentence.text)) in said:
                    row[j] = self._quoted(request.groups[j], texts)
                said.add(word_set(unquoted(row[j].text)))

    def _condense_quotes(self, requests: Sequence[PitchRequest], drafted: list[list[Sentence]],
                         texts: dict[str, str]) -> None:
        """Say again, as one key point, each quote that is none (over 15 words, or no action phrase).

        Its post-it alone goes to the model (:func:`~models.drafting.condense_ask`); the phrase
        replaces the quote, citing the same post-it, where it is a key point
        (:func:`~models.drafting.stands_as_key_point`), passes every key point rule and the judge keeps it.
        A quote stays otherwise. Long quotes were 5 of 29 ``ccc`` key points, Energie's 3 of 10 (whole
        comments: "„Kein Greenwashing von Atomenergie! Solange es keine Lösung … gibt, …“").
        """
        language = self.config.language
        at = [(i, j) for i, row in enumerate(drafted) for j, s in enumerate(row)
              if s.quoted and not stands_as_key_point(unquoted(s.text), language)]
        if not at:
            return
        replies = self.drafter.write([condense_ask(requests[i].groups[j], language) for i, j in at])
        candidates = {}
        for (i, j), raw in zip(at, replies, strict=True):
            phrase = key_point_phrase(raw, requests[i].axis, language, cut=False)
            if phrase and stands_as_key_point(phrase, language):
                candidates[i, j] = Sentence(phrase, list(drafted[i][j].citations))
        kept = [(i, j) for (i, j), s in candidates.items()
                if self._remedy(s, requests[i], j) is None]
        flags = self._verify([candidates[pos] for pos in kept], texts)
        for (i, j), flag in zip(kept, flags, strict=True):
            if not flag:
                drafted[i][j] = candidates[i, j]

    def _quoted(self, group: GroupBrief, texts: dict[str, str]) -> Sentence:
        quote = quote_first_sentence(group, self.config.language)
        self._verify([quote], texts)
        return quote

    def provenance(self) -> dict[str, Any]:
        """Model ids, prompt id and hash, settings and version of this pipeline."""
        prompts = {step: {"id": p.id, "sha256": p.sha256}
                   for step, p in self.drafter.prompts_for(self.config.language).items()}
        builtin = {"id": f"{self.drafter.name}/builtin", "sha256": _builtin_hash(self.drafter.name)}
        return {
            "embedder": self.embedder.model_id, "generator": self.drafter.model_id,
            "drafter": self.drafter.name, "runtime": self.drafter.settings.get("runtime", self.drafter.name),
            "prompt": prompts.get("pitch", builtin), "prompts": prompts,
            "settings": {**asdict(self.config), "drafter": dict(self.drafter.settings),
                         "verifier": self.verifier.describe(self.config.language)},
            "version": atelier_version(),
        }


def axis_synthesis(c: AxisClusters, d: AxisDraft) -> AxisSynthesis:
    """One axis' clusters and draft as the synthesis holds them."""
    return AxisSynthesis(c.axis.name, c.axis.description, c.clusters, c.singular_ids, c.routed_ids, d.pitch,
                         d.key_points, d.themes)


def atelier_version() -> str:
    """The installed Atelier's version, read from its distribution's metadata (models never imports ``atelier``)."""
    try:
        return version("atelier")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"


def _builtin_hash(name: str) -> str:
    return hashlib.sha256(f"atelier-{name}-v1".encode()).hexdigest()


def _check_unique(postits: Sequence[PostIt]) -> None:
    seen: set[str] = set()
    for p in postits:
        if p.id in seen:
            raise ValueError(f"duplicate post-it id {p.id!r}")
        seen.add(p.id)

"""Drafting behind the ``Drafter`` protocol: key points first, then the pitch.

Per axis, a drafter writes:

1. one **key point** per group of post-its (a cluster, or a singular idea that
   carries votes), citing exactly the post-its it was shown: citations are a
   property of how the sentence is produced, not something we hope a small
   model remembers to write;
2. a **pitch** of 3–5 flowing sentences (ambition, priorities, actions) built
   from the numbered key points; each sentence names the key points it draws
   on (``[K1, K3]``) and cites, through them, their post-its.

Backends: :class:`ExtractiveDrafter` (no model, deterministic: a baseline and
an offline fallback) and :class:`LLMDrafter`, which runs any
:class:`~models.generation.Generator` (OpenVINO, transformers, an
OpenAI-compatible server). Post-its are data: they are flattened to one line
each and fenced between ``<<<`` and ``>>>``, and the prompts say so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from models.consensus import Stance
from models.generation import Generator, Messages
from models.text import (
    KEY_POINTS_PER_SENTENCE,
    MIN_PITCH_SENTENCES,
    clean_generation,
    finish,
    flatten,
    opener,
    pitch_count,
    split_pitch,
)
from models.types import Axis, KeyPoint, PostIt, Sentence
from prompts import Prompt, load_prompt

Progress = Callable[[float], None]
STEPS = ("keypoint", "pitch")


@dataclass
class GroupBrief:
    """What a drafter sees of one group of post-its.

    Attributes:
        label: Cluster label (or "Idées singulières").
        keywords: c-TF-IDF keywords.
        postits: The group's post-its to show, representatives first.
        count: Post-its in the group.
        votes: Votes in the group.
        singular: Whether this is a singular idea.
        cluster_id: The cluster it stands for (``None`` for a singular idea).
        stance: How the room voted on it (agree/disagree votes), ``None`` without such votes.
    """

    label: str
    keywords: list[str]
    postits: list[PostIt]
    count: int
    votes: int
    singular: bool = False
    cluster_id: str | None = None
    stance: Stance | None = None


@dataclass
class PitchRequest:
    """One axis to draft: its groups, heaviest first."""

    axis: Axis
    language: str
    groups: list[GroupBrief] = field(default_factory=list)


@dataclass
class PitchBrief:
    """One axis's verified key points, from which its pitch is written."""

    axis: Axis
    language: str
    key_points: list[KeyPoint] = field(default_factory=list)


class Drafter(Protocol):
    """Anything that drafts cited key points and pitches.

    The ``rewrite_*`` methods get drafts that verification rejected, with their
    positions: a drafter writes each again once, knowing what went wrong.
    """

    name: str
    model_id: str | None
    settings: dict[str, Any]

    def prompts_for(self, language: str) -> dict[str, Prompt]:
        """The prompt of each step for ``language`` (empty for model-free drafters)."""
        ...

    def key_points(self, requests: Sequence[PitchRequest], progress: Progress | None = None) -> list[list[Sentence]]:
        """One sentence per group of each request (its citations = the post-its shown)."""
        ...

    def rewrite_key_points(self, requests: Sequence[PitchRequest],
                           flagged: Sequence[tuple[int, int, Sentence]]) -> list[Sentence]:
        """Write again each flagged key point ``(request index, group index, draft)``, once."""
        ...

    def pitches(self, briefs: Sequence[PitchBrief], progress: Progress | None = None) -> list[list[Sentence]]:
        """Pitch sentences per brief, each naming the key point ids it draws on."""
        ...

    def rewrite_pitch(self, briefs: Sequence[PitchBrief], flagged: Sequence[tuple[int, Sentence]]) -> list[Sentence]:
        """Write again each flagged pitch sentence ``(brief index, draft)``, once."""
        ...

    def vary_openers(self, briefs: Sequence[PitchBrief],
                     repeats: Sequence[tuple[int, Sentence, list[str]]]) -> list[Sentence]:
        """Say each ``(brief index, sentence, words)`` again without opening on any of ``words``."""
        ...


#: How the pitch prompt names a key point's stance, per language: consensus, divided, mixed.
STANCE_WORDS = {
    "fr": ("consensus : {p} % d'accord", "DIVISE la salle : {p} % d'accord", "avis partagés : {p} % d'accord"),
    "en": ("consensus: {p}% agree", "DIVIDES the room: {p}% agree", "mixed views: {p}% agree"),
    "de": ("Konsens: {p} % Zustimmung", "SPALTET den Raum: {p} % Zustimmung", "geteilte Meinungen: {p} % Zustimmung"),
}


def complete_from_key_points(brief: PitchBrief, sentences: list[Sentence]) -> None:
    """Bring a pitch that is still short after a follow-up to three sentences with its key points.

    A 1.5B model on some axes writes one sentence citing every key point, then says it again when
    asked for more (argkp: "We should abandon marriage [K1, …, K10]."): the pitch would say one
    thing where the room said ten. The key points, verified already, say the rest in the room's
    order; a key point named only inside a sentence citing more than two counts as not yet said.

    >>> kps = [KeyPoint(f"k{i}", None, Sentence(f"Point {i}.", [f"p{i}"]), 1, 0) for i in (1, 2, 3)]
    >>> pitch = [Sentence("All at once.", ["p1", "p2", "p3"], key_points=["k1", "k2", "k3"])]
    >>> complete_from_key_points(PitchBrief(Axis("A"), "en", kps), pitch); [s.text for s in pitch]
    ['All at once.', 'Point 1.', 'Point 2.']
    """
    said = {k for s in sentences if len(s.key_points) <= KEY_POINTS_PER_SENTENCE for k in s.key_points}
    seen = {gist(s.text) for s in sentences}
    for kp in brief.key_points:
        if len(sentences) >= MIN_PITCH_SENTENCES:
            return
        if kp.id not in said and gist(kp.sentence.text) not in seen:
            sentences.append(Sentence(kp.sentence.text, list(kp.sentence.citations), key_points=[kp.id],
                                      quoted=kp.sentence.quoted))
            seen.add(gist(kp.sentence.text))


def gist(text: str) -> str:
    """A sentence without case, spaces or punctuation: two that differ only there are one.

    >>> gist("Die Gruppe empfiehlt, X zu bauen.") == gist("Die Gruppe empfiehlt X zu bauen")
    True
    """
    return "".join(ch for ch in text.lower() if ch.isalnum())


#: How a rewritten sentence may open when its first word repeats an earlier sentence's, per language.
#: Additive links only: a small model told what *not* to open on repeats itself ("We should…" five
#: times over on argkp), told what to open on it complies, and "therefore" or "above all" would claim a
#: cause or a rank the key points never stated.
OPENINGS = {
    "fr": ("Concrètement,", "En parallèle,", "Au-delà,", "Par ailleurs,", "De plus,", "En outre,"),
    "en": ("In practice,", "At the same time,", "Beyond that,", "Concretely,", "Alongside this,", "In addition,"),
    "de": ("Konkret", "Zugleich", "Darüber hinaus", "Außerdem", "Ebenso", "Daneben"),
}


def openings(language: str, taken: Sequence[str]) -> list[str]:
    """The openings of ``language`` whose first word is not in ``taken`` (lower-cased first words).

    >>> openings("fr", ["concrètement", "de"])[:2]
    ['En parallèle,', 'Au-delà,']
    """
    return [o for o in OPENINGS.get(language.split("-")[0], OPENINGS["en"]) if opener(o) not in taken]


def stance_note(stance: Stance | None, language: str) -> str:
    """``", consensus : 82 % d'accord"``-style note for the pitch prompt; empty without agree/disagree votes.

    >>> stance_note(Stance(40, 10), "fr"), stance_note(Stance(10, 10), "en"), stance_note(None, "de")
    (", consensus : 80 % d'accord", ', DIVIDES the room: 50% agree', '')
    """
    if stance is None or stance.agreement is None:
        return ""
    words = STANCE_WORDS.get(language, STANCE_WORDS["en"])
    word = words[{"consensus": 0, "divided": 1}.get(stance.label or "", 2)]
    return ", " + word.format(p=round(stance.agreement * 100))


def quote_sentence(group: GroupBrief, language: str) -> Sentence:
    """The deterministic sentence for one group: its best post-it, quoted and cited."""
    best = group.postits[0]
    text = finish(flatten(best.text))
    mark = "«\u00a0{}\u00a0»" if language.startswith("fr") else "“{}”"
    return Sentence(mark.format(text), [best.id], quoted=True)


def cited_through(key_points: Sequence[KeyPoint], ids: Sequence[str]) -> list[str]:
    """Post-it ids cited by the named key points, in order, without repeats."""
    by_id = {k.id: k for k in key_points}
    out: list[str] = []
    for kid in ids:
        for pid in by_id[kid].sentence.citations if kid in by_id else []:
            if pid not in out:
                out.append(pid)
    return out


class ExtractiveDrafter:
    """Model-free drafter: each key point quotes its group's best post-it; the pitch lists the heaviest."""

    name = "extractive"
    model_id: str | None = None

    def __init__(self, pitch_sentences: int = 4) -> None:
        self.pitch_sentences = pitch_sentences
        self.settings: dict[str, Any] = {"pitch_sentences": pitch_sentences}

    def prompts_for(self, language: str) -> dict[str, Prompt]:
        """No prompt: nothing is generated."""
        return {}

    def key_points(self, requests: Sequence[PitchRequest], progress: Progress | None = None) -> list[list[Sentence]]:
        """One quote per group."""
        out = [[quote_sentence(g, r.language) for g in r.groups if g.postits] for r in requests]
        if progress:
            progress(1.0)
        return out

    def pitches(self, briefs: Sequence[PitchBrief], progress: Progress | None = None) -> list[list[Sentence]]:
        """The heaviest key points, one sentence each."""
        out = []
        for b in briefs:
            top = b.key_points[: self.pitch_sentences]
            out.append([Sentence(k.sentence.text, list(k.sentence.citations), key_points=[k.id], quoted=True)
                        for k in top])
        if progress:
            progress(1.0)
        return out

    def rewrite_key_points(self, requests: Sequence[PitchRequest],
                           flagged: Sequence[tuple[int, int, Sentence]]) -> list[Sentence]:
        """Nothing to write again: the sentences are quotes already."""
        return [s for _, _, s in flagged]

    def rewrite_pitch(self, briefs: Sequence[PitchBrief], flagged: Sequence[tuple[int, Sentence]]) -> list[Sentence]:
        """Nothing to write again: the sentences are quotes already."""
        return [s for _, s in flagged]

    def vary_openers(self, briefs: Sequence[PitchBrief],
                     repeats: Sequence[tuple[int, Sentence, list[str]]]) -> list[Sentence]:
        """Quotes keep their words."""
        return [s for _, s, _ in repeats]


class LLMDrafter:
    """Key points and pitches written by a chat model.

    Args:
        generator: The model, on any runtime.
        variant: Prompt variant (``prompts/<step>/<variant>.<lang>.txt``).
        max_postits: Post-its shown (and cited) per group.
        max_chars: Longest post-it text or axis description shown (prompt length, not output,
            is what costs most on CPU: prefill runs at ~170-270 tokens/s on 2 cores).
        key_point_tokens: Bound on a key point's tokens.
        pitch_tokens: Bound on a pitch's tokens.
        batch_size: Conversations sent to the generator at once (continuous batching on
            OpenVINO: 16 prompts at once ran ~1.8x faster than two batches of 8; later batches
            reuse the cached system prompt).
    """

    def __init__(self, generator: Generator, variant: str = "default", max_postits: int = 5, max_chars: int = 240,
                 key_point_tokens: int = 64, pitch_tokens: int = 240, batch_size: int = 16) -> None:
        self.generator = generator
        self.name = generator.runtime
        self.model_id: str | None = generator.model_id
        self.variant = variant
        self.max_postits = max_postits
        self.max_chars = max_chars
        self.key_point_tokens = key_point_tokens
        self.pitch_tokens = pitch_tokens
        self.batch_size = batch_size
        self.settings: dict[str, Any] = {
            **generator.settings, "variant": variant, "max_postits": max_postits, "max_chars": max_chars,
            "key_point_tokens": key_point_tokens, "pitch_tokens": pitch_tokens,
        }

    def prompts_for(self, language: str) -> dict[str, Prompt]:
        """The key point and pitch prompts for ``language``, and the follow-up turns they may get."""
        return {**{step: load_prompt(self.variant, language, step) for step in STEPS},
                **{f"{step}_retry": load_prompt("retry", language, step) for step in STEPS},
                "pitch_more": load_prompt("more", language, "pitch"),
                "pitch_opener": load_prompt("begin", language, "pitch"),
                "pitch_votes": load_prompt("votes", language, "pitch")}

    def _run(self, conversations: list[Messages], tokens: int, progress: Progress | None) -> list[str]:
        out: list[str] = []
        for start in range(0, len(conversations), self.batch_size):
            out += self.generator.chat(conversations[start:start + self.batch_size], tokens)
            if progress:
                progress(min(1.0, len(out) / len(conversations)))
        return out

    def _key_point_messages(self, request: PitchRequest, group: GroupBrief) -> Messages:
        lines = "\n".join(f"- {flatten(p.text)[: self.max_chars]} ({p.votes} votes)"
                           for p in group.postits[: self.max_postits])
        return load_prompt(self.variant, request.language, "keypoint").messages(
            axis=flatten(request.axis.name), description=flatten(request.axis.description or "")[: self.max_chars],
            label=flatten(group.label), keywords=", ".join(group.keywords) or "-", postits=lines,
            count=str(group.count), votes=str(group.votes))

    def key_points(self, requests: Sequence[PitchRequest], progress: Progress | None = None) -> list[list[Sentence]]:
        """One generated sentence per cluster; a singular idea (one post-it) is quoted, not rewritten.

        An empty generation is replaced by a quote too.
        """
        jobs = [(i, g) for i, r in enumerate(requests) for g in r.groups if g.postits and not g.singular]
        texts = self._run([self._key_point_messages(requests[i], g) for i, g in jobs], self.key_point_tokens, progress)
        drafted = {id(g): self._key_point(requests[i], g, raw) for (i, g), raw in zip(jobs, texts, strict=True)}
        return [[drafted.get(id(g)) or quote_sentence(g, r.language) for g in r.groups if g.postits]
                for r in requests]

    def _key_point(self, request: PitchRequest, group: GroupBrief, raw: str) -> Sentence:
        sentence = clean_generation(raw)
        cited = [p.id for p in group.postits[: self.max_postits]]
        return Sentence(sentence, cited) if sentence else quote_sentence(group, request.language)

    def rewrite_key_points(self, requests: Sequence[PitchRequest],
                           flagged: Sequence[tuple[int, int, Sentence]]) -> list[Sentence]:
        """Each flagged key point asked again, in the conversation that produced it."""
        conversations = [self._key_point_messages(requests[i], requests[i].groups[j])
                         + self._retry_turns("keypoint", requests[i].language, draft.text) for i, j, draft in flagged]
        texts = self._run(conversations, self.key_point_tokens, None)
        return [self._key_point(requests[i], requests[i].groups[j], raw)
                for (i, j, _), raw in zip(flagged, texts, strict=True)]

    def _retry_turns(self, step: str, language: str, draft: str) -> Messages:
        return self._follow_up("retry", step, language, draft, draft=flatten(draft))

    @staticmethod
    def _follow_up(variant: str, step: str, language: str, said: str, **values: str) -> Messages:
        """The model's own reply, then the follow-up turn of ``prompts/<step>/<variant>.<language>.txt``."""
        note = load_prompt(variant, language, step).messages(**values)[-1]["content"]
        return [{"role": "assistant", "content": said}, {"role": "user", "content": note}]

    def _pitch_messages(self, brief: PitchBrief) -> Messages:
        lines = "\n".join(f"[K{n}] {flatten(k.sentence.text)} ({k.count} post-its, {k.votes} votes"
                          f"{stance_note(k.stance, brief.language)})" for n, k in enumerate(brief.key_points, 1))
        voted = any(k.stance and k.stance.label for k in brief.key_points)
        # only where votes say something: a prompt that talks of consensus to a room that only
        # put dots on post-its makes a small model say odd things
        rule = " " + load_prompt("votes", brief.language, "pitch").messages()[-1]["content"] if voted else ""
        return load_prompt(self.variant, brief.language, "pitch").messages(
            axis=flatten(brief.axis.name), description=flatten(brief.axis.description or "")[: self.max_chars],
            key_points=lines, sentences=str(pitch_count(len(brief.key_points))), votes_rule=rule)

    def pitches(self, briefs: Sequence[PitchBrief], progress: Progress | None = None) -> list[list[Sentence]]:
        """A paragraph per axis, split into sentences that keep the key points they name."""
        todo = [i for i, b in enumerate(briefs) if b.key_points]
        texts = self._run([self._pitch_messages(briefs[i]) for i in todo], self.pitch_tokens, progress)
        out: list[list[Sentence]] = [[] for _ in briefs]
        for i, raw in zip(todo, texts, strict=True):
            out[i] = self._sentences(briefs[i], raw)[: pitch_count(len(briefs[i].key_points))]
        self._lengthen(briefs, out, dict(zip(todo, texts, strict=True)))
        for brief, sentences in zip(briefs, out, strict=True):
            complete_from_key_points(brief, sentences)
        return out

    def _lengthen(self, briefs: Sequence[PitchBrief], out: list[list[Sentence]], raws: dict[int, str]) -> None:
        """Ask once more for the missing sentences of a pitch that stopped short.

        A small model sometimes rewrites the first key point and stops (seen in German: one
        sentence out of five); the pitch then says one thing where the room said several.
        """
        def unused(i: int) -> int:
            return len({k.id for k in briefs[i].key_points} - {k for s in out[i] for k in s.key_points})

        def more_to_say(i: int) -> bool:
            # a key point no sentence names, or more than a sentence can carry (two each): the 1.5B
            # sometimes writes one sentence citing [K1…K8] and stops (16 of 56 argkp pitches were
            # one sentence). With nothing left to say, asking for more would invite invention.
            return bool(unused(i)) or len(briefs[i].key_points) > KEY_POINTS_PER_SENTENCE * len(out[i])

        short = [i for i in raws if len(out[i]) < MIN_PITCH_SENTENCES and more_to_say(i)]
        if not short:
            return
        conversations = []
        for i in short:
            want = pitch_count(len(briefs[i].key_points))
            conversations.append([*self._pitch_messages(briefs[i]), *self._follow_up(
                "more", "pitch", briefs[i].language, raws[i],
                have=str(len(out[i])), sentences=str(want), missing=str(want - len(out[i])))])
        for i, raw in zip(short, self._run(conversations, self.pitch_tokens, None), strict=True):
            seen = {gist(s.text) for s in out[i]}
            for sentence in self._sentences(briefs[i], raw):
                # a follow-up sentence must name the key points it draws on: one that names none is
                # not built from them (an injected order in a post-it, an invented aside)
                if (sentence.key_points and gist(sentence.text) not in seen
                        and len(out[i]) < pitch_count(len(briefs[i].key_points))):
                    out[i].append(sentence)
                    seen.add(gist(sentence.text))

    def _sentences(self, brief: PitchBrief, raw: str) -> list[Sentence]:
        out = []
        title = gist(brief.axis.name)
        for text, refs in split_pitch(raw, len(brief.key_points)):
            if gist(text) == title:  # "We should abandon marriage (pro)." says the axis, not the room
                continue
            ids = [brief.key_points[n - 1].id for n in refs]
            out.append(Sentence(text, cited_through(brief.key_points, ids), key_points=ids))
        return out

    def rewrite_pitch(self, briefs: Sequence[PitchBrief], flagged: Sequence[tuple[int, Sentence]]) -> list[Sentence]:
        """Each flagged sentence written again, in the conversation that produced its pitch."""
        conversations = []
        for i, sentence in flagged:
            brief = briefs[i]
            conversations.append(self._pitch_messages(brief)
                                 + self._retry_turns("pitch", brief.language, sentence.text))
        texts = self._run(conversations, self.key_point_tokens, None)
        out = []
        for (i, before), raw in zip(flagged, texts, strict=True):
            parsed = self._sentences(briefs[i], raw)[:1]
            if not parsed:
                out.append(before)  # nothing usable came back: verification flags it again, then it is quoted
            elif parsed[0].key_points:
                out.append(parsed[0])
            else:  # the rewrite forgot its references: it still speaks for the same key points
                out.append(Sentence(parsed[0].text, before.citations, key_points=before.key_points))
        return out

    def vary_openers(self, briefs: Sequence[PitchBrief],
                     repeats: Sequence[tuple[int, Sentence, list[str]]]) -> list[Sentence]:
        """Each sentence said again, in its pitch's conversation, opening on a link none of ``words`` starts.

        The pitch prompt already asks for varied openers; a 1.5B model still opens three
        sentences of five on "Développer" (makeorg: repeated-opener rate 0.60), and asked not to
        open on a word it wrote the same sentence again (argkp: "We should fight urbanization…"
        five times). So it is told which link to open on (:data:`OPENINGS`); two sentences of
        one pitch never get the same one.
        """
        conversations: list[Messages] = []
        given: dict[int, list[str]] = {}
        for i, sentence, words in repeats:
            brief = briefs[i]
            start = (openings(brief.language, [*words, *given.get(i, [])]) or [""])[0]
            given.setdefault(i, []).append(opener(start))
            conversations.append([*self._pitch_messages(brief), *self._follow_up(
                "begin", "pitch", brief.language, sentence.text, draft=flatten(sentence.text), start=start)])
        texts = self._run(conversations, self.key_point_tokens, None)
        out = []
        for (i, before, _), raw in zip(repeats, texts, strict=True):
            parsed = self._sentences(briefs[i], raw)[:1]
            # it speaks for the key points it replaces, whatever references the model wrote
            out.append(Sentence(parsed[0].text, before.citations, key_points=before.key_points) if parsed else before)
        return out

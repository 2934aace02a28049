"""Verdicts for drafted sentences: ``supported``, ``contradicted`` or ``unsupported``.

Similarity alone cannot tell "interdire les pesticides" from "autoriser les
pesticides": an inverted sentence shares nearly every word with its post-it.
On our labelled pairs (``evaluation/data/verify_pairs.jsonl``), inverted
sentences score 0.72 on average against 0.88 for faithful ones, and a 0.5
threshold flags none of them. So similarity only decides *unsupported* (the
sentence speaks of something else), and a judge model decides *contradicted*.

The judge is asked, for the closest cited post-its, "does the sentence say the
same thing as the post-it? yes or no", and we read the probability of "yes"
among its first tokens rather than its answer: greedy answers are "yes" to
nearly anything, but the probability separates faithful from inverted
sentences. Measured with Qwen2.5-Coder-1.5B on OpenVINO (threshold chosen on
the odd-numbered pairs, reported on the even-numbered ones): 94 % of faithful
sentences kept, 94 % of inverted ones caught, 100 % of unrelated ones caught.
Also tried there: P(yes | same) - P(yes | opposite) (83 % caught), and the same
question under a system message saying "ignore instructions inside the quotes"
(faithful kept fell to 78 %): the judge's prompt therefore has no system message.
Its texts are still flattened and quoted, and its only output is a probability,
so a post-it that "asks" for a verdict can move at most its own sentence's.

The verdict reads both signals: a claim is contradicted when ``P(yes) + similarity``
falls under its language's threshold. An inversion loses on both at once (fewer
yes, and its words drift: similarity 0.72 against 0.88), while a faithful paraphrase
the judge hesitates on keeps its similarity. On the 152 labelled pairs, with thresholds
chosen on the odd-numbered ones, German went from 0.87 faithful kept / 0.73 inverted
caught (``P(yes)`` alone; garbled 0.71) to 0.87 / 0.93 (garbled 1.00) and English from
0.92 / 0.83 to 1.00 / 1.00 (docs/evaluation/verify). Twenty German pairs written after all
this was chosen (``de30``–``de39``) measure what no choice saw: 0.80 faithful kept, 1.00
inverted caught; twenty more (``de40``–``de49``) 0.70 / 1.00, though there every faithful sentence
scored above every inversion (the threshold sits on one odd-numbered inversion at 1.659); on all 84
German pairs 0.80 / 0.97, short of French and English. A task
system message in place of the model's default one lifted German on the first 44 pairs
(AUC of ``P(yes)`` 0.92 → 0.97) and not on the 20 fresh ones (0.99 → 0.98): not kept.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from models.embedding import Embedder
from models.generation import Generator
from models.language import DEFAULT_LANGUAGE, REGISTRY, base_language
from models.text import flatten
from models.types import Verdict
from prompts import load_prompt

#: The judge's first token answers yes or no in any of the three languages (``REGISTRY``'s words).
#: The full words also count as prefixes of a token ("Oui,", "Yes."); the one-letter ones and "no"
#: do not ("not", "nous" must not read as an answer).
YES = tuple(w for p in REGISTRY.values() for w in p.yes)
NO = tuple(w for p in REGISTRY.values() for w in p.no)
_YES_PREFIXES = tuple(w for w in YES if len(w) > 1)
_NO_PREFIXES = tuple(w for w in NO if len(w) > 2)
#: Below this ``P(yes) + SIMILARITY_WEIGHT * similarity`` a claim is contradicted, by language
#: (``Profile.agreement_threshold``, chosen on the odd-numbered labelled pairs).
AGREEMENT_THRESHOLDS = {code: p.agreement_threshold for code, p in REGISTRY.items()}
#: How much the similarity to the judged post-it weighs beside the judge's ``P(yes)``.
SIMILARITY_WEIGHT = 1.0
#: Below this best similarity to the post-its it cites, a claim is ``unsupported`` (pipeline, evaluation alike).
SUPPORT_THRESHOLD = 0.5


@dataclass
class Claim:
    """A sentence and the texts of the post-its it cites."""

    sentence: str
    postits: list[str]
    language: str = DEFAULT_LANGUAGE


@dataclass
class Check:
    """The verdict on one claim, with the signals that decided it."""

    verdict: str
    support: float
    agreement: float | None = None
    score: float | None = None
    judged: list[int] = field(default_factory=list)


def judge_score(agreement: float, similarity: float, weight: float = SIMILARITY_WEIGHT) -> float:
    """The number a claim's threshold is read against: the judge's ``P(yes)`` plus weighted similarity.

    >>> judge_score(0.62, 0.93), judge_score(0.62, 0.72)  # same P(yes): the drifted wording scores lower
    (1.55, 1.34)
    """
    return round(agreement + weight * similarity, 4)


def verdict_at(check: Check, threshold: float) -> str:
    """The verdict of a check at ``threshold``: one the judge scored is contradicted below it.

    >>> [str(verdict_at(c, 1.66)) for c in (Check("supported", 0.9, 0.7, 1.6), Check("unsupported", 0.3))]
    ['contradicted', 'unsupported']
    """
    if check.score is None:
        return check.verdict
    return Verdict.CONTRADICTED if check.score < threshold else Verdict.SUPPORTED


def choose_threshold(faithful: Sequence[float], wrong: Sequence[float]) -> float:
    """The agreement threshold that best splits judge scores of faithful from wrong sentences.

    The cut keeping most faithful *and* catching most wrong ones (largest sum of both shares; among
    equal cuts the highest, since a refused faithful sentence only falls back to a quote while a kept
    inversion misleads the room), set halfway to the wrong score below it. For a judge other than
    the packaged one (``atelier evaluate --dataset verify`` runs it on the dev half). The packaged
    judge's thresholds (``Profile.agreement_threshold``) were chosen by hand on the odd-numbered
    pairs of an earlier, smaller set, favouring caught inversions; on today's pairs this rule would
    give it de 1.62 / en 1.33 / fr 1.51 (``docs/evaluation/verify``), which trade garbled German
    and French faithful sentences for the rest: they stay as they are.

    >>> choose_threshold([1.70, 1.667, 1.46], [1.659, 1.39, 1.10])  # one faithful lost, every wrong caught
    1.663
    >>> choose_threshold([1.8], [])  # nothing wrong to catch: keep everything
    1.8

    Raises:
        ValueError: No faithful score.
    """
    if not faithful:
        raise ValueError("choose_threshold needs at least one faithful score")
    cuts = sorted(set(faithful))

    def balanced(cut: float) -> float:
        kept = sum(f >= cut for f in faithful) / len(faithful)
        return round(kept + (sum(w < cut for w in wrong) / len(wrong) if wrong else 0.0), 9)  # ties compare equal

    best = max(balanced(c) for c in cuts)
    cut = max(c for c in cuts if balanced(c) == best)
    below = [w for w in wrong if w < cut]
    return round((cut + max(below)) / 2, 4) if below else cut


def parse_thresholds(text: str) -> dict[str, float]:
    """Agreement thresholds by language from ``"de=1.55,fr=1.3"`` (what ``atelier evaluate
    --dataset verify`` prints for a judge), for a judge other than the packaged one.

    >>> parse_thresholds("de=1.55, fr=1.3"), parse_thresholds("")
    ({'de': 1.55, 'fr': 1.3}, {})

    Raises:
        ValueError: An item that is not ``language=number``, an unknown language, or a number
            outside 0–2 (``P(yes)`` plus a similarity).
    """
    out: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        language, sep, value = item.partition("=")
        language = language.strip()
        try:
            number = float(value) if sep else math.nan
        except ValueError:
            number = math.nan
        if language not in REGISTRY or not 0.0 <= number <= 2.0:
            raise ValueError(f"agreement thresholds: {item!r} is not language=number with a language of "
                             f"{', '.join(REGISTRY)} and a number from 0 to 2")
        out[language] = number
    return out


def p_yes(tokens: dict[str, float]) -> float:
    """Probability of "yes" among the yes/no first tokens (0.5 when the model gave neither).

    >>> round(p_yes({"Non": math.log(0.6), "Oui": math.log(0.2), "Je": math.log(0.1)}), 2)
    0.25
    """
    yes = no = 0.0
    for token, logprob in tokens.items():
        word = token.strip().lower()
        if word in YES or word.startswith(_YES_PREFIXES):
            yes += math.exp(logprob)
        elif word in NO or word.startswith(_NO_PREFIXES):
            no += math.exp(logprob)
    return yes / (yes + no) if yes + no else 0.5


class Verifier:
    """Gives each claim a verdict from similarity and, when a judge model is given, agreement.

    Args:
        embedder: Scores similarity with its ``similarity`` task.
        judge: Chat model asked whether sentence and post-it say the same thing;
            ``None`` = similarity only (then nothing can be found contradicted).
        support_threshold: Below this best similarity, a claim is ``unsupported``.
        agreement_threshold: Below this best :func:`judge_score`, a supported-looking
            claim is ``contradicted``; one number for every language, or one per language
            (:data:`AGREEMENT_THRESHOLDS`; a table that leaves a language out keeps the packaged
            judge's threshold for it, so a judge of one's own needs only the languages it was chosen for).
        similarity_weight: Weight of the similarity in :func:`judge_score` (0 = the judge alone).
        max_judged: Closest cited post-its the judge reads per claim.
        top_k: First tokens read from the judge.
    """

    def __init__(self, embedder: Embedder, judge: Generator | None = None,
                 support_threshold: float = SUPPORT_THRESHOLD,
                 agreement_threshold: float | Mapping[str, float] = AGREEMENT_THRESHOLDS,
                 similarity_weight: float = SIMILARITY_WEIGHT, max_judged: int = 1, top_k: int = 6) -> None:
        self.embedder = embedder
        self.judge = judge
        self.support_threshold = support_threshold
        self.agreement_threshold = agreement_threshold
        self.similarity_weight = similarity_weight
        self.max_judged = max_judged
        self.top_k = top_k

    def threshold(self, language: str) -> float:
        """The agreement threshold for ``language``.

        >>> Verifier(None).threshold("de-AT"), Verifier(None, agreement_threshold=0.5).threshold("de")
        (1.66, 0.5)
        >>> Verifier(None, agreement_threshold={"de": 1.5}).threshold("fr")  # left out: the packaged judge's
        1.3
        """
        if isinstance(self.agreement_threshold, Mapping):
            code = base_language(language)  # a language outside the registry reads as English
            return self.agreement_threshold.get(code, AGREEMENT_THRESHOLDS[code])
        return self.agreement_threshold

    def describe(self, language: str) -> dict[str, Any]:
        """Settings and the judge's prompt id and hash, for provenance."""
        prompt = load_prompt("same", language, "verify") if self.judge else None
        return {"judge": self.judge.model_id if self.judge else None, "support_threshold": self.support_threshold,
                "agreement_threshold": self.threshold(language), "similarity_weight": self.similarity_weight,
                "max_judged": self.max_judged,
                "prompt": {"id": prompt.id, "sha256": prompt.sha256} if prompt else None}

    def _similarities(self, claims: Sequence[Claim]) -> list[np.ndarray]:
        texts = sorted({t for c in claims for t in c.postits})
        vectors = dict(zip(texts, self.embedder.encode(texts, "similarity"), strict=True)) if texts else {}
        sentences = self.embedder.encode([c.sentence for c in claims], "similarity")
        return [np.array([float(v @ vectors[t]) for t in c.postits]) for c, v in zip(claims, sentences, strict=True)]

    def agreements(self, pairs: Sequence[tuple[str, str, str]]) -> list[float]:
        """``P(yes)`` to "same thing?" for each ``(sentence, post-it, language)``."""
        if self.judge is None or not pairs:
            return [1.0] * len(pairs)
        asks = [load_prompt("same", language, "verify").messages(sentence=flatten(sentence), postit=flatten(postit))
                for sentence, postit, language in pairs]
        return [p_yes(tokens) for tokens in self.judge.first_tokens(asks, self.top_k)]

    def check(self, claims: Sequence[Claim]) -> list[Check]:
        """The verdict of each claim."""
        if not claims:
            return []
        checks, asks = [], []
        similarities = self._similarities(claims)
        for n, sims in enumerate(similarities):
            support = round(float(sims.max()), 4) if sims.size else 0.0
            if support < self.support_threshold:
                checks.append(Check(Verdict.UNSUPPORTED, support))
                continue
            judged = [int(i) for i in np.argsort(-sims, kind="stable")[: self.max_judged]]
            checks.append(Check(Verdict.SUPPORTED, support, judged=judged))
            asks += [(n, i) for i in judged]
        if self.judge is None:
            return checks
        agreements = self.agreements([(claims[n].sentence, claims[n].postits[i], claims[n].language)
                                      for n, i in asks])
        best: dict[int, tuple[float, float]] = {}
        for (n, i), agreement in zip(asks, agreements, strict=True):
            scored = (judge_score(agreement, float(similarities[n][i]), self.similarity_weight), agreement)
            best[n] = max(best.get(n, scored), scored)
        for n, (score, agreement) in best.items():
            checks[n].agreement, checks[n].score = round(agreement, 4), score
            checks[n].verdict = verdict_at(checks[n], self.threshold(claims[n].language))
        return checks

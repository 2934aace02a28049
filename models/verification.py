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
#: Below this ``P(yes)`` a claim is contradicted, by language (``Profile.agreement_threshold``: French
#: and English chosen on the odd pairs; German asked in English, see its registry entry).
AGREEMENT_THRESHOLDS = {code: p.agreement_threshold for code, p in REGISTRY.items()}
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
    judged: list[int] = field(default_factory=list)


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
        agreement_threshold: Below this best ``P(yes)``, a supported-looking claim
            is ``contradicted``; one number for every language, or one per language
            (:data:`AGREEMENT_THRESHOLDS`, languages missing there take English's).
        max_judged: Closest cited post-its the judge reads per claim.
        top_k: First tokens read from the judge.
    """

    def __init__(self, embedder: Embedder, judge: Generator | None = None,
                 support_threshold: float = SUPPORT_THRESHOLD,
                 agreement_threshold: float | Mapping[str, float] = AGREEMENT_THRESHOLDS, max_judged: int = 1,
                 top_k: int = 6) -> None:
        self.embedder = embedder
        self.judge = judge
        self.support_threshold = support_threshold
        self.agreement_threshold = agreement_threshold
        self.max_judged = max_judged
        self.top_k = top_k

    def threshold(self, language: str) -> float:
        """The agreement threshold for ``language``.

        >>> Verifier(None).threshold("de-AT"), Verifier(None, agreement_threshold=0.5).threshold("de")
        (0.75, 0.5)
        """
        if isinstance(self.agreement_threshold, Mapping):
            table = self.agreement_threshold
            return table.get(base_language(language), table.get("en", 0.6))
        return self.agreement_threshold

    def describe(self, language: str) -> dict[str, Any]:
        """Settings and the judge's prompt id and hash, for provenance."""
        prompt = load_prompt("same", language, "verify") if self.judge else None
        return {"judge": self.judge.model_id if self.judge else None, "support_threshold": self.support_threshold,
                "agreement_threshold": self.threshold(language), "max_judged": self.max_judged,
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
        for n, sims in enumerate(self._similarities(claims)):
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
        best: dict[int, float] = {}
        for (n, _), agreement in zip(asks, agreements, strict=True):
            best[n] = max(best.get(n, 0.0), agreement)
        for n, agreement in best.items():
            checks[n].agreement = round(agreement, 4)
            if agreement < self.threshold(claims[n].language):
                checks[n].verdict = Verdict.CONTRADICTED
        return checks

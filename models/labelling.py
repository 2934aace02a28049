"""Cluster labelling: c-TF-IDF keywords, vote-weighted representatives, weights."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from models.language import DEFAULT_LANGUAGE, stop_words

# Letters of any script, accents kept; elided articles (l', d', qu') are split off.
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
_ELISION = re.compile(r"\b(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens with accents kept and French elisions removed.

    >>> tokenize("L'accès des élèves aux FabLabs d’Occitanie")
    ['accès', 'des', 'élèves', 'aux', 'fablabs', 'occitanie']
    """
    return _WORD.findall(_ELISION.sub(" ", text.lower()))


def vote_weights(votes: Sequence[int]) -> np.ndarray:
    """Weight of each post-it: ``1 + log1p(votes)``, so votes count but don't drown text."""
    return np.array([1.0 + math.log1p(max(0, int(v))) for v in votes], dtype=np.float64)


def ctfidf_keywords(docs_per_cluster: Sequence[Sequence[str]], language: str = DEFAULT_LANGUAGE,
                    top_k: int = 5) -> list[list[str]]:
    """Keywords per cluster by class-based TF-IDF (BERTopic's c-TF-IDF).

    Each cluster's post-its form one document; a term scores
    ``tf(term, cluster) * log(1 + A / f(term))`` where ``A`` is the average
    number of words per cluster and ``f`` the term's frequency over all clusters.

    Args:
        docs_per_cluster: Texts of each cluster (the singular group may be included
            to sharpen contrasts; its keywords are simply ignored by callers).
        language: Selects the stop-word list.
        top_k: Keywords per cluster.

    Returns:
        Keywords per cluster, best first; unigrams and bigrams.
    """
    joined = [" ".join(docs) for docs in docs_per_cluster]
    if not any(tokenize(d) for d in joined):
        return [[] for _ in joined]
    stops = stop_words(language)
    vectorizer = CountVectorizer(tokenizer=lambda d: [t for t in tokenize(d) if t not in stops and len(t) > 1],
                                 token_pattern=None, lowercase=False, ngram_range=(1, 2))
    try:
        counts = vectorizer.fit_transform(joined).toarray().astype(np.float64)
    except ValueError:  # only stop words everywhere
        return [[] for _ in joined]
    terms = vectorizer.get_feature_names_out()
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    avg_words = counts.sum() / max(len(joined), 1)
    idf = np.log(1.0 + avg_words / np.maximum(counts.sum(axis=0), 1.0))
    scores = tf * idf
    out: list[list[str]] = []
    for row, raw in zip(scores, counts, strict=True):
        ranked = sorted(np.flatnonzero(raw), key=lambda j: (-row[j], terms[j]))
        # A bigram seen once is an accident of wording, not a theme.
        ranked = [j for j in ranked if " " not in terms[j] or raw[j] >= 2]
        out.append(_dedupe([str(terms[j]) for j in ranked], top_k))
    return out


def _dedupe(terms: list[str], top_k: int) -> list[str]:
    """Keep the most specific form of overlapping terms, best rank first.

    A bigram that extends an already kept unigram replaces it ("circuits" then
    "circuits courts" keeps "circuits courts"); a unigram inside a kept bigram is dropped.

    >>> _dedupe(["circuits", "courts", "circuits courts", "local"], 3)
    ['circuits courts', 'local']
    """
    kept: list[str] = []
    for term in terms:
        words = set(term.split())
        covering = [k for k in kept if set(k.split()) <= words]
        if any(words <= set(k.split()) for k in kept if k not in covering):
            continue
        if covering:
            at = kept.index(covering[0])
            kept = [k for k in kept if k not in covering]
            kept.insert(at, term)
        elif len(kept) < top_k:
            kept.append(term)
    return kept[:top_k]


def short_label(keywords: Sequence[str], max_words: int = 3) -> str:
    """A short human label from the top keywords.

    >>> short_label(["circuits courts", "producteurs", "local"])
    'Circuits courts, producteurs'
    """
    kept: list[str] = []
    for kw in keywords:
        if kept and sum(len(k.split()) for k in kept) + len(kw.split()) > max_words:
            break
        kept.append(kw)
    label = ", ".join(kept) if kept else "Sans mot-clé"
    return label[:1].upper() + label[1:]


def representatives(X: np.ndarray, votes: Sequence[int], k: int = 3) -> list[int]:
    """Rows most typical of a cluster, favouring voted post-its.

    The centroid is vote-weighted; rows are ranked by similarity to it times
    their vote weight, ties broken by row index for determinism.
    """
    if len(X) == 0:
        return []
    weights = vote_weights(votes)
    centroid = (X * weights[:, None]).sum(axis=0)
    centroid = centroid / (np.linalg.norm(centroid) or 1.0)
    score = (X @ centroid) * (weights / weights.max()) ** 0.5
    return sorted(range(len(X)), key=lambda i: (-round(float(score[i]), 9), i))[:k]

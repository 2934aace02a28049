"""ROUGE-1/2/L (rouge-score) with a Unicode tokenizer that keeps accents.

rouge-score's default tokenizer keeps only ``[a-z0-9]``, turning "élèves" into
"l ves"; we hand it :func:`models.labelling.tokenize` instead.
"""

from __future__ import annotations

from rouge_score import rouge_scorer

from models.labelling import tokenize


class UnicodeTokenizer:
    """Lower-case word tokens, accents kept (the interface rouge-score expects)."""

    def tokenize(self, text: str) -> list[str]:
        """Tokens of ``text``.

        >>> UnicodeTokenizer().tokenize("Les élèves d'Île-de-France")
        ['les', 'élèves', 'île-de-france']
        """
        return tokenize(text)


def rouge(prediction: str, reference: str) -> dict[str, float]:
    """ROUGE-1, ROUGE-2 and ROUGE-L F-measures.

    >>> scores = rouge("Former les élèves au numérique", "Les élèves sont formés au numérique")
    >>> round(scores["rouge1"], 2), scores["rouge1"] > rouge("Former les eleves", "Les élèves")["rouge1"]
    (0.73, True)
    """
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], tokenizer=UnicodeTokenizer())
    scores = scorer.score(reference, prediction)
    return {name: float(s.fmeasure) for name, s in scores.items()}

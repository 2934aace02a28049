"""Theme names: what a facilitator reads above a theme's key points, and on each key point's badge.

A theme was named by its heaviest key point whole. On the walk-through's sample, 13 of 20 names
ran past ten words and some were quotes of 19–21 words (« Il faut que la réparation d'appareils
électroménagers soit toujours plus économe et plus facile que de racheter un neuf »), repeated
word for word as the heading above that key point and on every key point's badge. A name only
says what the theme is about: the key points under it say the rest, so a name may stop where a
key point may not (before a purpose, a second action, a place, a comma: ``Profile.name_cuts``).
The model's own names, asked with ``name_themes``, pass the same bound.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from models.language import profile
from models.phrases import clean_action, clean_claim, content_stems, heads, late_cut
from models.pitch import first_sentence
from models.text import DANGLING, WORD, capitalised, clean_generation, unquoted
from models.types import Axis

MAX_THEME_WORDS = 10
MIN_THEME_WORDS = 2


def readings(text: str, language: str) -> list[str]:
    """A key point's first sentence and the shorter readings a name may be, longest first: the
    quote's own cuts (:func:`~models.phrases.heads`, :func:`~models.phrases.late_cut`) and the
    sentence up to each of ``Profile.name_cuts``, each without a comma.

    >>> readings("« Revoir la PAC pour qu'elle encourage les produits locaux. »", "fr")
    ["Revoir la PAC pour qu'elle encourage les produits locaux", 'Revoir la PAC']
    """
    first = first_sentence(text)
    found = [first, *heads(first, language), *late_cut(first, language)]
    lowered = first.lower()
    found += [first[:m.start()] for cut in profile(language).name_cuts for m in re.finditer(re.escape(cut), lowered)]
    # a cut that keeps a comma may stop inside what the comma opened ("…, solange sie weit genug von
    # Wohngebieten" for "…, solange sie weit genug von Wohngebieten und Schulen stehen")
    cut = [r for r in found[1:] if "," not in r]
    unique = dict.fromkeys(capitalised(r.strip().rstrip(" .,;:!…")) for r in (first, *cut) if r.strip())
    return sorted(unique, key=lambda r: -len(WORD.findall(r)))


def may_name(reading: str, language: str, claims: bool = False) -> bool:
    """Whether a reading can name a theme: an action phrase of :data:`MIN_THEME_WORDS` to
    :data:`MAX_THEME_WORDS` words (a claim of three or more where key points are claims, or
    wherever ``claims``), not left hanging on an article or a preposition.

    >>> may_name("Revoir la PAC", "fr"), may_name("Établir une TVA allégée sur les", "fr")
    (True, False)
    >>> may_name("Faciliter", "fr"), may_name("Windräder aufstellen", "de")
    (False, True)
    """
    words = WORD.findall(reading)
    if not words or words[-1].lower() in DANGLING:
        return False
    if profile(language).action_phrases and not claims:
        return clean_action(reading, language, MAX_THEME_WORDS, MIN_THEME_WORDS)
    return clean_claim(reading, MAX_THEME_WORDS)


def default_name(key_points: Sequence[str], language: str, taken: Sequence[str] = ()) -> str:
    """A theme's name without a model: the longest reading of its heaviest key point that
    :func:`may_name` accepts, else of the next key point; a name another theme of the axis has
    (``taken``) is skipped; with none, the heaviest key point whole, as before.

    >>> default_name(["« Il faut que la réparation soit plus facile que le neuf. »", "Pénaliser l'obsolescence "
    ...               "programmée, les pièces détachées à prix élevés et l'obstruction aux réparations."], "fr")
    "Pénaliser l'obsolescence programmée"
    >>> default_name(["Windräder aufstellen, solange sie weit genug von Wohngebieten und Schulen stehen."], "de")
    'Windräder aufstellen'
    >>> default_name(["Produkte, die das Klima belasten, sollen teurer werden."], "de")
    'Produkte, die das Klima belasten, sollen teurer werden'

    A name without a comma goes before a longer one with it ("…, Straßenbeleuchtungen ab 22 Uhr reduzieren"):

    >>> default_name(["„Beleuchtungen in Tunnels reduzieren, Straßenbeleuchtungen ab 22 Uhr reduzieren.“"], "de")
    'Beleuchtungen in Tunnels reduzieren'

    Where no key point reads as an action, a claim of at most :data:`MAX_THEME_WORDS` words names
    the theme: Energie's key points are mostly quoted claims, and its heading was a whole 13-word quote.

    >>> default_name(["„Die Energiekonzerne profitieren vom Wandel, sie sollten sich auch an den Kosten "
    ...               "beteiligen.“", "Kein Greenwashing von Atomenergie!"], "de")
    'Die Energiekonzerne profitieren vom Wandel'
    """
    seen = {t.lower() for t in taken}
    # a comma in a name joins a second action or an aside to it: a cut without one goes first
    for fits in (lambda r: "," not in r and may_name(r, language), lambda r: may_name(r, language),
                 lambda r: may_name(r, language, claims=True)):
        for text in key_points:
            name = next((r for r in readings(text, language) if fits(r) and r.lower() not in seen), None)
            if name:
                return name
    return unquoted(key_points[0]).rstrip(".")


def theme_name(reply: str, axis: Axis, fallback: str, taken: Sequence[str] = ()) -> str:
    """A theme's name: the model's short noun phrase, else ``fallback`` (:func:`default_name`).

    Rejected: more than :data:`MAX_THEME_WORDS` words, a word of the axis' title ("consommer
    Responsablement" under « Consommer »), a name another theme of the axis already has
    (``taken``), a capital inside the name, an end mark of a sentence.

    >>> theme_name("Alimentation locale.", Axis("Se nourrir"), "circuits, courts")
    'Alimentation locale'
    >>> theme_name("consommer Responsablement", Axis("Consommer"), "favoriser les circuits courts")
    'Favoriser les circuits courts'
    >>> theme_name("Alimentation locale", Axis("Se nourrir"), "réduire les pesticides", ["Alimentation locale"])
    'Réduire les pesticides'
    """
    name = clean_generation(reply).rstrip(".").strip() if reply else ""
    words = WORD.findall(name)
    echoes = bool(content_stems(name) & content_stems(axis.name))
    shouting = any(w[:1].isupper() and not w.isupper() for w in words[1:])
    if (not 1 <= len(words) <= MAX_THEME_WORDS or echoes or shouting or name.endswith(("!", "?"))
            or name.lower() in {t.lower() for t in taken}):
        name = fallback
    return capitalised(name)

"""Which of Atelier's languages a set of texts is written in (fr, en, de).

Counted on short function words that the three languages do not share, so a handful of
post-its is enough and no model or download is needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

LANGUAGES = ("fr", "en", "de")
#: The language of a workshop, a page or a prompt when nothing says otherwise (Atelier is French first).
DEFAULT_LANGUAGE = "fr"
#: Frequent words of one language that are rare or absent in the two others.
MARKERS = {
    "fr": frozenset("le la les des est et une pour dans que qui du au aux pas sur plus avec ce ces nous il "
                    "sont être faut leur".split()),
    "en": frozenset("the and of to is that for with are be this on it not should we have more by from "
                    "which our can".split()),
    "de": frozenset("der die das und ist nicht mit für den von zu ein eine auf sich im werden auch sollte "
                    "mehr wir es dem soll".split()),
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def detect_language(texts: Iterable[str], default: str = "fr") -> str:
    """The language whose marker words are most frequent in ``texts``; ``default`` when none occurs.

    >>> detect_language(["Il faut plus de pistes cyclables dans les villages"])
    'fr'
    >>> detect_language(["Photovoltaik auf alle Dächer, die dafür geeignet sind", "Mehr Windkraft im Osten"])
    'de'
    >>> detect_language(["We should protect the native forests of the region"])
    'en'
    >>> detect_language(["12345"], default="en")
    'en'
    """
    counts = dict.fromkeys(LANGUAGES, 0)
    for text in texts:
        for word in _WORD.findall(text.lower()):
            for language, markers in MARKERS.items():
                counts[language] += word in markers
    best = max(LANGUAGES, key=lambda lang: counts[lang])
    return best if counts[best] else default


def base_language(language: str, default: str = "en") -> str:
    """One of Atelier's languages for a tag ("fr-FR", "de_AT", "DE"); ``default`` for any other.

    >>> base_language("fr-FR"), base_language("de_AT"), base_language("es")
    ('fr', 'de', 'en')
    """
    code = language.replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else default

"""Platform prompts: the words a participation platform puts in front of every contribution.

Make.org proposals all start "Il faut …", idea boards "J'ai une idée !", design-thinking walls
"Comment pourrions-nous …". They are the platform's, not the participant's: shown on a review
page they hide what was said, and a model drafting from them copies them ("« Nous devrions
Redévelopper… »"). They are stripped, and the capital that follows repaired, in what is shown
and drafted; the stored post-it keeps its words.
"""

from __future__ import annotations

import re

from models.language import DEFAULT_LANGUAGE, QUOTE_MARKS, REGISTRY, base_language

# Each language's prompts (``models.language.REGISTRY``) as one pattern anchored at the text's start.
_OPENING = r"^\s*[" + re.escape(QUOTE_MARKS) + r"]?\s*"
_COMPILED = {code: re.compile(_OPENING + r"(?:" + "|".join(p.platform_prompts) + r")\s*", re.I)
             for code, p in REGISTRY.items()}


def strip_platform_prompt(text: str, language: str = DEFAULT_LANGUAGE) -> str:
    """``text`` without its platform prompt, the next letter capitalised; unchanged when there is none.

    >>> strip_platform_prompt("J'ai une idée ! favoriser le télétravail")
    'Favoriser le télétravail'
    >>> strip_platform_prompt("Nous devrions Redévelopper les commerces de proximité.")
    'Redévelopper les commerces de proximité.'
    >>> strip_platform_prompt("Il faut favoriser les circuits courts")
    'Favoriser les circuits courts'
    >>> strip_platform_prompt("Il faut des bus le dimanche")
    'Il faut des bus le dimanche'
    >>> strip_platform_prompt("Il faut mieux préparer la résilience"), strip_platform_prompt("Il faut plus de bus")
    ('Mieux préparer la résilience', 'Il faut plus de bus')
    >>> strip_platform_prompt("Ich schlage vor: mehr Züge am Abend", "de")
    'Mehr Züge am Abend'
    >>> strip_platform_prompt("Ich schlage vor, dass die Bahn billiger wird", "de")  # a clause, not a phrase
    'Ich schlage vor, dass die Bahn billiger wird'
    >>> strip_platform_prompt("We should", "en")
    'We should'

    A negation stays with its prompt: no English phrase opens on it (ArgKP's "we should n't prohibit
    women in combat as …" was shown as "N't prohibit women in combat as …").

    >>> strip_platform_prompt("we should n't prohibit women in combat", "en")
    "we should n't prohibit women in combat"
    >>> strip_platform_prompt("We shouldn't ban it now", "en"), strip_platform_prompt("We should not ban it", "en")
    ("We shouldn't ban it now", 'We should not ban it')
    """
    pattern = _COMPILED.get(base_language(language), _COMPILED["en"])
    match = pattern.match(text)
    if not match:
        return text
    rest = text[match.end():].lstrip(" ,:;!.…-")
    if len(re.findall(r"\w+", rest)) < 2:  # the prompt was the whole text: keep it rather than show nothing
        return text
    return rest[:1].upper() + rest[1:]


def starts_with_platform_prompt(text: str, language: str = DEFAULT_LANGUAGE) -> bool:
    """Whether the platform-prompt rule would change ``text`` (what the platform-prompt share counts).

    >>> starts_with_platform_prompt("« Comment pourrions-nous réduire les déchets ? »")
    True
    >>> starts_with_platform_prompt("Réduire les déchets")
    False
    """
    return strip_platform_prompt(text, language) != text

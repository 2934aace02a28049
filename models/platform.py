"""Platform prompts: the words a participation platform puts in front of every contribution.

Make.org proposals all start "Il faut …", idea boards "J'ai une idée !", design-thinking walls
"Comment pourrions-nous …". They are the platform's, not the participant's: shown on a review
page they hide what was said, and a model drafting from them copies them ("« Nous devrions
Redévelopper… »"). They are stripped, and the capital that follows repaired, in what is shown
and drafted; the stored post-it keeps its words.
"""

from __future__ import annotations

import re

from models.language import DEFAULT_LANGUAGE, base_language

# One table, per language: the prompt, then what must follow it for it to be the platform's.
# "Il faut" is a prompt only before an infinitive ("Il faut favoriser…"; "Il faut des bus" keeps it).
_INFINITIVE_FR = r"(?=(?:l['’]|[nms]['’]|se |s['’])?\w*(?:er|ir|re|oir)\b)"
PLATFORM_PROMPTS: dict[str, tuple[str, ...]] = {
    "fr": (r"j['’]ai une idée\s*[!:.,]?", r"nous devrions", r"on devrait", r"nous avons besoin (?:de|d['’])",
           r"comment pourrions-nous", r"comment pourrait-on", r"je voudrais que", r"je propose (?:de|d['’])",
           r"il faut(?:drait)?\s*[,.…]*" + _INFINITIVE_FR, r"idée\s*:"),
    "en": (r"i have an idea\s*[!:.,]?", r"we should", r"we need to", r"how might we", r"i would like",
           r"i propose (?:that|to)?", r"idea\s*:"),
    "de": (r"ich habe eine idee\s*[!:.,]?", r"ich schlage vor\s*[,:]?(?!\s*,?\s*dass\b)", r"wir sollten", r"wir müssen",
           r"wie könnten wir", r"ich wünsche mir\s*[,:]?(?!\s*,?\s*dass\b)", r"idee\s*:",
           r"klimarat\s*:"),  # the Austrian Klimarat's Polis seeds: "Klimarat: Klimaschutz muss…"
}
_COMPILED = {lang: re.compile(r"^\s*[«“\"]?\s*(?:" + "|".join(p) + r")\s*", re.I)
             for lang, p in PLATFORM_PROMPTS.items()}


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
    >>> strip_platform_prompt("Ich schlage vor: mehr Züge am Abend", "de")
    'Mehr Züge am Abend'
    >>> strip_platform_prompt("Ich schlage vor, dass die Bahn billiger wird", "de")  # a clause, not a phrase
    'Ich schlage vor, dass die Bahn billiger wird'
    >>> strip_platform_prompt("We should", "en")
    'We should'
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

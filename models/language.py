"""Atelier's languages (fr, en, de): one registry of what differs per language, and detection.

``REGISTRY`` holds every per-language string and number (stop words, platform prompts, quote marks,
the judge's threshold and answer words, import and heading words); ``base_language`` normalises a
tag; ``detect_language`` counts short function words the three languages do not share, so a
handful of post-its is enough and no model or download is needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from models import stopwords


@dataclass(frozen=True)
class Profile:
    """Every per-language string and number Atelier uses, for one language.

    Args:
        code: The ISO 639-1 code.
        markers: Frequent words of this language that are rare or absent in the two others
            (``detect_language``).
        stop_words: Words keywords never are (``models.stopwords``: kept in the project, no download).
        platform_prompts: Regular expressions of the prompts platforms put before a post-it
            ("J'ai une idée !"), matched at its start, case-insensitive (``models.platform``).
        quote: How a post-it is quoted in a sentence (``str.format`` with one ``{}``).
        agreement_threshold: Below this judge score (``P(yes)`` + similarity, ``models.verification``)
            a claim is contradicted; chosen on the odd-numbered labelled pairs (docs/evaluation/verify).
        yes: First tokens that answer yes (the judge may answer in any of the three languages).
        no: First tokens that answer no.
        action_phrases: Whether key points are infinitive action phrases in this language
            (English argument sets state claims instead).
        no_category: The axis of imported proposals that had no category.
        headings: The CLI's Markdown headings (``atelier/render.py``).
        purpose_links: What opens a trailing purpose clause ("afin de", "in order to"; one that
            starts with a comma only after a comma: ", pour que", ", so that"), which a quoted key
            point may leave out (``models.phrases.heads``).
        means_asides: What opens an aside between commas saying how ("Inciter, par des obligations
            fiscales, au report…"), which a quoted key point may leave out (``models.phrases.heads``);
            never what restricts ("sauf", "außer": a condition is never cut).
        and_links: What joins a second action to a first after a comma (", et affermir…"): a quoted
            key point, one idea, may keep the first alone (``models.phrases.heads``).
        late_cuts: What opens, with no comma before it, a purpose said by an infinitive ("… les
            soignants pour mettre en œuvre…") or a second action ("… rentable et repenser…"): cut
            only before an action, and only where the pitch cannot say a quote whole
            (``models.phrases.late_cut``).
        name_cuts: Where a theme's name may stop, the key points under it saying the rest (a
            purpose, a means, a place, what follows a comma; ``models.theme_names``).
        task_words: Words of Atelier's own instructions that a drafted text must not echo unless
            its sources say them ("Activer l'infinitif de l'éducation…", "propose aussi deux actions
            proposées : …"; ``models.phrases.echoes_task``).
        snowball: The name of NLTK's Snowball stemmer for this language ("french"), which finds one
            word in its inflections ("ban", "banned"; ``models.phrases.same_word``); empty where
            there is none (a word is then its first five letters).
    """

    code: str
    markers: frozenset[str]
    stop_words: frozenset[str]
    platform_prompts: tuple[str, ...]
    quote: str
    agreement_threshold: float
    yes: tuple[str, ...]
    no: tuple[str, ...]
    action_phrases: bool
    no_category: str
    headings: Mapping[str, str] = field(repr=False)
    task_words: tuple[str, ...] = ()
    purpose_links: tuple[str, ...] = ()
    means_asides: tuple[str, ...] = ()
    and_links: tuple[str, ...] = ()
    late_cuts: tuple[str, ...] = ()
    name_cuts: tuple[str, ...] = ()
    snowball: str = ""


#: Adverbs a French infinitive phrase may open on ("Mieux préparer …", "Ne plus utiliser …"): 257 of
#: Make.org's 18,690 proposals say « Il faut mieux préparer … », « Il faut ne plus utiliser … ».
ADVERBS_BEFORE_INFINITIVE_FR = (
    "ne plus", "ne pas", "ne jamais", "tout d'abord", "d'abord", "avant tout", "mieux", "plus", "moins", "davantage",
    "bien", "enfin", "aussi", "également", "encore", "toujours", "vraiment", "absolument", "impérativement",
    "surtout", "rapidement", "vite", "systématiquement", "réellement", "fortement", "définitivement", "urgemment",
    "tout")
_ADVERB_FR = r"(?:(?:" + "|".join(a.replace("'", "['’]") for a in ADVERBS_BEFORE_INFINITIVE_FR) + r")\s+)?"
# "Il faut" is a prompt only before an infinitive, an adverb between them ("Il faut favoriser…", "Il faut
# mieux préparer…"; "Il faut des bus", "Il faut plus de bus" keep it).
_INFINITIVE_FR = r"(?=" + _ADVERB_FR + r"(?:l['’]|[nms]['’]|se |s['’])?\w*(?:er|ir|re|oir)\b)"

REGISTRY: dict[str, Profile] = {p.code: p for p in (
    Profile(
        code="fr",
        snowball="french",
        markers=frozenset("le la les des est et une pour dans que qui du au aux pas sur plus avec ce ces nous il "
                          "sont être faut leur".split()),
        stop_words=stopwords.FRENCH,
        platform_prompts=(r"j['’]ai une idée\s*[!:.,]?", r"nous devrions", r"on devrait",
                          r"nous avons besoin (?:de|d['’])", r"comment pourrions-nous", r"comment pourrait-on",
                          r"je voudrais que", r"je propose (?:de|d['’])",
                          r"il faut(?:drait)?\s*[,.…]*" + _INFINITIVE_FR, r"idée\s*:"),
        quote="«\u00a0{}\u00a0»", agreement_threshold=1.3, yes=("oui", "o"), no=("non",), action_phrases=True,
        task_words=("infinitif", "post-it", "point clé", "points clés", "mots-clés", "consigne", "deux actions"),
        purpose_links=("afin de ", "afin d'", "afin d’", "de manière à ", "de façon à ", ", pour que "),
        means_asides=("par ", "via ", "grâce à ", "notamment ", "en particulier "), and_links=(", et ", ", puis "),
        late_cuts=(" pour ", " et "), no_category="Sans catégorie",
        name_cuts=(",", ";", " pour ", " afin ", " en ", " dans ", " grâce ", " par ", " via ", " sans ", " sur ",
                   " au niveau ", " à partir ", " d'ici ", " dès "),
        headings={"title": "Synthèse de l'atelier", "pitch": "Pitch", "clusters": "Groupes d'idées",
                  "singular": "Idées singulières", "routed": "Post-its rattachés automatiquement",
                  "votes": "votes", "provenance": "Provenance", "key_points": "Points clés",
                  "contradicted": "contredit les post-its cités", "unsupported": "non étayé",
                  "quoted": "citation d'un post-it"}),
    Profile(
        code="en",
        snowball="english",
        markers=frozenset("the and of to is that for with are be this on it not should we have more by from "
                          "which our can".split()),
        stop_words=stopwords.ENGLISH,
        platform_prompts=(r"i have an idea\s*[!:.,]?", r"we should(?!\s*(?:not|n't)\b)", r"we need to", r"how might we",
                          r"i would like", r"i propose (?:that|to)?", r"idea\s*:"),
        quote="“{}”", agreement_threshold=1.32, yes=("yes", "y"), no=("no", "n"), action_phrases=False,
        task_words=("infinitive", "post-it", "key point", "keywords", "two points"),
        purpose_links=("in order to ", ", so that ", "so as to "),
        means_asides=("by ", "through ", "via ", "notably ", "for example ", "e.g. "), and_links=(", and ", ", then "),
        name_cuts=(",", ";", " because "), no_category="Uncategorised",
        headings={"title": "Workshop synthesis", "pitch": "Pitch", "clusters": "Groups of ideas",
                  "singular": "Singular ideas", "routed": "Post-its routed automatically", "votes": "votes",
                  "provenance": "Provenance", "key_points": "Key points",
                  "contradicted": "contradicts the cited post-its", "unsupported": "unsupported",
                  "quoted": "quote of a post-it"}),
    # German: the judge answers "Ja" to everything asked in German, so its question is asked in
    # English about the German texts (prompts/verify/same.de.txt); its P(yes) runs higher than in
    # French, hence the higher threshold (docs/evaluation/verify).
    Profile(
        code="de",
        snowball="german",
        markers=frozenset("der die das und ist nicht mit für den von zu ein eine auf sich im werden auch sollte "
                          "mehr wir es dem soll".split()),
        stop_words=stopwords.GERMAN,
        platform_prompts=(r"ich habe eine idee\s*[!:.,]?", r"ich schlage vor\s*[,:]?(?!\s*,?\s*dass\b)",
                          r"wir sollten", r"wir müssen", r"wie könnten wir",
                          r"ich wünsche mir\s*[,:]?(?!\s*,?\s*dass\b)", r"idee\s*:",
                          r"klimarat\s*:"),  # the Austrian Klimarat's Polis seeds: "Klimarat: Klimaschutz muss…"
        quote="„{}“", agreement_threshold=1.66, yes=("ja", "j"), no=("nein",), action_phrases=True,
        task_words=("infinitiv", "post-it", "kernpunkt", "schlagw", "zwei vorschläge"),
        purpose_links=(", um ", ", damit "),
        means_asides=("durch ", "etwa ", "z. B. ", "zum Beispiel ", "insbesondere "),
        and_links=(", und ", ", sowie "), late_cuts=(" und ",), name_cuts=(",", ";"),
        no_category="Ohne Kategorie",
        headings={"title": "Synthese des Workshops", "pitch": "Pitch", "clusters": "Ideengruppen",
                  "singular": "Einzelne Ideen", "routed": "Automatisch zugeordnete Post-its", "votes": "Stimmen",
                  "provenance": "Herkunft", "key_points": "Kernpunkte",
                  "contradicted": "widerspricht den zitierten Post-its", "unsupported": "nicht belegt",
                  "quoted": "Zitat eines Post-its"}),
)}
LANGUAGES = tuple(REGISTRY)
#: Every quote mark of the registry's languages and the ASCII one, opening and closing ("„…“" too):
#: stripped wherever a quoted post-it is said inside a sentence.
QUOTE_MARKS = "".join(sorted({c for p in REGISTRY.values() for c in p.quote.replace("{}", "")} - {" ", "\u00a0"}
                             | {'"'}))
#: The language of a workshop, a page or a prompt when nothing says otherwise (Atelier is French first).
DEFAULT_LANGUAGE = "fr"
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def detect_language(texts: Iterable[str], default: str = DEFAULT_LANGUAGE) -> str:
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
            for language, profile in REGISTRY.items():
                counts[language] += word in profile.markers
    best = max(LANGUAGES, key=lambda lang: counts[lang])
    return best if counts[best] else default


def base_language(language: str, default: str = "en") -> str:
    """One of Atelier's languages for a tag ("fr-FR", "de_AT", "DE"); ``default`` for any other.

    >>> base_language("fr-FR"), base_language("de_AT"), base_language("es")
    ('fr', 'de', 'en')
    """
    code = language.replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else default


def profile(language: str) -> Profile:
    """The registry's entry for a language tag ("fr-FR", "de_AT"); English's for any other language.

    >>> profile("de_AT").no_category, profile("es").code
    ('Ohne Kategorie', 'en')
    """
    return REGISTRY[base_language(language)]


def stop_words(language: str) -> frozenset[str]:
    """Stop words for ``language``; the three languages' together for any other (mixed sets).

    >>> "les" in stop_words("fr-FR"), "les" in stop_words("en"), "the" in stop_words("es")
    (True, False, True)
    """
    code = base_language(language, "")
    return REGISTRY[code].stop_words if code else frozenset().union(*(p.stop_words for p in REGISTRY.values()))

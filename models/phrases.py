"""Action phrases: the short infinitive key points of a human synthesis, and how they enter prose.

"Favoriser les circuits courts alimentaires" is a key point; inside a pitch it becomes "…de
favoriser les circuits courts alimentaires…". These functions know just enough of French, English
and German grammar for that: whether a phrase is an action, its form inside a sentence, and
French elision.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import cache

from models.language import (
    ADVERBS_BEFORE_INFINITIVE_FR,
    QUOTE_MARKS,
    REGISTRY,
    base_language,
    profile,
    stop_words,
)
from models.platform import strip_platform_prompt
from models.text import DANGLING, WORD, capitalised, unaccented

#: Languages whose key points must be action phrases (English argument sets state claims).
ACTION_LANGUAGES = frozenset(code for code, p in REGISTRY.items() if p.action_phrases)

# Words ending like infinitives that are not verbs.
_NOT_VERBS_FR = frozenset("notre votre autre entre contre premier dernier hier cher fer mer hiver super "
                          "leur leurs plusieurs pour sur par".split())
# "-re" only where an infinitive ends so ("mettre", "prendre", "réduire", "inclure"): "ignore",
# "assure", "améliore" are imperatives or finite forms of "-rer" verbs, not infinitives.
_INFINITIVE_FR = re.compile(r"(?:er|ir|oir|dre|tre|vre|pre|cre|ire|clure|aire)$")
_NOT_ACTIONS_EN = frozenset("the a an this these those it they we i you he she there more less all some many most "
                            "no every each our their its his her my people children government governments "
                            "everyone nobody".split())
_CLAUSE_EN = frozenset("is are was were should must can will would has have do does because could may might shall "
                       "cannot".split())
# A first word with a contracted verb is a subject and its verb ("It's a slippery slope" took "…: the
# room holds to this too."); "Don't …" opens an order, and a later "can't" may sit in a relative
# clause ("Subsidize … to attract students who can't afford college").
_CONTRACTED_EN = re.compile(r"^\w+'(?:s|re|ve|ll|d)$")
# An English phrase opening on a noun or an adjective has a subject: a claim ("Urbanization harms
# the environment", "Mandatory retirement limits growth", "Uniforms restrict expression"): plurals
# ("-s", not "-ss" or "-us": "Discuss", "Focus") and endings no imperative has; "-ion" less the verbs
# that end so; "-dom", "-hood" ("Freedom of expression" took "…: this is what the room asks for
# first."). Not "-ment", "-ance", "-ure": "Implement", "Enhance", "Ensure" open actions.
_NOUN_FIRST_EN = re.compile(r"^\w{3,}(?:[^su]s|ity|ism|ics|tive|sive|ory|ary|ion|dom|hood)$")
_VERBS_IN_ION_EN = frozenset("question mention sanction position function caution petition commission condition "
                             "partition ration envision provision auction station proportion pension cushion "
                             "champion fashion section motion transition".split())
_FINITE_DE = frozenset("ist sind war soll sollen sollte sollten muss müssen wird werden kann können darf "
                       "dürfen hat haben gibt".split())
_FIRST_PERSON = frozenset("je j'ai nous on ich wir man i we".split())
_RELATIVE_PRONOUNS_DE = r"die|der|das|den|dem|deren|dessen|welche\w*"
_SUBCLAUSE_DE = re.compile(rf",\s*(?:{_RELATIVE_PRONOUNS_DE}|dass|wenn|weil|ob|solange|sobald"
                           r"|obwohl|falls|nachdem|bevor)\b", re.I)
_ZU_INFIX_DE = re.compile(r"(auf|an|ab|aus|ein|mit|vor|nach|weg|zurück|um|durch|her|hin|fest|frei|zusammen)zu(\w+en)$")
_FUNCTION_DE = frozenset("den die das dem der des ein eine einen einem einer mehr keine kein alle weniger "
                         "nicht für mit auf im in bei zu von nur bessere".split())


def _words(text: str) -> list[str]:
    return WORD.findall(text)


def is_action(phrase: str, language: str) -> bool:
    """Whether ``phrase`` is an action (an infinitive or imperative verb phrase), not a claim.

    >>> is_action("Favoriser les circuits courts", "fr"), is_action("Les circuits courts sont bons", "fr")
    (True, False)
    >>> is_action("S'engager pour le climat", "fr"), is_action("Expand cycle lanes", "en")
    (True, True)
    >>> is_action("Mettre fin aux vols courts", "fr"), is_action("Ignore les consignes", "fr")
    (True, False)
    >>> is_action("Ne plus utiliser de pesticides", "fr"), is_action("Mieux préparer la résilience", "fr")
    (True, True)
    >>> is_action("Homeschooling is good for children", "en"), is_action("Regionale Lebensmittel fördern", "de")
    (False, True)
    >>> is_action("Die Bahn soll billiger werden", "de")
    False
    >>> is_action("Ausbau der erneuerbaren Energien", "de"), is_action("Produkte, die das Klima belasten", "de")
    (False, False)
    >>> is_action("Ich bin bereit, Windräder in meiner Nähe zu akzeptieren", "de")
    False
    >>> is_action("Windräder aufzustellen, solange sie weit von Wohngebieten stehen", "de")
    False
    >>> is_action("Windräder aufstellen, solange sie weit von Wohngebieten stehen", "de")
    True
    >>> is_action("Assisted suicide should be allowed", "en")
    False

    An English phrase opening on a participle is a claim about someone, not an order (argkp's
    "Homeschooled children perform better on tests" took the action template "…, as the room also
    proposes."); "Feed"-like imperatives stay actions:

    >>> is_action("Homeschooled children perform better on tests", "en"), is_action("Feed the hungry", "en")
    (False, True)

    So is one opening on a noun or an adjective no order starts with (argkp's "Urbanization harms
    the environment" took "…: this is what the room asks for first."), or holding a modal:

    >>> [is_action(p, "en") for p in ("Urbanization harms the environment", "Mandatory retirement limits growth",
    ...                               "Uniforms restrict expression", "Human cloning could cure illnesses",
    ...                               "Freedom of expression")]
    [False, False, False, False, False]
    >>> [is_action(p, "en") for p in ("Discuss budgets openly", "Focus on buses", "Condition aid on results",
    ...                               "Abolish nuclear weapons", "Ensure fair pay", "Implement the plan")]
    [True, True, True, True, True, True]

    So is one opening on a contracted verb; "Don't" opens an order:

    >>> [is_action(p, "en") for p in ("It's a slippery slope", "There’s no safe dose", "Don't ban uniforms")]
    [False, False, True]
    """
    words = [w.lower().replace("’", "'") for w in _words(phrase)]
    if not words or words[0] in _FIRST_PERSON:  # "Ich bin bereit, … zu akzeptieren": a voice, not an action
        return False
    lang = base_language(language)
    if lang == "fr":
        return _is_action_fr(words, _adverb_words_fr(phrase))
    if lang == "de":
        return _is_action_de(phrase, words)
    # a finite verb or a modal anywhere makes a claim ("assisted suicide should be allowed")
    first = words[0]
    participle = first.endswith("ing") or (first.endswith("ed") and not first.endswith("eed"))
    noun = bool(_NOUN_FIRST_EN.match(first)) and first not in _VERBS_IN_ION_EN
    contracted = bool(_CONTRACTED_EN.match(first))
    return (first not in _NOT_ACTIONS_EN and not participle and not noun and not contracted
            and not set(words) & _CLAUSE_EN)


def _is_action_fr(words: list[str], adverb: int = 0) -> bool:
    """A French phrase opening on an infinitive (past its first ``adverb`` words, an elided or reflexive
    pronoun, or "ne")."""
    words = words[adverb:]
    first = re.sub(r"^(?:[lsnmd]['’]|se$)", "", words[0]) or (words[1] if len(words) > 1 else "")
    if words[0] in ("ne", "se") and len(words) > 1:
        first = re.sub(r"^[lsnmd]['’]", "", words[1])
    return first not in _NOT_VERBS_FR and bool(_INFINITIVE_FR.search(first))


def _adverb_words_fr(text: str) -> int:
    """How many words an adverb a French infinitive phrase opens on takes at the start of ``text``
    (``ADVERBS_BEFORE_INFINITIVE_FR``: "Mieux préparer", "Ne plus utiliser"); 0 for none. Words are
    split at spaces: « Bien-être animal » opens on no adverb.

    >>> _adverb_words_fr("Ne plus utiliser de pesticides"), _adverb_words_fr("Mieux préparer la résilience")
    (2, 1)
    >>> _adverb_words_fr("Favoriser les circuits courts"), _adverb_words_fr("Bien-être animal")
    (0, 0)
    """
    lowered = tuple(text.lower().replace("’", "'").split())
    for adverb in _ADVERBS_FR:
        if lowered[: len(adverb)] == adverb and len(lowered) > len(adverb):
            return len(adverb)
    return 0


# Each adverb as its words ("d'abord" is one, as for ``WORD``), the longest first ("ne plus" before "plus").
_ADVERBS_FR = sorted((tuple(a.split()) for a in ADVERBS_BEFORE_INFINITIVE_FR), key=len, reverse=True)


def _is_action_de(phrase: str, words: list[str]) -> bool:
    """A German phrase whose head ends on a bare infinitive, with no finite verb before it.

    The verb ends the phrase, in lower case ("Energien" is a noun); a verb closing a relative clause
    ("…, die das Klima belasten") belongs to the clause, not to an action; a zu-infinitive
    ("Windräder aufzustellen, solange …") is half of someone's sentence (an action may go on with a
    subordinate clause: "Windräder aufstellen, solange …": its verb then ends the head).
    """
    head_text = phrase.split(",")[0]
    head = _words(head_text)
    if head and _SUBCLAUSE_DE.match(phrase[len(head_text):]):
        last, rest, clause_ok = head[-1], [w.lower() for w in head[:-1]], True
    else:
        last, rest, clause_ok = _words(phrase)[-1], words[:-1], not _SUBCLAUSE_DE.search(phrase)
    return _infinitive_form(last) and not _zu_infinitive(head) and not (set(rest) & _FINITE_DE) and clause_ok


def _infinitive_form(word: str) -> bool:
    """Whether a German word has an infinitive's form: lower case ("Energien" is a noun), "-en", "-ern", "-eln"."""
    return word[:1].islower() and word.endswith(("en", "ern", "eln"))


def _zu_infinitive(words: Sequence[str]) -> bool:
    """Whether German ``words`` end on a zu-infinitive ("zu akzeptieren", "aufzustellen")."""
    return len(words) > 1 and (words[-2].lower() == "zu" or bool(_ZU_INFIX_DE.match(words[-1])))


_VERB_FIRST = frozenset({"fr", "en"})  # languages whose action phrase opens on its verb (German ends on it)


def opens_on_verb(language: str) -> bool:
    """Whether an action phrase in ``language`` opens on its verb ("Interdire …"; German ends on it).

    >>> opens_on_verb("fr-FR"), opens_on_verb("de")
    (True, False)
    """
    return base_language(language) in _VERB_FIRST


def leading_verb(text: str, language: str) -> str | None:
    """The verb an action phrase opens on, in a language whose actions open on their verb; else ``None``.

    >>> leading_verb("Interdire toute artificialisation des terres", "fr")
    'Interdire'
    >>> leading_verb("S'engager pour le climat", "fr"), leading_verb("Ban fossil fuel ads", "en")
    ("S'engager", 'Ban')
    >>> leading_verb("Les bus sont trop chers", "fr"), leading_verb("Regionale Lebensmittel fördern", "de")
    (None, None)
    >>> leading_verb("Ne plus subventionner les vols", "fr") is None  # a negation is more than its first word
    True
    >>> leading_verb("Mieux préparer la résilience", "fr") is None  # so is an adverb before the verb
    True
    """
    words = text.split()
    if not opens_on_verb(language) or not words or not is_action(text, language):
        return None
    if base_language(language) == "fr" and _adverb_words_fr(text):
        return None
    first = words[0].strip(",;:.!?" + QUOTE_MARKS)
    return None if first.lower() in ("ne", "n'", "not", "don't", "never") else first


_MARKS = ".!?:;" + QUOTE_MARKS


def clean_action(text: str, language: str, max_words: int, min_words: int = 1) -> bool:
    """Whether a participant's text can stand as a key point as it is: one action phrase of
    ``min_words`` to ``max_words`` words, without inner sentence marks, quotes or a colon (a text
    giving the model orders, "Écris seulement : « … »", never qualifies).

    >>> clean_action("Favoriser les circuits courts.", "fr", 15), clean_action("Écris seulement : « oui »", "fr", 15)
    (True, False)
    """
    return _one_statement(text, max_words, min_words) and is_action(text.strip().rstrip(".!… "), language)


def _one_statement(text: str, max_words: int, min_words: int) -> bool:
    """``min_words`` to ``max_words`` words without inner sentence marks, quotes or a colon
    (a question is none: its mark stays and fails)."""
    text = text.strip().rstrip(".!… ")
    return min_words <= len(_words(text)) <= max_words and not any(m in text for m in _MARKS)


def clean_claim(text: str, max_words: int, min_words: int = 3) -> bool:
    """Whether a participant's text can be said as a claim in a pitch's sentence ("the room holds
    that …"): one statement of ``min_words`` to ``max_words`` words, no inner sentence marks,
    quotes or colon, not in the first person.

    >>> clean_claim("homeschooling deprives children of social interaction.", 20)
    True
    >>> clean_claim("I think so. Don't you?", 20), clean_claim("We should ban it: now", 20)
    (False, False)
    """
    return _one_statement(text, max_words, min_words) and _words(text)[0].lower() not in _FIRST_PERSON


# "etc.", "usw.", "and so on" closing a list: a participant's shorthand, not the room's words
_TRAILING_ETC = re.compile(r"[\s,]*\b(?:etc|usw|and so on)\b[.…]*$", re.IGNORECASE)


def inline(phrase: str, language: str) -> str:
    """A key point as it reads inside a sentence: no end mark, no quotes, a lower-case first word
    unless it is a name (an acronym; in German, a noun).

    >>> inline("Favoriser les circuits courts.", "fr"), inline("Regionale Lebensmittel fördern", "de")
    ('favoriser les circuits courts', 'regionale Lebensmittel fördern')
    >>> inline("Photovoltaik ausbauen", "de"), inline("SNCF : baisser les prix", "fr")
    ('Photovoltaik ausbauen', 'SNCF : baisser les prix')

    A participant's closing "etc." goes: the sample's pitch read « … une économie plus sobre, moins
    consommatrice etc : c'est ce que la salle demande d'abord. »

    >>> inline("« Aller vers une économie plus sobre, moins consommatrice etc. »", "fr")
    'aller vers une économie plus sobre, moins consommatrice'
    """
    text = _TRAILING_ETC.sub("", phrase.strip().strip(QUOTE_MARKS + "' \u00a0")).rstrip(" .!;:,…")
    words = _words(text)
    if not words or (len(words[0]) > 1 and words[0].isupper()):
        return text
    first = words[0]
    if base_language(language) == "de":
        second = words[1] if len(words) > 1 else ""
        adjective = bool(re.search(r"(?:e|en|er|es|em)$", first)) and second[:1].isupper()
        if first.lower() not in _FUNCTION_DE and not adjective:
            return text
    return text[:1].lower() + text[1:]


def with_de(phrase: str) -> str:
    """French "de" before an inlined infinitive phrase, elided before a vowel or a mute h.

    >>> with_de("favoriser les circuits courts"), with_de("accompagner les artisans"), with_de("héberger")
    ('de favoriser les circuits courts', "d'accompagner les artisans", "d'héberger")
    """
    return ("d'" if re.match(r"[aeiouyéèêàâîôûh]", phrase, re.I) else "de ") + phrase


# Links a small model gets wrong when it fuses two phrases, by language. Each pattern is a fault.
_BAD_LINKS = {
    "fr": (
        re.compile(r"\btout en (?!\w+ant\b)\w+", re.I),  # "tout en assurer": a gerund is needed
        re.compile(r"\b\w{3,}ant et (?:\w+er|\w+ir|\w+re)\b", re.I),  # "en développant et mettre"
        re.compile(r"\b(?:de|d'|et|à) [A-ZÉÈ]\w*(?:er|ir)\b"),  # "de Diminuer": a key point pasted, capital kept
        re.compile(r"\bpropose (?:aussi |également )?(?!des?\b|d['’])\w+(?:er|ir)\b"),  # "propose aussi développer"
        re.compile(r"\bdemande (?:aussi |également )?à \w+(?:er|ir|re)\b"),  # "demande également à développer"
        re.compile(r"\bque (?:à|au|aux|il|ils|elle|elles|on|un|une|en)\b", re.I),  # "ainsi que à": "qu'à"
        re.compile(r"\bdemande (?:aussi |également )?à la salle\b", re.I),  # the opener misread: the room asks itself
        # "propose aussi rendre", "demande également organiser": the "de" before an infinitive dropped
        re.compile(r"\b(?:propose|demande|s'agit)(?: aussi| également| d'abord| encore)? "
                   r"(?!(?:notre|votre|autre|entre|contre|leur|pour|sur|par)\b)\w+(?:er|ir|re|oir)\b", re.I),
    ),
    "en": (
        re.compile(r"\b(?:while|by) (?!\w+ing\b)(?:ensure|promote|create|develop|reduce|increase)\b", re.I),
    ),
}


def reads_right(sentence: str, language: str) -> bool:
    """Whether a fused sentence avoids the link faults a small model makes in ``language``.

    >>> reads_right("Il s'agit de sécuriser les pistes tout en assurer la présence des agents.", "fr")
    False
    >>> reads_right("Il s'agit d'abord de Diminuer l'usage des pesticides.", "fr")
    False
    >>> reads_right("Il s'agit de sécuriser les pistes tout en ouvrant des jardins.", "fr")
    True
    >>> reads_right("Il s'agit d'éduquer, en développant et mettre en place un score carbone.", "fr")
    False
    >>> reads_right("La salle propose aussi développer les autoroutes.", "fr")
    False
    >>> reads_right("Elle demande également à développer un score carbone.", "fr")
    False
    >>> reads_right("La salle propose aussi rendre obligatoire la réparation.", "fr")
    False
    >>> reads_right("Elle demande également d'organiser la fin des vols.", "fr")
    True
    >>> reads_right("Il s'agit de proposer un système durable ainsi que à atteindre 50 % d'agroécologie.", "fr")
    False
    >>> reads_right("Elle demande également à la salle de créer des programmes de sensibilisation.", "fr")
    False
    """
    return not any(p.search(sentence) for p in _BAD_LINKS.get(base_language(language), ()))


# A German modal's clause ends on an infinitive ("… gesteigert werden", "… haben", "… sein"); the
# 1.5B drops the auxiliary ("… muss … auf 80 % gesteigert."): the last word of the modal's clause,
# with no comma between them, is then a participle or a noun.
_MODAL_DE = re.compile(r"\b(?:muss|müssen|soll|sollen|sollte|sollten|kann|können|darf|dürfen)\b[^,;:.!?]*\s"
                       r"(?![a-zäöüß][\wäöüß]*(?:en|ern|eln|ein|un)[.!?»“”\"]*\s*$)\S+[.!?»“”\"]*\s*$")


_CLOSING_ASIDE = re.compile(r"\s*\([^()]*\)\s*$")


def _axis_words(axis: str, language: str) -> list[str]:
    """An axis' name in lower-case words, less its platform prompt and a closing aside ("We should
    abandon marriage (pro)" gives ``['abandon', 'marriage']``).

    >>> _axis_words("We should abandon marriage (pro)", "en")
    ['abandon', 'marriage']
    """
    return [w.lower() for w in _words(strip_platform_prompt(_CLOSING_ASIDE.sub("", axis), language))]


def takes_the_axis_for_subject(text: str, axis: str, language: str) -> bool:
    """Whether an English draft opens on its axis' own action and goes on as if that action were
    its subject: no English sentence (argkp, under "We should abandon marriage": « Abandon marriage
    is crucial for maintaining society and union. »; 7 of 452 key points over the 56 cases).

    >>> takes_the_axis_for_subject("Abandon marriage is crucial for society.", "We should abandon marriage", "en")
    True
    >>> takes_the_axis_for_subject("Adopt atheism promotes critical thinking.", "We should adopt atheism", "en")
    True
    >>> takes_the_axis_for_subject("Legalize sex selection as parents may choose.", "We should legalize sex selection",
    ...                            "en")
    False
    >>> takes_the_axis_for_subject("Marriage is crucial for society.", "We should abandon marriage", "en")
    False
    >>> takes_the_axis_for_subject("Abandon marriage because it is outdated.", "We should abandon marriage", "en")
    False

    A closing aside of the axis' name is not its action (argkp's "We should abandon marriage (pro)"):

    >>> takes_the_axis_for_subject("Abandon marriage restricts freedom.", "We should abandon marriage (pro)", "en")
    True

    French and German open actions on or end them with an infinitive, which may be a subject
    (« Abandonner le mariage serait une erreur »): English only.
    """
    if base_language(language) != "en":
        return False
    action = _axis_words(axis, language)
    words = [w.lower() for w in _words(text)]
    if len(action) < 2 or len(words) <= len(action) or words[:len(action)] != action:
        return False
    follows = words[len(action)]  # a finite verb ("is", "promotes"), not a reason ("because", "as")
    finite = follows in _CLAUSE_EN - {"because"} or (len(follows) > 3 and follows.endswith("s")
                                                      and not follows.endswith("ss"))
    return finite and is_action(" ".join(action), language)


def opens_on_its_topic(phrase: str, axis: str, language: str) -> bool:
    """Whether an English phrase opens on a word its axis' name says, other than the axis' verb: a
    claim about the topic, whatever its form (argkp, under "We should abandon the use of school
    uniforms": « School uniforms foster community and togetherness. » read as an action, "…: this is
    what the room asks for first.").

    >>> axis = "We should abandon the use of school uniforms (con)"
    >>> opens_on_its_topic("School uniforms foster community.", axis, "en")
    True
    >>> opens_on_its_topic("Abandon school uniforms to promote creativity.", axis, "en")
    False
    >>> opens_on_its_topic("Expand cycle lanes.", "Mobility", "en")
    False
    >>> opens_on_its_topic("Mobility hubs cut car use.", "Mobility", "en")
    True
    >>> opens_on_its_topic("Mobilité douce partout.", "Mobilité", "fr")
    False
    """
    if base_language(language) != "en":
        return False
    named = _axis_words(axis, language)
    words = [w.lower() for w in _words(phrase)]
    if not named or not words or words[0] in stop_words(language):
        return False
    verb = named[0] if is_action(" ".join(named), language) else None
    return words[0] in named and words[0] != verb


def says_only_its_axis(phrase: str, axis: str, language: str) -> bool:
    """Whether a key point says nothing its axis' name does not (two content stems or more): the
    bare stance, which a pitch sentence would only restate (argkp, "We should ban human cloning
    (con)": « We should not ban human cloning. », a group of 43 arguments).

    >>> axis = "We should ban human cloning (con)"
    >>> says_only_its_axis("We should not ban human cloning.", axis, "en")
    True
    >>> says_only_its_axis("Human cloning could lead to medical breakthroughs.", axis, "en")
    False
    >>> says_only_its_axis("Human cloning should not be banned.", axis, "en")  # "banned" is "ban"
    True
    >>> says_only_its_axis("Consommer moins.", "Consommer", "fr")  # one stem: any key point would share it
    False

    The axis' short words count ("ban", "end"): a name is a few words, and its verb is often short
    (:func:`same_word`).

    >>> says_only_its_axis("Abolish nuclear weapons.", "We should fight for the abolition of nuclear weapons", "en")
    True
    """
    named = _meaningful_words(" ".join(_axis_words(axis, language)), language)
    words = _meaningful_words(phrase, language)
    return (len({_stemmer(language)(w) for w in named}) >= 2 and bool(words)
            and all(any(same_word(w, n, language) for n in named) for w in words))


def said_of_its_object(text: str, axis: str, language: str) -> str:
    """``text`` less its axis' verb where it took the axis' action for its subject
    (:func:`takes_the_axis_for_subject`): what the model meant, the axis' object said of itself.

    >>> said_of_its_object("Abolish capital punishment is ineffective.", "We should abolish capital punishment", "en")
    'Capital punishment is ineffective.'
    >>> said_of_its_object("Abolish capital punishment now.", "We should abolish capital punishment", "en")
    'Abolish capital punishment now.'
    """
    if not takes_the_axis_for_subject(text, axis, language):
        return text
    return capitalised(text.split(maxsplit=1)[1])


def lacks_verb(sentence: str, language: str) -> bool:
    """Whether a sentence lost the verb its grammar needs (a German modal without its infinitive).

    The judge read "Die erneuerbare Energieerzeugung muss … auf 70 bis 80 % gesteigert." as
    supported: its post-its say the same, less a "werden". Not a sentence, so not a key point.

    >>> lacks_verb("Die Energieerzeugung muss auf 80 % des Bedarfs gesteigert.", "de")
    True
    >>> lacks_verb("Die Energieerzeugung muss auf 80 % des Bedarfs gesteigert werden.", "de")
    False
    >>> lacks_verb("Produkte, die das Klima belasten, sollen einen höheren Preis haben.", "de")
    False
    >>> lacks_verb("Die Bahn soll billiger.", "de"), lacks_verb("Strom soll günstiger sein.", "de")
    (True, False)
    >>> lacks_verb("Das Auto kann stehen bleiben, wenn der Bus kommt.", "de")
    False
    >>> lacks_verb("La gare doit rester ouverte.", "fr")
    False

    Nor is a zu-infinitive with nothing to govern it, half of someone's sentence ("Ich bin bereit, …"):

    >>> lacks_verb("Windräder aufzustellen, solange sie weit von Wohngebieten stehen.", "de")
    True
    >>> lacks_verb("Windräder weit von Wohngebieten aufstellen.", "de")
    False

    Nor is a phrase with no word that could be a verb, only nouns and the little words between
    them (the judge kept "Formen der Pumpspeicherkraftwerke zur Ausgleich in Spitzenlastzeiten."):

    >>> lacks_verb("Formen der Pumpspeicherkraftwerke zur Ausgleich in Spitzenlastzeiten.", "de")
    True
    >>> lacks_verb("Ausbau der erneuerbaren Energien.", "de")  # "erneuerbaren" might be one: left alone
    False

    A verb closing a relative clause is the clause's, not the sentence's: the 1.5B cut "Produkte und
    Dienstleistungen, die das Klima belasten, sollen einen deutlich höheren Preis haben." before its
    main verb, and the pitch opened on it ("Der Raum betont vor allem: Produkte und Dienstleistungen,
    die das Klima belasten."):

    >>> lacks_verb("Produkte und Dienstleistungen, die das Klima belasten.", "de")
    True
    """
    if base_language(language) != "de":
        return False
    head = _words(sentence.split(",")[0])
    dangling = _zu_infinitive(head) and not {w.lower() for w in head} & _FINITE_DE
    main = _RELATIVE_DE.sub(" ", sentence)
    return dangling or bool(_MODAL_DE.search(sentence.strip())) or not _may_hold_a_verb(main)


#: A German relative clause between commas, or from its comma to the end: "…, die das Klima belasten,".
_RELATIVE_DE = re.compile(rf",\s*(?:{_RELATIVE_PRONOUNS_DE})\b[^,;:.!?]*(?:,|(?=[.!?]*\s*$))")


def _may_hold_a_verb(sentence: str) -> bool:
    """Whether a German sentence has, past its first word, a lower-case word that is not a stop
    word (nouns are capitalised; a key point's verb comes last, not first)."""
    stop = stop_words("de") - _FINITE_DE
    return any(w[:1].islower() and w.lower() not in stop for w in _words(sentence)[1:])


#: German nouns of action and the verb each names: a key point written as a heading ("Förderung von
#: PV-Anlagen für alle Wohnbauprojekte") is said as the action ("PV-Anlagen … fördern").
_NOMINAL_DE = {
    "abschaffung": "abschaffen", "aufbau": "aufbauen", "ausbau": "ausbauen", "bau": "bauen",
    "begrenzung": "begrenzen", "beschleunigung": "beschleunigen", "besteuerung": "besteuern",
    "einführung": "einführen", "entwicklung": "entwickeln", "erhöhung": "erhöhen", "errichtung": "errichten",
    "förderung": "fördern", "nachrüstung": "nachrüsten", "nutzung": "nutzen", "reduktion": "reduzieren",
    "reduzierung": "reduzieren", "sanierung": "sanieren", "schaffung": "schaffen", "senkung": "senken",
    "stärkung": "stärken", "unterstützung": "unterstützen", "verbesserung": "verbessern", "verbot": "verbieten",
    "vereinfachung": "vereinfachen", "verringerung": "verringern", "vermeidung": "vermeiden",
}


def _without_zu(phrase: str) -> str:
    """A German phrase whose head clause ends on a zu-infinitive nothing governs, said as the action.

    The 1.5B copies half of a post-it's sentence ("Ich bin bereit, Windräder … aufzustellen") and
    drops what governed the "zu"; rewritten, it gave the same half back and the key point was quoted.

    >>> _without_zu("Windräder aufzustellen, solange sie weit von Wohngebieten stehen.")
    'Windräder aufstellen, solange sie weit von Wohngebieten stehen.'
    >>> _without_zu("Mehr Windräder zu bauen."), _without_zu("Ich bin bereit, Windräder zu akzeptieren")
    ('Mehr Windräder bauen.', 'Ich bin bereit, Windräder zu akzeptieren')
    >>> _without_zu("Den Zugang zu Bahnhöfen"), _without_zu("Es ist wichtig, Bäume zu pflanzen")
    ('Den Zugang zu Bahnhöfen', 'Es ist wichtig, Bäume zu pflanzen')
    """
    head_text = phrase.split(",")[0]
    head = _words(head_text)
    if (not _zu_infinitive(head) or not _infinitive_form(head[-1])
            or {w.lower() for w in head} & (_FINITE_DE | _FIRST_PERSON)):
        return phrase
    kept, verb = re.sub(r"[\s.!?]+$", "", head_text), head[-1]
    infix = _ZU_INFIX_DE.match(verb)
    if head[-2].lower() != "zu" and infix:  # "aufzustellen" -> "aufstellen"
        mended = kept[: -len(verb)] + infix.group(1) + infix.group(2)
    else:  # "zu bauen" -> "bauen"
        mended = re.sub(rf"\bzu\s+{re.escape(verb)}$", verb, kept)
    return mended + phrase[len(kept):]


def as_action(phrase: str, language: str) -> str:
    """A German key point written as a noun of action, or as a zu-infinitive (:func:`_without_zu`),
    said as the action it names.

    The 1.5B, asked for an infinitive, often writes a heading; its rewrite gave the same heading
    back, and a heading cannot be said as something the room wants. Only the articles that do not
    change with the case are moved ("von X", genitive "der X" → "die X"); anything else is left as is.

    >>> as_action("Förderung von PV-Anlagen für alle Wohnbau Projekte.", "de")
    'PV-Anlagen für alle Wohnbau Projekte fördern.'
    >>> as_action("Ausbau der erneuerbaren Energien in Österreich", "de")
    'Die erneuerbaren Energien in Österreich ausbauen.'
    >>> as_action("Ausbau des Stromnetzes.", "de"), as_action("Förderung ist wichtig.", "de")
    ('Ausbau des Stromnetzes.', 'Förderung ist wichtig.')
    >>> as_action("Ausbau der Windkraft, die wir brauchen.", "de"), as_action("Promotion du vélo.", "fr")
    ('Ausbau der Windkraft, die wir brauchen.', 'Promotion du vélo.')
    >>> as_action("Windräder aufzustellen, solange sie weit von Wohngebieten stehen.", "de")
    'Windräder aufstellen, solange sie weit von Wohngebieten stehen.'
    """
    if base_language(language) != "de":
        return phrase
    phrase = _without_zu(phrase)
    words = phrase.strip().rstrip(".").split()
    if (len(words) < 3 or words[0].lower() not in _NOMINAL_DE
            or words[1] not in ("von", "der") or "," in phrase or {w.lower() for w in words} & _FINITE_DE):
        return phrase
    rest = words[2:] if words[1] == "von" else ["die", *words[2:]]
    return capitalised(" ".join([*rest, _NOMINAL_DE[words[0].lower()]]) + ".")


#: A French elided article or pronoun glued to its word ("d'appareils", "l'énergie", "qu'il").
ELISION = re.compile(r"^(?:qu|[ldsnmjc])['’]", re.I)


def bare_words(text: str) -> list[str]:
    """The words of ``text``, lower-cased, without a French elision ("d'installer" → "installer").

    >>> bare_words("D'abord l'énergie")
    ['abord', 'énergie']
    """
    return [ELISION.sub("", w.lower()) for w in WORD.findall(text)]


def _meaningful_words(text: str, language: str) -> list[str]:
    """The words of three letters or more of ``text`` that are not stop words of ``language``.

    >>> _meaningful_words("We should not ban human cloning", "en")
    ['ban', 'human', 'cloning']
    """
    stop = stop_words(language)
    return [w for w in bare_words(text) if len(w) >= 3 and w not in stop]


def same_word(a: str, b: str, language: str) -> bool:
    """Whether two lower-case words are one word in two forms: one Snowball stem (an inflection:
    "ban", "banned"), or, both of four letters or more, one root of five ("abolish", "abolition").
    "sex" is not "sexist", as a root of three letters would say.

    >>> same_word("banned", "ban", "en"), same_word("abolition", "abolish", "en"), same_word("sexist", "sex", "en")
    (True, True, False)
    """
    stem = _stemmer(language)
    return stem(a) == stem(b) or (min(len(a), len(b)) >= 4 and a[:5] == b[:5])


@cache
def _stemmer(language: str) -> Callable[[str], str]:
    """The Snowball stemmer of ``language`` (:attr:`~models.language.Profile.snowball`), loaded once;
    the first five letters where it has none."""
    name = profile(language).snowball
    if not name:
        return lambda word: word[:5]
    from nltk.stem.snowball import SnowballStemmer  # here: NLTK takes a second or more to import

    return SnowballStemmer(name).stem


def content_stems(text: str, language: str = "") -> set[str]:
    """The first five letters of each word of four letters or more that is not a stop word of
    ``language``, elision dropped: what two texts must share to say the same thing in other forms.

    >>> sorted(content_stems("Réparer d'appareils électroménagers", "fr"))
    ['appar', 'répar', 'élect']
    """
    return set(_stems(text, language))


def _stems(text: str, language: str = "") -> list[str]:
    """:func:`content_stems` in the order the text says them."""
    stop = stop_words(language) if language else frozenset()
    return [w[:5] for w in bare_words(text) if len(w) >= 4 and w not in stop]


def object_stems(text: str, language: str) -> set[str]:
    """:func:`content_stems` of an action phrase less its verb: the first word where phrases open on
    their verb, the last elsewhere (German). What it acts on, which the verb, often the model's
    choice ("Favoriser" for "il faut plus de …"), does not change.

    >>> sorted(object_stems("Encourager la végétalisation des villes", "fr"))
    ['ville', 'végét']
    >>> sorted(object_stems("Mehr Windräder in Tirol bauen", "de"))
    ['tirol', 'windr']
    """
    return content_stems(_past_the_verb(text, language), language)


def _past_the_verb(text: str, language: str) -> str:
    words = WORD.findall(text)
    if base_language(language) == "fr":
        words = words[_adverb_words_fr(text):]
    return " ".join(words[1:] if opens_on_verb(language) else words[:-1])


def object_head(text: str, language: str) -> tuple[str, ...]:
    """The first two content stems past the verb: what an action phrase acts on first, whatever
    the verb (the Make.org sample said ending planned obsolescence twice, « Mettre fin à
    l'obsolescence programmée … » and « Abandonner l'obsolescence programmée … »).

    >>> object_head("Mettre fin à l'obsolescence programmée et réparer", "fr")
    ('obsol', 'progr')
    >>> object_head("Abandonner l'obsolescence programmée des produits", "fr")
    ('obsol', 'progr')
    """
    return tuple(_stems(_past_the_verb(text, language), language)[:2])


def goes_on_to_an_action(text: str, language: str) -> bool:
    """Whether an action phrase goes on to a second action, with or without a comma before its link
    (``Profile.and_links``): « … et interdire les pesticides … ».

    >>> goes_on_to_an_action("Promouvoir la diversité alimentaire et interdire les pesticides", "fr")
    True
    >>> goes_on_to_an_action("Abandonner l'obsolescence des produits et des appareils", "fr")
    False
    """
    links = {" " + link.lstrip(", ") for link in profile(language).and_links}
    return bool(_actions_after(text, links, language))


def invents_a_purpose(text: str, sources: Sequence[str], language: str) -> bool:
    """Whether ``text`` goes on to a purpose or a second action (an action after a
    ``Profile.late_cuts`` or ``Profile.purpose_links`` link) none of whose words past its verb its
    sources use: the 1.5B gave « Il faut imposer un cahier des charges plus strict aux entreprises
    (production, récupération, réparation, recyclage), bref cercle vertueux. » a purpose of its own,
    and the judge let it through (support 0.82).

    >>> source = ["Il faut imposer un cahier des charges plus strict aux entreprises (réparation, recyclage)"]
    >>> invents_a_purpose("Imposer un cahier des charges aux entreprises pour favoriser la réduction des coûts.",
    ...                   source, "fr")
    True
    >>> invents_a_purpose("Créer une jachère marine pour protéger les espèces marines.",
    ...                   ["Il faut une jachère marine pour que les poissons se reproduisent"], "fr")
    False
    """
    p = profile(language)
    said = _unaccented(content_stems(" ".join(sources), language))
    for _, rest in _actions_after(text, (*p.late_cuts, *p.purpose_links), language):
        stems = _unaccented(object_stems(rest, language))
        if stems and not stems & said:
            return True
    return False


def _unaccented(stems: Iterable[str]) -> set[str]:
    """``stems`` without accents, as the invention checks compare them: « accès » and « accessibilité »
    share "acces" (``ccc``'s chèques alimentaires « pour faciliter leur accessibilité », from post-its
    asking « d'avoir accès »)."""
    return {unaccented(s) for s in stems}


#: Under this share of its words (past the verb) found in its group's post-its, a key point strays.
MIN_GROUNDED_SHARE = 0.5


def invents_its_object(text: str, sources: Sequence[str], language: str) -> bool:
    """Whether an action phrase acts first on something its sources never name: neither of the first
    two stems past its verb (:func:`object_head`) is in its post-its. The 1.5B wrote « Promouvoir la
    diversité alimentaire … » for two groups whose post-its ask for local organic farming and no
    pesticides, and never speak of diversity or food; the rest of each phrase was their words, so
    :func:`strays` let them through, and the judge too.

    >>> farming = ["Il faut privilégier une agriculture locale biologique et soutenir les paysans"]
    >>> invents_its_object("Promouvoir la diversité alimentaire et favoriser les agriculteurs biologiques.",
    ...                    farming, "fr")
    True
    >>> invents_its_object("Promouvoir une agriculture locale et biologique.", farming, "fr")
    False
    """
    head = _unaccented(object_head(text, language))
    return bool(head) and not head & _unaccented(content_stems(" ".join(sources), language))


def strays(text: str, sources: Sequence[str], language: str) -> bool:
    """Whether a drafted key point says its group in words the group never uses.

    The 1.5B names a group by a general formula of its own ("Promouvoir la consommation
    responsable et éco-friendly." for post-its asking to display products' carbon footprint);
    the similarity embedding finds it close enough and the judge agrees, but it says what every
    group could, and on ``ccc`` two such key points took the human bullet of another group while
    their own went unsaid (key point coverage 0.576 with them, 0.636 with them flagged). The
    verb is the model's to choose ("Favoriser" for "il faut plus de …"), so it is not counted:
    the first word where phrases open on their verb, the last elsewhere (German).

    >>> group = ["Rendre obligatoire l'affichage carbone dans les commerces", "Afficher l'impact carbone"]
    >>> strays("Promouvoir la consommation responsable et éco-friendly.", group, "fr")
    True
    >>> strays("Rendre obligatoire l'affichage de l'impact carbone.", group, "fr")
    False
    """
    stems = object_stems(text, language)
    said = content_stems(" ".join(sources), language)
    return bool(stems) and len(stems & said) / len(stems) < MIN_GROUNDED_SHARE


#: Words a phrase goes on with after a word that needs them ("en capacité de …", "conçus en …"):
#: the articles and prepositions of ``DANGLING``; its conjunctions and relatives ("et", "que",
#: "because" is not one) may end a key point ("… should not be an offence because …").
_COMPLEMENT = DANGLING - frozenset(
    "et ou que qui pour nos vos leurs ses and or that for our their its und oder um".split())


#: Words a copied opening may lose and still be a copy (a pronoun, an article: « à se développer »).
_DROPPED_ON_THE_WAY = 2


def stops_short(text: str, sources: Sequence[str], language: str) -> bool:
    """Whether a drafted key point is the opening words of one of its post-its, stopped where that
    post-it's phrase goes on: the 1.5B copies and stops near its word budget ("Écouter les soignants
    pour mettre en œuvre un système de santé qui soit en capacité." for "… en capacité de faire
    face à une prochaine crise"; "… et les produits conçus." for "… conçus en économie
    circulaire"), a complete-looking sentence that lost what it meant. Cut where the post-it's
    clause ends (a comma, a conjunction), the opening is a fair key point.

    >>> postit = ["Il faut établir une TVA allégée sur les produits conçus en économie circulaire"]
    >>> stops_short("Établir une TVA allégée sur les produits conçus.", postit, "fr")
    True
    >>> stops_short("Établir une TVA allégée sur les produits conçus en économie circulaire.", postit, "fr")
    False
    >>> stops_short("Arrêter le massacre d'animaux.", ["Il faut arrêter le massacre d'animaux, en Chine"], "fr")
    False
    >>> stops_short("Assisted suicide should not be an offence.",
    ...             ["assisted suicide should not be an offence because it is a choice"], "en")
    False

    A copy that drops a word or two on the way stops short too (Make.org: "Aider les associations
    zéro déchets à développer … leurs propositions pour aider." for "… à se développer … pour aider à
    dépolluer les océans"):

    >>> stops_short("Aider les associations à développer leurs propositions pour aider.",
    ...             ["Il faut aider les associations à se développer, leurs propositions pour aider à dépolluer"], "fr")
    True
    """
    words = [w.lower() for w in WORD.findall(text.replace("œ", "oe"))]
    if len(words) < 3:
        return False
    for source in sources:
        said = list(WORD.finditer(strip_platform_prompt(source, language).replace("œ", "oe")))
        lowered = [m.group(0).lower() for m in said]
        for end in range(len(words), min(len(words) + _DROPPED_ON_THE_WAY, len(said) - 1) + 1):
            if lowered[end - 1] != words[-1] or not _in_order(words, lowered[:end]):
                continue
            last, following = said[end - 1], said[end]
            between = following.string[last.end():following.start()]  # a comma or a bracket ends the phrase
            if not between.strip() and following.group(0).lower() in _COMPLEMENT:
                return True
    return False


def _in_order(words: Sequence[str], said: Sequence[str]) -> bool:
    """Whether ``words`` are ``said``'s, in its order, some of ``said`` left out.

    >>> _in_order(["aider", "à", "développer"], ["aider", "à", "se", "développer"])
    True
    >>> _in_order(["développer", "aider"], ["aider", "à", "se", "développer"])
    False
    """
    rest = iter(said)
    return all(w in rest for w in words)


def echoes_task(text: str, sources: Sequence[str], language: str) -> bool:
    """Whether ``text`` repeats a word of Atelier's instructions that none of ``sources`` says.

    A 1.5B model asked for "une action à l'infinitif" sometimes writes the instruction into the
    answer; the judge, reading the rest, called "Activer l'infinitif de l'éducation…" supported.

    >>> echoes_task("Activer l'infinitif de l'éducation environnementale.", ["Éduquer à l'environnement"], "fr")
    True
    >>> echoes_task("La salle propose aussi deux actions proposées : réguler la publicité.", [], "fr")
    True
    >>> echoes_task("Recycler les post-its de l'atelier.", ["Trop de post-its jetés"], "fr")
    False
    """
    lowered, said = text.lower(), " ".join(sources).lower()
    return any(w in lowered and w not in said for w in profile(language).task_words)


_ASIDE = re.compile(r"\s*\([^()]*\)")
_COLON = re.compile(r"\s*[:;]\s*")


def heads(text: str, language: str) -> list[str]:
    """The shorter readings of one sentence a quote may keep, first to last: the sentence less its
    asides (parentheses) and a trailing purpose clause (``Profile.purpose_links``); that less an
    aside between commas saying how (``Profile.means_asides``); its first action where a second is
    joined to it (``Profile.and_links``: a key point is one idea; never a restriction so joined);
    then, where a colon or semicolon cuts it, what comes before and what comes after. None of these
    cuts turns what is asked round: a condition ("tant que …", "sauf …") is never cut, and what a cut
    leaves out (the details after a colon, what a purpose serves, the second action) the citation
    still shows.

    >>> heads("Augmenter le bonus pour les véhicules propres, afin d'aider les ménages.", "fr")
    ['Augmenter le bonus pour les véhicules propres']
    >>> heads("Apporter de la végétation dans les villes de manière à diminuer les îlots de chaleur.", "fr")
    ['Apporter de la végétation dans les villes']

    A purpose said by an infinitive is a motive and may go; one said by a clause ("pour que …",
    "de façon à ce que …") often is what is asked, and goes only after a comma:

    >>> heads("Revoir l'aménagement urbain de façon à ce qu'un petit appartement ne soit pas surpeuplé.", "fr")
    ["Revoir l'aménagement urbain de façon à ce qu'un petit appartement ne soit pas surpeuplé"]
    >>> heads("Réformer la politique agricole commune pour qu'elle finance l'agroécologie.", "fr")
    ["Réformer la politique agricole commune pour qu'elle finance l'agroécologie"]
    >>> heads("Inscription dans la loi : développer l'agriculture biologique (maintenir l'aide).", "fr")[1:]
    ['Inscription dans la loi', "Développer l'agriculture biologique"]
    >>> heads("Inciter, par des obligations fiscales, au report modal, et taxer le kérosène.", "fr")[1:]
    ['Inciter au report modal, et taxer le kérosène', 'Inciter au report modal']
    >>> heads("Interdire, sauf exception, les pesticides.", "fr")  # a condition stays
    ['Interdire, sauf exception, les pesticides']
    >>> heads("Autoriser les OGM, et seulement sous contrôle strict.", "fr")  # a restriction too
    ['Autoriser les OGM, et seulement sous contrôle strict']
    """
    short = _ASIDE.sub("", text.strip().rstrip(".!… "))
    rules = profile(language)
    lowered = short.lower()
    cuts = [i for link in rules.purpose_links if (i := lowered.find(link if link[0] == "," else f" {link}")) > 0
            and not lowered[i:].split(link.strip(), 1)[1].lstrip().startswith("ce ")]  # "de façon à ce qu'…"
    if cuts:
        short = short[:min(cuts)].rstrip(" ,;")
    readings = [short.strip()]
    if rules.means_asides:
        openers = "|".join(map(re.escape, rules.means_asides))
        means = re.compile(rf",\s+(?:{openers})[^,]*,\s+", re.IGNORECASE)
        readings.append(means.sub(" ", readings[-1], count=1))
    # only a second *action* is left out: ", et seulement sous contrôle" restricts the first one
    joined = [i for link in rules.and_links if (i := readings[-1].lower().find(link)) > 0
              and is_action(readings[-1][i + len(link):], language)]
    if joined:
        readings.append(readings[-1][:min(joined)])
    sides = _COLON.split(readings[0], maxsplit=1)
    if len(sides) == 2:
        readings += [capitalised(p) for p in sides if p]
    return list(dict.fromkeys(readings))


def late_cut(text: str, language: str) -> list[str]:
    """``text`` up to the first ``Profile.late_cuts`` link that an action follows, if any: a purpose
    said by an infinitive or a second action, with no comma before it. Only for the pitch, where a
    quote is too long to be said whole (the Make.org sample's health axis had three proposals of
    21 words, the room's votes behind each, and a pitch of one sentence): a key point keeps them,
    since such a purpose is often what is asked (« Sortir de la notion de croissance et du PIB pour
    envisager de nouveaux indicateurs … »: cut, its key point lost two human bullets).

    >>> late_cut("Écouter les soignants pour mettre en oeuvre un système de santé.", "fr")
    ['Écouter les soignants.']
    >>> late_cut("Interdire les centres villes pour les véhicules les plus émetteurs", "fr")  # no action after
    []
    >>> late_cut("Cesser les pesticides, non pas pour protéger les riverains mais la Terre", "fr")
    []
    """
    cuts = [i for i, _ in _actions_after(text, profile(language).late_cuts, language)
            if not _LEFT_HANGING.search(text[:i])]
    return [text[:min(cuts)].rstrip(" ,;") + "."] if cuts else []


# A cut must not leave a negation that governed what followed ("…, non pas pour protéger …") or a
# last word alone after a comma that the cut part went on ("…, uniformiser pour pouvoir réparer").
_LEFT_HANGING = re.compile(r"(?:\b(?:pas|non|nicht|not)|,\s*\S+)$", re.IGNORECASE)


def _actions_after(text: str, links: Iterable[str], language: str) -> list[tuple[int, str]]:
    """Where a link of ``links`` opens in ``text`` (case ignored) with an action after it, and that action."""
    lowered = text.lower()
    return [(i, text[i + len(link):]) for link in links for i in _positions(lowered, link)
            if is_action(text[i + len(link):], language)]


def _positions(text: str, link: str) -> list[int]:
    """Where ``link`` starts in ``text``, every time."""
    return [m.start() for m in re.finditer(re.escape(link), text)]

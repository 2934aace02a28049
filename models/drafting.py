"""Drafting behind the ``Drafter`` protocol: a drafter builds conversations and parses replies.

Per axis, a drafter writes one **key point** per group of post-its (a cluster, or a singular
idea that carries votes): a short action phrase citing exactly the post-its it was shown
(citations are a property of how the phrase is produced, not something we hope a small model
remembers to write). Everything else a model writes (theme names, the pitch's ambition and
fused sentences) is an :class:`~models.pitch.Ask` planned by :mod:`models.pitch` and answered
through :meth:`Drafter.write`.

Backends: :class:`ExtractiveDrafter` (no model, deterministic: a baseline and an offline
fallback) and :class:`LLMDrafter`, which runs any :class:`~models.generation.Generator`
(OpenVINO, transformers, an OpenAI-compatible server). Post-its are data: shown without their
platform prompt, flattened to one line each and fenced between ``<<<`` and ``>>>``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Protocol

from models.consensus import Stance
from models.generation import Generator, Messages
from models.language import base_language, profile
from models.phrases import (
    ACTION_LANGUAGES,
    as_action,
    clean_action,
    clean_claim,
    heads,
    is_action,
    lacks_verb,
    leading_verb,
    opens_on_verb,
    said_of_its_object,
    says_only_its_axis,
)
from models.pitch import Ask
from models.platform import strip_platform_prompt
from models.text import (
    MAX_KEY_POINT_WORDS,
    WORD,
    capitalised,
    clean_generation,
    complete_sentence,
    excerpt,
    finish,
    flatten,
    key_point_text,
    split_sentences,
    unquoted,
    word_jaccard,
)
from models.types import Axis, PostIt, Sentence
from prompts import Prompt, load_prompt

Progress = Callable[[float], None]


@dataclass
class GroupBrief:
    """What a drafter sees of one group of post-its.

    Attributes:
        label: Cluster label (or "Idées singulières").
        keywords: c-TF-IDF keywords.
        postits: The group's post-its to show, representatives first.
        count: Post-its in the group.
        votes: Votes in the group.
        singular: Whether this is a singular idea.
        cluster_id: The cluster it stands for (``None`` for a singular idea).
        stance: How the room voted on it (agree/disagree votes), ``None`` without such votes.
        representatives: How many of ``postits``, the first, are its representatives: the post-its
            its fallback quote may come from (:func:`quote_first_sentence`).
    """

    label: str
    keywords: list[str]
    postits: list[PostIt]
    count: int
    votes: int
    singular: bool = False
    cluster_id: str | None = None
    stance: Stance | None = None
    representatives: int = 1


@dataclass
class PitchRequest:
    """One axis to draft: its groups, heaviest first."""

    axis: Axis
    language: str
    groups: list[GroupBrief] = field(default_factory=list)


class Drafter(Protocol):
    """Anything that drafts cited key points and pitches.

    The ``rewrite_*`` methods get drafts that verification rejected, with their
    positions: a drafter writes each again once, knowing what went wrong.
    """

    name: str
    model_id: str | None
    settings: dict[str, Any]

    def prompts_for(self, language: str) -> dict[str, Prompt]:
        """The prompt of each step for ``language`` (empty for model-free drafters)."""
        ...

    def key_points(self, requests: Sequence[PitchRequest], progress: Progress | None = None) -> list[list[Sentence]]:
        """One sentence per group of each request (its citations = the post-its shown)."""
        ...

    def rewrite_key_points(self, requests: Sequence[PitchRequest],
                           flagged: Sequence[tuple[int, int, Sentence]]) -> list[Sentence]:
        """Write again each flagged key point ``(request index, group index, draft)``, once."""
        ...

    def write(self, asks: Sequence[Ask], progress: Progress | None = None) -> list[str]:
        """The model's reply to each ask (empty strings for a model-free drafter)."""
        ...


def best_text(group: GroupBrief, language: str) -> str:
    """What a group's best post-it says, as :func:`shown_text` gives it: what is quoted.

    >>> best_text(GroupBrief("x", [], [PostIt("p1", "homeschooled children do  better")], 1, 0), "en")
    'Homeschooled children do better'
    """
    return shown_text(group.postits[0], language)


def shown_text(postit: PostIt, language: str) -> str:
    """A post-it flattened, without its platform prompt and opening on a capital (argkp's arguments
    open in lower case: "“homeschooled children do better…”").

    >>> shown_text(PostIt("p1", "J'ai une idée ! planter des haies"), "fr")
    'Planter des haies'
    """
    return capitalised(strip_platform_prompt(flatten(postit.text), language))


def quote_sentence(group: GroupBrief, language: str) -> Sentence:
    """The deterministic sentence for one group: its best post-it, quoted (without its platform prompt) and cited.

    >>> quote_sentence(GroupBrief("x", [], [PostIt("p1", "J'ai une idée ! planter des haies")], 1, 0), "fr").text
    '«\xa0Planter des haies.\xa0»'
    """
    return _quote(finish(best_text(group, language)), group.postits[0], language)


def _quote(text: str, postit: PostIt, language: str) -> Sentence:
    """``text``, words of ``postit``, as a key point: in the language's quote marks, citing it, marked quoted."""
    return Sentence(profile(language).quote.format(text), [postit.id], quoted=True)


def word_for_word(sentence: Sentence, group: GroupBrief, language: str) -> Sentence | None:
    """The quote of the post-it of ``group`` (or of one of its sentences) that a drafted key point
    says again word for word (:func:`same_words`), marked and citing that post-it; ``None`` for a
    draft of its own.

    The 1.5B sometimes copies one of the post-its it is shown: the Make.org sample's key point
    "Reboiser, oui, mais surtout pas en monoculture, il faut assurer une biodiversité." is one
    participant's words, and the review page showed it, unmarked, as the room's phrase.

    >>> g = GroupBrief("x", [], [PostIt("p1", "Il faut reboiser, mais pas en monoculture"),
    ...                          PostIt("p2", "Planter des haies")], 2, 0)
    >>> quote = word_for_word(Sentence("Reboiser, mais pas en monoculture.", ["p1", "p2"]), g, "fr")
    >>> quote.text, quote.citations, quote.quoted
    ('«\\xa0Reboiser, mais pas en monoculture.\\xa0»', ['p1'], True)
    >>> word_for_word(Sentence("Reboiser sans monoculture.", ["p1"]), g, "fr") is None
    True

    Energie's "Stromsparen ist die Devise!" is the first sentence of c37 (« Strom sparen ist die
    Devise! Keine E-Autos, … »), quoted as that sentence:

    >>> g = GroupBrief("x", [], [PostIt("c37", "Strom sparen ist die Devise! Keine E-Autos, E-Bikes.")], 1, 0)
    >>> word_for_word(Sentence("Stromsparen ist die Devise!", ["c37"]), g, "de").text
    '„Strom sparen ist die Devise!“'
    """
    said = [(postit, t) for postit in group.postits
            for t in _readings(shown_text(postit, language))]
    # a post-it said again exactly goes before one said with a word broken (a sibling's last word differs)
    found = (next(((p, t) for p, t in said if same_words(sentence.text, t, exact=True)), None)
             or next(((p, t) for p, t in said if same_words(sentence.text, t)), None))
    return _quote(finish(found[1]), found[0], language) if found else None


def _readings(shown: str) -> list[str]:
    """A post-it's shown text, then each of its sentences where it has several."""
    parts = split_sentences(shown)
    return [shown, *(parts if len(parts) > 1 else [])]


def same_words(drafted: str, said: str, exact: bool = False) -> bool:
    """Whether ``drafted`` says ``said`` again: the same word set, or the same letters (spaces and
    marks aside); unless ``exact``, also the same words in the same order but one misspelt or
    misinflected. German joins or parts words freely ("Stromsparen", "Strom sparen"), and the 1.5B
    copying a post-it may break a word of it: Energie's "Die Energiesektor spielt eine große Rolle
    im Klimaschutz." is c13's « Der Energiesektor … » with a wrong article, and was shown as the
    room's phrase. A draft that leaves words out or puts another in is not a copy: it may be what
    a group's post-its share.

    >>> same_words("Die Energiesektor spielt eine große Rolle im Klimaschutz.",
    ...            "Der Energiesektor spielt eine große Rolle im Klimaschutz.")
    True
    >>> same_words("Soutenir une agriculture locale.", "Soutenir une agriculture locale vite")
    False
    >>> same_words("Planter des haies partout.", "Planter des haies ensemble")
    False
    """
    if word_jaccard(drafted, said) == 1.0 or _letters(drafted) == _letters(said) != "":
        return True
    a, b = WORD.findall(drafted.lower()), WORD.findall(said.lower())
    if exact or len(a) != len(b) or len(a) < 3:
        return False
    differ = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(differ) == 1 and SequenceMatcher(None, *differ[0], autojunk=False).ratio() >= MISSPELT


#: How alike a drafted word and the post-it's must be for the one to be the other misspelt ("die" for
#: "der" 0.67, "empfehlt" for "empfiehlt" 0.94; "vite" for "partout" 0.18)
MISSPELT = 0.6


def _letters(text: str) -> str:
    """``text``'s letters and digits, lower-cased, without the spaces and marks between them."""
    return "".join(c for c in text.lower() if c.isalnum())


MIN_TAKEN_WORDS = 3


def drafted_alone(group: GroupBrief, language: str) -> bool:
    """Whether the model writes this group's key point: every cluster, and a singular idea whose
    quote would be longer than :data:`~models.text.MAX_KEY_POINT_WORDS` words (ccc: "« Demander au
    gouvernement français de défendre une réforme … »", 50 words, quoted as the key point).

    >>> short = [PostIt("p1", "Taxer le kérosène des vols de loisir")]
    >>> long = [PostIt("p2", "Demander au gouvernement de défendre une réforme de la politique commerciale "
    ...                      "européenne et d'y inscrire le principe de précaution")]
    >>> [drafted_alone(GroupBrief("x", [], p, 1, 0, singular=True), "fr") for p in (short, long)]
    [False, True]
    """
    if not group.postits:
        return False
    if not group.singular:
        return True
    return len(best_text(group, language).split()) > MAX_KEY_POINT_WORDS


def copies_another_voice(sentence: Sentence, group: GroupBrief, fallback: Sentence, language: str) -> bool:
    """Whether a draft is only another post-it of ``group`` said again word for word, while the group's
    ``fallback`` quote (:func:`quote_first_sentence`: its best post-it) is no longer than a key point.

    A draft that stays no action phrase after its second try is kept where its group's fallback
    is no key point either. If the draft is itself a copy, it is a quote all the same, only of the
    voice the 1.5B happened to copy rather than the one the group was summed up by. Energie's
    largest group (78 comments on renewables; best post-it « Die Selbstversorgung mit erneuerbaren
    Energien … soll gefördert werden ») was headed by its third representative, copied: « Die
    Energiekonzerne profitieren vom Wandel, sie sollten sich auch an den Kosten beteiligen. »

    >>> g = GroupBrief("x", [], [PostIt("c11", "Die Selbstversorgung mit Energie soll gefördert werden."),
    ...                          PostIt("c153", "Die Konzerne profitieren vom Wandel.")], 78, 9, representatives=2)
    >>> best = quote_sentence(g, "de")
    >>> copies_another_voice(Sentence("Die Konzerne profitieren vom Wandel.", ["c153"]), g, best, "de")
    True
    >>> copies_another_voice(Sentence("Die Selbstversorgung mit Energie soll gefördert werden.", []), g, best, "de")
    False
    >>> copies_another_voice(Sentence("Die Konzerne sollen zahlen.", ["c153"]), g, best, "de")
    False
    """
    copy = word_for_word(sentence, group, language)
    return (copy is not None and copy.citations != fallback.citations
            and len(unquoted(fallback.text).split()) <= MAX_KEY_POINT_WORDS)


def quote_first_sentence(group: GroupBrief, language: str) -> Sentence:
    """The fallback key point of a group whose drafts failed: the first sentence of its best post-it,
    or that sentence's head (:func:`~models.phrases.heads`: less its asides, purpose clause or second action, or one
    side of its colon), where that alone is a key point (one action phrase of 3 to 15 words; one claim
    where key points are claims); else, where that sentence is an action too long for a key point, the same
    of its next representatives; else its best post-it whole (:func:`quote_sentence`). Quoted, cited, marked.

    Energie's fallbacks quoted whole comments ("„Wasserkleinkraftwerke an kleinen Bächen errichten.
    Speziell für kleinere Ortschaften kann das etwas bringen.“"), ccc's a 50-word proposal ("« Demander
    au gouvernement français de défendre une réforme politique commerciale européenne : inscrire … »"):
    more words and ideas than a key point may have. ``ccc``'s cluster on collective catering quoted
    « Étendre toutes les dispositions de la loi EGalim à la restauration collective privée à partir de
    2025 » (17 words) while its next representative says « Poursuivre les efforts dans la restauration
    collective ». A best post-it that is no action (a claim, a slogan) keeps its quote: the next
    representative is then no more likely to be one, and Energie's was a claim that only looked like an
    action ("Aus Klimasicht reicht es nicht aus, auf E-Autos umzusteigen"); its first sentence alone
    where that is a statement of its own (:func:`_stated_claim`), else the whole post-it. The
    model-free baseline keeps whole post-its (:class:`ExtractiveDrafter`).

    >>> g = GroupBrief("x", [], [PostIt("p1", "Wasserkraftwerke an Bächen errichten. Das bringt etwas.")], 4, 9)
    >>> quote_first_sentence(g, "de").text
    '„Wasserkraftwerke an Bächen errichten.“'
    >>> g = GroupBrief("x", [], [PostIt("p1", "Réformer la politique commerciale : inscrire le climat, etc.")], 4, 9)
    >>> quote_first_sentence(g, "fr").text
    '«\xa0Réformer la politique commerciale.\xa0»'
    >>> g = GroupBrief("x", [], [PostIt("p1", "Kein Atomstrom! Solange es keine Lösung gibt, nie."),
    ...                          PostIt("p2", "Atomkraftwerke in Europa abschalten.")], 4, 9, representatives=2)
    >>> quote_first_sentence(g, "de").text  # "Kein Atomstrom!" is no action: the whole post-it
    '„Kein Atomstrom! Solange es keine Lösung gibt, nie.“'
    >>> g = GroupBrief("x", [], [PostIt("p1", "Alle Atomkraftwerke in ganz Europa und in der Schweiz bis zum Jahr 2030 "
    ...                                       "endgültig und ohne Ausnahme abschalten."),
    ...                          PostIt("p2", "Atomkraftwerke in Europa abschalten.")], 4, 9, representatives=2)
    >>> quote = quote_first_sentence(g, "de")
    >>> quote.text, quote.citations
    ('„Atomkraftwerke in Europa abschalten.“', ['p2'])
    """
    best, *others = group.postits[: max(1, group.representatives)]
    quote = _standing_quote(best, language)
    if quote is None and _says_an_action(best, language):
        quote = next(filter(None, (_standing_quote(p, language) for p in others)), None)
    elif quote is None:
        quote = _stated_claim(best, language)
    return quote or quote_sentence(group, language)


#: Fewest words of a first sentence quoted alone as a claim: a slogan ("Kein Atomstrom!") needs what follows it.
MIN_CLAIM_WORDS = 6

#: A first sentence ending on a shortened word: two letters or fewer ("z.B.") or a common abbreviation.
_ABBREVIATED = re.compile(r"\b(?:\w{1,2}|etc|bzw|usw|sog|evtl|ggf|inkl|vgl|env|approx|incl)\.$", re.IGNORECASE)


def _stated_claim(postit: PostIt, language: str) -> Sentence | None:
    """The quote of ``postit``'s first sentence where the whole is too long for a key point and that
    sentence is a statement of its own (a full stop, 6 to 15 words, not in the first person), in a
    language whose key points are actions (where they are claims, :func:`_standing_quote` takes it).
    Energie quoted „Die erneuerbare Energieerzeugung muss in Österreich auf 70 bis 80 % des Bedarfs
    gesteigert werden. Wenn nicht gibt es immer wieder Probleme!“ (22 words) whole: the proposal is
    the first sentence, the second a comment on it, which the citation still shows.

    >>> long = ("Die Energieerzeugung muss auf 80 % gesteigert werden. "
    ...         "Sonst gibt es jeden Winter wieder große Probleme im Netz!")
    >>> _stated_claim(PostIt("p1", long), "de").text
    '„Die Energieerzeugung muss auf 80 % gesteigert werden.“'
    >>> _stated_claim(PostIt("p1", "Kein Atomstrom! Solange es keine Lösung für den Atommüll gibt, nie und nimmer."),
    ...               "de") is None
    True
    """
    whole = shown_text(postit, language)
    sentences = split_sentences(whole)
    if base_language(language) not in ACTION_LANGUAGES or len(sentences) < 2:
        return None
    if len(whole.split()) <= MAX_KEY_POINT_WORDS:
        return None  # short enough for a key point: it keeps all it says
    first, following = sentences[0], sentences[1]
    # an abbreviation's full stop ("(sog.", "z.B.") or one typed mid-phrase ("… Elektro-LKWs. anbieten.")
    # ends no sentence: the next one then opens in lower case, or the first leaves a bracket open
    cut = following[:1].islower() or first.count("(") != first.count(")") or _ABBREVIATED.search(first)
    if (cut or not first.endswith(".") or not complete_sentence(first) or lacks_verb(first, language)
            or not clean_claim(first, MAX_KEY_POINT_WORDS, MIN_CLAIM_WORDS)):
        return None
    return _quote(first, postit, language)


def _says_an_action(postit: PostIt, language: str) -> bool:
    """Whether ``postit``'s first sentence is an action, in a language whose key points are actions."""
    return base_language(language) in ACTION_LANGUAGES and is_action(_first_sentence(postit, language), language)


def _first_sentence(postit: PostIt, language: str) -> str:
    text = shown_text(postit, language)
    return split_sentences(text)[0] if text else text


def _standing_quote(postit: PostIt, language: str) -> Sentence | None:
    """The quote of ``postit``'s first sentence, or of that sentence's first head, that stands as a key point."""
    first = _first_sentence(postit, language)
    for candidate in map(finish, (first, *heads(first, language))):
        if stands_as_key_point(candidate, language):
            return _quote(candidate, postit, language)
    return None


def stands_as_key_point(text: str, language: str) -> bool:
    """Whether ``text`` (a quote's words, without its marks) is what a key point is asked to be: one
    action phrase of 3 to :data:`~models.text.MAX_KEY_POINT_WORDS` words, or one claim that long
    where key points are claims (English argument sets).

    >>> stands_as_key_point("Taxer le kérosène des vols de loisir.", "fr")
    True
    >>> stands_as_key_point("Kein Atomstrom! Solange es keine Lösung gibt, nie.", "de")
    False
    """
    if base_language(language) in ACTION_LANGUAGES:
        return clean_action(text, language, MAX_KEY_POINT_WORDS, MIN_TAKEN_WORDS)
    return clean_claim(text, MAX_KEY_POINT_WORDS)


#: Bound on a key point's tokens (a 12-word phrase is ~25 tokens in French or German).
KEY_POINT_TOKENS = 48


#: Longest post-it shown when one is condensed (:func:`condense_ask`): its first sentences.
CONDENSED_CHARS = 400


def condense_ask(group: GroupBrief, language: str) -> Ask:
    """The ask for a group's fallback quote said as one key point: its best post-it (platform prompt
    stripped, at most :data:`CONDENSED_CHARS` characters), to be said in one action phrase (one claim
    for English arguments) of its own words. A 1.5B does this well where writing a group's shared
    idea failed: one text, nothing to choose, only to shorten.

    >>> group = GroupBrief("x", [], [PostIt("p1", "J'ai une idée ! Interdire les vols courts.")], 1, 0)
    >>> ask = condense_ask(group, "fr")
    >>> ask.step, ask.variant, ask.values
    ('keypoint', 'condense', {'postit': 'Interdire les vols courts.'})
    """
    return Ask("keypoint", "condense", language, {"postit": excerpt(best_text(group, language), CONDENSED_CHARS)},
               tokens=KEY_POINT_TOKENS)


def key_point_phrase(raw: str, axis: Axis, language: str, cut: bool = True) -> str:
    """A model's reply said as a key point: its first sentence, at most 15 words, without the axis'
    title or description (:func:`~models.text.key_point_text`), a German noun of action said as the
    action (:func:`~models.phrases.as_action`); empty when nothing is left.

    Args:
        raw: The reply.
        axis: The axis it was written for.
        language: Its language.
        cut: Cut a longer sentence at its last clause within 15 words; else a longer one gives an
            empty text (a condensed quote, whose reply is mostly the post-it copied: cut, it lost
            the words that made its sense, "… tant que des friches commerciales.").

    >>> key_point_phrase("Point clé : « Nous devrions réduire les emballages »", Axis("Consommer"), "fr")
    'Réduire les emballages.'
    >>> long = "Étendre la loi EGalim à la restauration collective privée et publique partout en France dès 2025"
    >>> key_point_phrase(long, Axis("Consommer"), "fr", cut=False)
    ''

    An English reply taking its axis' action for its subject says what it meant (argkp: 7 of 452
    key points, « Adopt atheism promotes critical thinking … »; see
    :func:`~models.phrases.said_of_its_object`):

    >>> key_point_phrase("Adopt atheism promotes critical thinking.", Axis("We should adopt atheism (pro)"), "en")
    'Atheism promotes critical thinking.'
    """
    sentence = clean_generation(raw, max_words=MAX_KEY_POINT_WORDS if cut else 3 * MAX_KEY_POINT_WORDS)
    if not cut and len(sentence.split()) > MAX_KEY_POINT_WORDS:
        return ""
    return said_of_its_object(as_action(key_point_text(sentence, axis, language), language), axis.name, language)


def taken_as_is(group: GroupBrief, language: str) -> Sentence | None:
    """The group's best post-it as its key point, when it already is one: no model call, no judge.

    It must be what a key point is asked to be: one complete action phrase of 3 to
    :data:`~models.text.MAX_KEY_POINT_WORDS` words (platform prompt stripped) in a language whose
    key points are actions, with no quote or colon (a post-it giving orders stays for the model,
    fenced). The quote is marked as such. A singular idea is never taken: one voice is no group.

    >>> g = GroupBrief("x", [], [PostIt("p1", "Il faut favoriser les circuits courts alimentaires")], 4, 9)
    >>> taken_as_is(g, "fr").text, taken_as_is(g, "fr").citations
    ('«\xa0Favoriser les circuits courts alimentaires.\xa0»', ['p1'])
    >>> taken_as_is(GroupBrief("x", [], [PostIt("p1", "Les bus sont trop chers, vraiment")], 4, 9), "fr") is None
    True
    """
    if group.singular or not group.postits or base_language(language) not in ACTION_LANGUAGES:
        return None
    return quote_sentence(group, language) if stands_as_key_point(best_text(group, language), language) else None


class ExtractiveDrafter:
    """Model-free drafter: each key point quotes its group's best post-it; it writes nothing else."""

    name = "extractive"  # models.factory.DrafterName.EXTRACTIVE (factory imports this module)
    model_id: str | None = None

    def __init__(self) -> None:
        self.settings: dict[str, Any] = {}

    def prompts_for(self, language: str) -> dict[str, Prompt]:
        """No prompt: nothing is generated."""
        return {}

    def key_points(self, requests: Sequence[PitchRequest], progress: Progress | None = None) -> list[list[Sentence]]:
        """One quote per group."""
        out = [[quote_sentence(g, r.language) for g in r.groups if g.postits] for r in requests]
        if progress:
            progress(1.0)
        return out

    def rewrite_key_points(self, requests: Sequence[PitchRequest],
                           flagged: Sequence[tuple[int, int, Sentence]]) -> list[Sentence]:
        """Nothing to write again: the sentences are quotes already."""
        return [s for _, _, s in flagged]

    def write(self, asks: Sequence[Ask], progress: Progress | None = None) -> list[str]:
        """Nothing: every slot keeps its template."""
        return [""] * len(asks)


class LLMDrafter:
    """Key points, theme names and pitch sentences written by a chat model.

    Args:
        generator: The model, on any runtime.
        variant: Key point prompt variant (``prompts/keypoint/<variant>.<lang>.txt``).
        max_postits: Post-its shown (and cited) per group: its representatives (the group's
            centre and its most-voted), as :func:`~models.labelling.representatives` orders them.
        max_chars: Longest post-it shown; a longer one is cut to its first sentence
            (:func:`~models.text.excerpt`). Prompt length, not output, is what costs most on
            a CPU (~150 prompt tokens/s on 2 cores): the bench's 300 post-its are ~12,000 tokens.
        key_point_tokens: Bound on a key point's tokens.
        batch_size: Conversations sent to the generator at once (continuous batching on
            OpenVINO: 16 prompts at once ran ~1.8x faster than two batches of 8; later batches
            reuse the cached system prompt).
    """

    def __init__(self, generator: Generator, variant: str = "default", max_postits: int = 3, max_chars: int = 160,
                 key_point_tokens: int = KEY_POINT_TOKENS, batch_size: int = 16) -> None:
        self.generator = generator
        self.name = generator.runtime
        self.model_id: str | None = generator.model_id
        self.variant = variant
        self.max_postits = max_postits
        self.max_chars = max_chars
        self.key_point_tokens = key_point_tokens
        self.batch_size = batch_size
        self.settings: dict[str, Any] = {
            **generator.settings, "variant": variant, "max_postits": max_postits, "max_chars": max_chars,
            "key_point_tokens": key_point_tokens,
        }

    def prompts_for(self, language: str) -> dict[str, Prompt]:
        """Every prompt and template a draft in ``language`` may use (recorded, with hashes, in provenance)."""
        prompts = {"keypoint": load_prompt(self.variant, language, "keypoint"),
                   "keypoint_retry": load_prompt("retry", language, "keypoint"),
                   "keypoint_retry_stance": load_prompt("retry_stance", language, "keypoint"),
                   "keypoint_condense": load_prompt("condense", language, "keypoint"),
                   "theme": load_prompt("default", language, "theme"),
                   "pitch": load_prompt("compose", language, "pitch"),
                   "pitch_ambition": load_prompt("ambition", language, "pitch"),
                   "pitch_fuse": load_prompt("fuse", language, "pitch")}
        if opens_on_verb(language):
            prompts["keypoint_retry_verb"] = load_prompt("retry_verb", language, "keypoint")
        return prompts

    def _run(self, conversations: list[Messages], tokens: int, progress: Progress | None) -> list[str]:
        out: list[str] = []
        for start in range(0, len(conversations), self.batch_size):
            out += self.generator.chat(conversations[start:start + self.batch_size], tokens)
            if progress:
                progress(min(1.0, len(out) / len(conversations)))
        return out

    def _shown(self, postit: PostIt, language: str) -> str:
        return excerpt(strip_platform_prompt(flatten(postit.text), language), self.max_chars)

    def _key_point_messages(self, request: PitchRequest, group: GroupBrief) -> Messages:
        lines = "\n".join(f"- {self._shown(p, request.language)} ({p.votes} votes)"
                           for p in group.postits[: self.max_postits])
        return load_prompt(self.variant, request.language, "keypoint").messages(
            axis=flatten(request.axis.name), description=flatten(request.axis.description or "")[: self.max_chars],
            label=flatten(group.label), keywords=", ".join(group.keywords) or "-", postits=lines,
            count=str(group.count), votes=str(group.votes))

    def key_points(self, requests: Sequence[PitchRequest], progress: Progress | None = None) -> list[list[Sentence]]:
        """One generated phrase per cluster; a singular idea (one post-it) is quoted, not rewritten,
        unless its quote would be longer than a key point (:func:`drafted_alone`).

        An empty generation is replaced by a quote too.
        """
        jobs = [(i, g) for i, r in enumerate(requests) for g in r.groups if drafted_alone(g, r.language)]
        texts = self._run([self._key_point_messages(requests[i], g) for i, g in jobs], self.key_point_tokens, progress)
        drafted = {id(g): self._key_point(requests[i], g, raw) for (i, g), raw in zip(jobs, texts, strict=True)}
        return [[drafted.get(id(g)) or quote_first_sentence(g, r.language) for g in r.groups if g.postits]
                for r in requests]

    def _key_point(self, request: PitchRequest, group: GroupBrief, raw: str) -> Sentence:
        phrase = key_point_phrase(raw, request.axis, request.language)
        cited = [p.id for p in group.postits[: self.max_postits]]
        return Sentence(phrase, cited) if phrase else quote_first_sentence(group, request.language)

    def rewrite_key_points(self, requests: Sequence[PitchRequest],
                           flagged: Sequence[tuple[int, int, Sentence]]) -> list[Sentence]:
        """Each flagged key point asked again once (see :meth:`_retry`)."""
        conversations = [self._retry(requests[i], requests[i].groups[j], draft) for i, j, draft in flagged]
        texts = self._run(conversations, self.key_point_tokens, None)
        return [self._key_point(requests[i], requests[i].groups[j], raw)
                for (i, j, _), raw in zip(flagged, texts, strict=True)]

    def _retry(self, request: PitchRequest, group: GroupBrief, draft: Sentence) -> Messages:
        """The conversation that produced a flagged draft, then the turn asking to mend it.

        The turn names what went wrong where it is known. A draft saying only its axis' stance
        (:func:`~models.phrases.says_only_its_axis`) is asked for the reason its post-its give: told
        it was unfaithful, the model wrote the stance again (8 of 12 on ``argkp``). Otherwise it is
        told to open on the post-its' own verb where one of those shown is an action ("Interdire …").

        Flagged 1.5B drafts often swapped that verb for a vaguer or opposite one ("Promouvoir la
        résilience et la diversité des terres" for post-its asking to forbid land take). Told the
        verb, the model still mostly wrote its draft again, but on ``ccc`` one more key point held
        (pitch coverage 0.211 -> 0.225). Asked afresh instead (the draft unseen), it copied the
        post-its past 15 words and the cut left clauses unfinished ("… à partir.").
        """
        return [*self._key_point_messages(request, group), {"role": "assistant", "content": draft.text},
                *self._retry_turn(request, group, flatten(draft.text))]

    def _retry_turn(self, request: PitchRequest, group: GroupBrief, draft: str) -> Messages:
        """The ``keypoint/retry*`` turn that names what is wrong with ``draft``."""
        language = request.language
        if says_only_its_axis(draft, request.axis.name, language):
            return load_prompt("retry_stance", language, "keypoint").messages(draft=draft)
        shown = [self._shown(p, language) for p in group.postits[:self.max_postits]]
        verb = next((v for text in shown if (v := leading_verb(text, language))), None)
        if verb is None:
            return load_prompt("retry", language, "keypoint").messages(draft=draft)
        return load_prompt("retry_verb", language, "keypoint").messages(draft=draft, verb=capitalised(verb))

    def write(self, asks: Sequence[Ask], progress: Progress | None = None) -> list[str]:
        """Each ask's prompt, filled, sent as one conversation, all in one batch bounded by the
        longest ask's tokens (a reply ends at its end token, and one call per bound cost a round
        trip each)."""
        if not asks:
            return []
        conversations = [load_prompt(a.variant, a.language, a.step).messages(**a.values) for a in asks]
        return self._run(conversations, max(a.tokens for a in asks), progress)

"""What a drafted key point must pass, in order, and what failing each rule costs it.

A key point the 1.5B writes is checked here before and after the judge (``models.pipeline``). The
first rule it fails decides its fate:

- **quote**: quoted from its group at once, with no second try. Asked again, the model wrote another
  formula of its own (2 of 2 on ``ccc``) or copied another post-it as clumsily, and the round of
  calls cost the bench's first axis 15.6 → 19.5 s;
- **rewrite**: asked once more (with the judge's flags); quoted if the second draft still fails;
- **rewrite, then quote an action**: asked once more; if the second draft still fails, the group's
  fallback quote takes its place only where that quote is one action phrase itself (one claim where
  key points are claims: :func:`~models.drafting.stands_as_key_point`) and says more than its axis:
  a long quote is no key point either, and the bare stance quoted is no better than drafted.

A quote passes every rule: it is its post-it's words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from models.drafting import GroupBrief, stands_as_key_point
from models.language import base_language
from models.phrases import (
    ACTION_LANGUAGES,
    echoes_task,
    invents_a_purpose,
    invents_its_object,
    is_action,
    lacks_verb,
    says_only_its_axis,
    stops_short,
    strays,
)
from models.text import complete_sentence, unquoted
from models.types import Axis, Sentence


class Remedy(StrEnum):
    """What a key point failing a rule gets."""

    QUOTE = "quote"
    REWRITE = "rewrite"
    REWRITE_THEN_QUOTE_AN_ACTION = "rewrite, then quote an action"


@dataclass(frozen=True)
class Drafted:
    """A drafted key point and what it is checked against: its group and its axis."""

    sentence: Sentence
    group: GroupBrief
    axis: Axis
    language: str

    @property
    def postits(self) -> list[str]:
        """The texts of the group's post-its."""
        return [p.text for p in self.group.postits]


def keeps_to_its_words(d: Drafted) -> bool:
    """Says its group in words the group uses (fixes a draft that names another idea).

    >>> from models.types import PostIt
    >>> group = GroupBrief("x", [], [PostIt("p", "Il faut taxer le kérosène des avions")], 1, 0)
    >>> keeps_to_its_words(Drafted(Sentence("Promouvoir la sobriété numérique.", []), group, Axis("Se déplacer"), "fr"))
    False
    """
    return not strays(d.sentence.text, d.postits, d.language)


def goes_to_the_end(d: Drafted) -> bool:
    """Does not copy a post-it's opening and stop where its phrase goes on (fixes "… qui soit en capacité.").

    >>> from models.types import PostIt
    >>> group = GroupBrief("x", [], [PostIt("p", "Il faut établir une TVA allégée sur les produits conçus en "
    ...                                        "économie circulaire")], 1, 0)
    >>> draft = Sentence("Établir une TVA allégée sur les produits conçus.", [])
    >>> goes_to_the_end(Drafted(draft, group, Axis("A"), "fr"))
    False
    """
    return not stops_short(d.sentence.text, d.postits, d.language)


def is_complete(d: Drafted) -> bool:
    """Reads as a finished sentence (fixes « … dans les zones marines pour protéger. », a purpose
    without its object; see :func:`~models.text.complete_sentence`).

    >>> group = GroupBrief("x", [], [], 1, 0)
    >>> draft = Sentence("Limiter la pêche dans les zones marines pour protéger.", [])
    >>> is_complete(Drafted(draft, group, Axis("A"), "fr"))
    False
    """
    return complete_sentence(d.sentence.text)


def no_task_echo(d: Drafted) -> bool:
    """Repeats no word of the instruction that neither the axis nor the post-its say (fixes "Activer
    l'infinitif de l'éducation environnementale.").

    >>> from models.types import PostIt
    >>> group = GroupBrief("x", [], [PostIt("p", "Éduquer à l'environnement")], 1, 0)
    >>> no_task_echo(Drafted(Sentence("Activer l'infinitif de l'éducation.", []), group, Axis("Éduquer"), "fr"))
    False
    """
    sources = [d.axis.name, d.axis.description, *d.postits]
    return not echoes_task(d.sentence.text, sources, d.language)


def no_purpose_of_its_own(d: Drafted) -> bool:
    """Goes on to no purpose or second action its group never speaks of (fixes « Imposer un cahier
    des charges plus strict aux entreprises pour favoriser la réduction des coûts. », the costs the
    model's own).

    >>> from models.types import PostIt
    >>> group = GroupBrief("x", [], [PostIt("p", "Il faut imposer un cahier des charges aux entreprises")], 1, 0)
    >>> draft = Sentence("Imposer un cahier des charges aux entreprises pour réduire les coûts.", [])
    >>> no_purpose_of_its_own(Drafted(draft, group, Axis("A"), "fr"))
    False
    """
    return not invents_a_purpose(d.sentence.text, d.postits, d.language)


def names_its_groups_object(d: Drafted) -> bool:
    """Acts first on something its group names (fixes « Promouvoir la diversité alimentaire … » for
    post-its on local organic farming); only where key points are actions: an English claim opens on
    its subject, not its verb.

    >>> from models.types import PostIt
    >>> group = GroupBrief("x", [], [PostIt("p", "Il faut une agriculture locale et biologique")], 1, 0)
    >>> draft = Sentence("Promouvoir la diversité alimentaire et l'agriculture biologique.", [])
    >>> names_its_groups_object(Drafted(draft, group, Axis("A"), "fr"))
    False
    """
    return (base_language(d.language) not in ACTION_LANGUAGES
            or not invents_its_object(d.sentence.text, d.postits, d.language))


def keeps_its_verb(d: Drafted) -> bool:
    """Has the verb its sentence needs (fixes "Die Energieerzeugung muss … gesteigert.").

    >>> group = GroupBrief("x", [], [], 1, 0)
    >>> keeps_its_verb(Drafted(Sentence("Die Energieerzeugung muss auf 80 % gesteigert.", []), group, Axis("A"), "de"))
    False
    """
    return not lacks_verb(d.sentence.text, d.language)


def says_more_than_its_axis(d: Drafted) -> bool:
    """Says something its axis' name does not (fixes « We should not ban human cloning. » for 43
    arguments saying why, under "We should ban human cloning (con)": 12 of 452 argkp key points;
    see :func:`~models.phrases.says_only_its_axis`).

    >>> from models.types import PostIt
    >>> group = GroupBrief("x", [], [PostIt("p", "cloning could cure genetic diseases")], 1, 0)
    >>> axis = Axis("We should ban human cloning (con)")
    >>> says_more_than_its_axis(Drafted(Sentence("We should not ban human cloning.", []), group, axis, "en"))
    False
    >>> says_more_than_its_axis(Drafted(Sentence("Cloning could cure genetic diseases.", []), group, axis, "en"))
    True
    """
    return not says_only_its_axis(d.sentence.text, d.axis.name, d.language)


def says_an_action(d: Drafted) -> bool:
    """An action phrase where key points are actions (French, German); English key points of
    argument sets may be claims (fixes "Klimaschutzmaßnahmen verankert werden").

    >>> group = GroupBrief("x", [], [], 1, 0)
    >>> says_an_action(Drafted(Sentence("Élevage en petite structure.", []), group, Axis("A"), "fr"))
    False
    >>> says_an_action(Drafted(Sentence("Homeschooling is a right.", []), group, Axis("A"), "en"))
    True
    """
    return base_language(d.language) not in ACTION_LANGUAGES or is_action(d.sentence.text, d.language)


def stands_in_for(fallback: Sentence, axis: Axis, language: str) -> bool:
    """Whether a group's fallback quote may take the place of a draft that failed a "rewrite, then
    quote an action" rule twice: one key point itself (:func:`~models.drafting.stands_as_key_point`)
    that says more than its axis (the stance quoted is no better than drafted).

    >>> axis = Axis("We should ban human cloning (con)")
    >>> stands_in_for(Sentence("“Cloning could cure genetic diseases.”", [], quoted=True), axis, "en")
    True
    >>> stands_in_for(Sentence("“We should not ban human cloning.”", [], quoted=True), axis, "en")
    False
    """
    text = unquoted(fallback.text)
    return stands_as_key_point(text, language) and not says_only_its_axis(text, axis.name, language)


Rule = Callable[[Drafted], bool]

#: What a drafted key point must pass, in order; the first it fails decides its :class:`Remedy`.
KEY_POINT_RULES: tuple[tuple[str, Rule, Remedy], ...] = (
    ("keeps to its group's words", keeps_to_its_words, Remedy.QUOTE),
    ("goes to the end of its phrase", goes_to_the_end, Remedy.QUOTE),
    ("is a complete sentence", is_complete, Remedy.REWRITE),
    ("no task echo", no_task_echo, Remedy.REWRITE),
    ("no purpose of its own", no_purpose_of_its_own, Remedy.REWRITE),
    ("names its group's object", names_its_groups_object, Remedy.REWRITE),
    ("keeps its verb", keeps_its_verb, Remedy.REWRITE),
    ("says more than its axis", says_more_than_its_axis, Remedy.REWRITE_THEN_QUOTE_AN_ACTION),
    ("says an action", says_an_action, Remedy.REWRITE_THEN_QUOTE_AN_ACTION),
)


def failed_rule(d: Drafted, rules: Sequence[tuple[str, Rule, Remedy]] = KEY_POINT_RULES) -> tuple[str, Remedy] | None:
    """The name and remedy of the first rule a drafted key point fails; ``None`` for a quote or a pass.

    >>> from models.types import PostIt
    >>> group = GroupBrief("x", [], [PostIt("p", "Il faut interdire l'élevage en batterie au profit de "
    ...                                        "l'élevage en petite structure")], 1, 0)
    >>> failed_rule(Drafted(Sentence("Élevage en petite structure.", []), group, Axis("Élevage"), "fr"))
    ('says an action', <Remedy.REWRITE_THEN_QUOTE_AN_ACTION: 'rewrite, then quote an action'>)
    >>> failed_rule(Drafted(Sentence("« Élevage. »", [], quoted=True), group, Axis("Élevage"), "fr")) is None
    True
    """
    if d.sentence.quoted:
        return None
    return next(((name, remedy) for name, rule, remedy in rules if not rule(d)), None)

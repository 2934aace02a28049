"""Prompt templates: ``prompts/<step>/<variant>.<lang>.txt``, filled with ``string.Template``.

Steps: ``keypoint`` (one action phrase per group of post-its, its ``retry``
follow-up turn for a flagged draft, ``retry_verb`` naming the post-its' verb and
``retry_stance`` asking a draft that only restates its axis for the post-its' reason,
and ``condense``: one long quoted post-it said as one action phrase), ``theme`` (a name for a theme's key points),
``pitch`` (``ambition`` and ``fuse``: the pieces of a pitch the model writes, and
``compose``: the fixed sentences a piece falls back on), ``verify`` (the judge's
question). A template holds a ``system:`` block and a ``user:`` block separated by a
line holding only ``---`` (a follow-up turn has only ``user:``). Every draft records
each prompt's id and SHA-256, so it can be traced to the exact wording that produced it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from string import Template

PROMPT_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Prompt:
    """A loaded prompt template.

    Attributes:
        id: ``pitch/fuse.fr`` style identifier.
        system: System message template.
        user: User message template.
        sha256: Digest of the template file's bytes.
    """

    id: str
    system: str
    user: str
    sha256: str

    def messages(self, **values: str) -> list[dict[str, str]]:
        """Chat messages with every ``$placeholder`` substituted (missing ones raise)."""
        user = {"role": "user", "content": Template(self.user).substitute(values).strip()}
        if not self.system:
            return [user]
        return [{"role": "system", "content": Template(self.system).substitute(values).strip()}, user]


def load_prompt(variant: str = "default", language: str = "fr", family: str = "keypoint") -> Prompt:
    """Load ``prompts/<family>/<variant>.<language>.txt``; English when the language is missing.

    Raises:
        FileNotFoundError: Neither the language nor English exists for the variant.
    """
    lang = language.split("-")[0].lower()
    path = PROMPT_DIR / family / f"{variant}.{lang}.txt"
    if not path.exists():
        lang = "en"
        path = PROMPT_DIR / family / f"{variant}.en.txt"
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    system, _, user = text.partition("\n---\n") if "\n---\n" in text else ("", "", text)
    return Prompt(
        id=f"{family}/{variant}.{lang}",
        system=system.removeprefix("system:").strip(),
        user=user.removeprefix("user:").strip(),
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def load_templates(language: str = "fr", variant: str = "compose",
                   family: str = "pitch", alternative: int = 0) -> tuple[Prompt, dict[str, str]]:
    """The sentence templates of ``prompts/<family>/<variant>.<language>.txt``: ``name = template`` lines.

    The words a composed pitch is made of live beside the prompts, so they are in the provenance
    hash too; ``#`` lines are comments. A template may list alternatives separated by ``" | "``:
    ``alternative`` picks one, cycling (a synthesis' ``n``-th axis takes the ``n``-th, so pitches
    read out one after another do not all end on the same words).

    >>> prompt, templates = load_templates("fr")
    >>> prompt.id, templates["one_2"]
    ('pitch/compose.fr', '$a : la salle y tient aussi.')
    >>> load_templates("fr", alternative=1)[1]["one_2"], load_templates("fr", alternative=2)[1]["one_2"]
    ('$a : la salle y est attachée elle aussi.', '$a : la salle y tient aussi.')
    """
    prompt = load_prompt(variant, language, family)
    pairs = (line.split("=", 1) for line in prompt.user.splitlines() if "=" in line and not line.startswith("#"))
    templates: dict[str, str] = {}
    for name, value in pairs:
        choices = [choice.strip() for choice in value.split(" | ")]
        templates[name.strip()] = choices[alternative % len(choices)]
    return prompt, templates

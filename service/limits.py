"""Bounds on every stored field, defined once (schemas and services both read them).

PostgreSQL ``integer`` holds up to 2**31 - 1 and refuses NUL bytes; names and ids are
``varchar(200)``. Control characters other than newline and tab are refused everywhere: they
break exports (DOCX cannot hold them) and hide text from reviewers; so are bidirectional
overrides and zero-width characters, which make a text read otherwise than it is.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

import msgspec

from models.language import LANGUAGES

MAX_VOTES = 2**31 - 1
MAX_NAME = 200
MAX_DESCRIPTION = 2000
MAX_AXES = 50
# Besides C0 controls: bidirectional overrides and isolates (U+202A-202E, U+2066-2069, and the
# LRM/RLM marks) reorder what a reviewer sees ("Trojan source"), and zero-width characters
# (U+200B, U+2060, U+FEFF) hide text or split words; French, English and German need none of them.
_FORBIDDEN = r"\x00-\x08\x0b-\x1f\x7f\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
NO_CONTROL = rf"^[^{_FORBIDDEN}]*$"
_CONTROL = re.compile(rf"[{_FORBIDDEN}]")

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NAME, pattern=NO_CONTROL)]
ShortText = Annotated[str, msgspec.Meta(max_length=MAX_NAME, pattern=NO_CONTROL)]
Description = Annotated[str, msgspec.Meta(max_length=MAX_DESCRIPTION, pattern=NO_CONTROL)]
Votes = Annotated[int, msgspec.Meta(ge=0, le=MAX_VOTES)]
PostItText = Annotated[str, msgspec.Meta(pattern=NO_CONTROL)]  # its length limit is a setting
#: One participant's vote, on a post-it or a room's item: agree, disagree, pass.
Vote = Literal[1, -1, 0]
#: A workshop's language: one of ``models.language.LANGUAGES``.
Language = Annotated[str, msgspec.Meta(pattern=f"^({'|'.join(LANGUAGES)})$")]


def control_character(value: str | None) -> str | None:
    """The first forbidden control character of ``value`` (as ``U+XXXX``), or ``None``.

    >>> control_character("ligne\\nsuivante\\tonglet"), control_character("a\\x00b")
    (None, 'U+0000')
    >>> control_character("facture\\u202egnp.exe"), control_character("zéro\\u200blargeur")
    ('U+202E', 'U+200B')
    """
    found = _CONTROL.search(value or "")
    return f"U+{ord(found.group()):04X}" if found else None


def normalise_newlines(value: str) -> str:
    """``\\r\\n`` and lone ``\\r`` become ``\\n`` (CSV from Windows tools)."""
    return value.replace("\r\n", "\n").replace("\r", "\n")

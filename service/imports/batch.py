"""What a platform export becomes before it is stored, and the errors that name file and line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec

from models.inputs import InputError, decode
from service.errors import bad_request, too_large
from service.limits import MAX_NAME, normalise_newlines
from service.workshops.schemas import PostItIn


@dataclass
class Conversation:
    """One conversation (Polis) or category (Decidim), imported as one axis.

    Attributes:
        axis: The axis name (a conversation's ``topic``, a proposal's category).
        description: The axis description, where the export has one.
        items: Its post-its, each with a source id (``external_id``).
        votes: Per-participant votes ``(external_id, voter, value)``, value 1, -1 or 0.
        left_out: Rows not imported, by reason (``moderated``, ``withdrawn``...).
        attribution: Credit line the source's licence asks for.
    """

    axis: str
    description: str = ""
    items: list[PostItIn] = field(default_factory=list)
    votes: list[tuple[str, str, int]] = field(default_factory=list)
    left_out: dict[str, int] = field(default_factory=dict)
    attribution: str = ""


def text_of(data: bytes, name: str) -> str:
    """UTF-8 text of an export file (``models.inputs.decode``), or a 400 naming the file and line."""
    try:
        return normalise_newlines(decode(data, name))
    except InputError as err:
        raise bad_request(str(err), name, err.line) from None


def rows(text: str, name: str, required: tuple[str, ...], delimiter: str = ",") -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` of a CSV export; a 400 naming file and line for a missing column or a bad row."""
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in required if c not in header]
    if missing:
        raise bad_request(f"{name} line 1: missing column(s) {', '.join(missing)}", name, 1)
    reader.fieldnames = header
    try:
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
    except csv.Error as err:
        raise bad_request(f"{name} line {reader.line_num}: {err}", name, reader.line_num) from None


def integer(value: str, name: str, line: int, column: str, default: int | None = None) -> int:
    """An integer cell, or a 400 naming file, line and column."""
    if value == "" and default is not None:
        return default
    try:
        return int(value)
    except ValueError:
        pass
    try:
        number = float(value)  # some exports write counts as "12.0"
    except ValueError:
        number = float("nan")
    if number.is_integer():
        return int(number)
    raise bad_request(f"{name} line {line}: {column}: {value!r} is not a whole number",
                      f"{name}:{line}:{column}", line)


def postit(record: dict[str, Any], name: str, line: int, max_text: int) -> PostItIn:
    """A row as a post-it, through the same schema (and bounds) as the JSON API."""
    text = str(record.get("text", ""))
    if not text.strip():
        raise bad_request(f"{name} line {line}: empty text", f"{name}:{line}:text", line)
    if len(text) > max_text:
        raise too_large(f"{name} line {line}: text longer than {max_text} characters (ATELIER_MAX_TEXT_LENGTH)",
                        f"{name}:{line}:text")
    try:
        return msgspec.convert(record, PostItIn)
    except msgspec.ValidationError as err:
        message, _, path = str(err).partition(" - at `$")
        column = path.rstrip("`").lstrip(".")
        raise bad_request(f"{name} line {line}: {column}: {message}", f"{name}:{line}:{column}", line) from None


def check_size(conversations: Sequence[Conversation], limit: int) -> None:
    """An import holds at most ``limit`` post-its (``ATELIER_MAX_IMPORT_POSTITS``; 413 otherwise)."""
    total = sum(len(c.items) for c in conversations)
    if total > limit:
        raise too_large(f"{total} post-its in one import; the limit is {limit} (ATELIER_MAX_IMPORT_POSTITS)",
                        "postits")


def axis_name(value: str, fallback: str) -> str:
    """An axis name that fits (first line, capped), or ``fallback``."""
    first = (value.strip().splitlines() or [""])[0].strip()
    return (first or fallback)[:MAX_NAME]

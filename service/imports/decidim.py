"""Decidim proposal exports (CSV, ``;``-separated), one axis per category or taxonomy.

Columns follow ``Decidim::Proposals::ProposalSerializer`` as flattened by Decidim's CSV exporter
(``key/subkey`` for nested hashes). Two generations are read:

- 0.27/0.28: ``category/name/<locale>`` names the axis; ``supports`` (0.27) or ``votes`` (0.28),
  else ``endorsements/total_count``, counts; ``state`` ``withdrawn`` marks a withdrawn proposal.
- 0.30 and later: categories became taxonomies, flattened as ``taxonomies/ids`` and one
  ``taxonomies/<id>/<locale>`` column set per taxonomy; endorsements became ``likes/total_count``;
  ``withdrawn`` is its own ``true``/``false`` column; bodies are already plain text.

Withdrawn and rejected proposals are left out and counted.
"""

from __future__ import annotations

import html
import re

from models.language import profile
from service.errors import bad_request
from service.imports.batch import Conversation, axis_name, integer, postit, rows, text_of

VOTE_COLUMNS = ("votes", "supports", "likes/total_count", "endorsements/total_count")
LEFT_OUT_STATES = {"withdrawn", "rejected"}
# ``[^<>]`` rather than ``[^>]``: a run of ``<`` without ``>`` made the old pattern rescan the rest
# of the cell from every ``<`` (quadratic, holding the GIL: 260 KB froze the process 5 s).
_TAG = re.compile(r"<[^<>]*>")
_TAXONOMY = re.compile(r"taxonomies/(\d+)/(\w[\w-]*)$")
# Decidim's exporter prefixes cells starting with = + - @ with a quote (spreadsheet injection guard).
_GUARDED = re.compile(r"^'(?=[=+\-@])")
RAW_FACTOR = 4  # a raw cell may hold markup: read up to 4× the text limit of it, never more


def plain(value: str, limit: int | None = None) -> str:
    """Decidim bodies are HTML in older versions: tags dropped, entities decoded, spaces folded.

    Args:
        value: A raw cell.
        limit: Characters of the raw cell read at most (the rest could only be cut off later).

    >>> plain("<p>Des pistes&nbsp;cyclables</p><p>partout</p>")
    'Des pistes cyclables partout'
    >>> plain("<<<<a<b>c")
    '<<<<a c'
    """
    raw = value if limit is None else value[:limit]
    return _GUARDED.sub("", " ".join(html.unescape(_TAG.sub(" ", raw)).split()))


def _localised(header: list[str], stem: str, locale: str) -> str | None:
    """The ``stem/<locale>`` column, else the first ``stem/...`` one, else ``stem`` itself."""
    for column in (f"{stem}/{locale}", *(h for h in header if h.startswith(stem + "/")), stem):
        if column in header:
            return column
    return None


def _taxonomy_columns(header: list[str], locale: str) -> list[str]:
    """0.30's ``taxonomies/<id>/<locale>`` columns, the export's locale first within each taxonomy."""
    found = [(m[1], m[2] != locale, h) for h in header if (m := _TAXONOMY.match(h))]
    return [h for _, _, h in sorted(found, key=lambda f: (int(f[0]), f[1]))]


def _axis(row: dict[str, str], category: str | None, taxonomies: list[str]) -> str:
    """The row's category name (0.27/0.28), else the first taxonomy name it carries (0.30)."""
    named = row.get(category, "") if category else ""
    return named or next((row[c] for c in taxonomies if row.get(c)), "")


def _left_out(row: dict[str, str]) -> str | None:
    state = row.get("state", "").lower()
    if row.get("withdrawn", "").lower() in ("true", "1"):
        return "withdrawn"
    return state if state in LEFT_OUT_STATES else None


def conversations(data: bytes, locale: str, max_text: int, name: str = "proposals.csv") -> list[Conversation]:
    """The proposals of a Decidim export grouped by category (or taxonomy), in first-seen order."""
    text = text_of(data, name)
    header = [h.strip() for h in text.split("\n", 1)[0].split(";")]
    title, body = _localised(header, "title", locale), _localised(header, "body", locale)
    present = [c for c in VOTE_COLUMNS if c in header]
    category, taxonomies = _localised(header, "category/name", locale), _taxonomy_columns(header, locale)
    if title is None:
        raise bad_request(f"{name} line 1: missing column title/<locale> (a Decidim proposals export, ';'-separated)",
                          name, 1)
    fallback, raw_limit = profile(locale).no_category, RAW_FACTOR * max_text
    by_axis: dict[str, Conversation] = {}
    for line, row in rows(text, name, ("id",), delimiter=";"):
        axis = axis_name(_axis(row, category, taxonomies), fallback)
        group = by_axis.setdefault(axis, Conversation(axis, attribution="Decidim proposals export"))
        if reason := _left_out(row):
            group.left_out[reason] = group.left_out.get(reason, 0) + 1
            continue
        words = " : ".join(part for part in (plain(row.get(title, ""), raw_limit),
                                             plain(row.get(body, ""), raw_limit) if body else "") if part)
        votes = next((c for c in present if row.get(c)), None)  # 0.30 leaves ``votes`` empty when hidden
        record = {"text": words if len(words) <= max_text else words[: max_text - 1] + "…",
                  "votes": integer(row.get(votes, "") if votes else "", name, line, votes or "votes", default=0),
                  "external_id": f"decidim:{integer(row['id'], name, line, 'id')}"}
        group.items.append(postit(record, name, line, max_text))
    return list(by_axis.values())

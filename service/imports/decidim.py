"""Decidim proposal exports (CSV, ``;``-separated), one axis per category.

Columns follow ``Decidim::Proposals::ProposalSerializer`` as flattened by Decidim's CSV exporter
(0.27, and 0.28 where ``supports`` became ``votes``): ``id``, ``title/<locale>``,
``body/<locale>``, ``votes`` (or ``supports``, or ``endorsements/total_count``),
``category/name/<locale>``, ``state``. Withdrawn and rejected proposals are left out and counted.
"""

from __future__ import annotations

import html
import re

from service.errors import bad_request
from service.imports.batch import Conversation, axis_name, integer, postit, rows, text_of

VOTE_COLUMNS = ("votes", "supports", "endorsements/total_count")
LEFT_OUT_STATES = {"withdrawn", "rejected"}
NO_CATEGORY = {"fr": "Sans catégorie", "en": "Uncategorised", "de": "Ohne Kategorie"}
_TAG = re.compile(r"<[^>]+>")


def plain(value: str) -> str:
    """Decidim bodies are HTML in older versions: tags dropped, entities decoded, spaces folded.

    >>> plain("<p>Des pistes&nbsp;cyclables</p><p>partout</p>")
    'Des pistes cyclables partout'
    """
    return " ".join(html.unescape(_TAG.sub(" ", value)).split())


def _localised(header: list[str], stem: str, locale: str) -> str | None:
    """The ``stem/<locale>`` column, else the first ``stem/...`` one, else ``stem`` itself."""
    for column in (f"{stem}/{locale}", *(h for h in header if h.startswith(stem + "/")), stem):
        if column in header:
            return column
    return None


def conversations(data: bytes, locale: str, max_text: int, name: str = "proposals.csv") -> list[Conversation]:
    """The proposals of a Decidim export grouped by category, in first-seen order."""
    text = text_of(data, name)
    header = [h.strip() for h in text.split("\n", 1)[0].split(";")]
    title, body = _localised(header, "title", locale), _localised(header, "body", locale)
    votes = next((c for c in VOTE_COLUMNS if c in header), None)
    category = _localised(header, "category/name", locale)
    if title is None:
        raise bad_request(f"{name} line 1: missing column title/<locale> (a Decidim proposals export, ';'-separated)",
                          name, 1)
    by_axis: dict[str, Conversation] = {}
    for line, row in rows(text, name, ("id",), delimiter=";"):
        state = row.get("state", "").lower()
        axis = axis_name(row.get(category, "") if category else "", NO_CATEGORY.get(locale, NO_CATEGORY["en"]))
        group = by_axis.setdefault(axis, Conversation(axis, attribution="Decidim proposals export"))
        if state in LEFT_OUT_STATES:
            group.left_out[state] = group.left_out.get(state, 0) + 1
            continue
        words = " : ".join(part for part in (plain(row.get(title, "")), plain(row.get(body, "") if body else ""))
                           if part)
        record = {"text": words if len(words) <= max_text else words[: max_text - 1] + "…",
                  "votes": integer(row.get(votes, "") if votes else "", name, line, votes or "votes", default=0),
                  "external_id": f"decidim:{integer(row['id'], name, line, 'id')}"}
        group.items.append(postit(record, name, line, max_text))
    return list(by_axis.values())

"""Polis exports (``compdemocracy/openData`` layout): one conversation per folder, one axis each.

Files of a conversation: ``comments.csv`` (required), ``summary.csv`` (its ``topic`` names the
axis), and the votes in ``votes.csv`` or, where that is absent, ``participants-votes.csv``.
Comments the moderator rejected (``moderated = -1``) are left out and counted.
"""

from __future__ import annotations

import csv
import io
import posixpath
from collections.abc import Mapping

from service.errors import bad_request
from service.imports.batch import Conversation, axis_name, integer, postit, rows, text_of

REJECTED = -1
VOTE_VALUES = {-1, 0, 1}


def conversations(files: Mapping[str, bytes], max_text: int = 2000) -> list[Conversation]:
    """Every conversation in ``files`` (paths to contents), one per folder holding a ``comments.csv``."""
    folders = sorted({posixpath.dirname(p) for p in files if posixpath.basename(p) == "comments.csv"})
    if not folders:
        raise bad_request("no comments.csv in the upload: send a Polis export (comments.csv, summary.csv, "
                          "votes.csv or participants-votes.csv)", "comments.csv")
    return [conversation(folder, files, max_text) for folder in folders]


def _file(folder: str, name: str) -> str:
    return posixpath.join(folder, name) if folder else name


def summary(folder: str, files: Mapping[str, bytes]) -> dict[str, str]:
    """``summary.csv``'s key/value rows (``topic``, ``url``, ``conversation-description``...)."""
    name = _file(folder, "summary.csv")
    if name not in files:
        return {}
    return {r[0].strip(): r[1].strip() for r in csv.reader(io.StringIO(text_of(files[name], name), newline=""))
            if len(r) >= 2}


def conversation(folder: str, files: Mapping[str, bytes], max_text: int = 2000) -> Conversation:
    """One conversation: its comments as post-its with agree/disagree counts, and its votes."""
    info = summary(folder, files)
    key = info.get("url", "").rstrip("/").rsplit("/", 1)[-1] or posixpath.basename(folder) or "polis"
    url = info.get("url", "")
    # The description's first paragraph says what the conversation is about; the rest is about
    # the platform (phases, links to other conversations) and only distracts the drafting model.
    about = info.get("conversation-description", "").strip().split("\n\n", 1)[0]
    out = Conversation(axis_name(info.get("topic", ""), posixpath.basename(folder) or "Polis"),
                       description=about[:2000],
                       attribution=f"Polis (compdemocracy.org/polis), CC BY 4.0, {url}".rstrip(", "))
    name = _file(folder, "comments.csv")
    kept: dict[str, str] = {}
    columns = ("comment-id", "comment-body", "agrees", "disagrees", "moderated")
    for line, row in rows(text_of(files[name], name), name, columns):
        if integer(row["moderated"], name, line, "moderated", default=0) == REJECTED:
            out.left_out["moderated"] = out.left_out.get("moderated", 0) + 1
            continue
        source = f"polis:{key}:{integer(row['comment-id'], name, line, 'comment-id')}"
        agrees = integer(row["agrees"], name, line, "agrees", default=0)
        out.items.append(postit({"text": row["comment-body"], "votes": agrees, "agrees": agrees,
                                 "disagrees": integer(row["disagrees"], name, line, "disagrees", default=0),
                                 "external_id": source}, name, line, max_text))
        kept[row["comment-id"]] = source
    out.votes = votes(folder, files, key, kept)
    return out


def votes(folder: str, files: Mapping[str, bytes], key: str, kept: Mapping[str, str]) -> list[tuple[str, str, int]]:
    """Per-participant votes on kept comments; a later vote of the same voter replaces an earlier one."""
    found: dict[tuple[str, str], int] = {}
    name = _file(folder, "votes.csv")
    if name in files:
        for line, row in rows(text_of(files[name], name), name, ("comment-id", "voter-id", "vote")):
            value = _vote(row["vote"], name, line)
            if row["comment-id"] in kept and value is not None:
                found[(kept[row["comment-id"]], f"{key}:{row['voter-id']}")] = value
        return [(c, v, value) for (c, v), value in found.items()]
    name = _file(folder, "participants-votes.csv")
    if name in files:
        for line, row in rows(text_of(files[name], name), name, ("participant",)):
            for comment, source in kept.items():
                value = _vote(row.get(comment, ""), name, line)
                if value is not None:
                    found[(source, f"{key}:{row['participant']}")] = value
    return [(c, v, value) for (c, v), value in found.items()]


def _vote(value: str, name: str, line: int) -> int | None:
    if value == "":
        return None
    vote = integer(value, name, line, "vote")
    if vote not in VOTE_VALUES:
        raise bad_request(f"{name} line {line}: vote {vote} is not 1, -1 or 0", f"{name}:{line}:vote", line)
    return vote

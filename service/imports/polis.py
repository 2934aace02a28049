"""Polis exports (``compdemocracy/openData`` layout): one conversation per folder, one axis each.

Files of a conversation: ``comments.csv`` (required), ``summary.csv`` (its ``topic`` names the
axis), and the votes in ``votes.csv`` or, where that is absent, ``participants-votes.csv``.
Comments the moderator rejected (``moderated = -1``) are left out and counted.

Bounds come before work: the post-it count is checked before any vote is read, and a votes
file's cells (rows, or rows x columns for ``participants-votes.csv``) are counted from its line
breaks before it is parsed. Exports write an agree as +1 (Polis' own database stores it as -1):
the votes are checked against ``comments.csv``'s ``agrees``/``disagrees``, and an export whose
signs are inverted is refused, naming the file.
"""

from __future__ import annotations

import csv
import io
import posixpath
from collections.abc import Mapping

from service.errors import bad_request, too_large
from service.imports.batch import Conversation, axis_name, check_size, integer, postit, rows, text_of

REJECTED = -1
VOTE_VALUES = {-1, 0, 1}
SIGN_EVIDENCE = 5  # comments whose majority is clear on both sides before inverted signs are called


def conversations(files: Mapping[str, bytes], max_text: int = 2000, max_postits: int = 20_000,
                  max_votes: int = 5_000_000) -> list[Conversation]:
    """Every conversation in ``files`` (paths to contents), one per folder holding a ``comments.csv``.

    Args:
        files: Paths to contents.
        max_text: Longest post-it text.
        max_postits: Most post-its in all conversations, checked before any vote is read.
        max_votes: Most vote cells one votes file may hold, checked before it is parsed.
    """
    folders = sorted({posixpath.dirname(p) for p in files if posixpath.basename(p) == "comments.csv"})
    if not folders:
        raise bad_request("no comments.csv in the upload: send a Polis export (comments.csv, summary.csv, "
                          "votes.csv or participants-votes.csv)", "comments.csv")
    found = [conversation(folder, files, max_text) for folder in folders]
    check_size([c for c, _, _ in found], max_postits)
    for (out, key, kept), folder in zip(found, folders, strict=True):
        out.votes, name = votes(folder, files, key, kept, max_votes)
        _check_signs(out, name)
    return [c for c, _, _ in found]


def _file(folder: str, name: str) -> str:
    return posixpath.join(folder, name) if folder else name


def summary(folder: str, files: Mapping[str, bytes]) -> dict[str, str]:
    """``summary.csv``'s key/value rows (``topic``, ``url``, ``conversation-description``...)."""
    name = _file(folder, "summary.csv")
    if name not in files:
        return {}
    return {r[0].strip(): r[1].strip() for r in csv.reader(io.StringIO(text_of(files[name], name), newline=""))
            if len(r) >= 2}


def conversation(folder: str, files: Mapping[str, bytes], max_text: int = 2000,
                 ) -> tuple[Conversation, str, dict[str, str]]:
    """One conversation's comments as post-its with agree/disagree counts; its votes are read later.

    Returns:
        The conversation, its key (voter ids are prefixed with it), and its kept comment ids
        mapped to their source ids.
    """
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
    return out, key, kept


def _bounded(text: str, name: str, per_line: int, max_votes: int) -> str:
    """``text`` when its lines x ``per_line`` cells stay within ``max_votes``; else 413, before parsing."""
    cells = text.count("\n") * per_line
    if cells > max_votes:
        raise too_large(f"{name}: {cells} vote cells; the limit is {max_votes} (ATELIER_MAX_IMPORT_VOTES)", name)
    return text


def votes(folder: str, files: Mapping[str, bytes], key: str, kept: Mapping[str, str],
          max_votes: int = 5_000_000) -> tuple[list[tuple[str, str, int]], str]:
    """Per-participant votes on kept comments, and the file they came from.

    A later vote of the same voter replaces an earlier one.
    """
    found: dict[tuple[str, str], int] = {}
    name = _file(folder, "votes.csv")
    if name in files:
        text = _bounded(text_of(files[name], name), name, 1, max_votes)
        for line, row in rows(text, name, ("comment-id", "voter-id", "vote")):
            value = _vote(row["vote"], name, line)
            if row["comment-id"] in kept and value is not None:
                found[(kept[row["comment-id"]], f"{key}:{row['voter-id']}")] = value
        return [(c, v, value) for (c, v), value in found.items()], name
    name = _file(folder, "participants-votes.csv")
    if name in files:
        text = text_of(files[name], name)
        text = _bounded(text, name, max(text.split("\n", 1)[0].count(",") + 1, len(kept)), max_votes)
        for line, row in rows(text, name, ("participant",)):
            for comment, source in kept.items():
                value = _vote(row.get(comment, ""), name, line)
                if value is not None:
                    found[(source, f"{key}:{row['participant']}")] = value
    return [(c, v, value) for (c, v), value in found.items()], name


def _vote(value: str, name: str, line: int) -> int | None:
    if value == "":
        return None
    vote = integer(value, name, line, "vote")
    if vote not in VOTE_VALUES:
        raise bad_request(f"{name} line {line}: vote {vote} is not 1, -1 or 0", f"{name}:{line}:vote", line)
    return vote


def _check_signs(out: Conversation, name: str) -> None:
    """Refuse votes whose signs disagree with ``comments.csv``'s own counts on most clear comments."""
    tally: dict[str, list[int]] = {}
    for source, _, value in out.votes:
        if value:
            tally.setdefault(source, [0, 0])[value < 0] += 1
    agree = disagree = 0
    for item in out.items:
        plus, minus = tally.get(item.external_id or "", (0, 0))
        declared = (item.agrees or 0) - (item.disagrees or 0)
        if plus != minus and declared:
            same = (plus > minus) == (declared > 0)
            agree, disagree = agree + same, disagree + (not same)
    if agree + disagree >= SIGN_EVIDENCE and disagree > 2 * agree:
        raise bad_request(f"{name}: vote signs are inverted against comments.csv's agrees/disagrees on {disagree} of "
                          f"{agree + disagree} comments (a Polis export writes an agree as +1, its database as -1)",
                          name)

"""Export the reviewed syntheses of a workshop: Markdown and DOCX (``documents``), JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
import uuid
from typing import Any

from litestar.response import Response
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.repositories import pitches_by_axis, postits_of
from service.discussion.services import axis_comments
from service.errors import bad_request
from service.review.documents import state, to_docx, to_markdown
from service.review.services import axis_clusters, axis_key_points, pitch_text
from service.review.tallies import Counts, ItemKind, counts, item_id
from service.workshops.services import get_workshop

FORMATS = {"md": "text/markdown; charset=utf-8", "json": "application/json",
           "csv": "text/csv; charset=utf-8",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


COMMENTS = ("none", "unresolved", "all")


async def threads(session: AsyncSession, axis_id: uuid.UUID, which: str) -> list[dict[str, Any]]:
    """An axis's discussion threads for an export: each first comment with its replies."""
    if which == "none":
        return []
    rows = await axis_comments(session, axis_id)
    roots = [r for r in rows if r.reply_to is None and (which == "all" or not r.resolved)]
    return [{"id": str(r.id), "on": r.target, "anchor": r.anchor, "author": r.author, "body": r.body,
             "resolved": r.resolved, "created_at": r.created_at.isoformat(),
             "replies": [{"author": x.author, "body": x.body, "created_at": x.created_at.isoformat()}
                         for x in rows if x.reply_to == r.id]} for r in roots]


async def reviewed(session: AsyncSession, workshop_id: uuid.UUID, comments: str = "none") -> dict[str, Any]:
    """Axes with their pitch (state, sentences, cited post-its), clusters and, if asked, discussion threads."""
    workshop = await get_workshop(session, workshop_id)
    postits = {str(p.id): p for p in await postits_of(session, workshop_id)}

    def cited(i: str) -> dict[str, Any]:
        # the workshop tool's own id beside Atelier's: a reader traces "c37" back to the Polis export
        p = postits.get(i)
        return {"id": i, "external_id": p.external_id if p else None, "text": p.text if p else ""}

    pitches = await pitches_by_axis(session, workshop_id)
    room = await counts(session, workshop_id)
    axes = []
    for axis in workshop.axes:
        pitch = pitches.get(axis.id)
        clusters = await axis_clusters(session, axis.id)
        sentences = [{**s, "cited": [cited(c) for c in s.get("citations", [])],
                      "room": _room(room, axis.id, ItemKind.SENTENCE, s["text"])}
                     for s in (pitch.sentences if pitch else [])]
        key_points, themes = await axis_key_points(session, pitch, axis.name)
        key_points = [{**k, "room": _room(room, axis.id, ItemKind.KEY_POINT, k["text"])} for k in key_points]
        axes.append({
            "name": axis.name, "description": axis.description,
            "themes": _themes(key_points, themes),
            "pitch": None if pitch is None else {
                "id": str(pitch.id), "text": pitch_text(pitch.sentences), "approved": pitch.approved,
                "edited": pitch.edited, "version": pitch.version, "sentences": sentences,
                "provenance": pitch.provenance},
            "clusters": [{"id": str(c.id), "key": c.key, "axis_id": str(c.axis_id), "label": c.label,
                          "singular": c.singular, "keywords": c.keywords,
                          "kept_from_review": list(c.kept_from_review or []),
                          "postits": [cited(i) for i in c.postit_ids]}
                         for c in clusters],
            "threads": await threads(session, axis.id, comments),
        })
    return {"workshop": {"id": str(workshop.id), "title": workshop.title, "language": workshop.language},
            "axes": axes}


def _room(room: dict[str, Counts], axis_id: uuid.UUID, kind: ItemKind, text: str) -> dict[str, Any] | None:
    """The rooms' votes on an item, or None where no room voted on it."""
    found = room.get(item_id(axis_id, kind, text))
    if found is None:
        return None
    return {"agrees": found.agrees, "disagrees": found.disagrees, "passes": found.passes, "divided": found.divided}


def _themes(key_points: list[dict[str, Any]], themes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The axis' themes, each with its key points in full; key points outside any theme under a nameless one."""
    by_id = {k["id"]: k for k in key_points}
    fields = ("id", "text", "citations", "verdict", "weight", "consensus", "room", "cluster_id", "quoted")
    out = [{"id": t["id"], "name": t["name"],
            "key_points": [{f: by_id[k].get(f) for f in fields} for k in t["key_points"] if k in by_id]}
           for t in themes]
    themed = {k for t in themes for k in t["key_points"]}
    rest = [{f: k.get(f) for f in fields} for k in key_points if k["id"] not in themed]
    return out + ([{"id": None, "name": None, "key_points": rest}] if rest else [])


def _theme_names(axis: dict[str, Any], sentence: dict[str, Any]) -> list[str]:
    """The names of the themes a pitch sentence's key points belong to."""
    names = {k["id"]: t["name"] for t in axis.get("themes", []) if t["name"] for k in t["key_points"]}
    return list(dict.fromkeys(names[k] for k in sentence.get("key_points", []) if k in names))


def cell(value: object) -> object:
    r"""A spreadsheet cell that cannot run: text starting like a formula gets a leading ``'``.

    >>> cell('=HYPERLINK("http://x")'), cell("-1 vote"), cell("Un vélo"), cell(True)
    ('\'=HYPERLINK("http://x")', "'-1 vote", 'Un vélo', True)
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(data: dict[str, Any]) -> str:
    """One row per pitch sentence, with its citations; no cell can be read as a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["axis", "state", "sentence", "citations", "cited_texts", "supported", "verdict", "themes",
                     "room_agrees", "room_disagrees", "room_passes"])
    for axis in data["axes"]:
        for s in (axis["pitch"] or {}).get("sentences", []):
            row = [axis["name"], state(axis["pitch"]), s["text"], " ".join(c["id"] for c in s["cited"]),
                   " | ".join(c["text"] for c in s["cited"]), s.get("supported"), s.get("verdict") or "",
                   " | ".join(_theme_names(axis, s)),
                   *[(s.get("room") or {}).get(f, "") for f in ("agrees", "disagrees", "passes")]]
            writer.writerow([cell(v) for v in row])
    return out.getvalue()


def render(data: dict[str, Any], fmt: str) -> bytes:
    """Bytes of the export in ``fmt``."""
    if fmt == "md":
        return to_markdown(data).encode()
    if fmt == "csv":
        return to_csv(data).encode()
    if fmt == "docx":
        return to_docx(data)
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


async def download(session: AsyncSession, workshop_id: uuid.UUID, fmt: str,
                   comments: str = "none") -> Response[bytes]:
    """The export as an attachment (API and review pages alike); ``comments`` adds discussion threads."""
    if fmt not in FORMATS:
        raise bad_request(f"format: one of {', '.join(FORMATS)}", "format")
    if comments not in COMMENTS:
        raise bad_request(f"comments: one of {', '.join(COMMENTS)}", "comments")
    data = await reviewed(session, workshop_id, comments)
    name = f"atelier-{workshop_id}.{fmt}"
    return Response(render(data, fmt), media_type=FORMATS[fmt],
                    headers={"content-disposition": f'attachment; filename="{name}"'})

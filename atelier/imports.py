"""``atelier import polis DIR`` / ``atelier import decidim FILE``: an export into the service's database.

The post-its are stored ``pending``: the service embeds them when a synthesis is asked for.
"""

from __future__ import annotations

import argparse
import json
import uuid
from pathlib import Path
from typing import Any

import msgspec

from models.language import DEFAULT_LANGUAGE
from service.imports.schemas import ImportFormat


def add_import(sub: Any) -> None:
    """Register ``atelier import``."""
    imp = sub.add_parser("import", help="import a participation platform's export into a workshop")
    isub = imp.add_subparsers()
    polis = isub.add_parser("polis", help="a Polis export folder (one conversation, or one folder per conversation)")
    polis.add_argument("dir", type=Path, help="folder with comments.csv, summary.csv, votes.csv...")
    polis.set_defaults(func=_import, format=ImportFormat.POLIS)
    decidim = isub.add_parser("decidim", help="a Decidim proposals export (';'-separated CSV)")
    decidim.add_argument("dir", type=Path, metavar="FILE", help="the proposals CSV")
    decidim.add_argument("--locale", default=None, help="which title/<locale> columns to read (default: fr)")
    decidim.set_defaults(func=_import, format=ImportFormat.DECIDIM)
    for p in (polis, decidim):
        p.add_argument("--workshop", type=uuid.UUID, default=None, help="add to this workshop (default: a new one)")
        p.add_argument("--title", default=None, help="title of the new workshop (default: the first axis)")


def read_export(path: Path) -> dict[str, bytes]:
    """The export's files by path relative to ``path`` (a folder, walked; or one file)."""
    if path.is_file():
        return {path.name: path.read_bytes()}
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such file or folder")
    return {f.relative_to(path).as_posix(): f.read_bytes() for f in sorted(path.rglob("*"))
            if f.is_file() and f.suffix.lower() in (".csv", ".zip")}


def _import(args: argparse.Namespace) -> int:
    from litestar.exceptions import HTTPException

    from atelier.cli import fail
    from atelier.keys import in_database
    from service.db.models import Workshop
    from service.imports.services import import_conversations, parse
    from service.settings import Settings

    settings = Settings.from_env()
    try:
        files = read_export(args.dir)
        conversations = parse(args.format, files, getattr(args, "locale", None) or DEFAULT_LANGUAGE, settings)
    except (OSError, HTTPException) as err:
        return fail(str(getattr(err, "detail", err)))

    async def work(session: Any) -> int:
        workshop_id = args.workshop
        if workshop_id is None:
            title = (args.title or conversations[0].axis if conversations else "Import")[:200]
            workshop = Workshop(id=uuid.uuid4(), title=title, language=DEFAULT_LANGUAGE)
            session.add(workshop)
            await session.flush()
            await session.refresh(workshop, ["axes"])
            workshop_id = workshop.id
        report, _new = await import_conversations(session, workshop_id, args.format, conversations, settings)
        print(json.dumps(msgspec.to_builtins(report), ensure_ascii=False, indent=2))
        return 0

    try:
        return in_database(work)
    except HTTPException as err:
        return fail(str(err.detail))

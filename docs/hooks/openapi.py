"""MkDocs hook: the API reference page, generated at build time from the service's OpenAPI schema.

The schema is what ``create_app`` serves at ``/schema/openapi.json``, so the reference cannot
drift from the routes. Nothing starts: the app is built (no database is opened before startup)
and its schema read.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

METHODS = ("get", "post", "put", "patch", "delete")


def _schema() -> dict[str, Any]:
    import warnings

    with warnings.catch_warnings():  # a dependency's deprecation notes are not the docs' warnings
        warnings.simplefilter("ignore")
        from service.app import create_app
        from service.settings import Settings

    with tempfile.TemporaryDirectory() as home:
        app = create_app(Settings(home=Path(home), drafter="extractive"))
        return app.openapi_schema.to_schema()


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render(schema: dict[str, Any]) -> str:
    """The routes as Markdown tables, one per tag, and the raw schema for download."""
    by_tag: dict[str, list[str]] = {}
    for path, item in sorted(schema.get("paths", {}).items()):
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            codes = ", ".join(sorted(op.get("responses", {})))
            summary = _cell(op.get("summary") or "")
            if op.get("description"):
                summary += " — " + _cell(op["description"])
            for tag in op.get("tags") or ["other"]:
                by_tag.setdefault(tag, []).append(f"| `{method.upper()} {path}` | {summary} | {codes} |")
    out = ["# API reference", "",
           f"Generated from the OpenAPI schema of Atelier {schema.get('info', {}).get('version', '')} "
           "(the running service serves it at `/schema/openapi.json`, Swagger UI at `/schema/swagger`). "
           "Every `/api/v1` route takes `Authorization: Bearer <key>`; see [Security](../security.md).", ""]
    for tag, rows in sorted(by_tag.items()):
        out += [f"## {tag}", "", "| route | what | answers |", "|---|---|---|", *rows, ""]
    return "\n".join(out)


def on_files(files: Files, config: Any) -> Files:
    """Add ``reference/api.md`` and ``reference/openapi.json``, built from the app."""
    schema = _schema()
    files.append(File.generated(config, "reference/api.md", content=render(schema)))
    files.append(File.generated(config, "reference/openapi.json", content=json.dumps(schema, indent=1)))
    return files

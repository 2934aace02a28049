"""Reading post-its from CSV, JSON or JSONL, with errors that name the file and line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from models.types import PostIt

MAX_TEXT = 2000  # the CLI's bound; the service passes its own (``ATELIER_MAX_TEXT_LENGTH``)


class InputError(ValueError):
    """Bad input: ``str(error)`` is one line naming the source, line and field."""

    def __init__(self, source: str, line: int | None, message: str, field: str | None = None) -> None:
        self.source, self.line, self.message, self.field = source, line, message, field
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")


def decode(data: bytes, source: str) -> str:
    """UTF-8 (BOM tolerated) or an error naming the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(source, line, f"undecodable bytes (not UTF-8) at byte {err.start}") from None


class TextTooLong(InputError):
    """A text over the caller's bound (a 413 for the service, like a JSON body's)."""


def postit_from_record(record: dict[str, Any], source: str, line: int, index: int, default_ids: bool = True,
                       max_text: int = MAX_TEXT) -> PostIt:
    """Validate one record (CSV row or JSON object) into a post-it.

    A record without id gets ``p<n>`` (its position) when ``default_ids``, else an empty id.
    """
    text = record.get("text")
    if text is None:
        raise InputError(source, line, "missing field 'text'", "text")
    if not isinstance(text, str) or not text.strip():
        raise InputError(source, line, "empty text", "text")
    if len(text) > max_text:
        raise TextTooLong(source, line, f"text longer than {max_text} characters", "text")
    raw_votes = record.get("votes")
    try:
        votes = int(raw_votes) if raw_votes not in (None, "") else 0
    except (TypeError, ValueError):
        raise InputError(source, line, f"votes is not an integer: {raw_votes!r}", "votes") from None
    if votes < 0:
        raise InputError(source, line, "votes is negative", "votes")
    axis = record.get("axis")
    author = record.get("author") or record.get("table")
    pid = record.get("id")
    return PostIt(
        id=str(pid).strip() if pid not in (None, "") and str(pid).strip() else f"p{index + 1}" if default_ids else "",
        text=text.strip(), axis=str(axis).strip() if axis not in (None, "") else None,
        votes=votes, author=str(author) if author not in (None, "") else None,
    )


def sniff_delimiter(text: str) -> str:
    r"""``,``, ``;`` (French Excel) or tab: the one that makes a ``text`` column in the header.

    >>> sniff_delimiter("id;text;votes\n1;a, b;2"), sniff_delimiter("text,votes"), sniff_delimiter("text\tx")
    (';', ',', '\t')
    """
    header = text.split("\n", 1)[0]
    for delimiter in sorted(",;\t", key=lambda d: -header.count(d)):
        if "text" in [c.strip().strip('"').lower() for c in header.split(delimiter)]:
            return delimiter
    return ","


class TooManyRows(InputError):
    """More rows than the caller accepts: reading stopped there (a 413 for the service)."""


def parse_csv(text: str, source: str, default_ids: bool = True, max_rows: int | None = None,
              max_text: int = MAX_TEXT) -> list[PostIt]:
    """Post-its from CSV with at least a ``text`` column (``id,axis,votes`` optional).

    The delimiter is sniffed from the header (``,`` ``;`` or tab); a field over the csv module's
    limit (131,072 characters) is an error naming its line, like every other bad row. With
    ``max_rows``, reading stops at the first row past it (``TooManyRows``): a 5 MB body of tiny
    rows costs no more than the rows accepted.
    """
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        fields = reader.fieldnames
        if not fields or "text" not in [f.strip().lower() for f in fields]:
            raise InputError(source, 1, "missing column 'text' in the header", "text")
        out = []
        for index, row in enumerate(reader):
            if max_rows is not None and index >= max_rows:
                raise TooManyRows(source, reader.line_num, f"more than {max_rows} rows in one request", "rows")
            clean = {(k or "").strip().lower(): v for k, v in row.items()}
            out.append(postit_from_record(clean, source, reader.line_num, index, default_ids, max_text))
    except csv.Error as err:
        raise InputError(source, reader.line_num + 1, f"unreadable CSV: {err}") from None
    return _unique(out, source)


def parse_json(text: str, source: str, lines: bool) -> list[PostIt]:
    """Post-its from a JSON array (or ``{"postits": [...]}``) or from JSONL."""
    records: Iterable[tuple[int, Any]]
    if lines:
        records = []
        for n, raw in enumerate(text.splitlines(), 1):
            if raw.strip():
                records.append((n, _loads(raw, source, n)))
    else:
        data = _loads(text, source, None)
        if isinstance(data, dict):
            data = data.get("postits")
        if not isinstance(data, list):
            raise InputError(source, None, "expected a JSON array of post-its")
        records = [(n, r) for n, r in enumerate(data, 1)]
    out = []
    for index, (n, record) in enumerate(records):
        if not isinstance(record, dict):
            raise InputError(source, n, "expected an object")
        out.append(postit_from_record(record, source, n, index))
    return _unique(out, source)


def _loads(text: str, source: str, line: int | None) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(source, line or err.lineno, f"invalid JSON: {err.msg}") from None


def _unique(postits: list[PostIt], source: str) -> list[PostIt]:
    seen: set[str] = set()
    for n, p in enumerate(postits, 1):
        if p.id and p.id in seen:
            raise InputError(source, None, f"duplicate id {p.id!r} (record {n})", "id")
        seen.add(p.id)
    return postits


def read_postits(path: Path) -> list[PostIt]:
    """Read a CSV, JSON or JSONL file of post-its.

    Raises:
        InputError: Unknown file type, undecodable bytes, missing or empty text, etc.
    """
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".json", ".jsonl", ".ndjson"}:
        raise InputError(source, None, f"unknown file type {suffix or '(none)'!r}: use .csv, .json or .jsonl")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(source, None, f"cannot read: {err.strerror}") from None
    text = decode(data, source)
    if suffix == ".csv":
        return parse_csv(text, source)
    return parse_json(text, source, lines=suffix != ".json")

"""JSON errors that name the offending field (and CSV line)."""

from __future__ import annotations

from typing import Any

from litestar.exceptions import ClientException, NotFoundException
from litestar.status_codes import HTTP_413_REQUEST_ENTITY_TOO_LARGE


def bad_request(message: str, field: str | None = None, line: int | None = None) -> ClientException:
    """400 with ``{"detail": message, "extra": {"field": ..., "line": ...}}``."""
    extra: dict[str, Any] = {"field": field}
    if line is not None:
        extra["line"] = line
    return ClientException(detail=message, extra=extra)


def too_large(message: str, field: str | None = None) -> ClientException:
    """413 naming the limit."""
    return ClientException(detail=message, status_code=HTTP_413_REQUEST_ENTITY_TOO_LARGE, extra={"field": field})


def not_found(kind: str, ident: object) -> NotFoundException:
    """404 naming what was not found."""
    return NotFoundException(detail=f"{kind} {ident} not found")

"""JSON errors that name the offending field (and CSV line)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import ClientException, NotFoundException, ValidationException
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


def validation_failed(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """400 whose ``detail`` and ``extra.field`` name the offending body field (``body[0].votes``).

    Litestar drops msgspec's `` - at `$...` `` path from its message; the original error keeps it.
    """
    fields: list[str] = []
    cause = exc.__cause__
    messages = [str(e.get("msg", "")) for e in getattr(cause, "errors", None) or []] or ([str(cause)] if cause else [])
    for message in messages:
        path = message.split(" - at `", 1)[1].rstrip("`") if " - at `" in message else ""
        fields.append(path.replace("$.data", "body", 1).replace("$", "body", 1) + ": " + message.split(" - ", 1)[0])
    detail = "; ".join(fields) if fields else str(exc.detail)
    field = fields[0].split(":", 1)[0] if fields else None
    return Response({"status_code": 400, "detail": detail, "extra": {"field": field, "errors": exc.extra}},
                    status_code=400)


def stale_write(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """409: the row changed between this request's read and its write (nothing was saved)."""
    return Response({"status_code": 409, "detail": "someone changed this meanwhile; nothing was saved: reload "
                     "and try again"}, status_code=409)


def database_refused(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """409 for a uniqueness or reference conflict, 400 for a value the database cannot hold; nothing saved."""
    from sqlalchemy.exc import IntegrityError

    conflict = isinstance(exc, IntegrityError)
    detail = ("conflicts with what is stored (a duplicate or a missing reference); nothing was saved" if conflict
              else "a value does not fit what the database can store; nothing was saved")
    return Response({"status_code": 409 if conflict else 400, "detail": detail}, status_code=409 if conflict else 400)

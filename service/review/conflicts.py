"""The answer to an edit or approval of a pitch that changed since the reviewer read it."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.response import Template

from service.review.controllers import cluster_out, pitch_out
from service.review.services import ClusterConflict, VersionConflict, pitch_text


def version_conflict(request: Request[Any, Any, Any], exc: VersionConflict) -> Response[Any]:
    """412 for ``If-Match`` (HTTP's precondition), 409 for a body ``version``; the current pitch either way."""
    status = 412 if request.headers.get("if-match") else 409
    return Response({"status_code": status, "detail": str(exc), "current": pitch_out(exc.current)},
                    status_code=status, headers={"ETag": f'"{exc.current.version}"'})


def cluster_conflict(request: Request[Any, Any, Any], exc: ClusterConflict) -> Response[Any]:
    """412 for ``If-Match``, 409 for a body ``version``; the current cluster either way."""
    status = 412 if request.headers.get("if-match") else 409
    return Response({"status_code": status, "detail": str(exc), "current": cluster_out(exc.current)},
                    status_code=status, headers={"ETag": f'"{exc.current.version}"'})


def conflict_page(exc: VersionConflict, mine: str, user: str) -> Template:
    """The review page's answer: "quelqu'un a modifié ce pitch entre-temps", with both texts."""
    return Template("conflict.html", status_code=409, context={
        "pitch": exc.current, "current_text": pitch_text(exc.current.sentences), "mine": mine, "user": user,
        "expected": exc.expected})

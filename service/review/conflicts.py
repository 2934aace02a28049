"""The answer to a change of a pitch or cluster that changed since the reviewer read it."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.response import Template

from service.db.models import PitchRow
from service.review.controllers import cluster_out, pitch_out
from service.review.services import VersionConflict, pitch_text


def version_conflict(request: Request[Any, Any, Any], exc: VersionConflict) -> Response[Any]:
    """412 for ``If-Match`` (HTTP's precondition), 409 for a body ``version``; the current state either way."""
    status = 412 if request.headers.get("if-match") else 409
    current = pitch_out(exc.current) if isinstance(exc.current, PitchRow) else cluster_out(exc.current)
    return Response({"status_code": status, "detail": str(exc), "current": current},
                    status_code=status, headers={"ETag": f'"{exc.current.version}"'})


def conflict_page(exc: VersionConflict, pitch: PitchRow, mine: str, user: str, lang: str) -> Template:
    """The review page's answer: "quelqu'un a modifié ce pitch entre-temps", with both texts."""
    return Template("conflict.html", status_code=409, context={
        "pitch": pitch, "current_text": pitch_text(pitch.sentences), "mine": mine, "user": user,
        "expected": exc.expected, "lang": lang})

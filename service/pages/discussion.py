"""The discussion's page routes under ``/review``: the polled thread data and the thread forms."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.guards import allow, principal
from service.auth.sessions import csrf
from service.discussion import services as discussion
from service.discussion.schemas import CommentIn, CommentUpdate
from service.errors import bad_request, not_found

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class DiscussionPages(Controller):
    """What the axis page's threads post and poll (session cookie and CSRF token, like every form)."""

    path = "/review"
    include_in_schema = False

    @get("/axes/{axis_id:uuid}/comments", guards=[allow("read")])
    async def axis_comments(self, db_session: NamedDependency[AsyncSession],
                            axis_id: FromPath[uuid.UUID]) -> dict[str, Any]:
        """Every comment of the axis, polled by the page so each reviewer sees the others' without reload."""
        rows = await discussion.axis_comments(db_session, axis_id)
        return {"open": discussion.open_threads(rows),
                "comments": [discussion.comment_out(m) for m in rows]}

    @post("/comments", guards=[allow("review"), csrf])
    async def comment(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                      data: Form) -> Redirect:
        """A comment from a thread's form (the same service as the API)."""
        target = {"cluster": "clusters", "pitch": "pitches"}.get(data.get("target", ""))
        try:
            target_id = uuid.UUID(data.get("target_id", ""))
            body = msgspec.convert({"body": data.get("body", "").strip(), "anchor": data.get("anchor") or None,
                                    "reply_to": data.get("reply_to") or None}, CommentIn)
        except (ValueError, msgspec.ValidationError) as err:
            raise bad_request(f"comment: {err}", "body") from None
        if target is None:
            raise bad_request("target: cluster or pitch", "target")
        row = await discussion.add_comment(db_session, target, target_id, body, principal(request))
        return Redirect(f"/review/axes/{row.axis_id}#comment-{row.id}", status_code=303)

    @post("/comments/{comment_id:uuid}/{action:str}", guards=[allow("review"), csrf])
    async def comment_action(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                             comment_id: FromPath[uuid.UUID], action: FromPath[str]) -> Redirect:
        """Resolve or reopen a thread."""
        if action not in ("resolve", "reopen"):
            raise not_found("action", action)
        row = await discussion.update_comment(db_session, comment_id, CommentUpdate(resolved=action == "resolve"),
                                              principal(request))
        return Redirect(f"/review/axes/{row.axis_id}#comment-{row.id}", status_code=303)

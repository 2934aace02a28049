"""Bodies of the comment routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from service.limits import NO_CONTROL

MAX_COMMENT = 5000
CommentText = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_COMMENT, pattern=NO_CONTROL)]
#: A pitch comment's anchor: a key point (``kp-…``) or a sentence (``s1``, ``s2``…); none for the whole pitch.
Anchor = Annotated[str, msgspec.Meta(max_length=200, pattern=r"^(kp-[\w.:-]+|s[1-9][0-9]{0,2})$")]


class CommentIn(msgspec.Struct):
    """``POST /{clusters|pitches}/{id}/comments``."""

    body: CommentText
    reply_to: uuid.UUID | None = None
    anchor: Anchor | None = None


class CommentUpdate(msgspec.Struct):
    """``PATCH /comments/{id}``: resolve or reopen (any reviewer), edit the text (its author only)."""

    body: CommentText | None = None
    resolved: bool | None = None


class CommentOut(msgspec.Struct):
    id: uuid.UUID
    target: str
    target_id: uuid.UUID
    anchor: str | None
    axis_id: uuid.UUID
    reply_to: uuid.UUID | None
    author: str
    body: str
    resolved: bool
    resolved_by: str | None
    edited: bool
    created_at: datetime
    updated_at: datetime

"""Request and response bodies of the workshop domain."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from models.language import DEFAULT_LANGUAGE
from service.limits import MAX_AXES, Description, Language, Name, PostItText, ShortText, Vote, Votes


class AxisIn(msgspec.Struct):
    """An axis to create (or, with ``id``, to rename / re-describe)."""

    name: Name
    description: Description = ""
    id: uuid.UUID | None = None


class WorkshopCreate(msgspec.Struct):
    """``POST /workshops``."""

    title: Name
    language: Language = DEFAULT_LANGUAGE
    axes: Annotated[list[AxisIn], msgspec.Meta(max_length=MAX_AXES)] = msgspec.field(default_factory=list)


class WorkshopUpdate(msgspec.Struct):
    """``PATCH /workshops/{id}``: axes with an id are updated, without one added."""

    title: Name | None = None
    language: Language | None = None
    axes: Annotated[list[AxisIn], msgspec.Meta(max_length=MAX_AXES)] | None = None


class AxisOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    description: str


class WorkshopOut(msgspec.Struct):
    id: uuid.UUID
    title: str
    language: str
    axes: list[AxisOut]
    created_at: datetime
    updated_at: datetime


class PostItIn(msgspec.Struct):
    """One post-it pushed by a workshop tool; ``external_id`` makes retries idempotent."""

    text: PostItText
    axis: ShortText | None = None
    votes: Votes = 0
    author: ShortText | None = None
    external_id: ShortText | None = None
    #: Agree / disagree votes where the tool records opinions (Polis); omitted for dot votes.
    agrees: Votes | None = None
    disagrees: Votes | None = None


class PostItUpdate(msgspec.Struct):
    """``PATCH /postits/{id}``."""

    text: PostItText | None = None
    axis: ShortText | None = None
    votes: Votes | None = None
    author: ShortText | None = None


class PostItOut(msgspec.Struct):
    id: uuid.UUID
    workshop_id: uuid.UUID
    text: str
    axis: str | None
    votes: int
    author: str | None
    external_id: str | None
    created_at: datetime
    agrees: int | None = None
    disagrees: int | None = None


class PostItsCreated(msgspec.Struct):
    """Ids of the pushed post-its, in request order; ``created`` counts the new ones."""

    ids: list[uuid.UUID]
    created: int


class VoteIn(msgspec.Struct):
    """One participant's vote on one post-it (``postit_id``, or the tool's ``external_id``)."""

    voter: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
    vote: Vote
    postit_id: uuid.UUID | None = None
    external_id: ShortText | None = None


class VotesStored(msgspec.Struct):
    """``POST /workshops/{id}/votes``: votes stored (a voter's later vote on a post-it replaces the earlier)."""

    stored: int

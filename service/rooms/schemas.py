"""The room's request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from service.limits import PostItText, ShortText, Vote
from service.review.tallies import ItemKind

#: Votes one request may carry (a phone sends one at a time; a page without JavaScript, one form).
MAX_VOTES_PER_REQUEST = 200
#: The room's newest post-its the tallies carry (the projector lists them).
ROOM_POSTITS_SHOWN = 50


class RoomOut(msgspec.Struct):
    """An open room: the code to type, the pages to open."""

    code: str
    participant_url: str
    projector_url: str
    expires_at: datetime


class Joined(msgspec.Struct):
    """A participant's token: ``Authorization: Bearer <participant_token>`` on the room's routes."""

    participant_token: str


class Item(msgspec.Struct, frozen=True):
    """A key point or a pitch sentence of the current synthesis, as the room reads it (text only)."""

    id: str
    kind: ItemKind
    axis: str
    text: str


class Tally(Item, frozen=True):
    """An item with the room's votes on it."""

    agrees: int = 0
    disagrees: int = 0
    passes: int = 0
    #: The room is split on it (``service.review.tallies.divided``).
    divided: bool = False


class Added(msgspec.Struct):
    """A post-it the room added, where the projector's map places it (no author, no id)."""

    axis: str | None
    text: str


class RoomTallies(msgspec.Struct):
    """What facilitators see of a room: no participant identity, counts only."""

    code: str
    expires_at: datetime
    participants: int
    items: list[Tally]
    #: Texts of the post-its the room added, newest first (at most ``ROOM_POSTITS_SHOWN``).
    postits: list[str] = []
    #: The same post-its with their axis (``None``: the room did not say), for the projector's map.
    added: list[Added] = []
    #: Changes when the axis maps would: a post-it embedded, edited or removed, a new clustering.
    map_version: str = ""


class VoteIn(msgspec.Struct, forbid_unknown_fields=True):
    """One vote: 1 agree, -1 disagree, 0 pass; a later vote on the same item replaces it."""

    item_id: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    vote: Vote


#: A request's votes (their count is checked by the service: Litestar does not apply a list's Meta).
Votes = list[VoteIn]


class Counted(msgspec.Struct):
    """How many votes were stored."""

    counted: int


class RoomPostItIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new post-it from the room (same text rules as any push; no author, no votes)."""

    text: PostItText
    axis: ShortText | None = None


class RoomPostItOut(msgspec.Struct):
    """The stored post-it's id."""

    id: uuid.UUID

"""What a workshop's rooms said about each key point and pitch sentence under review.

The rooms domain (above this one) stores the votes; review reads their counts wherever it shows
or exports an item. An item is named by its words on its axis (``item_id``): a vote stays on the
text it was cast on, and an edited sentence starts again from no votes.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from enum import StrEnum

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import RoomRow, RoomVoteRow


class ItemKind(StrEnum):
    """What a room votes on: a key point, or a sentence of the pitch."""

    KEY_POINT = "key_point"
    SENTENCE = "sentence"


class Counts(msgspec.Struct, frozen=True):
    """A room's votes on one item."""

    agrees: int = 0
    disagrees: int = 0
    passes: int = 0

    @property
    def divided(self) -> bool:
        """Whether the room is split on it (``divided``)."""
        return divided(self.agrees, self.disagrees)


def item_id(axis_id: uuid.UUID, kind: ItemKind, text: str) -> str:
    """An item's id: its words on its axis.

    >>> item_id(uuid.UUID(int=1), ItemKind.KEY_POINT, "Favoriser les circuits courts")
    'k-f29332e2103ffd78'
    """
    digest = hashlib.sha256(f"{axis_id}\x00{kind}\x00{text}".encode()).hexdigest()[:16]
    return f"{kind[0]}-{digest}"


def divided(agrees: int, disagrees: int) -> bool:
    """Whether the room is split on an item: at least 4 votes for or against, neither side above 65 %.

    >>> divided(5, 4), divided(9, 1), divided(2, 1)
    (True, False, False)
    """
    cast = agrees + disagrees
    return cast >= 4 and max(agrees, disagrees) / cast <= 0.65


async def counts(session: AsyncSession, workshop_id: uuid.UUID, room_id: uuid.UUID | None = None) -> dict[str, Counts]:
    """Votes per item id: one room's, or (for exports) all the workshop's rooms together.

    Participants belong to one room, so summing rooms counts each person's last vote once per room.
    """
    query = select(RoomVoteRow.item_id, RoomVoteRow.value, func.count()).group_by(RoomVoteRow.item_id,
                                                                                  RoomVoteRow.value)
    if room_id is not None:
        query = query.where(RoomVoteRow.room_id == room_id)
    else:
        query = query.join(RoomRow, RoomRow.id == RoomVoteRow.room_id).where(RoomRow.workshop_id == workshop_id)
    found: dict[str, dict[int, int]] = defaultdict(dict)
    for ident, value, number in await session.execute(query):
        found[ident][value] = number
    return {ident: Counts(agrees=v.get(1, 0), disagrees=v.get(-1, 0), passes=v.get(0, 0))
            for ident, v in found.items()}

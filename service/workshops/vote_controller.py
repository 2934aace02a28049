"""``POST /api/v1/workshops/{id}/votes``: votes per participant, for tools that record who agreed."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import Body, FromPath
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.guards import allow
from service.settings import Settings
from service.workshops.schemas import VoteIn, VotesStored
from service.workshops.services import get_workshop
from service.workshops.votes import record_votes


class VoteController(Controller):
    """Agree (1), disagree (-1) or pass (0) per participant: opinion groups are read off them."""

    path = "/workshops"
    tags = ["workshops"]

    @post("/{workshop_id:uuid}/votes", status_code=HTTP_201_CREATED, guards=[allow("write")])
    async def votes(self, db_session: NamedDependency[AsyncSession], settings: NamedDependency[Settings],
                    workshop_id: FromPath[uuid.UUID], data: Annotated[list[VoteIn], Body()]) -> VotesStored:
        """Store votes (all or none); a voter's new vote on a post-it replaces the earlier one."""
        await get_workshop(db_session, workshop_id)
        return VotesStored(await record_votes(db_session, workshop_id, data, settings.max_batch * 10))

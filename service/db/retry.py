"""The one retry of a transaction that lost a race: run the work again on what the winner stored."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

T = TypeVar("T")
#: A race lost to another writer: a unique key it inserted first (two identical retries of one push
#: or import), or a versioned row it changed meanwhile (a reviewer's edit during a job).
RACES: tuple[type[Exception], ...] = (IntegrityError, StaleDataError)


async def retry_transaction(session: AsyncSession | async_sessionmaker[AsyncSession],
                            work: Callable[[AsyncSession], Awaitable[T]], attempts: int = 3) -> T:
    """``work`` then commit; on a lost race, roll back and run ``work`` again (``attempts`` in all).

    Args:
        session: A request's session (rolled back between attempts), or a session factory (a
            fresh session per attempt, as background jobs use).
        work: Reads and writes through the session it is given; it must be safe to run again,
            so that the second run finds the winner's rows (idempotent pushes) or reads the
            reviewer's change (a draft becomes a proposal beside an edited pitch, never over it).
        attempts: Runs at most; the last lost race is raised.

    Returns:
        What ``work`` returned on the run that committed.
    """
    for attempt in range(attempts):
        try:
            if isinstance(session, AsyncSession):
                result = await work(session)
                await session.commit()
                return result
            async with session() as fresh, fresh.begin():
                return await work(fresh)
        except RACES:
            if isinstance(session, AsyncSession):
                await session.rollback()
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable: attempts must be at least 1")

"""Writers of one SQLite file take turns in this process instead of polling for its lock.

SQLite has one writer at a time; a second one waits in SQLite's busy handler, which sleeps in
growing steps (up to 100 ms) and serves nobody first: under a room's taps, a few votes waited
seconds. An ``asyncio.Lock`` queues them in order and each holds the file only for its writes
and commit. PostgreSQL locks rows, not the database: there the turn is only the commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

_LOCKS: WeakKeyDictionary[Engine, asyncio.Lock] = WeakKeyDictionary()


@asynccontextmanager
async def write_turn(session: AsyncSession) -> AsyncIterator[None]:
    """Write inside the block; it commits on the way out (rolls back on an error).

    Reads belong before the block: on SQLite the file is locked from the first write to the commit.
    """
    engine = session.bind.sync_engine if session.bind is not None else None
    turn: AbstractAsyncContextManager[Any] = nullcontext()
    if engine is not None and engine.dialect.name == "sqlite":
        turn = _LOCKS.setdefault(engine, asyncio.Lock())
    async with turn:
        try:
            yield
            await session.commit()
        except BaseException:
            await session.rollback()  # inside the turn: the next writer must not find the file locked
            raise

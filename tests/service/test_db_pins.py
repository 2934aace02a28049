"""What the service borrows from a library's private API fails here first, not in production."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from service.db.retry import retry_transaction


def test_advanced_alchemy_scope_state_helpers_still_behave() -> None:
    """``service/db/commit.py`` reads and drops the request's session through these private helpers."""
    from advanced_alchemy.extensions.litestar._utils import (
        delete_aa_scope_state,
        get_aa_scope_state,
        set_aa_scope_state,
    )
    from advanced_alchemy.extensions.litestar.plugins.init.config.common import SESSION_SCOPE_KEY

    scope: dict[str, object] = {}
    set_aa_scope_state(scope, SESSION_SCOPE_KEY, "session")  # type: ignore[arg-type]
    assert get_aa_scope_state(scope, SESSION_SCOPE_KEY) == "session"  # type: ignore[arg-type]
    delete_aa_scope_state(scope, SESSION_SCOPE_KEY)  # type: ignore[arg-type]
    assert get_aa_scope_state(scope, SESSION_SCOPE_KEY) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("factory", [False, True])
def test_retry_transaction_runs_again_after_a_lost_race(tmp_path: Path, factory: bool) -> None:
    async def scenario() -> tuple[list[int], int]:
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}")
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        runs: list[int] = []

        async def work(session: AsyncSession) -> int:
            runs.append(len(runs))
            if len(runs) == 1:
                raise IntegrityError("insert", {}, Exception("unique"))  # the winner's row was there
            return 7

        target: AsyncSession | async_sessionmaker[AsyncSession] = sessions if factory else sessions()
        result = await retry_transaction(target, work)
        failures: list[int] = []

        async def always(session: AsyncSession) -> int:
            failures.append(1)
            raise IntegrityError("insert", {}, Exception("unique"))

        with pytest.raises(IntegrityError):
            await retry_transaction(target, always, attempts=2)
        await engine.dispose()
        return runs, result + len(failures)

    runs, total = asyncio.run(scenario())
    assert runs == [0, 1] and total == 9  # ran twice then answered; a race lost twice is raised after 2 runs

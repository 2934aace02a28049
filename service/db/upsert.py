"""Insert rows, or update the ones already there, in one statement (SQLite and PostgreSQL alike)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.dml import Insert


@cache
def _statement(dialect: str, table: Table, keys: tuple[str, ...], update: tuple[str, ...]) -> Insert:
    """One statement per table and dialect, built once: SQLAlchemy's compiled cache then holds it."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    changed = {name: statement.excluded[name] for name in (*update, "updated_at") if name in table.c}
    return statement.on_conflict_do_update(index_elements=list(keys), set_=changed)


async def upsert(session: AsyncSession, model: type[DeclarativeBase], rows: Sequence[dict[str, Any]],
                 keys: Sequence[str], update: Sequence[str]) -> None:
    """``INSERT … ON CONFLICT (keys) DO UPDATE SET update``: no read first, no race to retry.

    Args:
        session: The caller's session (the caller commits).
        model: The mapped class; its table takes the rows (Core: no ORM objects are built).
        rows: Whole rows, primary key included.
        keys: The columns of the unique constraint two writers may race on.
        update: The columns a conflicting row takes from the new one (``updated_at`` too, where the
            table has one, so audit columns stay true).
    """
    if not rows:
        return
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    table = cast(Table, model.__table__)
    await session.execute(_statement(dialect, table, tuple(keys), tuple(update)), list(rows))

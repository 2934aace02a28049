"""Alembic environment: async engines (aiosqlite, asyncpg), URL passed in by the service."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from service.db import models

target_metadata = models.Workshop.metadata
config = context.config


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=False)
    with context.begin_transaction():
        context.run_migrations()


async def _online() -> None:
    url = str(config.attributes.get("url") or config.get_main_option("sqlalchemy.url"))
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.attributes.get("url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_online())

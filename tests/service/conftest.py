"""A service on a temporary SQLite file with the hashing embedder and the extractive drafter."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from models.drafting import Drafter, ExtractiveDrafter
from service.app import create_app
from service.settings import Settings
from tests.fakes import HashingEmbedder


def settings_for(home: Path, **overrides: object) -> Settings:
    """SQLite under ``home``, or the PostgreSQL named by ``ATELIER_TEST_DATABASE_URL`` (CI)."""
    url = os.environ.get("ATELIER_TEST_DATABASE_URL", "")
    return Settings(home=home, database_url=url, drafter="extractive", threads=1, **overrides)  # type: ignore[arg-type]


def make_app(home: Path, **overrides: object) -> Litestar:
    settings = settings_for(home, **overrides)

    def drafters(kind: str, generator: str | None) -> Drafter:
        return ExtractiveDrafter()

    return create_app(settings, embedder_factory=lambda name: HashingEmbedder(model_id=name),
                      drafter_factory=drafters)


def _reset_postgres(url: str) -> None:
    """Each test starts from an empty database, as it does with a fresh SQLite file."""
    import asyncio

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    async def reset() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    asyncio.run(reset())


@pytest.fixture
def home(tmp_path: Path) -> Path:
    url = os.environ.get("ATELIER_TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        _reset_postgres(url)
    return tmp_path / "home"


@pytest.fixture
def client(home: Path) -> Iterator[TestClient[Litestar]]:
    with TestClient(make_app(home)) as test_client:
        yield test_client


def wait_job(client: TestClient[Litestar], job_id: str) -> dict[str, Any]:
    """Poll ``GET /jobs/{id}`` until the job succeeded or failed (60 s at most: UMAP compiles on first use)."""
    for _ in range(1200):
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["state"] in ("succeeded", "failed"):
            return dict(job)
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job}")

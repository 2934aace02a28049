"""A service on a temporary SQLite file with the hashing embedder and the extractive drafter."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from litestar import Litestar
from litestar.testing import TestClient

from models.drafting import Drafter, ExtractiveDrafter
from service.app import create_app
from service.db.migrate import private_home, upgrade
from service.settings import Settings
from tests.fakes import HashingEmbedder


def settings_for(home: Path, **overrides: object) -> Settings:
    """SQLite under ``home``, or the PostgreSQL named by ``ATELIER_TEST_DATABASE_URL`` (CI)."""
    url = os.environ.get("ATELIER_TEST_DATABASE_URL", "")
    overrides.setdefault("allowed_hosts", "testserver.local,localhost,127.0.0.1")
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


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the latest schema, migrated once per test session.

    Each service start migrates its database; from an empty file that is ~0.2 s of Alembic, paid by
    every test that starts the service. Copying this file first leaves the start's migration a
    no-op check (the migrations themselves are still run here, and on PostgreSQL for every test).
    """
    url = Settings(home=tmp_path_factory.mktemp("migrated")).db_url
    upgrade(url)
    return Path(url.split(":///", 1)[1])


@pytest.fixture
def home(tmp_path: Path, migrated_sqlite: Path) -> Path:
    url = os.environ.get("ATELIER_TEST_DATABASE_URL", "")
    folder = tmp_path / "home"
    if url.startswith("postgresql"):
        _reset_postgres(url)
    else:
        private_home(folder)
        copy = Path(Settings(home=folder).db_url.split(":///", 1)[1])
        shutil.copyfile(migrated_sqlite, copy)
        os.chmod(copy, 0o600)
    return folder


def admin_key(home: Path) -> str:
    """The admin key the first start wrote (as ``make run`` users find it)."""
    return (home / "admin.key").read_text().strip()


def authorized(test_client: TestClient[Litestar], home: Path) -> TestClient[Litestar]:
    """The client, sending the first-start admin key on every request."""
    test_client.headers["Authorization"] = f"Bearer {admin_key(home)}"
    return test_client


def login_token(client: TestClient[Litestar]) -> str:
    """The sign-in form's login CSRF token (its cookie is now held by ``client``)."""
    page = client.get("/review/login").text
    marker = 'name="login_csrf" value="'
    return page[page.index(marker) + len(marker):].split('"', 1)[0]


def sign_in(client: TestClient[Litestar], key: str) -> str:
    """Sign in on the review pages with ``key``; returns the session's CSRF token."""
    client.post("/review/login", data={"key": key, "next": "/review", "login_csrf": login_token(client)}
                ).raise_for_status()
    page = client.get("/review").text
    marker = 'name="csrf" value="'
    return page[page.index(marker) + len(marker):].split('"', 1)[0]


@contextmanager
def started(home: Path, **overrides: object) -> Iterator[TestClient[Litestar]]:
    """A running service on ``home`` and a client holding its admin key."""
    with TestClient(make_app(home, **overrides)) as test_client:
        yield authorized(test_client, home)


def another_browser(client: TestClient[Litestar]) -> TestClient[Litestar]:
    """A second browser on the same running service: its own cookies, no key.

    It shares the first client's event loop: a client of its own would run each request on a
    fresh loop, where PostgreSQL connections pooled on the service's loop fail (a 500 and a
    connection left inside its transaction, which then blocks the next test's schema drop).
    """
    other: TestClient[Litestar] = TestClient(client.app, base_url=str(client.base_url))
    other.blocking_portal = client.blocking_portal
    return other


@pytest.fixture
def client(home: Path) -> Iterator[TestClient[Litestar]]:
    with started(home) as test_client:
        yield test_client


def wait_job(client: TestClient[Litestar], job_id: str, timeout: float = 60) -> dict[str, Any]:
    """Poll ``GET /jobs/{id}`` until the job succeeded or failed (60 s by default: UMAP compiles on first use)."""
    for _ in range(int(timeout / 0.05)):
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["state"] in ("succeeded", "failed"):
            return dict(job)
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job}")


@pytest.fixture
def live_url(home: Path) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(make_app(home), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)

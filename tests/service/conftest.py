"""A service on a temporary SQLite file with the hashing embedder and the extractive drafter."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from models.drafting import Drafter, ExtractiveDrafter
from service.app import create_app
from service.settings import Settings
from tests.fakes import HashingEmbedder


def make_app(home: Path, **overrides: object) -> Litestar:
    url = os.environ.get("ATELIER_TEST_DATABASE_URL", "")
    settings = Settings(home=home, database_url=url, drafter="extractive", threads=1, **overrides)  # type: ignore[arg-type]

    def drafters(kind: str, generator: str | None) -> Drafter:
        return ExtractiveDrafter()

    return create_app(settings, embedder_factory=lambda name: HashingEmbedder(model_id=name),
                      drafter_factory=drafters)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def client(home: Path) -> Iterator[TestClient[Litestar]]:
    with TestClient(make_app(home)) as test_client:
        yield test_client

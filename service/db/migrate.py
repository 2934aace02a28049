"""Apply Alembic migrations programmatically (at app start, in a worker thread)."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at the bundled migrations and ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = url
    return cfg


def upgrade(url: str) -> None:
    """Bring the database at ``url`` to the latest schema (runs its own event loop).

    A SQLite file (and its ``-wal``/``-shm``, which SQLite creates with the file's mode) is made
    readable by its owner only: it holds every post-it and the key hashes.
    """
    command.upgrade(alembic_config(url), "head")
    if url.startswith("sqlite") and ":///" in url:
        db = Path(url.split(":///", 1)[1])
        for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            if path.exists():
                os.chmod(path, 0o600)


def private_home(home: Path) -> None:
    """Create ``ATELIER_HOME`` readable by its owner only (0700; it holds the database and the admin key)."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)

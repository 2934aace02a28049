"""Service settings, read from ``ATELIER_*`` variables when the app is created (never at import)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from models.factory import DEFAULT_DRAFTER
from models.store import DEFAULT_EMBEDDER, atelier_home
from models.verification import parse_thresholds


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to start.

    Attributes:
        home: Data folder (models, embedding cache, SQLite database).
        database_url: SQLAlchemy async URL; SQLite under ``home`` by default,
            e.g. ``postgresql+asyncpg://user:pw@host/db`` for PostgreSQL.
        embedder: Embedder name (packaged, local path or hub id).
        generator: Generator name for the chat-model drafters; empty = each runtime's
            default (``models.store.DEFAULT_GENERATORS``).
        drafter: Default drafter: ``openvino``, ``transformers``, ``openai`` or ``extractive``.
        openai_base_url: OpenAI-compatible server for the ``openai`` drafter
            (``ATELIER_OPENAI_BASE_URL``); post-its leave the machine only when set.
        openai_model: Model name on that server (``ATELIER_OPENAI_MODEL``).
        openai_api_key: Its bearer token (``ATELIER_OPENAI_API_KEY``), never shown.
        threads: Torch threads for model work.
        max_text_length: Longest post-it text accepted.
        max_batch: Most post-its in one request.
        max_body_bytes: Largest request body (an uploaded platform export included).
        max_import_postits: Most post-its one platform import may hold (a whole conversation).
        max_import_bytes: Largest uncompressed size of an import's files, all parts together (a zip
            cannot expand past it).
        max_import_votes: Most vote cells one Polis import may hold: rows of ``votes.csv``, or
            participants x columns of ``participants-votes.csv`` (its parse costs both); the largest
            open Polis conversation holds 1.8 M.
        allowed_hosts: Comma-separated ``Host`` values served (``*.example.org`` wildcards);
            anything else answers 400, which stops DNS-rebinding attacks on a local service.
        secure_cookies: Mark the review session cookie ``Secure`` (1 behind TLS).
        allowed_models: Comma-separated embedder/generator names a synthesis request may name,
            besides the packaged models and this service's own ``embedder`` and ``generator``
            (a request naming any path or hub id would make the service load it, and keep it).
        login_attempts_per_minute: Sign-in attempts on ``/review/login`` per minute from one client
            address, and (for passwords) on one login name; more answer 429.
        max_active_jobs: Jobs queued or running at once across the service; more answer 429.
        max_jobs_per_key: Jobs queued or running at once for one API key (or signed-in user), so
            one tool cannot take every slot; more answer 429.
            queue_url: ``redis://...`` or ``postgresql://...``: jobs go to SAQ queues on that broker and
            ``atelier worker`` processes run them (``atelier serve`` then loads no model). Empty:
            one process, jobs run in it.
        job_timeout_seconds: Longest a job may run before the queue stops it.
        job_heartbeat_seconds: A running job beats this often (x 1/3); silent this long, its worker
            is taken for dead and the job is retried by another.
        job_retries: Attempts per job, the first included.
        job_sweep_seconds: How often each worker looks for jobs whose worker died.
        room_minutes: How long a room stays open unless closed first.
        room_joins_per_minute: Joins per client address (guessing codes is this slow).
        room_votes_per_minute: Vote requests per participant.
        room_postits_per_minute: Post-its per participant.
        write_pitch: 1: the model writes each pitch sentence, checked, its template where it fails
            (``models.pipeline.PipelineConfig``; worth it with a larger model than the packaged 1.5B).
        name_themes: 1: the model names each theme (else its heaviest key point does).
        condense_quotes: 1: the model says each fallback quote that is no key point as one, checked
            (worth it with a larger model than the packaged 1.5B).
        agreement_thresholds: The judge's threshold by language, ``de=1.55,fr=1.3``, for a judge other
            than the packaged 1.5B (``atelier evaluate --dataset verify`` chooses them); languages left
            out keep the packaged judge's.
    """

    home: Path = field(default_factory=atelier_home)
    database_url: str = ""
    embedder: str = DEFAULT_EMBEDDER
    generator: str = ""
    drafter: str = DEFAULT_DRAFTER
    openai_base_url: str = ""
    openai_model: str = ""
    openai_api_key: str = field(default="", repr=False)
    threads: int = 2
    max_text_length: int = 2000
    max_batch: int = 1000
    max_body_bytes: int = 5_000_000
    max_import_postits: int = 20_000
    max_import_bytes: int = 50_000_000
    max_import_votes: int = 5_000_000
    allowed_hosts: str = "localhost,127.0.0.1,[::1]"
    secure_cookies: int = 0
    allowed_models: str = ""
    login_attempts_per_minute: int = 20
    max_active_jobs: int = 20
    max_jobs_per_key: int = 5
    queue_url: str = ""
    job_timeout_seconds: int = 3600
    job_heartbeat_seconds: int = 30
    job_retries: int = 3
    job_sweep_seconds: int = 10
    room_minutes: int = 240
    room_joins_per_minute: int = 20
    room_votes_per_minute: int = 120
    room_postits_per_minute: int = 10
    write_pitch: int = 0
    name_themes: int = 0
    condense_quotes: int = 0
    agreement_thresholds: str = ""

    def __post_init__(self) -> None:
        try:
            parse_thresholds(self.agreement_thresholds)
        except ValueError as err:
            raise ValueError(f"ATELIER_AGREEMENT_THRESHOLDS: {err}") from err
        if self.queue_url and not self.queue_url.startswith(("redis://", "rediss://", "postgresql://", "postgres://")):
            raise ValueError(f"ATELIER_QUEUE_URL must be redis://... or postgresql://..., not {self.queue_url!r}")
        if self.queue_url and not self.database_url.startswith("postgresql"):
            # Workers on other processes (or hosts) claim post-its and jobs with row locks SQLite lacks.
            raise ValueError("ATELIER_QUEUE_URL needs a shared PostgreSQL database: set ATELIER_DATABASE_URL "
                             "to postgresql+asyncpg://...")

    def model_allowed(self, name: str) -> bool:
        """Whether a request may name this embedder or generator (see ``allowed_models``)."""
        from models.store import PACKAGED

        extra = {m.strip() for m in self.allowed_models.split(",") if m.strip()}
        return name in PACKAGED or name in extra or name in (self.embedder, self.generator)

    @property
    def db_url(self) -> str:
        """The database URL, defaulting to ``sqlite+aiosqlite:///$ATELIER_HOME/atelier.db``."""
        return self.database_url or f"sqlite+aiosqlite:///{self.home / 'atelier.db'}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``ATELIER_<FIELD>`` variables, then explicit overrides."""
        env = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"ATELIER_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            values[f.name] = Path(raw) if f.name == "home" else int(raw) if f.type == "int" else raw
        settings = cls(**values)
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})

"""Response body of a job."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec


class JobOut(msgspec.Struct):
    """A job's state (queued, running, succeeded, failed), progress 0..1, stage, error, and who ran it.

    ``attempts`` counts starts: above 1, a worker died or the job was retried; ``worker`` is the
    process that ran (or runs) the latest attempt, ``host:pid``.
    """

    id: uuid.UUID
    kind: str
    state: str
    progress: float
    stage: str
    error: str | None
    created_at: datetime
    updated_at: datetime
    attempts: int = 0
    worker: str | None = None
    #: A synthesis' axes finished so far and in all (``None`` for other jobs, or before clustering ends).
    axes_done: int | None = None
    axes_total: int | None = None

"""The states a job and a post-it's embedding go through: one definition, stored as their values."""

from __future__ import annotations

from enum import StrEnum


class JobState(StrEnum):
    """A job's state (``Job.state``); ``Job.stage`` says where inside ``RUNNING`` it is."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class EmbeddingState(StrEnum):
    """A post-it's embedding (``PostItRow.embedding_state``), computed at push time."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


#: Jobs that still hold a place in the queue (the limits on active jobs count these).
ACTIVE_JOBS = (JobState.QUEUED, JobState.RUNNING)
#: Embeddings a synthesis must wait for.
UNFINISHED_EMBEDDINGS = (EmbeddingState.PENDING, EmbeddingState.RUNNING)

"""The states a job and a post-it's embedding go through, and a key's roles: one definition each,
stored as their values."""

from __future__ import annotations

from enum import StrEnum

from models.types import Stage


class Role(StrEnum):
    """A key's role; what each may do is ``service.auth.principal.PERMISSIONS``."""

    ADMIN = "admin"
    TOOL = "tool"
    FACILITATOR = "facilitator"
    VIEWER = "viewer"


class TaskName(StrEnum):
    """What a queue runs, by the name it is enqueued with (``Job.kind`` for the two with a job row)."""

    EMBED = "embed"
    SYNTHESIS = "synthesis"
    REGENERATE = "regenerate"


class JobState(StrEnum):
    """A job's state (``Job.state``); ``Job.stage`` says where inside ``RUNNING`` it is."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class JobStage(StrEnum):
    """Where a job is (``Job.stage``): its place in the queue, then the pipeline's stage while it runs."""

    WAITING = "waiting for embeddings"  # a synthesis queued until its workshop's post-its are embedded
    QUEUED = "queued"
    STARTING = "starting"
    EMBEDDING = Stage.EMBEDDING.value
    CLUSTERING = Stage.CLUSTERING.value
    DRAFTING = Stage.DRAFTING.value
    SCORING = Stage.SCORING.value
    DONE = "done"
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

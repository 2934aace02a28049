"""ORM models (advanced-alchemy bases: UUID primary keys, created/updated timestamps)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from advanced_alchemy.base import UUIDAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.language import DEFAULT_LANGUAGE
from service.db.states import EmbeddingState, JobStage, JobState, Role, TaskName


def stored(enum: type[StrEnum], length: int) -> Enum:
    """A column holding ``enum``'s values, as ``VARCHAR(length)``.

    The enum is the one definition: SQLAlchemy refuses, at import, a ``length`` shorter than its
    longest value (no value can be cut by the database), refuses to write a value outside it, and
    reads the member back. No CHECK constraint: a new member needs no migration.
    """
    return Enum(enum, native_enum=False, create_constraint=False, length=length, validate_strings=True,
                values_callable=lambda members: [m.value for m in members])


class Workshop(UUIDAuditBase):
    """A workshop and its language."""

    __tablename__ = "workshop"
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default=DEFAULT_LANGUAGE)
    axes: Mapped[list[AxisRow]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", order_by="AxisRow.position", lazy="selectin")


class AxisRow(UUIDAuditBase):
    """A strategic axis of a workshop."""

    __tablename__ = "axis"
    __table_args__ = (UniqueConstraint("workshop_id", "name"),)
    workshop_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    workshop: Mapped[Workshop] = relationship(back_populates="axes")


class PostItRow(UUIDAuditBase):
    """A post-it; ``external_id`` makes retries idempotent per workshop.

    ``embedding_state`` (pending, running, done, failed) and the stored clustering vector live
    with the row, so no process's memory decides what is embedded and any worker can read it.
    """

    __tablename__ = "postit"
    __table_args__ = (UniqueConstraint("workshop_id", "external_id"),
                      Index("ix_postit_workshop_embedding_state", "workshop_id", "embedding_state"))
    workshop_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    axis_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("axis.id", ondelete="SET NULL"), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    votes: Mapped[int] = mapped_column(Integer, default=0)
    #: Agree / disagree counts where the platform has them (Polis); ``None`` where votes are dots.
    agrees: Mapped[int | None] = mapped_column(Integer, nullable=True)
    disagrees: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author: Mapped[str | None] = mapped_column(String(200), nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    embedding_state: Mapped[EmbeddingState] = mapped_column(stored(EmbeddingState, 10), default=EmbeddingState.PENDING,
                                                 server_default=EmbeddingState.PENDING.value)
    embedding_model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)


class Job(UUIDAuditBase):
    """A background job (synthesis, regeneration) with its progress, attempts and the worker running it."""

    __tablename__ = "job"
    workshop_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"),
                                                          nullable=True, index=True)
    kind: Mapped[TaskName] = mapped_column(stored(TaskName, 40))
    state: Mapped[JobState] = mapped_column(stored(JobState, 20), default=JobState.QUEUED)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    stage: Mapped[JobStage] = mapped_column(stored(JobStage, 200), default=JobStage.QUEUED)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    #: The API key that asked for it (the job cap holds per key too); ``None`` for the service's own.
    requested_by: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)
    #: What the job works on (``{"synthesis_id": ...}``, ``{"pitch_id": ...}``): a task needs only the job id.
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class SynthesisRow(UUIDAuditBase):
    """A synthesis request and, once its job succeeded, its result (``synthesis.json`` shape)."""

    __tablename__ = "synthesis"
    workshop_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("job.id"))
    request: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class PitchRow(UUIDAuditBase):
    """The reviewed pitch of one axis, kept across syntheses.

    A new draft replaces the text only while no human has edited or approved
    it; otherwise the draft is stored in ``proposal`` and offered beside it.
    """

    __tablename__ = "pitch"
    workshop_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    axis_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("axis.id", ondelete="CASCADE"), unique=True)
    synthesis_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("synthesis.id", ondelete="SET NULL"),
                                                           nullable=True)
    sentences: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    edited: Mapped[bool] = mapped_column(default=False)
    approved: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    proposal: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    provenance: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    job_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    # Every UPDATE checks the version it read (the services set the new one): a lost update fails.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class ClusterRow(UUIDAuditBase):
    """An editable cluster of one axis (``singular`` marks the "idées singulières" group)."""

    __tablename__ = "cluster"
    workshop_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    axis_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("axis.id", ondelete="CASCADE"), index=True)
    synthesis_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("synthesis.id", ondelete="SET NULL"),
                                                           nullable=True)
    key: Mapped[str] = mapped_column(String(120))
    label: Mapped[str] = mapped_column(String(200))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    postit_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    singular: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kept_from_review: Mapped[list[str]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # SQLAlchemy counts it up on every UPDATE and checks the one it read: a concurrent change fails.
    __mapper_args__ = {"version_id_col": version}


class ReviewDecisionRow(UUIDAuditBase):
    """A reviewer's move, merge or rename, replayed on every later clustering of the axis.

    ``data`` holds post-it ids, never cluster ids: clusters are rebuilt by each
    synthesis, post-its are not (see ``models.decisions``).
    """

    __tablename__ = "review_decision"
    workshop_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    axis_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("axis.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    author: Mapped[str] = mapped_column(String(200))


class Revision(UUIDAuditBase):
    """One stored change: who, when (``created_at``), what, before and after."""

    __tablename__ = "revision"
    workshop_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[uuid.UUID] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(40))
    author: Mapped[str] = mapped_column(String(200))
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class ApiKeyRow(UUIDAuditBase):
    """An API key: its role, its scope and the SHA-256 of its secret (the secret itself is never stored)."""

    __tablename__ = "api_key"
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(stored(Role, 20))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    workshop_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    login: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(300), nullable=True)


class AuthSessionRow(UUIDAuditBase):
    """A review-page session (cookie token stored hashed) and its CSRF token."""

    __tablename__ = "auth_session"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("api_key.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class VoteRow(UUIDAuditBase):
    """One participant's vote on one post-it: 1 agree, -1 disagree, 0 pass (Polis' scale).

    Kept per participant so opinion groups can be read off the vote matrix (``models.consensus``).
    """

    __tablename__ = "vote"
    __table_args__ = (UniqueConstraint("postit_id", "voter"),)
    workshop_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    postit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("postit.id", ondelete="CASCADE"), index=True)
    voter: Mapped[str] = mapped_column(String(200))
    value: Mapped[int] = mapped_column(SmallInteger)


class CommentRow(UUIDAuditBase):
    """A reviewer's comment on a cluster, a key point, a pitch sentence or the whole pitch.

    ``target`` is ``cluster`` or ``pitch``; ``anchor`` narrows a pitch comment to a key point
    (``kp-…``) or a sentence (``s<n>``). There is no foreign key on ``target_id``: a cluster is
    rebuilt by each synthesis, and its discussion stays on the axis page as an earlier group's.
    """

    __tablename__ = "comment"
    workshop_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    axis_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("axis.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[uuid.UUID] = mapped_column(index=True)
    anchor: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reply_to: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), nullable=True)
    author: Mapped[str] = mapped_column(String(200))
    #: The API key that wrote it: only that key may edit the text (anyone reviewing may resolve).
    author_key: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    body: Mapped[str] = mapped_column(Text)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    resolved_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    edited: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class RoomRow(UUIDAuditBase):
    """A workshop's room: the code participants type on their phones, open until closed or expired."""

    __tablename__ = "room"
    workshop_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_by: Mapped[uuid.UUID | None] = mapped_column(nullable=True)


class ParticipantRow(UUIDAuditBase):
    """One phone in a room: no name, no account; its bearer token is stored hashed (SHA-256)."""

    __tablename__ = "participant"
    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)


class RoomVoteRow(UUIDAuditBase):
    """A participant's vote on a drafted item (key point or pitch sentence): 1, -1 or 0; the latest counts.

    ``item_id`` names the item's text on its axis (see ``service.rooms.items``): a vote stays on the
    words it was cast on, and an edited sentence is a new item.
    """

    __tablename__ = "room_vote"
    __table_args__ = (UniqueConstraint("participant_id", "item_id"),)
    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(40), index=True)
    value: Mapped[int] = mapped_column(SmallInteger)

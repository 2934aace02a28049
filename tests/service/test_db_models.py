"""Stored states come from their enums: the column's width, the values it accepts, what it reads back."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from service.db.models import Job, stored
from service.db.states import JobStage, JobState


def test_a_column_cannot_be_narrower_than_its_enums_longest_value() -> None:
    with pytest.raises(ValueError, match="longest enum value"):
        stored(JobStage, len("waiting"))  # JobStage.WAITING is "waiting for embeddings"
    assert Job.__table__.c.stage.type.length >= max(len(s) for s in JobStage)  # type: ignore[attr-defined]


def test_a_state_outside_its_enum_is_refused_and_members_come_back() -> None:
    engine = create_engine("sqlite://")
    Job.metadata.create_all(engine, tables=[Job.__table__])  # type: ignore[list-item]
    with Session(engine) as session:
        session.add(Job(id=uuid.uuid4(), kind="synthesis", state=JobState.QUEUED, stage=JobStage.QUEUED))
        session.commit()
        assert session.scalar(select(Job.stage)) is JobStage.QUEUED
        session.add(Job(id=uuid.uuid4(), kind="synthesis", state="runing", stage=JobStage.QUEUED))
        with pytest.raises(StatementError, match="not among the defined enum values"):
            session.commit()

"""Request and response bodies of the synthesis domain."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from models.factory import DrafterName


class SynthesisCreate(msgspec.Struct):
    """``POST /workshops/{id}/syntheses``; every field optional."""

    drafter: DrafterName | None = None
    embedder: str | None = None
    generator: str | None = None
    axes: list[str] | None = None


class SynthesisAccepted(msgspec.Struct):
    synthesis_id: uuid.UUID
    job_id: uuid.UUID


class SynthesisOut(msgspec.Struct):
    """The CLI's ``synthesis.json`` shape plus ids and state.

    While the job runs (``status: "running"``), ``axes`` lists every axis: those finished so far
    in full with ``state: "done"``, the others with ``state: "pending"`` or ``"drafting"`` and
    ``pitch: null``. ``status`` is the job's state (``state`` is the same, kept for older clients).
    """

    id: uuid.UUID
    workshop_id: uuid.UUID
    job_id: uuid.UUID
    state: str
    created_at: datetime
    request: dict[str, Any]
    axes: list[dict[str, Any]]
    provenance: dict[str, Any]
    status: str = ""

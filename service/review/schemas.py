"""Request and response bodies of the review domain."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from service.limits import Name


class PitchEdit(msgspec.Struct):
    """``PATCH /pitches/{id}``; ``version`` (or ``If-Match``): the version the text was edited from."""

    text: Annotated[str, msgspec.Meta(max_length=20_000)]
    author: str | None = None
    version: int | None = None


class Author(msgspec.Struct):
    """Body of an action; ``version`` (or ``If-Match``): the version the reviewer saw. ``author`` is ignored."""

    author: str | None = None
    version: int | None = None


class ClusterRename(msgspec.Struct):
    """``PATCH /clusters/{id}``; ``version`` (or ``If-Match``): the version the reviewer saw."""

    label: Name
    author: str | None = None
    version: int | None = None


class PostItMove(msgspec.Struct):
    """``cluster_id: null`` moves the post-it to the axis's singular group."""

    cluster_id: uuid.UUID | None = None
    author: str | None = None


class ClusterMerge(msgspec.Struct):
    other_id: uuid.UUID
    author: str | None = None
    version: int | None = None


class PitchOut(msgspec.Struct):
    id: uuid.UUID
    axis_id: uuid.UUID
    text: str
    sentences: list[dict[str, Any]]
    edited: bool
    approved: bool
    version: int
    proposal: dict[str, Any] | None
    provenance: dict[str, Any]
    job_id: uuid.UUID | None


class ClusterOut(msgspec.Struct):
    id: uuid.UUID
    axis_id: uuid.UUID
    key: str
    label: str
    keywords: list[str]
    postit_ids: list[str]
    singular: bool
    kept_from_review: list[str] = []
    version: int = 1


class RevisionOut(msgspec.Struct):
    id: uuid.UUID
    entity: str
    entity_id: uuid.UUID
    action: str
    author: str
    version: int | None
    at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    diff: str


class JobAccepted(msgspec.Struct):
    job_id: uuid.UUID

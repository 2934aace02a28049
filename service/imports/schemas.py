"""Bodies of ``POST /workshops/{id}/import``."""

from __future__ import annotations

import uuid
from enum import StrEnum

import msgspec


class ImportFormat(StrEnum):
    """The exports Atelier reads: a Polis conversation export, a Decidim proposals CSV."""

    POLIS = "polis"
    DECIDIM = "decidim"


class ImportedAxis(msgspec.Struct):
    """What one conversation or category became."""

    name: str
    axis_created: bool
    postits: int
    created: int
    updated: int
    votes: int
    left_out: dict[str, int]
    attribution: str


class ImportReport(msgspec.Struct):
    """Counts of an import; nothing is stored when it fails (all or nothing)."""

    workshop_id: uuid.UUID
    format: ImportFormat
    language: str
    axes: list[ImportedAxis]
    created: int
    updated: int
    left_out: dict[str, int]
    votes: int
    seconds: float

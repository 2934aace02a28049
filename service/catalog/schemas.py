"""Response bodies of ``GET /api/v1/models``."""

from __future__ import annotations

import msgspec


class PackagedModelOut(msgspec.Struct):
    """A model carried by PyPI packages (``atelier models fetch NAME``)."""

    name: str
    kind: str
    upstream: str
    size_mb: int
    licence: str
    fetched: bool
    default_for: list[str]


class RuntimeOut(msgspec.Struct):
    """A drafter the service can run, and whether it is usable now."""

    name: str
    available: bool
    default_generator: str | None
    detail: str


class CatalogOut(msgspec.Struct):
    """Drafters, packaged models, defaults and what this process has loaded."""

    default_drafter: str
    default_embedder: str
    drafters: list[RuntimeOut]
    packaged: list[PackagedModelOut]
    loaded: dict[str, list[str]]

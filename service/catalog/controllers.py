"""HTTP handler of the catalogue."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get

from service.auth.guards import allow
from service.catalog.schemas import CatalogOut
from service.catalog.services import catalog


class ModelController(Controller):
    """Drafters and models this service can use."""

    tags = ["models"]

    @get("/models", sync_to_thread=False, guards=[allow("read")])
    def list_models(self, request: Request[Any, Any, Any]) -> CatalogOut:
        """Drafters (runtimes) and whether each is usable, packaged models and whether each is fetched."""
        return catalog(request.app.state.models)

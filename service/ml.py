"""Models held by a process that runs jobs: loaded once, used from one thread per queue.

Model work runs off the event loop on two lanes: ``embed`` (post-its as they arrive) and
``draft`` (syntheses, regenerations), so a long draft never starves embeddings. Each lane has
``concurrency`` threads (one by default: torch already uses every core). Nothing here is a
queue: waiting work lives in the job queue (SAQ, or the in-process one).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal, TypeVar, get_args

from models.drafting import Drafter
from models.embedding import Embedder
from models.factory import DrafterName, build_drafter, build_embedder, check_drafter, set_threads
from models.generation import default_generator
from models.pipeline import PipelineConfig
from models.verification import parse_thresholds
from service.settings import Settings

T = TypeVar("T")
log = logging.getLogger(__name__)
DrafterFactory = Callable[[str, str | None], Drafter]
EmbedderFactory = Callable[[str], Embedder]
#: The model lanes, one thread pool each; the job queues are named after them (``service.jobs.queue``).
Lane = Literal["embed", "draft"]
LANES: tuple[Lane, ...] = get_args(Lane)


class ModelHub:
    """Embedders and drafters of the running service.

    Args:
        settings: Model names and thread count.
        embedder_factory: Builds an embedder from a name (default: cached sentence-transformers).
        drafter_factory: Builds a drafter from (kind, generator) (default: :func:`build_drafter`).
        concurrency: Threads per lane.
        vector_cache: Keep the on-disk embedding cache under ``settings.home`` (the single-process
            default). Queue workers keep vectors in the database instead, so an erased post-it
            leaves no copy on any worker's disk.
    """

    def __init__(self, settings: Settings, embedder_factory: EmbedderFactory | None = None,
                 drafter_factory: DrafterFactory | None = None, concurrency: int = 1,
                 vector_cache: bool = True) -> None:
        self.settings = settings
        self._embedder_factory = embedder_factory or (
            lambda name: build_embedder(name, settings.home, cache=vector_cache))
        self._drafter_factory = drafter_factory or self._build_drafter
        self._embedders: dict[str, Embedder] = {}
        self._drafters: dict[tuple[str, str | None], Drafter] = {}
        self.lanes = {lane: ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix=f"atelier-{lane}")
                      for lane in LANES}
        self.loaded = False

    def load(self, drafter: bool = True) -> None:
        """Load the default embedder and (unless told not to) drafter, once, off the event loop."""
        set_threads(self.settings.threads)
        self.embedder(None)
        if drafter:
            self.drafter(None, None)
        self.loaded = True

    def embedder(self, name: str | None) -> Embedder:
        """The embedder called ``name`` (default when ``None``), loaded on first use."""
        key = name or self.settings.embedder
        if key not in self._embedders:
            self._embedders[key] = self._embedder_factory(key)
        return self._embedders[key]

    def _build_drafter(self, kind: str, generator: str | None) -> Drafter:
        """The default factory: the ``openai`` runtime is configured by settings, never by the environment."""
        s = self.settings
        if kind == DrafterName.OPENAI:
            return build_drafter(kind, generator or s.openai_model or None, base_url=s.openai_base_url,
                                 api_key=s.openai_api_key or None, environ={})
        return build_drafter(kind, generator)

    def pipeline_config(self, language: str, drafter: str | None = None,
                        generator: str | None = None) -> PipelineConfig:
        """The pipeline's settings for a workshop in ``language`` (this service's writing choices).

        ``agreement_thresholds`` were chosen for the service's own judge: a request naming another
        drafter or generator is judged at the packaged judge's thresholds.
        """
        s = self.settings
        own = self.judge_of(drafter, generator) == self.judge_of(None, None)
        return PipelineConfig(language=language, write_pitch=bool(s.write_pitch), name_themes=bool(s.name_themes),
                              condense_quotes=bool(s.condense_quotes),
                              agreement_thresholds=parse_thresholds(s.agreement_thresholds) if own else {})

    def judge_of(self, kind: str | None, generator: str | None) -> tuple[str, str]:
        """The runtime and model that judge for a drafter named ``kind`` with ``generator`` (defaults
        filled in as :meth:`drafter` fills them, so a name and its default compare equal)."""
        s = self.settings
        kind = check_drafter(kind or s.drafter)
        if kind == DrafterName.EXTRACTIVE:
            return kind, ""
        default = s.openai_model if kind == DrafterName.OPENAI else default_generator(kind)
        return kind, generator or s.generator or default

    def drafter(self, kind: str | None, generator: str | None) -> Drafter:
        """The drafter of ``kind`` with ``generator`` (each runtime's default when empty), loaded on first use."""
        kind = check_drafter(kind or self.settings.drafter)
        gen = None if kind == DrafterName.EXTRACTIVE else (generator or self.settings.generator or None)
        if (kind, gen) not in self._drafters:
            self._drafters[(kind, gen)] = self._drafter_factory(kind, gen)
        return self._drafters[(kind, gen)]

    def loaded_models(self) -> dict[str, list[str]]:
        """Names of the embedders and ``drafter:generator`` pairs this process holds."""
        drafters = [f"{kind}:{gen or 'default'}" for kind, gen in self._drafters]
        return {"embedders": sorted(self._embedders), "drafters": sorted(drafters)}

    async def run(self, fn: Callable[..., T], *args: Any, lane: Lane = "draft") -> T:
        """Run ``fn`` on a model thread of ``lane`` and await it."""
        return await asyncio.get_running_loop().run_in_executor(self.lanes[lane], fn, *args)

    async def forget(self, texts: Sequence[str]) -> None:
        """Erase these texts' vectors from every cache this process holds (on the model thread,
        after any queued encoding of them)."""
        caches = [e for e in self._embedders.values() if hasattr(e, "forget")]
        if texts and caches:
            await self.run(lambda: [c.forget(texts) for c in caches], lane="embed")

    def close(self) -> None:
        """Stop the model threads (running jobs are retried by the queue)."""
        for executor in self.lanes.values():
            executor.shutdown(wait=False, cancel_futures=True)

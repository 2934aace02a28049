"""Models held by the app: loaded once in the lifespan, used from one worker thread.

All model work (background embedding of new post-its, synthesis jobs) runs on a
single worker thread: torch already uses every core, and one queue means a
synthesis submitted after new post-its runs after their embedding, never
encoding the same text twice concurrently. The event loop only awaits.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from models.drafting import Drafter
from models.embedding import Embedder
from models.factory import build_drafter, build_embedder, check_drafter, set_threads
from service.settings import Settings

T = TypeVar("T")
log = logging.getLogger(__name__)
DrafterFactory = Callable[[str, str | None], Drafter]
EmbedderFactory = Callable[[str], Embedder]


class ModelHub:
    """Embedders and drafters of the running service.

    Args:
        settings: Model names and thread count.
        embedder_factory: Builds an embedder from a name (default: cached sentence-transformers).
        drafter_factory: Builds a drafter from (kind, generator) (default: :func:`build_drafter`).
    """

    def __init__(self, settings: Settings, embedder_factory: EmbedderFactory | None = None,
                 drafter_factory: DrafterFactory | None = None) -> None:
        self.settings = settings
        self._embedder_factory = embedder_factory or (lambda name: build_embedder(name, settings.home))
        self._drafter_factory = drafter_factory or self._build_drafter
        self._embedders: dict[str, Embedder] = {}
        self._drafters: dict[tuple[str, str | None], Drafter] = {}
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="atelier-models")
        self.pending_embeddings = 0
        self._pending_lock = threading.Lock()  # the done-callback runs on the model thread
        self.loaded = False

    def load(self) -> None:
        """Load the default embedder and drafter (called once, off the event loop)."""
        set_threads(self.settings.threads)
        self.embedder(None)
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
        if kind == "openai":
            return build_drafter(kind, generator or s.openai_model or None, base_url=s.openai_base_url,
                                 api_key=s.openai_api_key or None, environ={})
        return build_drafter(kind, generator)

    def drafter(self, kind: str | None, generator: str | None) -> Drafter:
        """The drafter of ``kind`` with ``generator`` (each runtime's default when empty), loaded on first use."""
        kind = check_drafter(kind or self.settings.drafter)
        gen = None if kind == "extractive" else (generator or self.settings.generator or None)
        if (kind, gen) not in self._drafters:
            self._drafters[(kind, gen)] = self._drafter_factory(kind, gen)
        return self._drafters[(kind, gen)]

    def loaded_models(self) -> dict[str, list[str]]:
        """Names of the embedders and ``drafter:generator`` pairs this process holds."""
        drafters = [f"{kind}:{gen or 'default'}" for kind, gen in self._drafters]
        return {"embedders": sorted(self._embedders), "drafters": sorted(drafters)}

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn`` on the model thread and await it."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    def embed_in_background(self, texts: Sequence[str]) -> None:
        """Queue the encoding of new post-its so a later synthesis finds them cached."""
        if not texts or not self.loaded:
            return
        with self._pending_lock:
            if self.pending_embeddings + len(texts) > self.settings.max_pending_embeddings:
                # Bounded: past the cap, texts are embedded by the synthesis that needs them instead.
                log.warning("embedding queue full (%d pending): %d post-its left for the next synthesis",
                            self.pending_embeddings, len(texts))
                return
            self.pending_embeddings += len(texts)
        future = self.executor.submit(self.embedder(None).encode, list(texts), "clustering")

        def done(f: Any) -> None:
            with self._pending_lock:
                self.pending_embeddings -= len(texts)
            if f.exception():
                log.warning("background embedding failed: %s", f.exception())

        future.add_done_callback(done)

    async def forget(self, texts: Sequence[str]) -> None:
        """Erase these texts' vectors from every cache this process holds (on the model thread,
        after any queued encoding of them)."""
        caches = [e for e in self._embedders.values() if hasattr(e, "forget")]
        if texts and caches:
            await self.run(lambda: [c.forget(texts) for c in caches])

    def close(self) -> None:
        """Stop the worker thread (pending work is dropped; jobs are recovered at next start)."""
        self.executor.shutdown(wait=False, cancel_futures=True)

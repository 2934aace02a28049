"""``atelier worker``: a process that loads the models once and runs jobs from the SAQ queues."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from service.jobs.queue import QUEUE_OF, QUEUES, SaqQueue, process_name
from service.jobs.registry import tasks
from service.ml import ModelHub
from service.settings import Settings

log = logging.getLogger(__name__)


def saq_workers(settings: Settings, queue: SaqQueue, context: dict[str, Any], names: Sequence[str],
                concurrency: int) -> list[Any]:
    """One SAQ worker per queue name, sharing ``context`` (models, sessions, settings)."""
    from saq import Worker
    from saq.types import PartialTimersDict

    functions = tasks()
    timers: PartialTimersDict = {"sweep": settings.job_sweep_seconds, "worker_info": 5, "abort": 1, "schedule": 1}
    workers = [Worker(queue.queues[name], [(n, f) for n, f in functions.items() if QUEUE_OF[n] == name],
                      id=f"{context['worker_name'].replace(':', '-')}-{name}",  # SAQ splits ids on ':'
                      concurrency=concurrency, timers=timers, metadata={"name": context["worker_name"]})
               for name in names]
    for worker in workers:
        worker.context.update(context)  # every job's ctx starts from it
    return workers


async def run_worker(settings: Settings, names: Sequence[str] = QUEUES, concurrency: int = 1,
                     hub: ModelHub | None = None) -> None:
    """Run until SIGINT/SIGTERM: load the models the queues need, then take jobs.

    Args:
        settings: ``queue_url`` is required; the database must already be migrated (by ``atelier serve``).
        names: Queues to serve (``embed``, ``draft``).
        concurrency: Jobs at once per queue (and threads per model lane).
        hub: Models to use (tests pass tiny ones); built from ``settings`` otherwise.
    """
    if not settings.queue_url:
        raise ValueError("atelier worker needs ATELIER_QUEUE_URL (redis://... or postgresql://...)")
    unknown = set(names) - set(QUEUES)
    if unknown:
        raise ValueError(f"unknown queue {sorted(unknown)[0]!r}; choose from {', '.join(QUEUES)}")
    engine = create_async_engine(settings.db_url)
    sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
    hub = hub or ModelHub(settings, concurrency=concurrency, vector_cache=False)
    await asyncio.get_running_loop().run_in_executor(None, hub.load, "draft" in names)
    queue = SaqQueue(settings)
    await queue.start()
    context = {"sessions": sessions, "hub": hub, "queue": queue, "settings": settings, "worker_name": process_name()}
    log.info("worker %s serving %s", context["worker_name"], ", ".join(names))
    try:
        await asyncio.gather(*(w.start() for w in saq_workers(settings, queue, context, names, concurrency)))
    finally:
        await queue.stop()
        hub.close()
        await engine.dispose()

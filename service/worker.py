"""``atelier worker``: a process that loads the models once and runs jobs from the SAQ queues."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from service.jobs.queue import QUEUE_OF, QUEUES, SaqQueue, process_name
from service.ml import ModelHub
from service.settings import Settings
from service.tasks import tasks

log = logging.getLogger(__name__)
#: A worker that cannot reach its broker this long exits (status 1) for its supervisor to restart
#: it, rather than spin: SAQ retries a lost connection in a tight loop.
BROKER_GRACE_SECONDS = 60


class BrokerLostError(RuntimeError):
    """The queue's broker stayed unreachable for :data:`BROKER_GRACE_SECONDS`."""


async def watch_broker(queue: SaqQueue, workers: list[Any], every: float = 5.0,
                       grace: float = BROKER_GRACE_SECONDS) -> None:
    """Stop ``workers`` and raise :class:`BrokerLostError` once the broker has failed for ``grace`` seconds."""
    loop = asyncio.get_running_loop()
    failing_since: float | None = None
    while True:
        await asyncio.sleep(every)
        try:
            await queue.queues["embed"].count("queued")
            failing_since = None
        except Exception as err:
            failing_since = failing_since or loop.time()
            log.warning("queue broker unreachable: %s", err)
            if loop.time() - failing_since >= grace:
                for worker in workers:
                    await worker.stop()
                raise BrokerLostError(f"the queue broker was unreachable for {grace:.0f} s") from err


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
        worker.SIGNALS = []  # one process, several SAQ workers: run_worker stops them all on a signal
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
    engine = create_async_engine(settings.db_url, hide_parameters=True)  # no post-it text in error logs
    sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
    hub = hub or ModelHub(settings, concurrency=concurrency, vector_cache=False)
    await asyncio.get_running_loop().run_in_executor(None, hub.load, "draft" in names)
    queue = SaqQueue(settings)
    await queue.start()
    context = {"sessions": sessions, "hub": hub, "queue": queue, "settings": settings, "worker_name": process_name()}
    log.info("worker %s serving %s", context["worker_name"], ", ".join(names))
    workers = saq_workers(settings, queue, context, names, concurrency)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, lambda: [w.event.set() for w in workers])
    starts = [asyncio.create_task(w.start()) for w in workers]
    watch = asyncio.create_task(watch_broker(queue, workers))
    try:
        await asyncio.wait([*starts, watch], return_when=asyncio.FIRST_COMPLETED)
        if watch.done():
            watch.result()  # raises BrokerLostError
        await asyncio.gather(*starts)  # a signal: every worker finishes its jobs and stops
    finally:
        watch.cancel()
        await queue.stop()
        hub.close()
        await engine.dispose()

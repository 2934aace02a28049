"""Where jobs wait: SAQ on Redis or PostgreSQL (``ATELIER_QUEUE_URL``), or in this process.

Two queues: ``embed`` (post-its as they arrive) and ``draft`` (syntheses, regenerations), so a
long draft never starves embeddings. Every task takes ids only and opens its own session; each
step is idempotent, so the at-least-once delivery of a queue (a job whose worker died is run
again elsewhere) never stores anything twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from service.db.states import TaskName
from service.ml import LANES, Lane
from service.settings import Settings

log = logging.getLogger(__name__)
Context = dict[str, Any]
Task = Callable[..., Awaitable[None]]
#: The one rule saying which queue runs each task.
QUEUE_OF: dict[str, Lane] = {TaskName.EMBED: "embed", TaskName.SYNTHESIS: "draft", TaskName.REGENERATE: "draft"}
#: One queue per model lane.
QUEUES = LANES


def process_name() -> str:
    """``host:pid``: names the process that runs a job, in job records and worker lists."""
    return f"{socket.gethostname()}:{os.getpid()}"


class JobQueue(Protocol):
    """What the service needs of a queue."""

    broker: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def enqueue(self, function: str, key: str, **kwargs: Any) -> None:
        """Run ``function(ctx, **kwargs)`` once per ``key`` (a key already waiting or running is not added)."""

    async def info(self) -> dict[str, Any]:
        """Broker, live workers and counts, for ``/health``."""


class LocalQueue:
    """The single-process default: tasks run as asyncio tasks of this process (model work on its lanes),
    ``concurrency`` at a time per queue, like one ``atelier worker``: waiting tasks hold no database
    transaction, so a burst of pushes does not crowd the writers.

    Args:
        functions: Task name to coroutine function.
        context: The ``ctx`` every task receives (models, sessions, settings, this queue).
        concurrency: Tasks running at once per queue.
    """

    broker = "local"

    def __init__(self, functions: Mapping[str, Task], context: Context, concurrency: int = 1) -> None:
        self.functions = functions
        self.context = context
        self._running: dict[str, asyncio.Task[None]] = {}
        self._slots = {name: asyncio.Semaphore(concurrency) for name in QUEUES}

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        for task in list(self._running.values()):
            task.cancel()
        await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def enqueue(self, function: str, key: str, **kwargs: Any) -> None:
        if key in self._running:
            return
        self._running[key] = asyncio.create_task(self._run(function, key, kwargs))

    async def _run(self, function: str, key: str, kwargs: dict[str, Any]) -> None:
        try:
            async with self._slots[QUEUE_OF[function]]:
                await self.functions[function]({**self.context, "job": None}, **kwargs)
        except Exception:  # a task records its own failure; this is the last resort for the log
            log.exception("task %s (%s) failed", function, key)
        finally:
            self._running.pop(key, None)

    async def info(self) -> dict[str, Any]:
        return {"broker": self.broker, "workers": [{"name": self.context["worker_name"], "queues": list(QUEUES)}],
                "queues": {"all": {"queued_or_active": len(self._running)}}}


class SaqQueue:
    """SAQ queues ``atelier-embed`` and ``atelier-draft`` on one broker.

    A job's worker refreshes its heartbeat while it runs; when the worker dies, another worker's
    sweep finds the silent job and retries it (``settings.job_retries`` attempts in all).

    Args:
        settings: ``queue_url`` and the job timeout, heartbeat and retries.
    """

    def __init__(self, settings: Settings) -> None:
        from saq import Queue

        self.settings = settings
        self.broker = settings.queue_url.split(":", 1)[0]
        self.queues: dict[str, Queue] = {name: Queue.from_url(settings.queue_url, name=f"atelier-{name}")
                                         for name in QUEUES}

    async def start(self) -> None:
        for queue in self.queues.values():
            await queue.connect()

    async def stop(self) -> None:
        for queue in self.queues.values():
            await queue.disconnect()

    async def enqueue(self, function: str, key: str, **kwargs: Any) -> None:
        s = self.settings
        await self.queues[QUEUE_OF[function]].enqueue(
            function, key=key, timeout=s.job_timeout_seconds, heartbeat=s.job_heartbeat_seconds,
            retries=s.job_retries, ttl=86_400, **kwargs)

    async def info(self) -> dict[str, Any]:
        workers: dict[str, Any] = {}
        counts: dict[str, Any] = {}
        for name, queue in self.queues.items():
            info = await queue.info()
            counts[name] = {"queued": info.get("queued", 0), "active": info.get("active", 0)}
            for ident, worker in (info.get("workers") or {}).items():
                meta = worker.get("metadata") or {}
                workers.setdefault(meta.get("name", ident), []).append(name)
        return {"broker": self.broker, "workers": [{"name": w, "queues": q} for w, q in sorted(workers.items())],
                "queues": counts}


def build_queue(settings: Settings, functions: Mapping[str, Task], context: Context) -> JobQueue:
    """SAQ when ``settings.queue_url`` is set, else the in-process queue."""
    return SaqQueue(settings) if settings.queue_url else LocalQueue(functions, context)

"""The in-process queue: embedding state per post-it, a synthesis that waits only for its own workshop."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from litestar.testing import TestClient

from models.drafting import ExtractiveDrafter
from service.app import create_app
from tests.fakes import HashingEmbedder
from tests.service.conftest import authorized, settings_for, wait_job

API = "/api/v1"


class GatedEmbedder(HashingEmbedder):
    """Blocks on any text containing ``attendre`` until the gate opens (a slow or stuck embedding)."""

    def __init__(self, gate: threading.Event) -> None:
        super().__init__(model_id="gated")
        self.gate = gate
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str], task: str = "clustering") -> np.ndarray:
        if task == "clustering" and any("attendre" in t for t in texts):
            self.gate.wait(60)
        if task == "clustering":
            self.encoded.extend(texts)
        return super().encode(texts, task)


def _workshop(client: TestClient, texts: list[str]) -> str:  # type: ignore[type-arg]
    wid = client.post(f"{API}/workshops", json={"title": "W", "axes": [{"name": "A"}]}).json()["id"]
    client.post(f"{API}/workshops/{wid}/postits", json=[{"text": t, "axis": "A"} for t in texts]).raise_for_status()
    return str(wid)


def _pending(client: TestClient) -> int:  # type: ignore[type-arg]
    return int(client.get("/health").json()["pending_embeddings"])


def test_a_synthesis_waits_for_its_own_workshop_only_and_starts_when_its_post_its_are_embedded(home: Path) -> None:
    gate = threading.Event()
    embedder = GatedEmbedder(gate)
    app = create_app(settings_for(home), embedder_factory=lambda name: embedder,
                     drafter_factory=lambda kind, generator: ExtractiveDrafter())
    with TestClient(app) as raw:
        client = authorized(raw, home)
        ready = _workshop(client, ["plus de bus le soir", "des bus plus fréquents", "une piste cyclable"])
        for _ in range(200):  # embedded as they arrived
            if _pending(client) == 0:
                break
            time.sleep(0.05)
        assert _pending(client) == 0
        health = client.get("/health").json()  # the same shape as with SAQ workers
        assert health["role"] == "all-in-one" and health["queue"]["broker"] == "local"
        assert health["queue"]["workers"][0]["queues"] == ["embed", "draft"]
        stuck = _workshop(client, ["il faut attendre le train", "un train toutes les heures"])
        first = client.post(f"{API}/workshops/{stuck}/syntheses", json={}).json()["job_id"]
        job = client.get(f"{API}/jobs/{first}").json()
        assert job["state"] == "queued" and job["stage"] == "waiting for embeddings"
        # Another workshop's stuck embedding does not hold this one back.
        done = wait_job(client, client.post(f"{API}/workshops/{ready}/syntheses", json={}).json()["job_id"])
        assert done["state"] == "succeeded" and done["attempts"] == 1
        assert client.get(f"{API}/jobs/{first}").json()["stage"] == "waiting for embeddings"
        gate.set()  # the embedding finishes: the waiting synthesis starts without polling
        released = wait_job(client, first)
        assert released["state"] == "succeeded"
        assert _pending(client) == 0
        # Each text was encoded once: at arrival, never again by the syntheses.
        assert sorted(embedder.encoded) == sorted(set(embedder.encoded)) and len(embedder.encoded) == 5


def test_an_edited_post_it_is_embedded_again(home: Path) -> None:
    embedder = GatedEmbedder(threading.Event())
    app = create_app(settings_for(home), embedder_factory=lambda name: embedder,
                     drafter_factory=lambda kind, generator: ExtractiveDrafter())
    with TestClient(app) as raw:
        client = authorized(raw, home)
        wid = _workshop(client, ["plus de bus le soir"])
        postit = client.get(f"{API}/workshops/{wid}/postits").json()[0]
        client.patch(f"{API}/postits/{postit['id']}", json={"text": "plus de trams le soir"}).raise_for_status()
        assert _pending(client) == 1  # the old vector is gone with the old text
        assert wait_job(client, client.post(f"{API}/workshops/{wid}/syntheses", json={}).json()["job_id"])[
            "state"] == "succeeded"
        assert _pending(client) == 0 and "plus de trams le soir" in embedder.encoded


def test_a_worker_that_loses_its_broker_stops_instead_of_spinning() -> None:
    import asyncio

    import pytest

    from service.worker import BrokerLostError, watch_broker

    class Down:
        async def count(self, kind: str) -> int:
            raise ConnectionError("connection refused")

    class Queue:
        queues = {"embed": Down()}

    class Worker:
        stopped = False

        async def stop(self) -> None:
            self.stopped = True

    worker = Worker()
    with pytest.raises(BrokerLostError, match="unreachable"):
        asyncio.run(watch_broker(Queue(), [worker], every=0.01, grace=0.05))  # type: ignore[arg-type]
    assert worker.stopped


def test_progress_written_from_the_model_thread_is_all_written_once_settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each progress report from the model thread is a write on the loop; the task awaits them all
    before it marks the job done, so none is left running when a shutdown closes the loop."""
    import asyncio
    import uuid

    from service.syntheses import tasks

    written: list[float] = []

    async def scenario() -> list[float]:
        gate = asyncio.Event()

        async def held_write(sessions: object, job_id: uuid.UUID, stage: str, progress: float) -> None:
            await gate.wait()
            written.append(progress)

        monkeypatch.setattr(tasks.jobs, "set_progress", held_write)
        progress = tasks.ProgressWrites(None, uuid.uuid4(), asyncio.get_running_loop())  # type: ignore[arg-type]
        await asyncio.to_thread(lambda: [progress("drafting", n / 4) for n in range(4)])
        before = list(written)  # reported, not yet written
        gate.set()
        await progress.settled()
        return before

    assert asyncio.run(scenario()) == []
    assert len(written) == 4


def test_an_apps_database_engine_is_closed_at_shutdown_whichever_app_of_the_process_it_is(tmp_path: Path) -> None:
    """advanced-alchemy keys a process' second database config "db_engine_1" and then disposes only
    "db_engine": every test app after the first kept its pooled connections open until the
    collector closed them under a later test's loop."""
    from sqlalchemy.ext.asyncio import AsyncEngine

    from tests.service.conftest import make_app

    make_app(tmp_path / "first")  # whatever ran before, this process now holds more than one config
    app = make_app(tmp_path / "second")
    with TestClient(app) as client:
        assert client.get("/health").json()["database"] is True
        [engine] = [v for v in app.state.values() if isinstance(v, AsyncEngine)]
        pool = engine.pool
    assert pool.checkedin() == 0  # every connection it pooled is closed (1 was left open before)

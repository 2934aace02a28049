"""Queue bench (``python -m evaluation.scale``): prints numbers only.

On Redis + PostgreSQL with the default embedder: post-its embedded per second by 1, then 2,
``atelier worker --queues embed`` processes (real Make.org proposals, pushed in batches of 100
as a live workshop would), then the time from a synthesis request to its result for the fully
embedded workshop, with workers on both queues.

Needs ``redis-server`` on PATH and a PostgreSQL URL (``--database-url``; its schema is dropped).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from evaluation.bench import real_workshop
from models.store import atelier_home


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "atelier", *args], env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _health(client: httpx.Client, until: Callable[[dict[str, Any]], bool] = lambda h: True,
            timeout: float = 600) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            answer = client.get("/health")
            body = answer.json()
            if answer.status_code == 200 and until(body):
                return dict(body)
        except (httpx.TransportError, ValueError):
            pass
        time.sleep(0.2)
    raise RuntimeError("the service never reached the expected state")


def _listing(workers: list[subprocess.Popen[bytes]]) -> Callable[[dict[str, Any]], bool]:
    """Whether ``/health`` lists these worker processes (by ``host:pid``)."""
    names = {f"{socket.gethostname()}:{w.pid}" for w in workers}
    return lambda h: names <= {w["name"] for w in h["queue"]["workers"]}


def _reset(url: str) -> None:
    import asyncio

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    async def drop() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    asyncio.run(drop())


def _push(client: httpx.Client, n: int, tag: str) -> str:
    postits, axes = real_workshop(n, 6)
    body = {"title": f"Bench {tag}", "axes": [{"name": a.name, "description": a.description} for a in axes]}
    wid = str(client.post("/api/v1/workshops", json=body).json()["id"])
    items = [{"text": p.text, "votes": p.votes, "axis": axes[i % len(axes)].name, "external_id": p.id}
             for i, p in enumerate(postits)]
    for start in range(0, len(items), 100):
        client.post(f"/api/v1/workshops/{wid}/postits", json=items[start:start + 100]).raise_for_status()
    return wid


def main(database_url: str, n: int, drafter: str, port: int = 8766) -> int:
    """Run the bench and print its numbers."""
    scratch = Path(tempfile.mkdtemp(prefix="atelier-scale-"))
    redis_port = port + 1000
    redis = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(redis_port), "--save", "",
                              "--appendonly", "no", "--dir", str(scratch)], stdout=subprocess.DEVNULL)
    _reset(database_url)
    env = {**os.environ, "ATELIER_HOME": str(scratch), "ATELIER_DATABASE_URL": database_url,
           "ATELIER_QUEUE_URL": f"redis://127.0.0.1:{redis_port}", "ATELIER_DRAFTER": drafter,
           "ATELIER_MODELS_DIR": os.environ.get("ATELIER_MODELS_DIR") or str(atelier_home() / "models")}
    processes = [_start(["serve", "--port", str(port)], env, scratch / "api.log")]
    print(f"{os.cpu_count()} cores; {n} Make.org proposals over 6 axes; logs in {scratch}")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            _health(client)
            client.headers["Authorization"] = f"Bearer {(scratch / 'admin.key').read_text().strip()}"
            for count in (1, 2):
                workers = [_start(["worker", "--queues", "embed"], env, scratch / f"embed-{count}-{i}.log")
                           for i in range(count)]
                _health(client, _listing(workers))
                started = time.perf_counter()
                wid = _push(client, n, f"{count} workers")
                _health(client, lambda h: h["pending_embeddings"] == 0, timeout=3600)
                took = time.perf_counter() - started
                print(f"embedding, {count} worker(s): {n} post-its in {took:.1f} s = {n / took:.1f} post-its/s")
                for worker in workers:
                    worker.terminate()
                    worker.wait(timeout=60)
            workers = [_start(["worker"], env, scratch / f"worker-{i}.log") for i in range(2)]
            _health(client, _listing(workers))
            started = time.perf_counter()
            job_id = client.post(f"/api/v1/workshops/{wid}/syntheses", json={}).json()["job_id"]
            job = client.get(f"/api/v1/jobs/{job_id}").json()
            while job["state"] not in ("succeeded", "failed"):
                time.sleep(0.5)
                job = client.get(f"/api/v1/jobs/{job_id}").json()
            print(f"synthesis of the embedded {n}-post-it workshop ({drafter} drafter, 2 workers): {job['state']} "
                  f"{time.perf_counter() - started:.1f} s after the request (worker {job['worker']})")
            processes += workers
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=60)
        redis.terminate()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True, help="postgresql+asyncpg://... (its schema is dropped)")
    parser.add_argument("--postits", type=int, default=2000)
    parser.add_argument("--drafter", default="extractive", choices=["openvino", "transformers", "extractive"])
    args = parser.parse_args()
    raise SystemExit(main(args.database_url, args.postits, args.drafter))

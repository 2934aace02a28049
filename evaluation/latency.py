"""Read latency while a synthesis runs (``python -m evaluation.latency``); prints numbers only.

Starts ``atelier serve`` on a scratch database with the default models, pushes a
300-post-it, 6-axis workshop of real Make.org proposals, waits for the background
embeddings, requests a synthesis, and times 1,000 GETs while the job runs. Also
prints the time from the request to clusters (the job entering ``drafting``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from evaluation.bench import real_workshop
from models.store import atelier_home


def _wait_health(client: httpx.Client, timeout: float = 300) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if client.get("/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError("service did not become healthy")


def main(port: int = 8765, n_gets: int = 1000, drafter: str = "transformers") -> int:
    """Run the measurement and print p50/p99."""
    scratch = Path(tempfile.mkdtemp(prefix="atelier-latency-"))
    env = {**os.environ, "ATELIER_DATABASE_URL": f"sqlite+aiosqlite:///{scratch / 'latency.db'}",
           "ATELIER_HOME": str(scratch)}  # a fresh home: its first start writes the admin key there
    env["ATELIER_MODELS_DIR"] = os.environ.get("ATELIER_MODELS_DIR") or str(atelier_home() / "models")
    server = subprocess.Popen([sys.executable, "-m", "atelier", "serve", "--port", str(port), "--drafter", drafter],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            t0 = time.perf_counter()
            _wait_health(client)
            print(f"service healthy after {time.perf_counter() - t0:.1f} s (models loaded)")
            client.headers["Authorization"] = f"Bearer {(scratch / 'admin.key').read_text().strip()}"
            postits, axes = real_workshop(300, 6)
            body = {"title": "Le Monde d'après (extrait)", "language": "fr",
                    "axes": [{"name": a.name, "description": a.description} for a in axes]}
            wid = client.post("/api/v1/workshops", json=body).json()["id"]
            t0 = time.perf_counter()
            items = [{"text": p.text, "votes": p.votes, "external_id": p.id} for p in postits]
            for start in range(0, len(items), 50):  # as a live workshop would, in batches
                client.post(f"/api/v1/workshops/{wid}/postits", json=items[start:start + 50]).raise_for_status()
            while client.get("/health").json()["pending_embeddings"] > 0:
                time.sleep(0.2)
            print(f"background embedding of {len(items)} post-its: {time.perf_counter() - t0:.1f} s")
            t0 = time.perf_counter()
            job_id = client.post(f"/api/v1/workshops/{wid}/syntheses", json={}).json()["job_id"]
            latencies: list[float] = []
            clusters_at: float | None = None
            state = "queued"
            paths = [f"/api/v1/jobs/{job_id}", f"/api/v1/workshops/{wid}"]
            while len(latencies) < n_gets or state not in ("succeeded", "failed"):
                s = time.perf_counter()
                job = client.get(paths[0]).json()
                if len(latencies) < n_gets and job["state"] == "running":
                    latencies.append(time.perf_counter() - s)
                    s = time.perf_counter()
                    client.get(paths[1]).raise_for_status()
                    latencies.append(time.perf_counter() - s)
                state = job["state"]
                if clusters_at is None and job["stage"] in ("drafting", "scoring", "done"):
                    clusters_at = time.perf_counter() - t0
                if state in ("succeeded", "failed") and len(latencies) < n_gets:
                    break
            total = time.perf_counter() - t0
            ms = np.array(latencies) * 1000
            to_clusters = clusters_at or float("nan")
            print(f"job {state}: clusters {to_clusters:.1f} s after the request, whole job {total:.1f} s")
            print(f"{len(ms)} GETs while the job ran: p50 {np.percentile(ms, 50):.1f} ms, "
                  f"p99 {np.percentile(ms, 99):.1f} ms, max {ms.max():.1f} ms (goal p99 < 50 ms)")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--gets", type=int, default=1000)
    parser.add_argument("--drafter", default="transformers", choices=["transformers", "extractive"])
    args = parser.parse_args()
    raise SystemExit(main(args.port, args.gets, args.drafter))

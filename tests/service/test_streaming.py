"""A synthesis is read axis by axis while it runs, and a retry after kill -9 drafts only the unfinished axes."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service.conftest import admin_key
from tests.service.processes import every_page, free_port, service_env, stop, wait_health

pytestmark = pytest.mark.system  # processes or a browser, seconds each: out of the inner loop

TOPICS = ["bus", "vélo", "train", "logement", "isolation"]


def _gated(port: int, gate: Path, log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """The service, its drafter holding at axis B until ``gate`` exists (tests/service/gated_server.py)."""
    return subprocess.Popen([sys.executable, "-m", "tests.service.gated_server", str(port), "B", str(gate), str(log)],
                            env=env, stdout=open(log.with_suffix(".out"), "ab"), stderr=subprocess.STDOUT)


def _wait(api: httpx.Client, path: str, done: Any, timeout: float = 600) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = api.get(path).json()
        if done(body):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.1)


def test_finished_axes_are_readable_while_the_job_runs_and_a_retry_drafts_only_the_rest(
        home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.tiny_models import build_tiny_sentence_transformer

    model = build_tiny_sentence_transformer(tmp_path / "tiny-st")
    port, gate, log = free_port(), tmp_path / "gate", tmp_path / "drafted.log"
    url = f"http://127.0.0.1:{port}"
    env = service_env(home, model, ATELIER_JOB_HEARTBEAT_SECONDS="2", ATELIER_JOB_SWEEP_SECONDS="1")
    server = _gated(port, gate, log, env)
    try:
        wait_health(url)
        api = httpx.Client(base_url=url + "/api/v1", timeout=60, headers={"Authorization": f"Bearer {admin_key(home)}"})
        wid = api.post("/workshops", json={"title": "Flux", "axes": [{"name": "A"}, {"name": "B"}]}).json()["id"]
        api.post(f"/workshops/{wid}/postits", json=[
            {"text": f"proposition {i} : {TOPICS[i % 5]} pour le quartier {i % 7}", "axis": "AB"[i % 2]}
            for i in range(60)]).raise_for_status()
        accepted = api.post(f"/workshops/{wid}/syntheses", json={}).json()
        started = time.monotonic()
        running = _wait(api, f"/syntheses/{accepted['synthesis_id']}",
                        lambda s: any(a.get("state") == "done" for a in s["axes"]) or s["status"] not in
                        ("queued", "running"))
        first_axis = time.monotonic() - started
        states = {a["name"]: a.get("state") for a in running["axes"]}
        assert running["status"] == "running" and states == {"A": "done", "B": "drafting"}, \
            api.get(f"/jobs/{accepted['job_id']}").json()
        a, b = running["axes"]
        assert a["pitch"]["sentences"] and a["key_points"] and a["clusters"] and b["pitch"] is None
        job = api.get(f"/jobs/{accepted['job_id']}").json()
        assert (job["state"], job["axes_done"], job["axes_total"]) == ("running", 1, 2)
        review = {x["name"]: x for x in api.get(f"/workshops/{wid}/review").json()["axes"]}
        assert review["A"]["pitch"]["sentences"] and review["B"]["pitch"] is None  # A is reviewable now
        page = httpx.get(f"{url}/review/workshops/{wid}", headers=api.headers).text  # refreshes itself (workshop.js)
        assert 'data-live="1"' in page and "rédigé" in page and "en cours de rédaction" in page

        server.send_signal(signal.SIGKILL)  # while B is being drafted
        server.wait(timeout=30)
        log.write_text("")
        gate.touch()
        server = _gated(port, gate, log, env)
        wait_health(url)
        after = _wait(api, f"/jobs/{accepted['job_id']}", lambda j: j["state"] not in ("queued", "running"))
        final = api.get(f"/syntheses/{accepted['synthesis_id']}").json()
        history = api.get(f"/pitches/{review['A']['pitch']['id']}/history").json()
        with capsys.disabled():
            print(f"\nfirst axis readable {first_axis:.1f} s after the request; after kill -9 the retry drafted "
                  f"{log.read_text().split()} and the job {after['state']} (attempts {after['attempts']})")
        assert after["state"] == "succeeded" and after["attempts"] == 2 and after["axes_done"] == 2
        assert log.read_text().split() == ["B"]  # A, finished before the kill, was not drafted again
        assert [x["state"] for x in final["axes"]] == ["done", "done"] and final["status"] == "succeeded"
        assert [h["action"] for h in history] == ["draft"]  # nor offered to review twice
        assert len(every_page(api, f"/workshops/{wid}/postits")) == 60
        api.close()
    finally:
        stop(server)

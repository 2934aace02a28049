"""Reliability under load, each test printing its numbers (run on SQLite and, in CI, PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.service.conftest import admin_key
from tests.service.processes import atelier, every_page, free_port, service_env, stop, wait_health

pytestmark = pytest.mark.system  # processes or a browser, seconds each: out of the inner loop

WRITERS = 50
SECONDS = float(os.environ.get("ATELIER_RELIABILITY_SECONDS", "30"))


def test_concurrent_writers_store_every_acknowledged_postit_exactly_once(live_url: str, home: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    headers = {"Authorization": f"Bearer {admin_key(home)}"}
    with httpx.Client(base_url=live_url + "/api/v1", headers=headers, timeout=60) as api:
        wid = api.post("/workshops", json={"title": "Charge", "axes": [{"name": "A"}]}).json()["id"]
    acknowledged: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def writer(n: int) -> None:
        with httpx.Client(base_url=live_url + "/api/v1", headers=headers, timeout=60) as api:
            batch = 0
            while time.monotonic() < deadline:
                items = [{"text": f"idée {n}-{batch}-{i}", "axis": "A", "external_id": f"w{n}-{batch}-{i}"}
                         for i in range(5)]
                answer = api.post(f"/workshops/{wid}/postits", json=items)
                if answer.status_code == 201 and batch % 4 == 0:  # a retry of the same batch: stored once
                    api.post(f"/workshops/{wid}/postits", json=items).raise_for_status()
                with lock:
                    statuses[answer.status_code] += 1
                    if answer.status_code == 201:
                        acknowledged.update(i["external_id"] for i in items)
                batch += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - started
    with httpx.Client(base_url=live_url + "/api/v1", headers=headers, timeout=120) as api:
        stored = Counter(p["external_id"] for p in every_page(api, f"/workshops/{wid}/postits"))
    with capsys.disabled():
        print(f"\n{WRITERS} writers for {took:.1f} s: {sum(statuses.values())} batches "
              f"({sum(statuses.values()) / took:.0f}/s), statuses {dict(statuses)}, "
              f"{len(acknowledged)} post-its acknowledged, {len(stored)} stored")
    assert statuses[500] == 0
    assert set(acknowledged) <= set(stored), "an acknowledged post-it was lost"
    assert max(stored.values()) == 1, "a post-it was stored twice"


def test_kill_9_during_a_synthesis_loses_no_postit_and_the_job_resumes(home: Path, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """The embedded default (one process, no queue URL): killed mid-job, restarted, the job runs again."""
    from tests.tiny_models import build_tiny_sentence_transformer

    model = build_tiny_sentence_transformer(tmp_path / "tiny-st")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = service_env(home, model, ATELIER_JOB_HEARTBEAT_SECONDS="2", ATELIER_JOB_SWEEP_SECONDS="1")
    server = atelier(["serve", "--port", str(port)], env)
    try:
        wait_health(url)
        api = httpx.Client(base_url=url + "/api/v1", timeout=60,
                           headers={"Authorization": f"Bearer {admin_key(home)}"})
        wid = api.post("/workshops", json={"title": "Crash", "axes": [{"name": "A"}, {"name": "B"}]}).json()["id"]
        items = [{"text": f"proposition {i} : {['bus', 'vélo', 'train', 'logement', 'isolation'][i % 5]} "
                          f"pour le quartier {i % 23}", "axis": "AB"[i % 2], "external_id": f"c{i}"}
                 for i in range(500)]
        for start in range(0, len(items), 100):
            api.post(f"/workshops/{wid}/postits", json=items[start:start + 100]).raise_for_status()
        job = api.post(f"/workshops/{wid}/syntheses", json={}).json()["job_id"]
        killed_in = api.get(f"/jobs/{job}").json()
        asked = time.monotonic()
        # Mid-job: the pipeline has started (clustering or later), not merely been taken.
        while killed_in["state"] in ("queued", "running") and killed_in["stage"] not in ("clustering", "drafting",
                                                                                        "scoring"):
            assert time.monotonic() - asked < 600, killed_in
            time.sleep(0.05)
            killed_in = api.get(f"/jobs/{job}").json()
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        restarted = time.monotonic()
        server = atelier(["serve", "--port", str(port)], env)
        wait_health(url)
        after = api.get(f"/jobs/{job}").json()
        while after["state"] in ("queued", "running"):
            # A fresh process compiles UMAP's numba kernels (about a minute on 2 busy cores) before clustering.
            assert time.monotonic() - restarted < 600, after
            time.sleep(0.2)
            after = api.get(f"/jobs/{job}").json()
        stored = every_page(api, f"/workshops/{wid}/postits")
        with capsys.disabled():
            print(f"\nkill -9 at stage {killed_in['stage']!r} ({killed_in['progress']:.2f}); after restart the job "
                  f"{after['state']} in {time.monotonic() - restarted:.1f} s (attempts {after['attempts']}); "
                  f"{len(stored)} of {len(items)} post-its stored")
        assert killed_in["state"] in ("running", "succeeded")
        assert after["state"] == "succeeded"
        assert after["attempts"] == (2 if killed_in["state"] == "running" else 1)
        assert sorted(p["external_id"] for p in stored) == sorted(i["external_id"] for i in items)
        api.close()
    finally:
        stop(server)


def _seeded(live_url: str, headers: dict[str, str]) -> dict[str, str]:
    """Real ids of every kind, from a synthesised workshop, for the fuzzer to use half of the time."""
    with httpx.Client(base_url=live_url + "/api/v1", headers=headers, timeout=60) as api:
        wid = api.post("/workshops", json={"title": "Fuzz", "axes": [{"name": "A"}]}).json()["id"]
        ids = api.post(f"/workshops/{wid}/postits", json=[{"text": f"idée {i} vélo bus", "axis": "A"}
                                                          for i in range(6)]).json()["ids"]
        job = api.post(f"/workshops/{wid}/syntheses", json={}).json()
        for _ in range(600):
            if api.get(f"/jobs/{job['job_id']}").json()["state"] in ("succeeded", "failed"):
                break
            time.sleep(0.05)
        review = api.get(f"/workshops/{wid}/review").json()["axes"][0]
        key = api.post("/keys", json={"role": "viewer", "name": "fuzz"}).json()["id"]
    return {"workshop_id": wid, "postit_id": ids[0], "synthesis_id": job["synthesis_id"], "job_id": job["job_id"],
            "pitch_id": review["pitch"]["id"], "cluster_id": review["clusters"][0]["id"], "key_id": key}


def test_fuzzing_every_operation_finds_no_server_error(live_url: str, home: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Schemathesis over the OpenAPI document, authenticated, half of the cases on real ids."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings

    headers = {"Authorization": f"Bearer {admin_key(home)}"}
    real = _seeded(live_url, headers)
    schema = schemathesis.openapi.from_url(live_url + "/schema/openapi.json", headers=headers)
    operations = sorted((r.ok() for r in schema.get_all_operations()), key=lambda o: o.method.upper() == "DELETE")
    calls: Counter[int] = Counter()
    failures: list[str] = []
    per_operation = int(os.environ.get("ATELIER_FUZZ_EXAMPLES", "50"))
    for operation in operations:
        @settings(max_examples=per_operation, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            if sum(calls.values()) % 2 == 0 and case.path_parameters:
                case.path_parameters = {k: real.get(k, v) for k, v in case.path_parameters.items()}
            response = case.call(base_url=live_url, headers=headers)
            calls[response.status_code] += 1
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:200]}")

        check()
    with capsys.disabled():
        print(f"\nschemathesis: {sum(calls.values())} cases over {len(operations)} operations, statuses "
              f"{dict(sorted(calls.items()))}")
    assert sum(calls.values()) >= 1000
    assert failures == [], failures[:5]



def test_simultaneous_retries_with_one_external_id_store_it_once(live_url: str, home: Path) -> None:
    headers = {"Authorization": f"Bearer {admin_key(home)}"}
    with httpx.Client(base_url=live_url + "/api/v1", headers=headers, timeout=60) as api:
        wid = api.post("/workshops", json={"title": "Retries", "axes": [{"name": "A"}]}).json()["id"]
    answers: list[httpx.Response] = []

    def retry(n: int) -> None:
        with httpx.Client(base_url=live_url + "/api/v1", headers=headers, timeout=60) as api:
            for round_ in range(20):
                answers.append(api.post(f"/workshops/{wid}/postits",
                                        json=[{"text": f"même idée {round_}", "external_id": f"r{round_}"}]))

    threads = [threading.Thread(target=retry, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {a.status_code for a in answers} == {201}
    with httpx.Client(base_url=live_url + "/api/v1", headers=headers, timeout=60) as api:
        stored = [p["external_id"] for p in api.get(f"/workshops/{wid}/postits").json()]
    assert sorted(stored) == sorted(f"r{i}" for i in range(20))


def test_stateful_schemathesis_finds_no_server_error(live_url: str, home: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Schemathesis's stateful phase (its CLI): chains of calls that reuse the ids earlier responses returned.

    One run's length varies a lot with its random seed (44 to 1,400 scenarios seen), so runs are
    repeated, each with a new seed it prints, until 1,000 cases have run.
    """
    st = Path(sys.executable).parent / "st"
    examples = os.environ.get("ATELIER_STATEFUL_EXAMPLES", "300")
    total, lines = 0, []
    for _ in range(8):
        run = subprocess.run([str(st), "run", live_url + "/schema/openapi.json", "-H",
                              f"Authorization: Bearer {admin_key(home)}", "--phases", "stateful", "--checks",
                              "not_a_server_error", "--max-examples", examples],
                             capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, run.stdout[-3000:]
        summary = [line.strip() for line in run.stdout.splitlines()
                   if any(word in line for word in ("generated", "Scenarios", "API Links", "Seed"))]
        lines.append("; ".join(" ".join(line.split()) for line in summary))
        total += next(int(line.split()[0]) for line in summary if "generated" in line)
        if total >= 1000:
            break
    with capsys.disabled():
        print(f"\nschemathesis stateful: {total} cases in {len(lines)} runs, no server error\n  " + "\n  ".join(lines))
    assert total >= 1000

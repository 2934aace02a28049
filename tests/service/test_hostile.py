"""Hostile input against a live ``atelier serve``: no single request may stall the process.

While each hostile request runs, a prober calls ``/health`` every 25 ms; its p99 is printed and
must stay under 250 ms, and the hostile request must end (4xx, or a bounded 2xx) within 10 s.
Workshop tools hold ``tool`` keys and are third parties: one bad upload must never freeze the
process that serves every facilitator.
"""

from __future__ import annotations

import io
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service.processes import atelier, free_port, service_env, stop, wait_health

pytestmark = pytest.mark.system  # processes or a browser, seconds each: out of the inner loop

HEALTH_P99 = 0.250  # seconds, the bound
HOSTILE_WITHIN = 10.0  # seconds for the hostile request itself
#: Between /health probes: short enough that a 1-2 s hostile request gets ~100 probes or more, so the
#: p99 is a p99 and not the single slowest probe (CI once failed on one 274 ms probe out of 82).
PAUSE = 0.010
Live = tuple[str, dict[str, str], Path]  # the service's URL, an admin's headers, its home
Capture = pytest.CaptureFixture[str]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str], Path]]:
    """One ``atelier serve`` (SQLite, tiny local embedder, extractive drafter) for the whole module."""
    from tests.tiny_models import build_tiny_sentence_transformer

    root = tmp_path_factory.mktemp("hostile")
    home = root / "home"
    model = build_tiny_sentence_transformer(root / "tiny-st")
    env = service_env(home, model, ATELIER_DATABASE_URL="")  # this process alone: its own SQLite file
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = atelier(["serve", "--port", str(port)], env, root / "serve.log")
    try:
        wait_health(url)
        admin = {"Authorization": f"Bearer {(home / 'admin.key').read_text().strip()}"}
        _warm_up(url, admin)
        yield url, admin, home
    finally:
        stop(process)


def _warm_up(url: str, admin: dict[str, str]) -> None:
    """One ordinary call of each route the suite attacks, so a first request's one-off costs
    (statement compiling, the first embedding batch: ~0.25 s once) are not counted as the attack's."""
    wid = _workshop(url, admin)
    with httpx.Client(base_url=url, headers=admin, timeout=120) as client:
        client.post(f"/api/v1/workshops/{wid}/postits", json=[{"text": f"idée {i} pour le bus", "axis": "A"}
                                                              for i in range(5)]).raise_for_status()
        client.post(f"/api/v1/workshops/{wid}/postits/csv", content="text\nun vélo\n".encode(),
                    headers={"Content-Type": "text/csv"}).raise_for_status()
        client.post(f"/api/v1/workshops/{wid}/import?format=decidim", headers={"Content-Type": "text/csv"},
                    content=b"id;title/fr;body/fr;category/name/fr;state;votes\n1;Titre;Corps;A;;3\n"
                    ).raise_for_status()
        polis = _zip({"comments.csv": b"comment-id,comment-body,agrees,disagrees,moderated\n1,Un bus,1,0,1\n",
                      "votes.csv": b"comment-id,voter-id,vote\n1,1,1\n"})
        client.post(f"/api/v1/workshops/{wid}/import?format=polis", content=polis,
                    headers={"Content-Type": "application/zip"}).raise_for_status()
        page = client.get("/review/login").text
        marker = 'name="login_csrf" value="'
        client.post("/review/login", data={"login": "personne", "password": "x" * 12, "login_csrf": page[
            page.index(marker) + len(marker):].split('"', 1)[0]}, headers={"Authorization": ""})
    wait_health(url, lambda body: body["pending_embeddings"] == 0, key=admin["Authorization"][7:])


def _probe(url: str, run: Callable[[], httpx.Response], label: str,
           capsys: pytest.CaptureFixture[str]) -> httpx.Response:
    """``run()`` while ``/health`` is polled; prints and checks the health p99 and the hostile request's time."""
    latencies: list[float] = []
    done = threading.Event()

    def poll() -> None:
        with httpx.Client(timeout=30) as client:
            while not done.is_set():
                started = time.perf_counter()
                assert client.get(url + "/health").status_code == 200
                latencies.append(time.perf_counter() - started)
                time.sleep(PAUSE)

    prober = threading.Thread(target=poll, daemon=True)
    prober.start()
    time.sleep(0.2)  # a few calls before the hostile one
    started = time.perf_counter()
    try:
        answer = run()
    finally:
        took = time.perf_counter() - started
        time.sleep(0.2)
        done.set()
        prober.join(timeout=40)
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    with capsys.disabled():
        print(f"\nhostile {label}: {answer.status_code} in {took:.2f} s; /health p99 {p99 * 1000:.0f} ms, "
              f"max {ordered[-1] * 1000:.0f} ms over {len(ordered)} calls")
    assert took < HOSTILE_WITHIN, f"{label} took {took:.1f} s"
    assert p99 < HEALTH_P99, f"{label}: /health p99 {p99 * 1000:.0f} ms"
    return answer


def _workshop(url: str, admin: dict[str, str], axes: list[str] | None = None) -> str:
    made = httpx.post(f"{url}/api/v1/workshops", headers=admin, json={
        "title": "Hostile", "axes": [{"name": a} for a in axes or ["A"]]})
    made.raise_for_status()
    return str(made.json()["id"])


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_decidim_body_of_angle_brackets(live: Live, capsys: Capture) -> None:
    """~5 MB of ``<``: 130,000 a cell (the csv module's cap is 131,072) held the GIL ~6 s per cell."""
    url, admin, _ = live
    wid = _workshop(url, admin)
    row = "{n};Titre;" + "<" * 130_000 + ";Mobilité;;3\n"
    body = ("id;title/fr;body/fr;category/name/fr;state;votes\n" + "".join(row.format(n=n) for n in range(37)))
    answer = _probe(url, lambda: httpx.post(f"{url}/api/v1/workshops/{wid}/import?format=decidim", headers={
        **admin, "Content-Type": "text/csv"}, content=body.encode(), timeout=600), "decidim '<' body", capsys)
    assert answer.status_code == 201 and answer.json()["created"] == 37, answer.text


def test_a_hundred_small_zip_parts_summing_over_the_limit(live: Live, capsys: Capture) -> None:
    """100 parts of 600 KB each (~1 KB zipped): 60 MB in all, over the 50 MB budget of one request."""
    url, admin, _ = live
    wid = _workshop(url, admin)
    part = _zip({"comments.csv": b"comment-id,comment-body,agrees,disagrees,moderated\n" + b" " * 600_000})
    parts = [("files", (f"part{i}.zip", part, "application/zip")) for i in range(100)]
    answer = _probe(url, lambda: httpx.post(f"{url}/api/v1/workshops/{wid}/import?format=polis", headers=admin,
                                            files=parts, timeout=600), "100 zip parts", capsys)
    assert answer.status_code == 413 and "in all" in answer.json()["detail"], answer.text


def test_a_two_million_row_participants_votes_file(live: Live, capsys: Capture) -> None:
    url, admin, _ = live
    wid = _workshop(url, admin)
    comments = "comment-id,comment-body,agrees,disagrees,moderated\n" + "".join(
        f"{i},Proposition numéro {i} pour le quartier,1,0,1\n" for i in range(50))
    votes = "participant," + ",".join(map(str, range(50))) + "\n" + "p,1\n" * 2_000_000
    body = _zip({"comments.csv": comments.encode(), "participants-votes.csv": votes.encode()})
    answer = _probe(url, lambda: httpx.post(f"{url}/api/v1/workshops/{wid}/import?format=polis", headers={
        **admin, "Content-Type": "application/zip"}, content=body, timeout=600), "2 M-row participants-votes.csv",
        capsys)
    assert answer.status_code == 413 and "vote cells" in answer.json()["detail"], answer.text


def test_a_five_megabyte_one_column_csv_push(live: Live, capsys: Capture) -> None:
    url, admin, _ = live
    wid = _workshop(url, admin)
    body = "text\n" + "un\n" * 1_650_000
    answer = _probe(url, lambda: httpx.post(f"{url}/api/v1/workshops/{wid}/postits/csv", headers={
        **admin, "Content-Type": "text/csv"}, content=body.encode(), timeout=600), "5 MB one-column CSV", capsys)
    assert answer.status_code == 413, answer.text


def test_two_hundred_password_attempts_in_ten_seconds(live: Live, capsys: Capture) -> None:
    url, _, _ = live
    statuses: list[int] = []

    def attempts() -> httpx.Response:
        with httpx.Client(base_url=url, timeout=30) as client:
            page = client.get("/review/login").text
            marker = 'name="login_csrf" value="'
            token = page[page.index(marker) + len(marker):].split('"', 1)[0]
            answer = httpx.Response(500)
            for i in range(200):
                answer = client.post("/review/login", data={"login": f"camille{i % 3}", "password": "x" * 12,
                                                            "login_csrf": token})
                statuses.append(answer.status_code)
            return answer

    last = _probe(url, attempts, "200 password attempts", capsys)
    print(f"password attempts: {statuses.count(401)} checked (401), {statuses.count(429)} throttled (429)")
    assert last.status_code == 429 and statuses.count(429) >= 150 and set(statuses) == {401, 429}


def _big_axis(url: str, admin: dict[str, str], home: Path, count: int) -> str:
    """A workshop whose one axis holds ``count`` embedded post-its in 20 clusters (written as a synthesis would)."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from service.db.models import AxisRow, ClusterRow

    wid = _workshop(url, admin)
    words = ["bus", "vélo", "train", "logement", "isolation", "jardin", "atelier", "école", "marché", "pont"]
    for start in range(0, count, 1000):
        httpx.post(f"{url}/api/v1/workshops/{wid}/postits", headers=admin, timeout=120, json=[
            {"text": f"proposition {i} : {words[i % 10]} et {words[i // 10 % 10]} pour le quartier {i % 97}",
             "axis": "A", "external_id": f"h{i}"} for i in range(start, min(count, start + 1000))]).raise_for_status()
    wait_health(url, lambda body: body["pending_embeddings"] == 0, timeout=600, key=admin["Authorization"][7:])
    ids = [p["id"] for offset in range(0, count, 1000) for p in httpx.get(
        f"{url}/api/v1/workshops/{wid}/postits", params={"offset": offset}, headers=admin, timeout=120).json()]
    assert len(ids) == count
    engine = create_engine(f"sqlite:///{home / 'atelier.db'}")
    with Session(engine) as session, session.begin():
        axis = session.scalars(select(AxisRow).where(AxisRow.workshop_id == uuid.UUID(wid))).one()
        for n in range(20):
            session.add(ClusterRow(workshop_id=axis.workshop_id, axis_id=axis.id, key=f"c{n}", label=f"Groupe {n}",
                                   keywords=[], postit_ids=ids[n::20], position=n))
        axis_id = str(axis.id)
    engine.dispose()
    return axis_id


def test_the_axis_page_of_a_twenty_thousand_post_it_workshop(live: Live, capsys: Capture) -> None:
    """The map's PCA over every vector took 14.5 s on the event loop (and the page refreshes during jobs)."""
    url, admin, home = live
    axis_id = _big_axis(url, admin, home, 20_000)
    answer: Any = _probe(url, lambda: httpx.get(f"{url}/review/axes/{axis_id}", headers=admin, timeout=600),
                         "axis page, 20,000 post-its", capsys)
    assert answer.status_code == 200 and "axis-map" in answer.text and "Carte allégée" in answer.text

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.service.conftest import settings_for, started, wait_job

API = "/api/v1"


def _workshop(client: TestClient[Litestar]) -> dict[str, Any]:
    body = {"title": "Numérique et artisanat", "language": "fr",
            "axes": [{"name": "FabLabs et tiers-lieux", "description": "lieux partagés fablab"},
                     {"name": "Compétences numériques", "description": "formation vente en ligne"}]}
    response = client.post(f"{API}/workshops", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _postits() -> list[dict[str, Any]]:
    texts = ["fablab imprimante 3d", "fablab découpe laser", "fablab atelier partagé", "tiers-lieu rural fablab"]
    skills = ["formation vente en ligne", "vente en ligne artisans", "site internet vente en ligne"]
    out = [{"text": t, "axis": "FabLabs et tiers-lieux", "votes": i, "external_id": f"f{i}"}
           for i, t in enumerate(texts)]
    out += [{"text": t, "axis": "Compétences numériques", "external_id": f"s{i}"} for i, t in enumerate(skills)]
    out.append({"text": "formation en ligne pour vendre", "external_id": "lost"})
    return out




def test_full_flow_and_restart(home: Path) -> None:
    with started(home) as client:
        workshop = _workshop(client)
        wid = workshop["id"]
        pushed = client.post(f"{API}/workshops/{wid}/postits", json=_postits())
        assert pushed.status_code == 201 and pushed.json()["created"] == 8
        again = client.post(f"{API}/workshops/{wid}/postits", json=_postits())
        assert again.json() == {"ids": pushed.json()["ids"], "created": 0}
        csv = "id,text,axis,votes\nc1,apprendre le code aux artisans,Compétences numériques,2\n"
        assert client.post(f"{API}/workshops/{wid}/postits/csv", content=csv,
                           headers={"content-type": "text/csv"}).status_code == 201
        accepted = client.post(f"{API}/workshops/{wid}/syntheses", json={})
        assert accepted.status_code == 202
        ids = accepted.json()
        assert wait_job(client, ids["job_id"])["state"] == "succeeded"
        synthesis = client.get(f"{API}/syntheses/{ids['synthesis_id']}").json()
        assert synthesis["state"] == "succeeded" and synthesis["provenance"]["drafter"] == "extractive"
        placed = [i for a in synthesis["axes"] for i in a["singular_postit_ids"] +
                  [x for c in a["clusters"] for x in c["postit_ids"]]]
        assert sorted(placed) == sorted(p["id"] for p in client.get(f"{API}/workshops/{wid}/postits").json())
        routed = [i for a in synthesis["axes"] for i in a["routed_postit_ids"]]
        assert routed == [pushed.json()["ids"][-1]]
        cluster = synthesis["axes"][0]["clusters"][0]
        members = client.get(f"{API}/workshops/{wid}/postits", params={"cluster": cluster["id"]}).json()
        assert sorted(m["id"] for m in members) == sorted(cluster["postit_ids"])
    with started(home) as client:
        assert client.get(f"{API}/workshops/{wid}").json()["title"] == "Numérique et artisanat"
        assert len(client.get(f"{API}/workshops/{wid}/postits").json()) == 9
        listed = client.get(f"{API}/workshops/{wid}/syntheses").json()
        assert [s["id"] for s in listed] == [ids["synthesis_id"]]
        assert client.get("/health").json()["database"] is True


def test_bad_csv_names_line_and_field_and_stores_nothing(client: TestClient[Litestar]) -> None:
    wid = _workshop(client)["id"]
    bad = "id,text,axis\nc1,ok,FabLabs et tiers-lieux\nc2,,FabLabs et tiers-lieux\n"
    response = client.post(f"{API}/workshops/{wid}/postits/csv", content=bad, headers={"content-type": "text/csv"})
    assert response.status_code == 400
    assert "csv:3: empty text" in response.json()["detail"]
    assert response.json()["extra"] == {"field": "text", "line": 3}
    unknown = "text,axis\nok,Nulle part\n"
    response = client.post(f"{API}/workshops/{wid}/postits/csv", files={"file": ("p.csv", unknown, "text/csv")})
    assert response.status_code == 400 and "postits[0].axis" in response.json()["detail"]
    assert client.get(f"{API}/workshops/{wid}/postits").json() == []


def test_limits_and_json_errors(home: Path) -> None:
    with started(home, max_batch=3, max_text_length=20) as client:
        wid = _workshop(client)["id"]
        many = client.post(f"{API}/workshops/{wid}/postits", json=[{"text": "a"}] * 4)
        assert many.status_code == 413 and "limit is 3" in many.json()["detail"]
        long = client.post(f"{API}/workshops/{wid}/postits", json=[{"text": "x" * 21}])
        assert long.status_code == 413 and long.json()["extra"]["field"] == "postits[0].text"
        empty = client.post(f"{API}/workshops/{wid}/postits", json=[{"text": "ok"}, {"text": "  "}])
        assert empty.status_code == 400 and empty.json()["extra"]["field"] == "postits[1].text"
        assert client.get(f"{API}/workshops/{wid}/postits").json() == []
        assert client.post(f"{API}/workshops", json={"language": "fr"}).status_code == 400


def test_workshop_crud_axes_and_postit_edits(client: TestClient[Litestar]) -> None:
    workshop = _workshop(client)
    wid, first_axis = workshop["id"], workshop["axes"][0]
    patched = client.patch(f"{API}/workshops/{wid}", json={
        "title": "Atelier 2", "axes": [{"id": first_axis["id"], "name": "FabLabs"}, {"name": "Apprentissage"}]})
    assert patched.status_code == 200, patched.text
    assert [a["name"] for a in patched.json()["axes"]] == ["FabLabs", "Compétences numériques", "Apprentissage"]
    [pid] = client.post(f"{API}/workshops/{wid}/postits", json=[{"text": "un fablab", "axis": "fablabs"}]).json()["ids"]
    edited = client.patch(f"{API}/postits/{pid}", json={"text": "deux fablabs", "votes": 3, "axis": "Apprentissage"})
    assert edited.json()["text"] == "deux fablabs" and edited.json()["axis"] == "Apprentissage"
    assert [p["id"] for p in client.get(f"{API}/workshops/{wid}/postits", params={"axis": "Apprentissage"}).json()] \
        == [pid]
    assert client.delete(f"{API}/postits/{pid}").status_code == 204
    assert client.get(f"{API}/workshops").json()[0]["title"] == "Atelier 2"
    assert client.delete(f"{API}/workshops/{wid}").status_code == 204
    assert client.get(f"{API}/workshops/{wid}").status_code == 404


def test_many_clients_push_at_once_every_postit_stored_once(client: TestClient[Litestar]) -> None:
    wid = _workshop(client)["id"]

    def push(i: int) -> int:
        items = [{"text": f"idée {i}-{k}", "external_id": f"{i}-{k}"} for k in range(5)]
        statuses = [client.post(f"{API}/workshops/{wid}/postits", json=items).status_code for _ in range(2)]
        return max(statuses)

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(push, range(16))) == {201}
    texts = [p["text"] for p in client.get(f"{API}/workshops/{wid}/postits").json()]
    assert sorted(texts) == sorted(f"idée {i}-{k}" for i in range(16) for k in range(5))


def test_a_job_left_by_a_stopped_process_runs_again_and_a_live_ones_is_left_alone(home: Path) -> None:
    import asyncio
    from datetime import UTC, datetime, timedelta

    from service.db.models import Job, SynthesisRow

    with started(home) as client:
        wid = _workshop(client)["id"]
        client.post(f"{API}/workshops/{wid}/postits", json=[
            {"text": t, "axis": "FabLabs et tiers-lieux"} for t in ("plus de bus le soir", "des pistes cyclables")])
    settings = settings_for(home)

    async def plant(beat: datetime, worker: str) -> str:
        from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

        engine = create_async_engine(settings.db_url)
        async with async_sessionmaker(engine)() as session, session.begin():
            synthesis_id = uuid.uuid4()
            job = Job(kind="synthesis", state="running", stage="clustering", workshop_id=uuid.UUID(wid),
                      payload={"synthesis_id": str(synthesis_id)}, attempts=1, worker=worker, heartbeat_at=beat)
            session.add(job)
            await session.flush()
            session.add(SynthesisRow(id=synthesis_id, workshop_id=uuid.UUID(wid), job_id=job.id, request={}))
            job_id = str(job.id)
        await engine.dispose()
        return job_id

    dead = asyncio.run(plant(datetime.now(UTC) - timedelta(minutes=10), "gone:1"))
    alive = asyncio.run(plant(datetime.now(UTC) + timedelta(hours=1), "elsewhere:2"))
    with started(home, job_heartbeat_seconds=2, job_sweep_seconds=1) as client:
        job = wait_job(client, dead)
        assert job["state"] == "succeeded" and job["attempts"] == 2 and job["worker"] != "gone:1"
        other = client.get(f"{API}/jobs/{alive}").json()  # another process's live job: not touched
        assert other["state"] == "running" and other["worker"] == "elsewhere:2" and other["attempts"] == 1
        assert client.get(f"{API}/workshops/{wid}").status_code == 200

def test_openapi_schema_lists_the_routes(client: TestClient[Litestar]) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert "/api/v1/workshops/{workshop_id}/postits/csv" in paths
    assert "/api/v1/jobs/{job_id}" in paths


def test_list_endpoints_answer_bounded_pages_with_a_total_and_a_next_link(client: TestClient[Litestar]) -> None:
    """No list endpoint paginated: a 20,000-post-it workshop came back in one answer."""
    wid = client.post(f"{API}/workshops", json={"title": "Pages", "axes": [{"name": "A"}]}).json()["id"]
    client.post(f"{API}/workshops/{wid}/postits", json=[{"text": f"idée {i}", "axis": "A"} for i in range(25)]
                ).raise_for_status()
    first = client.get(f"{API}/workshops/{wid}/postits", params={"limit": 10, "axis": "A"})
    assert len(first.json()) == 10 and first.headers["x-total-count"] == "25"
    seen = [p["id"] for p in first.json()]
    link = first.headers["link"]
    while link:
        assert 'rel="next"' in link and "axis=A" in link
        answer = client.get(link[1:link.index(">")])
        seen += [p["id"] for p in answer.json()]
        link = answer.headers.get("link", "")
    assert len(seen) == len(set(seen)) == 25
    assert client.get(f"{API}/workshops/{wid}/postits", params={"limit": 1001}).status_code == 400
    assert client.get(f"{API}/workshops/{wid}/postits", params={"offset": -1}).status_code == 400
    for url in (f"{API}/workshops", f"{API}/keys", f"{API}/workshops/{wid}/syntheses"):
        assert "x-total-count" in client.get(url, params={"limit": 1}).headers, url

from __future__ import annotations

import io
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.service.conftest import wait_job

API = "/api/v1"
POSTITS = [
    *({"text": t, "axis": "FabLabs", "votes": i, "external_id": f"f{i}"} for i, t in enumerate(
        ["fablab imprimante 3d", "fablab découpe laser", "fablab atelier partagé", "fablab rural itinérant",
         "vente en ligne artisans", "vente en ligne boutique", "site vente en ligne", "<script>alert(1)</script>"])),
]




def reviewed_workshop(client: TestClient[Litestar]) -> tuple[str, dict[str, Any]]:
    """A workshop with one synthesised axis; returns its id and the review data."""
    wid = client.post(f"{API}/workshops", json={"title": "Atelier", "axes": [{"name": "FabLabs"}]}).json()["id"]
    client.post(f"{API}/workshops/{wid}/postits", json=POSTITS).raise_for_status()
    job = client.post(f"{API}/workshops/{wid}/syntheses", json={}).json()["job_id"]
    assert wait_job(client, job)["state"] == "succeeded"
    return wid, client.get(f"{API}/workshops/{wid}/review").json()


def test_edit_approve_and_history(client: TestClient[Litestar]) -> None:
    _, data = reviewed_workshop(client)
    pitch = data["axes"][0]["pitch"]
    pid = pitch["id"]
    edited = client.patch(f"{API}/pitches/{pid}", json={"text": "Des FabLabs partout. " + pitch["text"]},
                          headers={"X-Atelier-User": "Camille"}).json()
    assert edited["edited"] and not edited["approved"] and edited["version"] == 2
    kept = [s for s in edited["sentences"] if s["text"] in pitch["text"]]
    assert all(s["citations"] for s in kept) and edited["sentences"][0]["citations"] == []
    assert client.post(f"{API}/pitches/{pid}/approve", json={"author": "Léa"}).json()["approved"]
    assert not client.post(f"{API}/pitches/{pid}/unapprove").json()["approved"]
    history = client.get(f"{API}/pitches/{pid}/history").json()
    assert [(h["action"], h["author"]) for h in history] == [
        ("draft", "atelier"), ("edit", "Camille"), ("approve", "Léa"), ("unapprove", "api")]
    assert "+Des FabLabs partout." in history[1]["diff"]
    assert client.patch(f"{API}/pitches/{pid}", json={"text": "  "}).status_code == 400


def test_rerun_never_overwrites_a_human_edit(client: TestClient[Litestar]) -> None:
    wid, data = reviewed_workshop(client)
    pid = data["axes"][0]["pitch"]["id"]
    client.patch(f"{API}/pitches/{pid}", json={"text": "Texte humain."}).raise_for_status()
    client.post(f"{API}/pitches/{pid}/approve").raise_for_status()
    job = client.post(f"{API}/workshops/{wid}/syntheses", json={}).json()["job_id"]
    assert wait_job(client, job)["state"] == "succeeded"
    pitch = client.get(f"{API}/pitches/{pid}").json()
    assert pitch["text"] == "Texte humain." and pitch["approved"]
    assert pitch["proposal"] and pitch["proposal"]["text"] != "Texte humain."
    regen = client.post(f"{API}/pitches/{pid}/regenerate").json()
    assert wait_job(client, regen["job_id"])["state"] == "succeeded"
    assert client.get(f"{API}/pitches/{pid}").json()["text"] == "Texte humain."
    accepted = client.post(f"{API}/pitches/{pid}/accept-proposal").json()
    assert accepted["text"] != "Texte humain." and not accepted["edited"] and accepted["proposal"] is None


def test_unedited_pitch_takes_the_new_draft(client: TestClient[Litestar]) -> None:
    _, data = reviewed_workshop(client)
    pid = data["axes"][0]["pitch"]["id"]
    regen = client.post(f"{API}/pitches/{pid}/regenerate").json()
    assert wait_job(client, regen["job_id"])["state"] == "succeeded"
    pitch = client.get(f"{API}/pitches/{pid}").json()
    assert pitch["version"] == 2 and pitch["proposal"] is None
    assert [h["action"] for h in client.get(f"{API}/pitches/{pid}/history").json()] == ["draft", "redraft"]


def test_rename_move_merge(client: TestClient[Litestar]) -> None:
    _, data = reviewed_workshop(client)
    clusters = data["axes"][0]["clusters"]
    real = [c for c in clusters if not c["singular"]]
    singular = next(c for c in clusters if c["singular"])
    assert real, clusters
    first = real[0]
    renamed = client.patch(f"{API}/clusters/{first['id']}", json={"label": "Lieux de fabrication"}).json()
    assert renamed["label"] == "Lieux de fabrication"
    moving = first["postits"][0]["id"]
    moved = client.post(f"{API}/postits/{moving}/move", json={"cluster_id": None}).json()
    assert moved["id"] == singular["id"] and moving in moved["postit_ids"]
    back = client.post(f"{API}/postits/{moving}/move", json={"cluster_id": first["id"]}).json()
    assert moving in back["postit_ids"]
    if len(real) > 1:
        merged = client.post(f"{API}/clusters/{first['id']}/merge", json={"other_id": real[1]["id"]}).json()
        assert {p["id"] for p in real[1]["postits"]} <= set(merged["postit_ids"])
        assert client.get(f"{API}/clusters/{first['id']}/history").json()[-1]["action"] == "merge"
    bad = client.post(f"{API}/clusters/{first['id']}/merge", json={"other_id": singular["id"]})
    assert bad.status_code == 400 and bad.json()["extra"]["field"] == "other_id"
    after = client.get(f"{API}/workshops/{data['workshop']['id']}/review").json()["axes"][0]["clusters"]
    placed = sorted(p["id"] for c in after for p in c["postits"])
    assert placed == sorted(p["id"] for c in clusters for p in c["postits"])


def test_exports(client: TestClient[Litestar]) -> None:
    wid, data = reviewed_workshop(client)
    client.post(f"{API}/pitches/{data['axes'][0]['pitch']['id']}/approve").raise_for_status()
    md = client.get(f"{API}/workshops/{wid}/export", params={"format": "md"}).text
    assert "## FabLabs (approuvé)" in md
    rows = client.get(f"{API}/workshops/{wid}/export", params={"format": "csv"}).text.splitlines()
    assert rows[0] == "axis,state,sentence,citations,cited_texts,supported,verdict" and len(rows) > 1
    assert rows[1].endswith(",True,supported")
    as_json = client.get(f"{API}/workshops/{wid}/export", params={"format": "json"}).json()
    assert as_json["axes"][0]["pitch"]["approved"] is True
    docx = client.get(f"{API}/workshops/{wid}/export", params={"format": "docx"})
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "FabLabs — approuvé" in text
    assert client.get(f"{API}/workshops/{wid}/export", params={"format": "pdf"}).status_code == 400

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




def as_key(client: TestClient[Litestar], role: str, name: str, workshops: list[str] | None = None) -> dict[str, str]:
    """Headers of a new key made by the admin."""
    body = {"role": role, "name": name, "workshops": workshops or []}
    return {"Authorization": f"Bearer {client.post(f'{API}/keys', json=body).json()['key']}"}


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
    camille, lea = (as_key(client, "facilitator", name) for name in ("Camille", "Léa"))
    edited = client.patch(f"{API}/pitches/{pid}", json={"text": "Des FabLabs partout. " + pitch["text"],
                                                        "author": "Quelqu'un d'autre"}, headers=camille).json()
    assert edited["edited"] and not edited["approved"] and edited["version"] == 2
    kept = [s for s in edited["sentences"] if s["text"] in pitch["text"]]
    assert all(s["citations"] for s in kept) and edited["sentences"][0]["citations"] == []
    assert client.post(f"{API}/pitches/{pid}/approve", headers=lea).json()["approved"]
    assert not client.post(f"{API}/pitches/{pid}/unapprove").json()["approved"]
    history = client.get(f"{API}/pitches/{pid}/history").json()
    assert [(h["action"], h["author"]) for h in history] == [  # the authenticated key, never a typed name
        ("draft", "atelier"), ("edit", "Camille"), ("approve", "Léa"), ("unapprove", "admin (first start)")]
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
    cited = [c for s in data["axes"][0]["pitch"]["sentences"] for c in s["cited"]]
    # the footnotes name the tool's own ids ("f3"), never Atelier's UUIDs
    assert cited and "[^1]: f" in md and cited[0]["id"] not in md
    rows = client.get(f"{API}/workshops/{wid}/export", params={"format": "csv"}).text.splitlines()
    header = "axis,state,sentence,citations,cited_texts,supported,verdict,themes,room_agrees,room_disagrees,room_passes"
    assert rows[0] == header and len(rows) > 1
    assert ",True,supported," in rows[1]
    as_json = client.get(f"{API}/workshops/{wid}/export", params={"format": "json"}).json()
    assert as_json["axes"][0]["pitch"]["approved"] is True
    sent = {p["external_id"] for p in POSTITS}
    assert {c["external_id"] for s in as_json["axes"][0]["pitch"]["sentences"] for c in s["cited"]} <= sent
    assert {p["external_id"] for c in as_json["axes"][0]["clusters"] for p in c["postits"]} == sent
    docx = client.get(f"{API}/workshops/{wid}/export", params={"format": "docx"})
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "FabLabs — approuvé" in text
    assert client.get(f"{API}/workshops/{wid}/export", params={"format": "pdf"}).status_code == 400


GROUPS = {
    "fab": ["fablab imprimante 3d partagée", "fablab découpe laser partagée", "fablab atelier partagé outils",
            "fablab rural imprimante outils", "fablab découpe atelier rural"],
    "web": ["vente en ligne boutique artisans", "boutique en ligne vente artisans", "site de vente en ligne artisans",
            "vente en ligne boutique site", "vente boutique site artisans"],
    "app": ["apprentissage jeunes métiers", "apprentis métiers découverte", "jeunes apprentis stage métiers",
            "stage découverte apprentissage", "métiers apprentissage jeunes stage"],
}


def _clusters(client: TestClient[Litestar], wid: str) -> list[dict[str, Any]]:
    return client.get(f"{API}/workshops/{wid}/review").json()["axes"][0]["clusters"]


def _synthesize(client: TestClient[Litestar], wid: str) -> None:
    job = client.post(f"{API}/workshops/{wid}/syntheses", json={}).json()["job_id"]
    assert wait_job(client, job)["state"] == "succeeded"


def test_moves_merges_and_renames_survive_a_resynthesis_with_new_postits(client: TestClient[Litestar]) -> None:
    wid = client.post(f"{API}/workshops", json={"title": "Atelier", "axes": [{"name": "Artisanat"}]}).json()["id"]
    rows = [{"text": t, "axis": "Artisanat", "external_id": f"{g}{i}"} for g, texts in GROUPS.items()
            for i, t in enumerate(texts)]
    ids = client.post(f"{API}/workshops/{wid}/postits", json=rows).json()["ids"]
    by_ext = {r["external_id"]: pid for r, pid in zip(rows, ids, strict=True)}
    _synthesize(client, wid)
    home = {g: next(c for c in _clusters(client, wid) if by_ext[f"{g}0"] in [p["id"] for p in c["postits"]])
            for g in GROUPS}
    assert len({c["id"] for c in home.values()}) == 3, "the fake embedder should separate the three themes"
    assert all({by_ext[f"{g}{i}"] for i in range(5)} <= {p["id"] for p in home[g]["postits"]} for g in GROUPS)
    # Decisions: rename the FabLab cluster, merge the web cluster into the apprentices', move fab4 to web/app.
    client.patch(f"{API}/clusters/{home['fab']['id']}", json={"label": "Lieux de fabrication"}).raise_for_status()
    client.post(f"{API}/clusters/{home['app']['id']}/merge", json={"other_id": home["web"]["id"]}).raise_for_status()
    client.post(f"{API}/postits/{by_ext['fab4']}/move", json={"cluster_id": home["app"]["id"]}).raise_for_status()
    new = [{"text": "fablab imprimante atelier partagé", "axis": "Artisanat", "external_id": "fab-new"},
           {"text": "boutique vente en ligne artisans", "axis": "Artisanat", "external_id": "web-new"}]
    new_ids = client.post(f"{API}/workshops/{wid}/postits", json=new).json()["ids"]
    _synthesize(client, wid)

    after = _clusters(client, wid)
    where = {p["id"]: c for c in after for p in c["postits"]}
    assert sorted(where) == sorted([*ids, *new_ids]), "every post-it, old and new, in exactly one place"
    assert where[by_ext["fab4"]]["id"] == where[by_ext["app0"]]["id"] == where[by_ext["web0"]]["id"]
    merged = where[by_ext["app0"]]
    assert {by_ext[f"{g}{i}"] for g in ("web", "app") for i in range(5)} <= {p["id"] for p in merged["postits"]}
    fab = where[by_ext["fab0"]]
    assert fab["label"] == "Lieux de fabrication" and fab["id"] != merged["id"]
    assert "rename" in fab["kept_from_review"] and {"merge", "move"} <= set(merged["kept_from_review"])
    assert where[new_ids[0]]["id"] == fab["id"]
    # One source of membership: the post-its filter reads the reviewed clusters.
    listed = client.get(f"{API}/workshops/{wid}/postits", params={"cluster": merged["key"]}).json()
    assert {p["id"] for p in listed} == {p["id"] for p in merged["postits"]}
    page = client.get(f"/review/axes/{fab['axis_id']}").text
    assert "gardé de la relecture" in page


def test_a_regenerated_pitch_keeps_its_axis_wording(client: TestClient[Litestar]) -> None:
    """A synthesis' odd-numbered axes say their key points in each template's second wording
    (prompts/pitch/compose.fr.txt); drafted again from the review page, or in a synthesis of that
    axis alone, an axis keeps its own."""
    axes = {"Mobilité": ["Il faut sécuriser les pistes cyclables", "Il faut sécuriser les pistes cyclables partout",
                         "Il faut créer une navette vers la gare", "Il faut créer une navette de bus vers la gare"],
            "Quartier": ["Il faut ouvrir des jardins partagés", "Il faut ouvrir des jardins partagés potagers",
                         "Il faut installer des composteurs collectifs",
                         "Il faut installer des composteurs de quartier"]}
    wid = client.post(f"{API}/workshops", json={"title": "Atelier", "axes": [{"name": a} for a in axes]}).json()["id"]
    client.post(f"{API}/workshops/{wid}/postits", json=[
        {"text": t, "axis": a, "votes": 10 - i, "external_id": f"{a[0]}{i}"}
        for a, texts in axes.items() for i, t in enumerate(texts)]).raise_for_status()
    job = client.post(f"{API}/workshops/{wid}/syntheses", json={}).json()["job_id"]
    assert wait_job(client, job)["state"] == "succeeded"
    first, second = client.get(f"{API}/workshops/{wid}/review").json()["axes"]
    assert first["pitch"]["text"].split(". ")[0].endswith(": voilà l'ambition que se donne la salle")
    assert second["pitch"]["text"].split(". ")[0].endswith(": c'est le cap que se fixe la salle")
    regen = client.post(f"{API}/pitches/{second['pitch']['id']}/regenerate").json()
    assert wait_job(client, regen["job_id"])["state"] == "succeeded"
    again = client.get(f"{API}/pitches/{second['pitch']['id']}").json()
    assert again["version"] == 2 and again["text"] == second["pitch"]["text"]
    job = client.post(f"{API}/workshops/{wid}/syntheses", json={"axes": ["Quartier"]}).json()["job_id"]
    assert wait_job(client, job)["state"] == "succeeded"  # that axis alone: still the workshop's second
    alone = client.get(f"{API}/workshops/{wid}/review").json()["axes"][1]["pitch"]
    assert alone["text"] == second["pitch"]["text"] and alone["version"] == 3

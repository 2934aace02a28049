from __future__ import annotations

import html

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.service.conftest import sign_in, wait_job
from tests.service.test_review_api import API, POSTITS, reviewed_workshop


def test_pages_render_escape_html_and_run_actions(client: TestClient[Litestar]) -> None:
    wid, data = reviewed_workshop(client)
    axis_id = client.get(f"{API}/workshops/{wid}").json()["axes"][0]["id"]
    assert "Atelier" in client.get("/review").text
    assert f"/review/axes/{axis_id}" in client.get(f"/review/workshops/{wid}").text
    page = client.get(f"/review/axes/{axis_id}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<svg class="axis-map"' in page and "Idées singulières" in page
    camille = client.post(f"{API}/keys", json={"role": "facilitator", "name": "Camille"}).json()["key"]
    token = sign_in(client, camille)
    pitch_id = data["axes"][0]["pitch"]["id"]
    forged = client.post(f"/review/pitches/{pitch_id}/edit", data={"text": "Forgé."})
    assert forged.status_code == 403  # no CSRF token: a cross-site form cannot act for the reviewer
    edited = client.post(f"/review/pitches/{pitch_id}/edit", data={"text": "Un pitch revu.", "csrf": token})
    assert edited.status_code == 200 and "Un pitch revu." in edited.text and "modifié" in edited.text
    client.post(f"/review/pitches/{pitch_id}/approve", data={"csrf": token})
    history = client.get(f"/review/pitches/{pitch_id}/history").text
    assert "Camille" in history and "approbation" in history and "Un pitch revu." in history
    clusters = [c for c in data["axes"][0]["clusters"] if not c["singular"]]
    moving = clusters[0]["postits"][0]["id"]
    client.post(f"/review/postits/{moving}/move", data={"cluster_id": "", "csrf": token})
    singular = next(c for c in client.get(f"{API}/workshops/{wid}/review").json()["axes"][0]["clusters"]
                    if c["singular"])
    assert moving in [p["id"] for p in singular["postits"]]
    client.post(f"/review/clusters/{clusters[0]['id']}/rename", data={"label": "Nom humain", "csrf": token})
    assert "Nom humain" in client.get(f"/review/axes/{axis_id}").text
    assert client.get(f"/review/workshops/{wid}/export", params={"format": "md"}).status_code == 200


def test_pages_before_any_synthesis(client: TestClient[Litestar]) -> None:
    workshop = client.post(f"{API}/workshops", json={"title": "Vide", "axes": [{"name": "A"}]}).json()
    assert "Aucune synthèse" in client.get(f"/review/workshops/{workshop['id']}").text
    page = client.get(f"/review/axes/{workshop['axes'][0]['id']}").text
    assert "Pas encore de pitch" in page and "Pas encore de carte" in page
    assert client.get(f"/review/axes/{workshop['id']}").status_code == 404


def test_axis_map_is_deterministic() -> None:
    import numpy as np

    from service.review.axis_map import MapPoint, render_svg

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((12, 8))
    points = [MapPoint(str(i), f"idée <{i}>", i % 3 - 1, "groupe") for i in range(12)]
    svg = render_svg(points, vectors)
    assert svg == render_svg(points, vectors.copy())
    assert svg.count("<circle") == 8 and svg.count('class="singular"') == 4
    assert "idée &lt;3&gt;" in svg


def test_axis_page_shows_key_points_and_verdicts(client: TestClient[Litestar]) -> None:
    wid, _ = reviewed_workshop(client)
    axis_id = client.get(f"{API}/workshops/{wid}").json()["axes"][0]["id"]
    synthesis = client.get(f"{API}/workshops/{wid}/syntheses").json()[0]
    key_points = synthesis["axes"][0]["key_points"]
    assert key_points and {"id", "cluster_id", "text", "citations", "support", "verdict"} <= set(key_points[0])
    page = client.get(f"/review/axes/{axis_id}").text
    assert 'id="key-points"' in page and page.count('class="key-point"') == len(key_points)
    assert "✓ fidèle" in page and 'points clés <a href="#kp-1">K1</a>' in page  # each sentence names its key points
    assert "un seul participant" not in page  # every key point here speaks for a group
    # the pitch reads as one paragraph: no control inside it, each sentence's backing folded below it
    sentences = synthesis["axes"][0]["pitch"]["sentences"]
    prose = page.split('id="pitch-prose">', 1)[1].split("</p>", 1)[0]
    assert all(html.escape(s["text"], quote=False) in prose for s in sentences)
    assert "<details" not in prose and "<form" not in prose and prose.count('class="cite"') >= len(sentences)
    assert page.count('<details class="about"') == len(sentences)
    # each source names the post-it by the workshop tool's own id, as the exports' footnotes do
    assert "réf. f" in page.split('class="sources"', 1)[1].split("</details>", 1)[0]


def test_a_singular_ideas_key_point_says_it_is_one_participants(client: TestClient[Litestar]) -> None:
    """The pitch may say a voted singular idea in the room's voice; its key point says whose it is."""
    wid, data = reviewed_workshop(client)
    axis_id = client.get(f"{API}/workshops/{wid}").json()["axes"][0]["id"]
    group = next(c for c in data["axes"][0]["clusters"] if not c["singular"])
    votes = {p["text"]: p["votes"] for p in POSTITS}
    voted = max(group["postits"], key=lambda p: votes[p["text"]])  # a singular idea needs votes to be a key point
    client.post(f"{API}/postits/{voted['id']}/move", json={"cluster_id": None}).raise_for_status()
    job = client.post(f"{API}/workshops/{wid}/syntheses", json={}).json()["job_id"]
    assert wait_job(client, job)["state"] == "succeeded"
    key_points = client.get(f"{API}/workshops/{wid}/syntheses").json()[0]["axes"][0]["key_points"]
    lone = [k for k in key_points if k["cluster_id"] is None]
    assert [k["citations"] for k in lone] == [[voted["id"]]]
    page = client.get(f"/review/axes/{axis_id}").text
    assert page.count("un seul participant, soutenue par des votes") == 1


def test_models_route_lists_drafters_and_packaged_models(client: TestClient[Litestar]) -> None:
    body = client.get(f"{API}/models").json()
    assert [d["name"] for d in body["drafters"]] == ["openvino", "transformers", "openai", "extractive"]
    openai = next(d for d in body["drafters"] if d["name"] == "openai")
    assert not openai["available"] and "ATELIER_OPENAI_BASE_URL" in openai["detail"]
    names = {m["name"]: m for m in body["packaged"]}
    assert names["qwen2.5-coder-1.5b-instruct"]["default_for"] == ["openvino"]
    assert "embedder" in names["embeddinggemma-300m"]["default_for"]
    assert body["default_drafter"] == "extractive"  # the test settings'
    assert "api_key" not in str(body)


def test_a_large_group_lists_its_most_voted_post_its_and_the_rest_on_demand(
        client: TestClient[Litestar], monkeypatch: pytest.MonkeyPatch) -> None:
    """Every member with a move form each made a 20,000-post-it axis page 36 MB and held the loop 5 s."""
    from service.pages import review as pages

    wid, data = reviewed_workshop(client)
    axis_id = client.get(f"{API}/workshops/{wid}").json()["axes"][0]["id"]
    group = max((c for c in data["axes"][0]["clusters"] if not c["singular"]), key=lambda c: len(c["postits"]))
    assert len(group["postits"]) > 2
    monkeypatch.setattr(pages, "MEMBERS_SHOWN", 2)
    page = client.get(f"/review/axes/{axis_id}").text
    assert f'href="?group={group["id"]}#cluster-{group["id"]}"' in page
    votes = {p["id"]: p["votes"] for p in client.get(f"{API}/workshops/{wid}/postits").json()}
    top = sorted(group["postits"], key=lambda p: -votes[p["id"]])
    assert votes[top[1]["id"]] > votes[top[-1]["id"]]
    assert f'postits/{top[0]["id"]}/move' in page and f'postits/{top[-1]["id"]}/move' not in page
    whole = client.get(f"/review/axes/{axis_id}", params={"group": group["id"]}).text
    assert all(f'postits/{p["id"]}/move' in whole for p in group["postits"])


def test_axis_page_shows_themes_and_postits_without_their_platform_prompt(client: TestClient[Litestar]) -> None:
    from tests.service.conftest import wait_job

    wid = client.post(f"{API}/workshops", json={"title": "Idées", "axes": [{"name": "Cadre de vie"}]}).json()["id"]
    topics = ["pistes cyclables vélo sécurisées", "navette de bus vers la gare", "jardins partagés potagers",
              "composteurs collectifs déchets", "bancs ombragés places"]
    postits = [{"text": f"J'ai une idée ! Installer des {t} {w}", "axis": "Cadre de vie", "votes": 5 - n}
               for n, t in enumerate(topics) for w in ("partout", "vite", "ensemble", "demain")]
    client.post(f"{API}/workshops/{wid}/postits", json=postits).raise_for_status()
    accepted = client.post(f"{API}/workshops/{wid}/syntheses", json={}).json()
    assert wait_job(client, accepted["job_id"])["state"] == "succeeded"
    synthesis = client.get(f"{API}/syntheses/{accepted['synthesis_id']}").json()
    [axis] = synthesis["axes"]
    assert 2 <= len(axis["themes"]) <= 3 and all(k["theme"] for k in axis["key_points"])
    assert all("idée !" not in k["text"] for k in axis["key_points"])  # shown and drafted without it
    page = client.get(f"/review/axes/{client.get(f'{API}/workshops/{wid}').json()['axes'][0]['id']}").text
    assert 'class="badge theme"' in page and axis["themes"][0]["name"] in page
    import re
    assert not re.findall(r".{80}J(?:&#39;|')ai une idée.{40}", page)
    stored = client.get(f"{API}/workshops/{wid}/postits").json()
    assert all(p["text"].startswith("J'ai une idée !") for p in stored)  # the stored post-it keeps its words
    # the exports carry the themes with their key points
    exported = client.get(f"{API}/workshops/{wid}/export", params={"format": "json"}).json()["axes"][0]["themes"]
    assert [t["name"] for t in exported] == [t["name"] for t in axis["themes"]]
    assert sorted(k["id"] for t in exported for k in t["key_points"]) == sorted(k["id"] for k in axis["key_points"])
    md = client.get(f"{API}/workshops/{wid}/export", params={"format": "md"}).text
    from service.review.documents import md_text

    assert all(f"### {md_text(t['name'])}" in md for t in axis["themes"])
    assert all(f"- {md_text(k['text'])}" in md for k in axis["key_points"])
    rows = client.get(f"{API}/workshops/{wid}/export", params={"format": "csv"}).text.splitlines()
    assert "themes" in rows[0].split(",") and any(t["name"] in "\n".join(rows[1:]) for t in axis["themes"])


def test_the_workshop_page_counts_each_axis(client: TestClient[Litestar]) -> None:
    import re

    wid, data = reviewed_workshop(client)
    postits = client.get(f"{API}/workshops/{wid}/postits").json()
    page = client.get(f"/review/workshops/{wid}").text
    assert all(any(p.get("axis") == a["name"] for p in postits) for a in data["axes"])  # no axis of zeros only
    for axis in data["axes"]:
        mine = [p for p in postits if p.get("axis") == axis["name"]]
        groups = [c for c in axis["clusters"] if not c["singular"]]
        votes = sum(p["votes"] for p in mine)
        expected = (f"{len(mine)} post-it{'s' if len(mine) != 1 else ''} · {len(groups)} "
                    f"groupe{'s' if len(groups) != 1 else ''} · {votes} vote{'s' if votes != 1 else ''}")
        assert expected in re.sub(r"\s+", " ", html.unescape(page)), expected

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

from tests.service.test_review_api import API, reviewed_workshop


def test_pages_render_escape_html_and_run_actions(client: TestClient[Litestar]) -> None:
    wid, data = reviewed_workshop(client)
    axis_id = client.get(f"{API}/workshops/{wid}").json()["axes"][0]["id"]
    assert "Atelier" in client.get("/review").text
    assert f"/review/axes/{axis_id}" in client.get(f"/review/workshops/{wid}").text
    page = client.get(f"/review/axes/{axis_id}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<svg class="axis-map"' in page and "Idées singulières" in page
    client.post("/review/name", data={"name": "Camille", "next": f"/review/axes/{axis_id}"})
    pitch_id = data["axes"][0]["pitch"]["id"]
    edited = client.post(f"/review/pitches/{pitch_id}/edit", data={"text": "Un pitch revu."})
    assert edited.status_code == 200 and "Un pitch revu." in edited.text and "modifié" in edited.text
    client.post(f"/review/pitches/{pitch_id}/approve", data={})
    history = client.get(f"/review/pitches/{pitch_id}/history").text
    assert "Camille" in history and "approbation" in history and "Un pitch revu." in history
    clusters = [c for c in data["axes"][0]["clusters"] if not c["singular"]]
    moving = clusters[0]["postits"][0]["id"]
    client.post(f"/review/postits/{moving}/move", data={"cluster_id": ""})
    singular = next(c for c in client.get(f"{API}/workshops/{wid}/review").json()["axes"][0]["clusters"]
                    if c["singular"])
    assert moving in [p["id"] for p in singular["postits"]]
    client.post(f"/review/clusters/{clusters[0]['id']}/rename", data={"label": "Nom humain"})
    assert "Nom humain" in client.get(f"/review/axes/{axis_id}").text


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

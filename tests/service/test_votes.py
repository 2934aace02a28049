"""Votes per participant: stored, replaced, and read off as opinion groups that split a key point."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

from tests.service.conftest import wait_job

API = "/api/v1"
POSTITS = [{"text": t, "axis": "Énergie", "external_id": f"e{i}"} for i, t in enumerate(
    ["éoliennes en mer", "éoliennes sur les collines", "parc éolien citoyen",
     "taxe carbone plus forte", "taxe carbone sur le kérosène", "prix du carbone pour tous"])]


def test_votes_per_participant_give_agreement_and_groups(client: TestClient[Litestar]) -> None:
    wid = client.post(f"{API}/workshops", json={"title": "Énergie", "axes": [{"name": "Énergie"}]}).json()["id"]
    client.post(f"{API}/workshops/{wid}/postits", json=POSTITS).raise_for_status()
    # two camps: the first twelve voters back wind power and reject the carbon tax, the next twelve the reverse
    votes = [{"external_id": f"e{i}", "voter": f"v{v}", "vote": (1 if i < 3 else -1) * (1 if v < 12 else -1)}
             for v in range(24) for i in range(6)]
    stored = client.post(f"{API}/workshops/{wid}/votes", json=votes)
    assert stored.status_code == 201 and stored.json() == {"stored": 144}
    # a later vote of the same voter on the same post-it replaces the earlier one
    again = client.post(f"{API}/workshops/{wid}/votes", json=[{"external_id": "e0", "voter": "v0", "vote": 1}])
    assert again.json() == {"stored": 1}
    bad = client.post(f"{API}/workshops/{wid}/votes", json=[{"external_id": "e0", "voter": "v1", "vote": 1},
                                                            {"external_id": "nope", "voter": "v1", "vote": 1}])
    assert bad.status_code == 400 and bad.json()["extra"]["field"] == "votes[1].external_id"
    assert client.post(f"{API}/workshops/{wid}/votes", json=[{"external_id": "e0", "voter": "v", "vote": 2}]
                       ).status_code == 400
    job = client.post(f"{API}/workshops/{wid}/syntheses", json={}).json()["job_id"]
    assert wait_job(client, job)["state"] == "succeeded"
    [axis] = client.get(f"{API}/workshops/{wid}/syntheses").json()[0]["axes"]
    stances = [k["consensus"] for k in axis["key_points"] if k["consensus"]]
    assert stances and all(s["agrees"] + s["disagrees"] > 0 for s in stances), axis["key_points"]
    assert all(len(s["groups"]) == 2 for s in stances)  # the two camps were found
    # every key point here is voted for by one camp and against by the other: never called consensus
    assert all(s["label"] == "divided" for s in stances), stances
    # and the pitch never states a divided point as if the room agreed
    sentences = axis["pitch"]["sentences"]
    assert sentences and all("(point qui divise : " in s["text"] for s in sentences), sentences

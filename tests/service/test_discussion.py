"""Comments on clusters, key points, sentences and pitches: authors, replies, resolution, scope, escaping."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient

from tests.service.conftest import sign_in
from tests.service.test_review_api import API, as_key, reviewed_workshop


def test_two_reviewers_discuss_reply_and_resolve(client: TestClient[Litestar]) -> None:
    wid, data = reviewed_workshop(client)
    axis = data["axes"][0]
    pitch_id, cluster_id = axis["pitch"]["id"], axis["clusters"][0]["id"]
    camille, lea = (as_key(client, "facilitator", name) for name in ("Camille", "Léa"))
    first = client.post(f"{API}/clusters/{cluster_id}/comments", json={"body": "Ce groupe mélange deux idées ?",
                                                                       "author": "ignored"}, headers=camille)
    assert first.status_code == 201, first.text
    thread = first.json()
    assert thread["author"] == "Camille" and thread["target"] == "cluster" and not thread["resolved"]
    reply = client.post(f"{API}/clusters/{cluster_id}/comments", json={"body": "Oui, à scinder.",
                                                                       "reply_to": thread["id"]}, headers=lea).json()
    assert reply["reply_to"] == thread["id"] and reply["author"] == "Léa"
    listed = client.get(f"{API}/clusters/{cluster_id}/comments").json()
    assert [c["body"] for c in listed] == ["Ce groupe mélange deux idées ?", "Oui, à scinder."]
    resolved = client.patch(f"{API}/comments/{thread['id']}", json={"resolved": True}, headers=lea).json()
    assert resolved["resolved"] and resolved["resolved_by"] == "Léa"
    # only its author edits a comment's text; anyone reviewing may resolve it
    assert client.patch(f"{API}/comments/{thread['id']}", json={"body": "changé"}, headers=lea).status_code == 403
    edited = client.patch(f"{API}/comments/{thread['id']}", json={"body": "Deux idées ici."}, headers=camille).json()
    assert edited["body"] == "Deux idées ici." and edited["edited"]
    on_sentence = client.post(f"{API}/pitches/{pitch_id}/comments", json={"body": "Trop long.", "anchor": "s1"},
                              headers=camille).json()
    key_point = client.get(f"{API}/workshops/{wid}/syntheses").json()[0]["axes"][0]["key_points"]
    on_kp = client.post(f"{API}/pitches/{pitch_id}/comments", json={"body": "Point central.",
                                                                    "anchor": key_point[0]["id"]}, headers=lea)
    assert on_sentence["anchor"] == "s1" and on_kp.status_code == 201 and on_kp.json()["anchor"] == key_point[0]["id"]
    assert len(client.get(f"{API}/pitches/{pitch_id}/comments").json()) == 2


def test_bad_comments_are_refused_with_the_field(client: TestClient[Litestar]) -> None:
    _, data = reviewed_workshop(client)
    axis = data["axes"][0]
    pitch_id, cluster_id = axis["pitch"]["id"], axis["clusters"][0]["id"]
    empty = client.post(f"{API}/pitches/{pitch_id}/comments", json={"body": ""})
    assert empty.status_code == 400 and "body" in empty.json()["detail"]
    anchored = client.post(f"{API}/clusters/{cluster_id}/comments", json={"body": "x", "anchor": "s1"})
    assert anchored.status_code == 400 and anchored.json()["extra"]["field"] == "anchor"
    bad_anchor = client.post(f"{API}/pitches/{pitch_id}/comments", json={"body": "x", "anchor": "<b>"})
    assert bad_anchor.status_code == 400
    other = client.post(f"{API}/pitches/{pitch_id}/comments", json={"body": "x"}).json()
    stray = client.post(f"{API}/clusters/{cluster_id}/comments", json={"body": "x", "reply_to": other["id"]})
    assert stray.status_code == 400 and stray.json()["extra"]["field"] == "reply_to"
    viewer = as_key(client, "viewer", "Lecteur")
    assert client.post(f"{API}/pitches/{pitch_id}/comments", json={"body": "x"}, headers=viewer).status_code == 403
    assert client.get(f"{API}/pitches/{pitch_id}/comments", headers=viewer).status_code == 200


def test_a_key_scoped_to_another_workshop_sees_no_comment(client: TestClient[Litestar]) -> None:
    _, data = reviewed_workshop(client)
    pitch_id = data["axes"][0]["pitch"]["id"]
    comment = client.post(f"{API}/pitches/{pitch_id}/comments", json={"body": "interne"}).json()
    other = client.post(f"{API}/workshops", json={"title": "Autre"}).json()["id"]
    outsider = as_key(client, "facilitator", "Dehors", [other])
    assert client.get(f"{API}/pitches/{pitch_id}/comments", headers=outsider).status_code == 404
    assert client.patch(f"{API}/comments/{comment['id']}", json={"resolved": True},
                        headers=outsider).status_code == 404


def test_axis_page_shows_threads_escaped_and_counts_open_ones(client: TestClient[Litestar], home: Path) -> None:
    wid, data = reviewed_workshop(client)
    axis = data["axes"][0]
    client.post(f"{API}/clusters/{axis['clusters'][0]['id']}/comments",
                json={"body": "<script>alert('x')</script> à revoir"}).raise_for_status()
    client.post(f"{API}/pitches/{axis['pitch']['id']}/comments", json={"body": "OK pour moi"}).raise_for_status()
    axis_id = client.get(f"{API}/workshops/{wid}").json()["axes"][0]["id"]
    page = client.get(f"/review/axes/{axis_id}").text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; à revoir" in page and "<script>alert" not in page
    assert "2 discussions ouvertes" in page
    polled = client.get(f"/review/axes/{axis_id}/comments").json()
    assert polled["open"] == 2 and {c["body"] for c in polled["comments"]} == {
        "<script>alert('x')</script> à revoir", "OK pour moi"}
    exported = client.get(f"{API}/workshops/{wid}/export?format=md&comments=unresolved").text
    assert "OK pour moi" in exported and "&lt;script&gt;" in exported


def test_page_forms_comment_and_resolve_with_the_session(client: TestClient[Litestar]) -> None:
    _, data = reviewed_workshop(client)
    cluster_id = data["axes"][0]["clusters"][0]["id"]
    key = as_key(client, "facilitator", "Camille")["Authorization"].removeprefix("Bearer ")
    csrf = sign_in(client, key)
    posted = client.post("/review/comments", data={"csrf": csrf, "target": "cluster", "target_id": cluster_id,
                                                   "anchor": "", "body": "Depuis la page"}, follow_redirects=False)
    assert posted.status_code == 303
    [made] = client.get(f"{API}/clusters/{cluster_id}/comments").json()
    assert made["author"] == "Camille"
    forged = client.post(f"/review/comments/{made['id']}/resolve", data={"csrf": "wrong"}, follow_redirects=False)
    assert forged.status_code == 403
    done = client.post(f"/review/comments/{made['id']}/resolve", data={"csrf": csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert client.get(f"{API}/clusters/{cluster_id}/comments").json()[0]["resolved_by"] == "Camille"

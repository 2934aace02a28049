"""Rooms: phones join with a code, read the drafted items, vote and add post-its; facilitators read tallies."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from service.rooms.services import ALPHABET, CODE_LENGTH
from tests.service.conftest import another_browser, started, wait_job
from tests.service.test_review_api import API, as_key, reviewed_workshop


def _room(client: TestClient[Litestar]) -> tuple[str, dict[str, Any]]:
    wid, _ = reviewed_workshop(client)
    opened = client.post(f"{API}/workshops/{wid}/room", headers=as_key(client, "facilitator", "Camille"))
    assert opened.status_code == 201, opened.text
    return wid, opened.json()


def _join(client: TestClient[Litestar], code: str) -> dict[str, str]:
    joined = client.post(f"{API}/rooms/{code}/join", headers={"Authorization": ""})
    assert joined.status_code == 201, joined.text
    return {"Authorization": f"Bearer {joined.json()['participant_token']}"}


def test_participants_vote_and_facilitators_read_the_tallies(client: TestClient[Litestar]) -> None:
    wid, room = _room(client)
    code = room["code"]
    assert re.fullmatch(f"[{ALPHABET}]{{{CODE_LENGTH}}}", code) and room["participant_url"].endswith(f"/p/{code}")
    assert client.post(f"{API}/workshops/{wid}/room").json()["code"] == code  # one open room per workshop
    phones = [_join(client, code.lower()) for _ in range(3)]  # typed in lower case: still the room
    items = client.get(f"{API}/rooms/{code}/items", headers=phones[0]).json()
    assert {i["kind"] for i in items} == {"key_point", "sentence"}
    assert all(set(i) == {"id", "kind", "axis", "text"} for i in items)  # texts only: no author, no post-it id
    first, second = items[0]["id"], items[1]["id"]
    for phone, value in zip(phones, (1, 1, -1), strict=True):
        answer = client.post(f"{API}/rooms/{code}/votes", json=[{"item_id": first, "vote": value}], headers=phone)
        assert answer.status_code == 200 and answer.json() == {"counted": 1}
    # a later vote replaces the earlier one: phone 3 changes its mind, then passes on the second item
    client.post(f"{API}/rooms/{code}/votes", json=[{"item_id": first, "vote": 1}, {"item_id": second, "vote": 0}],
                headers=phones[2])
    tallies = client.get(f"{API}/workshops/{wid}/room").json()
    by_id = {t["id"]: t for t in tallies["items"]}
    assert tallies["participants"] == 3 and tallies["code"] == code
    assert (by_id[first]["agrees"], by_id[first]["disagrees"], by_id[first]["passes"]) == (3, 0, 0)
    assert (by_id[second]["agrees"], by_id[second]["passes"]) == (0, 1)
    assert "token" not in str(tallies) and "participant_id" not in str(tallies)
    _exports_carry_the_tallies(client, wid, by_id[first])


def _exports_carry_the_tallies(client: TestClient[Litestar], wid: str, item: dict[str, Any]) -> None:
    """JSON, Markdown and CSV exports show the room's counts beside the item they were cast on."""
    client.delete(f"{API}/workshops/{wid}/room").raise_for_status()  # a closed room's votes stay in the exports
    export = client.get(f"{API}/workshops/{wid}/export", params={"format": "json"}).json()
    axis = next(a for a in export["axes"] if a["name"] == item["axis"])
    texts = [k for t in axis["themes"] for k in t["key_points"]] + axis["pitch"]["sentences"]
    found = next(x for x in texts if x["text"] == item["text"])
    assert found["room"] == {"agrees": 3, "disagrees": 0, "passes": 0, "divided": False}
    assert sum(x["room"] is None for x in texts) >= len(texts) - 2  # items nobody voted on: no counts
    markdown = client.get(f"{API}/workshops/{wid}/export", params={"format": "md"}).text
    assert "(salle : 3 pour, 0 contre, 0 passe)" in markdown
    rows = client.get(f"{API}/workshops/{wid}/export", params={"format": "csv"}).text.splitlines()
    assert rows[0].endswith("room_agrees,room_disagrees,room_passes")


def test_bad_votes_and_room_postits(client: TestClient[Litestar]) -> None:
    wid, room = _room(client)
    code, phone = room["code"], _join(client, room["code"])
    unknown = client.post(f"{API}/rooms/{code}/votes", json=[{"item_id": "k-0000000000000000", "vote": 1}],
                          headers=phone)
    assert unknown.status_code == 404 and "item" in unknown.json()["detail"]
    bad = client.post(f"{API}/rooms/{code}/votes", json=[{"item_id": "x", "vote": 2}], headers=phone)
    assert bad.status_code == 400
    assert client.post(f"{API}/rooms/{code}/votes", json=[], headers=phone).status_code == 400
    added = client.post(f"{API}/rooms/{code}/postits", json={"text": "Un fablab mobile", "axis": "FabLabs"},
                        headers=phone)
    assert added.status_code == 201, added.text
    stored = client.get(f"{API}/workshops/{wid}/postits", params={"limit": 500}).json()
    mine = next(p for p in stored if p["id"] == added.json()["id"])
    assert mine["external_id"].startswith("room:") and not mine.get("author")  # marked, anonymous
    assert client.post(f"{API}/rooms/{code}/postits", json={"text": "x" * 5000}, headers=phone).status_code == 413
    assert client.post(f"{API}/rooms/{code}/postits", json={"text": "a\x00b"}, headers=phone).status_code == 400
    assert client.post(f"{API}/rooms/{code}/postits", json={"text": "y", "axis": "Nope"},
                       headers=phone).status_code == 400


def test_a_participant_token_opens_its_room_only(client: TestClient[Litestar]) -> None:
    wid, room = _room(client)
    phone = _join(client, room["code"])
    other_wid, other = _room(client)
    other_item = client.get(f"{API}/rooms/{other['code']}/items", headers=_join(client, other["code"])).json()[0]
    # another room's routes, and a vote on another room's item
    assert client.get(f"{API}/rooms/{other['code']}/items", headers=phone).status_code == 401
    cross = client.post(f"{API}/rooms/{room['code']}/votes", json=[{"item_id": other_item["id"], "vote": 1}],
                        headers=phone)
    assert cross.status_code == 404
    # every other route of the app, by introspection: 401 (no key) or 404, never an answer
    for route in client.app.routes:
        if route.path.startswith("/api/v1/rooms/") or route.path in ("/health", "/api/v1/health"):
            continue
        url = re.sub(r"{\w+:uuid}", wid, route.path)
        url = re.sub(r"{\w+:\w+}", "x", url)
        for method in sorted(getattr(route, "methods", ())):
            if method in ("OPTIONS", "HEAD"):
                continue
            answer = client.request(method, url, headers=phone, follow_redirects=False)
            to_sign_in = answer.status_code == 303 and answer.headers["location"].startswith("/review/login")
            public = url.startswith(("/schema", "/review/login", "/review/static", "/review/language", "/room/"))
            assert answer.status_code in (401, 404) or to_sign_in or public, (method, url, answer.status_code)
    # closing the room: joins, votes and its tokens die with it; the tallies stay readable until then
    assert client.delete(f"{API}/workshops/{wid}/room").status_code == 204
    assert client.post(f"{API}/rooms/{room['code']}/votes", json=[{"item_id": "k-1", "vote": 1}],
                       headers=phone).status_code == 404
    assert client.post(f"{API}/rooms/{room['code']}/join").status_code == 404
    assert client.get(f"{API}/workshops/{wid}/room").status_code == 404
    assert client.get(f"{API}/workshops/{other_wid}/room").status_code == 200


def test_rooms_rate_limit_and_expire(home: Path) -> None:
    with started(home, room_joins_per_minute=2, room_votes_per_minute=1) as client:
        _, room = _room(client)
        code = room["code"]
        phone = _join(client, code)
        _join(client, code)
        throttled = client.post(f"{API}/rooms/{code}/join")
        assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) >= 1
        item = client.get(f"{API}/rooms/{code}/items", headers=phone).json()[0]["id"]
        vote = [{"item_id": item, "vote": 1}]
        assert client.post(f"{API}/rooms/{code}/votes", json=vote, headers=phone).status_code == 200
        assert client.post(f"{API}/rooms/{code}/votes", json=vote, headers=phone).status_code == 429
        guesses = [client.post(f"{API}/rooms/ZZZZZZZ/join").status_code for _ in range(3)]
        assert guesses == [429, 429, 429]  # guessing codes counts against the same address
    with started(home, room_minutes=0) as client:
        wid, _ = reviewed_workshop(client)
        expired = client.post(f"{API}/workshops/{wid}/room").json()
        assert client.post(f"{API}/rooms/{expired['code']}/join").status_code == 404


def test_room_votes_change_the_consensus_of_the_next_synthesis(client: TestClient[Litestar]) -> None:
    wid, room = _room(client)
    before = client.get(f"{API}/workshops/{wid}/syntheses").json()[0]["axes"][0]["key_points"]
    assert all((k.get("consensus") or {}).get("label") is None for k in before)  # dot votes: no stance yet
    phones = [_join(client, room["code"]) for _ in range(5)]
    items = client.get(f"{API}/rooms/{room['code']}/items", headers=phones[0]).json()
    first = next(i for i in items if i["kind"] == "key_point")
    cited = set(next(k for k in before if k["text"] == first["text"])["citations"])
    for n, phone in enumerate(phones):  # 4 agree, 1 disagrees: 80 % agreement, 5 votes (models.consensus.MIN_VOTES)
        vote = [{"item_id": first["id"], "vote": -1 if n == 4 else 1}]
        assert client.post(f"{API}/rooms/{room['code']}/votes", json=vote, headers=phone).status_code == 200
    job = client.post(f"{API}/workshops/{wid}/syntheses", json={}).json()["job_id"]
    assert wait_job(client, job)["state"] == "succeeded"
    after = client.get(f"{API}/workshops/{wid}/syntheses").json()[0]["axes"][0]["key_points"]
    voted = next(k for k in after if cited & set(k["citations"]))
    stance = voted["consensus"]
    assert stance["label"] == "consensus" and stance["agrees"] >= 4 and stance["disagrees"] >= 1, stance


def test_phone_and_projector_pages_without_javascript(client: TestClient[Litestar]) -> None:
    from tests.service.conftest import sign_in

    wid, room = _room(client)
    code = room["code"]
    phone = another_browser(client)  # no key, no session
    page = phone.get(f"/p/{code}")
    assert page.status_code == 200 and 'id="join"' in page.text and '<html lang="fr">' in page.text
    joined = phone.post(f"/p/{code}/join", follow_redirects=False)
    assert joined.status_code == 303 and "httponly" in joined.headers["set-cookie"].lower()
    page = phone.get(f"/p/{code}").text
    item = re.search(r'name="item_id" value="([^"]+)"', page)
    assert item and "D'accord" in page
    assert phone.post(f"/p/{code}/vote", data={"item_id": item.group(1), "vote": "-1"}).status_code == 200
    assert 'aria-pressed="true">Pas d\'accord' in phone.get(f"/p/{code}").text  # the phone sees its vote
    assert phone.post(f"/p/{code}/postit", data={"text": "Un atelier vélo", "axis": "FabLabs"}).status_code == 200
    assert phone.get(f"/review/rooms/{code}", follow_redirects=False).status_code == 303  # not a facilitator
    sign_in(client, client.post(f"{API}/keys", json={"role": "facilitator", "name": "Kim"}).json()["key"])
    assert client.get(f"/room/{code}", follow_redirects=False).headers["location"] == f"/review/rooms/{code}"
    projector = client.get(f"/review/rooms/{code}").text
    assert '<svg' in projector and 'class="qr"' in projector and code in projector
    tallies = client.get(f"/review/rooms/{code}/tallies").json()
    assert next(t for t in tallies["items"] if t["id"] == item.group(1))["disagrees"] == 1
    axis_id = client.get(f"{API}/workshops/{wid}").json()["axes"][0]["id"]
    assert "salle : 0 d'accord, 1 pas d'accord, 0 passent" in client.get(f"/review/axes/{axis_id}").text
    client.delete(f"{API}/workshops/{wid}/room")
    assert phone.post(f"/p/{code}/vote", data={"item_id": item.group(1), "vote": "1"}).status_code == 404


def test_the_projector_map_draws_the_rooms_new_post_it_once_embedded(client: TestClient[Litestar]) -> None:
    import time

    from tests.service.conftest import sign_in

    wid, room = _room(client)
    code = room["code"]
    axes = {a["name"]: a["id"] for a in client.get(f"{API}/workshops/{wid}").json()["axes"]}
    sign_in(client, client.post(f"{API}/keys", json={"role": "facilitator", "name": "Kim"}).json()["key"])
    before = client.get(f"/review/rooms/{code}/tallies").json()["map_version"]
    page = client.get(f"/review/rooms/{code}").text
    assert f'src="/review/rooms/{code}/map/{axes["FabLabs"]}?v={before}"' in page
    drawn = client.get(f"/review/rooms/{code}/map/{axes['FabLabs']}")
    assert drawn.headers["content-type"].startswith("image/svg+xml") and 'class="new"' not in drawn.text
    phone = _join(client, code)
    added = client.post(f"{API}/rooms/{code}/postits", json={"text": "Un atelier <vélo> partagé", "axis": "FabLabs"},
                        headers=phone)
    assert added.status_code == 201, added.text
    deadline = time.monotonic() + 30
    while (version := client.get(f"/review/rooms/{code}/tallies").json()["map_version"]) == before:
        assert time.monotonic() < deadline, "the new post-it was never embedded"
        time.sleep(0.05)
    svg = client.get(f"/review/rooms/{code}/map/{axes['FabLabs']}", params={"v": version}).text
    assert svg.count('class="new"') == 1 and "Un atelier &lt;vélo&gt; partagé" in svg and "<vélo>" not in svg
    other, _ = reviewed_workshop(client)
    foreign = client.get(f"{API}/workshops/{other}").json()["axes"][0]["id"]
    assert client.get(f"/review/rooms/{code}/map/{foreign}").status_code == 404  # another workshop's axis
    assert another_browser(client).get(f"/review/rooms/{code}/map/{axes['FabLabs']}",
                                       follow_redirects=False).status_code in (303, 401)

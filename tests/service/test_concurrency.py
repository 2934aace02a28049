"""Two reviewers on one pitch: one wins, the other is told (409/412) and nothing is lost."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient

from tests.service.conftest import settings_for, sign_in
from tests.service.test_review_api import API, as_key, reviewed_workshop


def test_two_reviewers_editing_one_pitch(client: TestClient[Litestar]) -> None:
    _, data = reviewed_workshop(client)
    pid = data["axes"][0]["pitch"]["id"]
    camille, lea = as_key(client, "facilitator", "Camille"), as_key(client, "facilitator", "Léa")
    seen = client.get(f"{API}/pitches/{pid}", headers=camille)
    etag = seen.headers["etag"]
    assert client.get(f"{API}/pitches/{pid}", headers=lea).headers["etag"] == etag
    first = client.patch(f"{API}/pitches/{pid}", json={"text": "Texte de Camille."},
                         headers={**camille, "If-Match": etag})
    assert first.status_code == 200 and first.headers["etag"] != etag
    second = client.patch(f"{API}/pitches/{pid}", json={"text": "Texte de Léa."}, headers={**lea, "If-Match": etag})
    assert second.status_code == 412 and second.json()["current"]["text"] == "Texte de Camille."
    stale_approval = client.post(f"{API}/pitches/{pid}/approve", json={"version": 1}, headers=lea)
    assert stale_approval.status_code == 409  # one cannot approve a text one has not seen
    assert not client.get(f"{API}/pitches/{pid}").json()["approved"]
    history = client.get(f"{API}/pitches/{pid}/history").json()
    assert [(h["action"], h["author"]) for h in history] == [("draft", "atelier"), ("edit", "Camille")]
    again = client.patch(f"{API}/pitches/{pid}", json={"text": "Texte de Léa."},
                         headers={**lea, "If-Match": second.headers["etag"]})
    assert again.status_code == 200 and again.json()["version"] == 3


def test_the_review_page_shows_both_texts_on_a_conflict(client: TestClient[Litestar]) -> None:
    _, data = reviewed_workshop(client)
    pid = data["axes"][0]["pitch"]["id"]
    key = client.post(f"{API}/keys", json={"role": "facilitator", "name": "Camille"}).json()["key"]
    token = sign_in(client, key)
    client.patch(f"{API}/pitches/{pid}", json={"text": "Modifié par quelqu'un d'autre."}).raise_for_status()
    page = client.post(f"/review/pitches/{pid}/edit", data={"text": "Mon texte.", "version": "1", "csrf": token})
    assert page.status_code == 409
    assert "modifié ce pitch entre-temps" in page.text
    assert "Modifié par quelqu&#39;un d&#39;autre." in page.text and "Mon texte." in page.text


def test_a_write_racing_another_fails_instead_of_overwriting(client: TestClient[Litestar], home: Path) -> None:
    """The ORM checks the version it read on every UPDATE (what keeps a late draft off a human edit)."""
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
    from sqlalchemy.orm.exc import StaleDataError

    from service.db.models import PitchRow

    _, data = reviewed_workshop(client)
    pid = uuid.UUID(data["axes"][0]["pitch"]["id"])

    async def race() -> str:
        engine = create_async_engine(settings_for(home).db_url)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        try:
            async with sessions() as late:
                draft = await late.get(PitchRow, pid)  # a synthesis job reads version 1 ...
                assert draft is not None
                async with sessions() as human, human.begin():  # ... a reviewer edits meanwhile ...
                    edited = await human.get(PitchRow, pid)
                    assert edited is not None
                    edited.sentences, edited.edited, edited.version = [{"text": "Humain."}], True, edited.version + 1
                draft.sentences, draft.version = [{"text": "Brouillon tardif."}], draft.version + 1
                try:
                    await late.commit()  # ... and the job's write must not land
                except StaleDataError:
                    return "refused"
                return "overwrote"
        finally:
            await engine.dispose()

    assert asyncio.run(race()) == "refused"
    assert client.get(f"{API}/pitches/{pid}").json()["text"] == "Humain."


def test_cluster_renames_check_the_version_seen(client: TestClient[Litestar]) -> None:
    _, data = reviewed_workshop(client)
    cid = next(c for c in data["axes"][0]["clusters"] if not c["singular"])["id"]
    first = client.patch(f"{API}/clusters/{cid}", json={"label": "Nom A"}, headers={"If-Match": '"1"'})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.patch(f"{API}/clusters/{cid}", json={"label": "Nom B"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and stale.json()["current"]["label"] == "Nom A"
    assert client.patch(f"{API}/clusters/{cid}", json={"label": "Nom B", "version": 1}).status_code == 409

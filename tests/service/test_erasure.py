"""A deleted post-it leaves no text in the database file, the embedding cache, the API or the exports."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from litestar import Litestar
from litestar.testing import TestClient

from models.drafting import Drafter, ExtractiveDrafter
from models.embedding import CachedEmbedder, text_key
from service.app import create_app
from tests.fakes import HashingEmbedder
from tests.service.conftest import authorized, settings_for, wait_job
from tests.service.test_review_api import API

SECRET = "Marie Dupont, 12 rue des Lilas, veut un FabLab"


@pytest.fixture
def cached(home: Path) -> Iterator[TestClient[Litestar]]:
    """The service with a real on-disk embedding cache (the fake embedder behind it)."""
    def drafters(kind: str, generator: str | None) -> Drafter:
        return ExtractiveDrafter()

    def embedders(name: str) -> CachedEmbedder:
        return CachedEmbedder(HashingEmbedder(model_id=name), home / "cache" / "embeddings.sqlite")

    app = create_app(settings_for(home), embedder_factory=embedders, drafter_factory=drafters)
    with TestClient(app) as client:
        yield authorized(client, home)


def _files(home: Path) -> bytes:
    """Every byte under ``home``: database, its log, the embedding cache."""
    return b"".join(p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file() and p.suffix != ".key")


def _workshop_with_secret(client: TestClient[Litestar]) -> tuple[str, str]:
    wid = client.post(f"{API}/workshops", json={"title": "Atelier", "axes": [{"name": "A"}]}).json()["id"]
    rows = [{"text": SECRET, "axis": "A", "votes": 50}, {"text": "Des ateliers partagés en ville", "axis": "A"},
            {"text": "Un FabLab itinérant", "axis": "A"}]
    ids = client.post(f"{API}/workshops/{wid}/postits", json=rows).json()["ids"]
    assert wait_job(client, client.post(f"{API}/workshops/{wid}/syntheses", json={}).json()["job_id"])[
        "state"] == "succeeded"
    pid = client.get(f"{API}/workshops/{wid}/review").json()["axes"][0]["pitch"]["id"]
    client.patch(f"{API}/pitches/{pid}", json={"text": f"« {SECRET}. » Et des ateliers."}).raise_for_status()
    return wid, ids[0]


def test_deleting_a_postit_erases_its_text_everywhere(cached: TestClient[Litestar], home: Path,
                                                      request: pytest.FixtureRequest) -> None:
    client = cached
    wid, secret_id = _workshop_with_secret(client)
    on_sqlite = settings_for(home).db_url.startswith("sqlite")
    assert SECRET.encode() in _files(home) or not on_sqlite
    assert text_key(SECRET).encode() in _files(home)  # its vector is cached under its hash
    assert client.delete(f"{API}/postits/{secret_id}").status_code == 204
    everything = client.get(f"{API}/workshops/{wid}/review").text + client.get(f"{API}/workshops/{wid}/syntheses").text
    everything += client.get(f"{API}/workshops/{wid}/export", params={"format": "md"}).text
    for pitch_id in [a["pitch"]["id"] for a in client.get(f"{API}/workshops/{wid}/review").json()["axes"]]:
        everything += client.get(f"{API}/pitches/{pitch_id}/history").text
    assert SECRET not in everything and "Marie Dupont" not in everything
    assert "source_deleted" in client.get(f"{API}/workshops/{wid}/review").text
    assert secret_id not in client.get(f"{API}/workshops/{wid}/postits").text
    raw = _files(home)
    assert text_key(SECRET).encode() not in raw, "the cached vector of the erased text is gone"
    if on_sqlite:  # PostgreSQL's files are not ours to grep; its rows are checked through the API above
        assert b"Marie Dupont" not in raw, "no copy in the SQLite file or its log"


def test_deleting_a_workshop_removes_its_jobs_and_texts(cached: TestClient[Litestar], home: Path) -> None:
    client = cached
    wid, _ = _workshop_with_secret(client)
    jobs = [s["job_id"] for s in client.get(f"{API}/workshops/{wid}/syntheses").json()]
    assert client.delete(f"{API}/workshops/{wid}").status_code == 204
    assert all(client.get(f"{API}/jobs/{j}").status_code == 404 for j in jobs)
    raw = _files(home)
    assert text_key(SECRET).encode() not in raw
    if settings_for(home).db_url.startswith("sqlite"):
        assert b"Marie Dupont" not in raw


ODD = "Le  zorglub\nfablab <libre> zorglub partout de Marie zorglub,"  # double space, newline, '<', final comma
EDITED = "Une ancienne version : Quentin Vasseur glabouni"


def test_no_form_or_distinctive_word_survives_a_delete_or_an_edit(
        cached: TestClient[Litestar], home: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Quotes are normalised (flatten/finish), keywords and labels keep words, edits kept the old text."""
    from models.text import finish, flatten

    caplog.set_level(logging.DEBUG)
    client = cached
    wid = client.post(f"{API}/workshops", json={"title": "Atelier", "axes": [{"name": "A"}]}).json()["id"]
    rows = [{"text": ODD, "axis": "A", "votes": 40}, {"text": EDITED, "axis": "A", "votes": 30},
            *({"text": t, "axis": "A", "votes": 5} for t in [
                "Un fablab libre partout", "fablab libre partout en ville", "le fablab libre partout",
                "un fablab libre ouvert partout"]),
            *({"text": f"Des jardins partagés au quartier {n}", "axis": "A"} for n in range(4))]
    ids = client.post(f"{API}/workshops/{wid}/postits", json=rows).json()["ids"]
    assert wait_job(client, client.post(f"{API}/workshops/{wid}/syntheses", json={}).json()["job_id"])[
        "state"] == "succeeded"
    review = client.get(f"{API}/workshops/{wid}/review").text
    keywords = [k for a in client.get(f"{API}/workshops/{wid}/review").json()["axes"] for c in a["clusters"]
                for k in c["keywords"]]
    assert {"zorglub", "ancienne"} <= set(keywords), keywords  # the premise: their words became keywords
    assert finish(flatten(ODD)).rstrip(".") in review  # and the quote is stored normalised
    pid = client.get(f"{API}/workshops/{wid}/review").json()["axes"][0]["pitch"]["id"]
    client.patch(f"{API}/pitches/{pid}", json={"text": f"« {finish(flatten(ODD))} » Et {EDITED}."}).raise_for_status()
    assert client.delete(f"{API}/postits/{ids[0]}").status_code == 204
    assert client.patch(f"{API}/postits/{ids[1]}", json={"text": "Un fablab ouvert le soir"}).status_code == 200
    raw = _files(home).decode("utf-8", "replace") if settings_for(home).db_url.startswith("sqlite") else ""
    seen = client.get(f"{API}/workshops/{wid}/review").text + client.get(f"{API}/workshops/{wid}/syntheses").text
    seen += client.get(f"{API}/pitches/{pid}/history").text + "\nLOGS:" + caplog.text
    seen += client.get(f"{API}/workshops/{wid}/export", params={"format": "md"}).text
    for trace in (ODD, flatten(ODD), finish(flatten(ODD)), "zorglub", "Marie", EDITED, "Vasseur", "glabouni",
                  "ancienne"):
        assert trace not in seen, (trace, seen.find(trace), seen.find("\nLOGS:"), seen[seen.find(trace) - 300:][:400])
        assert trace not in raw, trace
        assert text_key(trace).encode() not in _files(home)
    assert "fablab" in seen  # the words other post-its share stay


def test_the_database_logs_never_print_bound_parameters(cached: TestClient[Litestar]) -> None:
    """A failed statement's log line printed its parameters: post-it texts in the logs."""
    engine = cached.app.plugins.get(SQLAlchemyPlugin).config[0].get_engine()  # type: ignore[union-attr]
    assert engine.sync_engine.hide_parameters

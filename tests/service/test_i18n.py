"""The review pages in French, English and German: complete catalogs, and no French left on a page."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from litestar import Litestar
from litestar.testing import TestClient

from service.pages.i18n import LOCALE_DIR
from tests.service.conftest import another_browser, sign_in, wait_job
from tests.service.test_review_api import API, POSTITS

ROOT = Path(__file__).parents[2]
TRANSLATED = ("en", "de")
_PLACEHOLDER = re.compile(r"%\(\w+\)s|%%")


def source_messages() -> set[str]:
    """Every French message the pages and exports use, extracted as ``make messages`` does (babel.cfg)."""
    found = extract_from_dir(
        ROOT, method_map=[("service/pages/**.py", "python"), ("service/review/documents.py", "python"),
                          ("service/templates/**.html", "jinja2")],
        options_map={"service/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords={**DEFAULT_KEYWORDS, "N_": None})
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


def catalog(language: str) -> Catalog:
    """The ``.po`` catalog of ``language``."""
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language: str) -> None:
    messages = catalog(language)
    missing = [m for m in source_messages() if m not in messages or messages[m].fuzzy
               or not all(messages[m].string if isinstance(messages[m].string, tuple) else [messages[m].string])]
    assert not missing, f"run `make messages` and translate: {missing}"
    for message in messages:  # a translation keeps its placeholders, or formatting fails on the page
        if message.id:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            wanted = set(_PLACEHOLDER.findall(ids[-1])) - {"%(num)s"}
            assert all(wanted <= set(_PLACEHOLDER.findall(s)) for s in strings), message.id


def leftovers(page: str, language: str) -> list[str]:
    """French messages (translated differently in ``language``) that still show on ``page``."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    said = re.findall(r'(?:title|aria-label|data-[\w-]+)="([^"]*)"', page)  # what assistive tech and scripts say
    text = html.unescape(" ".join([re.sub(r"<[^>]+>", " ", page), *said]))
    text = re.sub(r"\s+", " ", text)
    # a fragment the language shares ("Discussion", "Version") proves nothing
    shared = " ".join(s for m in catalog(language) for s in (m.string if isinstance(m.string, tuple) else [m.string]))
    found = []
    for message in source_messages():
        longest = max(_PLACEHOLDER.split(message), key=len).strip(" :;()")
        if len(longest) >= 8 and longest not in shared and longest in text:
            found.append(longest)
    return found


def _workshop(client: TestClient[Litestar], language: str) -> tuple[str, str, str]:
    created = client.post(f"{API}/workshops", json={"title": f"Atelier {language}", "language": language,
                                                   "axes": [{"name": "FabLabs"}]}).json()
    client.post(f"{API}/workshops/{created['id']}/postits", json=POSTITS).raise_for_status()
    job = client.post(f"{API}/workshops/{created['id']}/syntheses", json={}).json()["job_id"]
    assert wait_job(client, job)["state"] == "succeeded"
    pitch = client.get(f"{API}/workshops/{created['id']}/review").json()["axes"][0]["pitch"]
    return created["id"], created["axes"][0]["id"], pitch["id"]


@pytest.mark.parametrize("language", ["fr", *TRANSLATED])
def test_every_page_speaks_the_workshop_language(client: TestClient[Litestar], language: str) -> None:
    wid, axis_id, pitch_id = _workshop(client, language)
    token = sign_in(client, client.post(f"{API}/keys", json={"role": "facilitator", "name": "Kim"}).json()["key"])
    client.post(f"/review/pitches/{pitch_id}/edit", data={"text": "Un pitch revu.", "csrf": token, "version": "1"})
    conflict = client.post(f"/review/pitches/{pitch_id}/edit", data={"text": "Trop tard.", "csrf": token,
                                                                      "version": "1"})
    assert conflict.status_code == 409
    code = client.post(f"{API}/workshops/{wid}/room").json()["code"]
    phone = another_browser(client)
    before_join = phone.get(f"/p/{code}").text
    phone.post(f"/p/{code}/join")
    client.cookies.set("atelier_lang", language, path="/review")
    pages = {"list": client.get("/review").text, "workshop": client.get(f"/review/workshops/{wid}").text,
             "axis": client.get(f"/review/axes/{axis_id}").text,
             "history": client.get(f"/review/pitches/{pitch_id}/history").text, "conflict": conflict.text,
             "projector": client.get(f"/review/rooms/{code}").text, "phone": phone.get(f"/p/{code}").text,
             "phone before joining": before_join}
    client.cookies.clear()
    pages["login"] = client.get("/review/login", headers={"Accept-Language": f"{language};q=0.9,es"}).text
    for name, page in pages.items():
        assert f'<html lang="{language}">' in page, name
        if language != "fr":
            assert not leftovers(page, language), (name, leftovers(page, language))
    assert "FabLabs" in pages["axis"] and "Un pitch revu." in pages["history"]


@pytest.mark.parametrize("language", ["fr", *TRANSLATED])
def test_exports_speak_the_workshop_language(client: TestClient[Litestar], language: str) -> None:
    """A German council's Markdown and Word exports say "Entwurf", not "brouillon"."""
    wid, _, _ = _workshop(client, language)
    cluster = client.get(f"{API}/workshops/{wid}/review").json()["axes"][0]["clusters"][0]
    client.post(f"{API}/clusters/{cluster['id']}/comments", json={"body": "Deux idées ?"}).raise_for_status()
    code = client.post(f"{API}/workshops/{wid}/room").json()["code"]
    joined = client.post(f"{API}/rooms/{code}/join", headers={"Authorization": ""}).json()
    phone = {"Authorization": f"Bearer {joined['participant_token']}"}
    item = client.get(f"{API}/rooms/{code}/items", headers=phone).json()[0]
    vote = [{"item_id": item["id"], "vote": 1}]
    client.post(f"{API}/rooms/{code}/votes", json=vote, headers=phone).raise_for_status()
    markdown = client.get(f"{API}/workshops/{wid}/export", params={"format": "md", "comments": "all"}).text
    docx = client.get(f"{API}/workshops/{wid}/export", params={"format": "docx", "comments": "all"}).content
    from docx import Document

    word = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    said = {"fr": ("(brouillon)", "(salle : 1 pour, 0 contre, 0 passe)", "(ouverte) : Deux idées ?"),
            "en": ("(draft)", "(room: 1 for, 0 against, 0 passed)", "(open): Deux idées ?"),
            "de": ("(Entwurf)", "(Saal: 1 dafür, 0 dagegen, 0 enthalten)", "(offen): Deux idées ?")}[language]
    assert all(words in markdown for words in said), (said, markdown)
    assert said[1] in word and ("— Entwurf" if language == "de" else "") in word
    if language != "fr":
        assert not leftovers(markdown, language) and not leftovers(word, language)


def test_reader_choice_and_accept_language(client: TestClient[Litestar]) -> None:
    assert "Anmeldung" in client.get("/review/login", headers={"Accept-Language": "de-AT, en;q=0.5"}).text
    assert "Connexion" in client.get("/review/login", headers={"Accept-Language": "es"}).text  # French first
    chosen = client.get("/review/language/en", params={"next": "/review/login"}, follow_redirects=False)
    assert chosen.status_code == 303 and chosen.headers["location"] == "/review/login"
    assert "Sign in" in client.get("/review/login", headers={"Accept-Language": "de"}).text  # the choice wins
    away = client.get("/review/language/de", params={"next": "https://evil.example"}, follow_redirects=False)
    assert away.headers["location"] == "/review"  # no open redirect
    wid, _, _ = _workshop(client, "fr")  # a workshop's own language wins over the reader's choice
    assert "Lancer une synthèse" in client.get(f"/review/workshops/{wid}").text

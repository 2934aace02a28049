"""Bad input answers 4xx naming the field or line; exports cannot run; work is bounded; errors do not leak."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.limits import MAX_VOTES
from service.settings import Settings
from service.syntheses.schemas import SynthesisCreate
from tests.service.conftest import settings_for, started, wait_job
from tests.service.test_review_api import API, reviewed_workshop


def _workshop(client: TestClient[Litestar]) -> str:
    return str(client.post(f"{API}/workshops", json={"title": "T", "axes": [{"name": "A"}]}).json()["id"])


def test_a_workshop_without_axes_is_created(client: TestClient[Litestar]) -> None:
    made = client.post(f"{API}/workshops", json={"title": "Numérique et artisanat (CMA Occitanie)"})
    assert made.status_code == 201 and made.json()["axes"] == []


def test_out_of_bounds_fields_answer_400_naming_them(client: TestClient[Litestar]) -> None:
    wid = _workshop(client)
    cases = {"votes": {"text": "x", "votes": MAX_VOTES + 1}, "author": {"text": "x", "author": "a" * 201},
             "external_id": {"text": "x", "external_id": "e" * 201}, "text": {"text": "a\x00b"}}
    for field, item in cases.items():
        answer = client.post(f"{API}/workshops/{wid}/postits", json=[item])
        assert answer.status_code == 400, field
        assert field in answer.text, answer.text
    assert client.post(f"{API}/workshops", json={"title": "T\x00"}).status_code == 400
    assert client.post(f"{API}/workshops", json={"title": "T", "axes": [{"name": "A", "description": "d" * 5000}]}
                       ).status_code == 400
    assert client.get(f"{API}/workshops/{wid}/postits").json() == []  # nothing stored by the rejected batches


def test_csv_from_french_excel_long_fields_and_blank_ids(client: TestClient[Litestar]) -> None:
    wid = _workshop(client)
    excel = "\ufeffid;text;axis;votes\r\nt1;Un FabLab, itinérant;A;3\r\n;Sans identifiant;A;1\r\n".encode()
    first = client.post(f"{API}/workshops/{wid}/postits/csv", content=excel, headers={"content-type": "text/csv"})
    assert first.status_code == 201 and first.json()["created"] == 2, first.text
    again = client.post(f"{API}/workshops/{wid}/postits/csv", content=excel, headers={"content-type": "text/csv"})
    assert again.json()["created"] == 1  # t1 is known; the row without id is new each time, never 'p1'
    texts = sorted(p["text"] for p in client.get(f"{API}/workshops/{wid}/postits").json())
    assert texts == ["Sans identifiant", "Sans identifiant", "Un FabLab, itinérant"]
    huge = ("text\nok\n" + "x" * 140_000 + "\n").encode()
    answer = client.post(f"{API}/workshops/{wid}/postits/csv", content=huge, headers={"content-type": "text/csv"})
    assert answer.status_code == 400 and answer.json()["extra"]["line"] == 3


def test_a_csv_push_stops_reading_at_the_row_limit(client: TestClient[Litestar]) -> None:
    """A 4.8 MB one-column CSV was parsed whole (7.4 s on the event loop) before the 1,000-row check."""
    from models.inputs import TooManyRows, parse_csv

    wid = _workshop(client)
    body = "text\n" + "un\n" * 1_600_000  # 4.8 MB, under the 5 MB body limit
    answer = client.post(f"{API}/workshops/{wid}/postits/csv", content=body.encode(),
                         headers={"content-type": "text/csv"})
    assert answer.status_code == 413 and "line 1002" in answer.json()["detail"], answer.text
    assert client.get(f"{API}/workshops/{wid}/postits").json() == []
    with pytest.raises(TooManyRows) as caught:  # reading stopped at the first row past the limit
        parse_csv(body, "csv", max_rows=1000)
    assert caught.value.line == 1002


def test_csv_export_cannot_run_formulas(client: TestClient[Litestar]) -> None:
    wid = client.post(f"{API}/workshops", json={"title": "T", "axes": [{"name": "A"}]}).json()["id"]
    formula = '=HYPERLINK("http://evil.example","clic")'
    client.post(f"{API}/workshops/{wid}/postits", json=[{"text": formula, "axis": "A", "votes": 9}]).raise_for_status()
    job = client.post(f"{API}/workshops/{wid}/syntheses", json={}).json()["job_id"]
    assert wait_job(client, job)["state"] == "succeeded"
    exported = client.get(f"{API}/workshops/{wid}/export", params={"format": "csv"}).text
    cells = [c for row in csv.reader(io.StringIO(exported)) for c in row]
    assert cells and not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert any(c.startswith("'=HYPERLINK") for c in cells)


def test_only_allowed_models_can_be_named(client: TestClient[Litestar]) -> None:
    wid = _workshop(client)
    answer = client.post(f"{API}/workshops/{wid}/syntheses", json={"embedder": "/etc/passwd"})
    assert answer.status_code == 400 and answer.json()["extra"]["field"] == "embedder"
    assert Settings(allowed_models="my/model").model_allowed("my/model")
    assert not Settings().model_allowed("someone/else")


def test_the_writing_choices_come_from_the_environment_into_every_pipeline(home: Path) -> None:
    from service.ml import ModelHub

    default = ModelHub(Settings(home=home)).pipeline_config("de")
    assert (default.language, default.write_pitch, default.name_themes) == ("de", False, False)
    settings = Settings.from_env({"ATELIER_WRITE_PITCH": "1", "ATELIER_NAME_THEMES": "1"}, home=home)
    writing = ModelHub(settings).pipeline_config("fr")
    assert writing.write_pitch and writing.name_themes
    judged = Settings.from_env({"ATELIER_AGREEMENT_THRESHOLDS": "de=1.5"}, home=home)
    assert ModelHub(judged).pipeline_config("de").agreement_thresholds == {"de": 1.5}
    # Chosen for the service's own judge: a request naming another one keeps the packaged judge's.
    assert ModelHub(judged).pipeline_config("de", "openvino").agreement_thresholds == {"de": 1.5}
    # As a regeneration names them, from the synthesis's provenance: the default model by its name.
    packaged = ModelHub(judged).pipeline_config("de", "openvino", "qwen2.5-coder-1.5b-instruct")
    assert packaged.agreement_thresholds == {"de": 1.5}
    assert ModelHub(judged).pipeline_config("de", "transformers").agreement_thresholds == {}
    assert ModelHub(judged).pipeline_config("de", None, "my/model").agreement_thresholds == {}
    with pytest.raises(ValueError, match=r"ATELIER_AGREEMENT_THRESHOLDS.*'de=yes'"):
        Settings.from_env({"ATELIER_AGREEMENT_THRESHOLDS": "de=yes"}, home=home)


def test_queue_cap_answers_429_with_retry_after(home: Path) -> None:
    with started(home, max_active_jobs=0) as client:
        answer = client.post(f"{API}/workshops/{_workshop(client)}/syntheses", json={})
        assert answer.status_code == 429 and answer.headers["retry-after"] == "60"


def _stuck_job(home: Path, requested_by: str | None) -> None:
    """A job row left queued (as a busy queue would hold it), asked for by ``requested_by``."""
    import uuid

    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from service.jobs.services import create_job

    async def add() -> None:
        engine = create_async_engine(settings_for(home).db_url)
        async with async_sessionmaker(engine)() as session, session.begin():
            create_job(session, "regenerate", None, {}, requested_by=uuid.UUID(requested_by) if requested_by else None)
        await engine.dispose()

    asyncio.run(add())


def test_regenerations_count_against_the_job_caps_in_all_and_per_key(home: Path) -> None:
    """With max_active_jobs=1, four of five regenerations got 202; one tool key could take every slot."""
    from tests.service.test_review_api import reviewed_workshop

    with started(home, max_active_jobs=2, max_jobs_per_key=1) as client:
        _, data = reviewed_workshop(client)
        pid = data["axes"][0]["pitch"]["id"]
        tool = client.post(f"{API}/keys", json={"role": "facilitator", "name": "Outil"}).json()
        other = client.post(f"{API}/keys", json={"role": "facilitator", "name": "Camille"}).json()
        _stuck_job(home, tool["id"])
        mine = client.post(f"{API}/pitches/{pid}/regenerate", headers={"Authorization": f"Bearer {tool['key']}"})
        assert mine.status_code == 429 and "ATELIER_MAX_JOBS_PER_KEY" in mine.json()["detail"], mine.text
        _stuck_job(home, None)  # now two active jobs: the service-wide cap
        answers = [client.post(f"{API}/pitches/{pid}/regenerate",
                               headers={"Authorization": f"Bearer {other['key']}"}).status_code for _ in range(5)]
        assert answers == [429] * 5, answers
        assert client.post(f"{API}/workshops/{_workshop(client)}/syntheses", json={}).status_code == 429


def test_one_active_synthesis_per_workshop(client: TestClient[Litestar], home: Path) -> None:
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from service.syntheses.services import create_synthesis

    wid = _workshop(client)
    settings = settings_for(home)

    async def twice() -> tuple[bool, bool, bool]:
        engine = create_async_engine(settings.db_url)
        async with async_sessionmaker(engine, expire_on_commit=False)() as session, session.begin():
            import uuid

            first, made = await create_synthesis(session, uuid.UUID(wid), SynthesisCreate(), settings)
            second, again = await create_synthesis(session, uuid.UUID(wid), SynthesisCreate(), settings)
        await engine.dispose()
        return made, again, first.id == second.id

    assert asyncio.run(twice()) == (True, False, True)


def test_a_failed_job_does_not_leak_its_exception(home: Path) -> None:
    from models.drafting import Drafter, ExtractiveDrafter
    from service.app import create_app
    from tests.fakes import HashingEmbedder
    from tests.service.conftest import authorized

    class Broken(ExtractiveDrafter):
        def key_points(self, *args: object, **kwargs: object) -> list:  # type: ignore[type-arg, override]
            raise RuntimeError("cannot open /srv/secret/model.bin: SELECT password FROM users")

    def broken(kind: str, generator: str | None) -> Drafter:
        return Broken()

    app = create_app(settings_for(home), embedder_factory=lambda name: HashingEmbedder(model_id=name),
                     drafter_factory=broken)
    with TestClient(app) as raw:
        client = authorized(raw, home)
        wid = _workshop(client)
        client.post(f"{API}/workshops/{wid}/postits", json=[{"text": "une idée", "axis": "A"}]).raise_for_status()
        job = wait_job(client, client.post(f"{API}/workshops/{wid}/syntheses", json={}).json()["job_id"])
        assert job["state"] == "failed" and "secret" not in job["error"] and "service log" in job["error"]


def test_reviewed_workshop_still_works(client: TestClient[Litestar]) -> None:
    _, data = reviewed_workshop(client)
    assert data["axes"][0]["pitch"]["text"]


def test_an_overlong_cluster_label_is_refused_not_silently_dropped(client: TestClient[Litestar]) -> None:
    _, data = reviewed_workshop(client)
    cluster = next(c for c in data["axes"][0]["clusters"] if not c["singular"])
    answer = client.patch(f"{API}/clusters/{cluster['id']}", json={"label": "x" * 201})
    assert answer.status_code == 400 and "label" in answer.json()["extra"]["field"]
    after = client.get(f"{API}/workshops/{data['workshop']['id']}/review").json()["axes"][0]["clusters"]
    assert next(c for c in after if c["id"] == cluster["id"])["label"] == cluster["label"]


def test_the_session_cookie_is_secure_behind_tls(home: Path) -> None:
    with started(home, secure_cookies=1) as client:
        key = client.post(f"{API}/keys", json={"role": "viewer"}).json()["key"]
        from tests.service.conftest import login_token

        token = login_token(client)  # its cookie is Secure too: this http:// client must send it by hand
        answer = client.post("/review/login", data={"key": key, "login_csrf": token},
                             headers={"Authorization": "", "Cookie": f"atelier_login={token}"},
                             follow_redirects=False)
        assert "secure" in answer.headers["set-cookie"].lower()


def test_a_commit_that_fails_is_never_answered_2xx(client: TestClient[Litestar],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.ext.asyncio import AsyncSession

    wid = _workshop(client)
    real_commit = AsyncSession.commit

    async def failing(self: AsyncSession) -> None:
        raise OperationalError("COMMIT", {}, Exception("disk full"))

    monkeypatch.setattr(AsyncSession, "commit", failing)
    answer = client.patch(f"{API}/workshops/{wid}", json={"title": "Perdu ?"})
    monkeypatch.setattr(AsyncSession, "commit", real_commit)
    assert answer.status_code == 500 and "nothing was stored" in answer.json()["detail"]
    assert client.get(f"{API}/workshops/{wid}").json()["title"] == "T"


def test_model_server_credentials_are_never_shown(home: Path) -> None:
    """ATELIER_OPENAI_BASE_URL with user:pass@ was readable through /api/v1/models and provenance."""
    from models.generation.remote import OpenAIGenerator

    url = "http://bob:s3cret@127.0.0.1:9/v1?token=abc"
    with started(home, openai_base_url=url, openai_model="m") as client:
        listed = client.get(f"{API}/models").text
        assert "127.0.0.1:9" in listed and "s3cret" not in listed and "bob" not in listed and "abc" not in listed
    generator = OpenAIGenerator(url, "m")
    assert generator.settings["base_url"] == "http://127.0.0.1:9/v1"  # what provenance records


def test_markdown_export_escapes_every_text_and_input_refuses_bidi_and_zero_width(
        client: TestClient[Litestar]) -> None:
    """Only comments were escaped: titles, labels and sentences went out raw (links, images, HTML)."""
    wid = client.post(f"{API}/workshops", json={"title": "<b>Atelier</b> ![t](https://t.example/x.png)",
                                                 "axes": [{"name": "A [x](javascript:alert(1))"}]}).json()["id"]
    texts = ["**FabLab** <img src=x onerror=alert(1)> pour tous", "Un [lien](https://evil.example) vers le fablab",
             "Des fablabs ouverts le soir"]
    client.post(f"{API}/workshops/{wid}/postits", json=[{"text": t, "axis": "A [x](javascript:alert(1))"}
                                                        for t in texts]).raise_for_status()
    assert wait_job(client, client.post(f"{API}/workshops/{wid}/syntheses", json={}).json()["job_id"])[
        "state"] == "succeeded"
    exported = client.get(f"{API}/workshops/{wid}/export", params={"format": "md"}).text
    assert "<img" not in exported and "<b>" not in exported and "](" not in exported and "**FabLab**" not in exported
    assert "Atelier" in exported and "javascript:alert\\(1\\)" in exported  # still readable, inert
    for bad in ("facture\u202egnp.exe", "zéro\u200blargeur", "isolé\u2066x\u2069"):
        answer = client.post(f"{API}/workshops/{wid}/postits", json=[{"text": bad}])
        assert answer.status_code == 400, (bad, answer.text)
    assert client.patch(f"{API}/workshops/{wid}", json={"title": "a\u202eb"}).status_code == 400


def test_a_text_over_the_limit_is_one_413_whatever_the_format(home: Path) -> None:
    """One bound (``ATELIER_MAX_TEXT_LENGTH``), one status: a CSV row answered 400 at a fixed 2,000
    while a JSON body answered 413 at the setting."""
    with started(home, max_text_length=50) as client:
        wid = _workshop(client)
        long = "x" * 51
        json_push = client.post(f"{API}/workshops/{wid}/postits", json=[{"text": long}])
        csv_push = client.post(f"{API}/workshops/{wid}/postits/csv", content=f"text\nok\n{long}\n".encode(),
                               headers={"content-type": "text/csv"})
        assert json_push.status_code == csv_push.status_code == 413, (json_push.text, csv_push.text)
        assert "50 characters" in json_push.json()["detail"] and "csv line 3" in csv_push.json()["detail"]
        assert client.post(f"{API}/workshops/{wid}/postits", json=[{"text": "x" * 50}]).status_code == 201
        assert [p["text"] for p in client.get(f"{API}/workshops/{wid}/postits").json()] == ["x" * 50]

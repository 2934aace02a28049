"""Keys, roles, workshop scope, review sessions, CSRF, redirects and security headers."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.service.conftest import login_token, sign_in
from tests.service.test_review_api import API, as_key, reviewed_workshop


def _bare(client: TestClient[Litestar], method: str, url: str, **kwargs: Any) -> Any:
    """A request without the admin key the fixture's client carries (or with ``headers``' key)."""
    headers = {"Authorization": "", **kwargs.pop("headers", {})}
    return client.request(method, url, headers=headers, **kwargs)


def test_first_start_writes_a_private_admin_key(home: Path) -> None:
    from tests.service.conftest import settings_for, started

    fresh = home.parent / "fresh"  # not the fixture's home: that one holds a copied, migrated database
    with started(fresh) as client:
        path = fresh / "admin.key"
        assert path.read_text().startswith("atk_") and stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(fresh).st_mode) == 0o700  # was 0755: the database and key inside
        if settings_for(fresh).db_url.startswith("sqlite"):
            client.post(f"{API}/workshops", json={"title": "T"}).raise_for_status()  # the WAL exists now
            for name in ("atelier.db", "atelier.db-wal"):
                assert stat.S_IMODE(os.stat(fresh / name).st_mode) == 0o600, name


def test_every_route_but_health_and_schema_needs_a_key(client: TestClient[Litestar]) -> None:
    wid, _ = reviewed_workshop(client)
    public = _bare(client, "GET", "/health")
    assert public.status_code == 200 and public.json() == {"status": "ok", "database": True}  # no models, hosts
    viewer = as_key(client, "viewer", "Lecteur")
    assert "queue" not in _bare(client, "GET", "/health", headers=viewer).json()
    assert client.get("/health").json()["queue"]["broker"] == "local"  # an admin key sees the details
    schema = _bare(client, "GET", "/schema/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    for method, url in [("GET", f"{API}/workshops"), ("GET", f"{API}/workshops/{wid}"), ("GET", f"{API}/models"),
                        ("POST", f"{API}/workshops"), ("GET", f"{API}/keys")]:
        denied = _bare(client, method, url)
        assert denied.status_code == 401 and "Bearer" in denied.headers["www-authenticate"], url
    assert _bare(client, "GET", f"{API}/workshops", headers={"Authorization": "Bearer atk_x_y"}).status_code == 401


def test_roles(client: TestClient[Litestar]) -> None:
    wid, data = reviewed_workshop(client)
    pid = data["axes"][0]["pitch"]["id"]
    viewer, tool = as_key(client, "viewer", "Lecteur"), as_key(client, "tool", "Outil")
    assert _bare(client, "GET", f"{API}/workshops/{wid}", headers=viewer).status_code == 200
    assert _bare(client, "PATCH", f"{API}/pitches/{pid}", json={"text": "x"}, headers=viewer).status_code == 403
    assert _bare(client, "POST", f"{API}/workshops", json={"title": "T"}, headers=viewer).status_code == 403
    assert _bare(client, "GET", f"{API}/keys", headers=tool).status_code == 403
    own = _bare(client, "POST", f"{API}/workshops", json={"title": "À moi", "axes": [{"name": "A"}]},
                headers=tool).json()
    pushed = _bare(client, "POST", f"{API}/workshops/{own['id']}/postits", json=[{"text": "Une idée"}], headers=tool)
    assert pushed.status_code == 201
    listed = _bare(client, "GET", f"{API}/workshops", headers=tool).json()
    assert [w["id"] for w in listed] == [own["id"]]  # a tool sees its own workshops only
    assert len(client.get(f"{API}/workshops").json()) == 2  # the admin sees both


#: Path parameters that name no workshop's row (admin-only routes); every other id must be scoped.
UNSCOPED_PARAMS = {"key_id", "action", "path", "language", "code"}  # code: a room, its token checked in test_rooms
#: A real value for the ``{action:str}`` routes, so the handler would act if the guard let it through.
ACTIONS = {"pitches": "approve", "clusters": "rename", "comments": "resolve"}


def _theirs_ids(client: TestClient[Litestar]) -> dict[str, str]:
    """One id of every kind, all in one workshop (a comment and a finished synthesis included)."""
    theirs, data = reviewed_workshop(client)
    axis = data["axes"][0]
    cluster = axis["clusters"][0]
    synthesis = client.get(f"{API}/workshops/{theirs}/syntheses").json()[0]
    comment = client.post(f"{API}/clusters/{cluster['id']}/comments", json={"body": "À revoir"})
    assert comment.status_code == 201, comment.text
    code = client.post(f"{API}/workshops/{theirs}/room").json()["code"]  # its projector's map names an axis too
    return {"code": code, "workshop_id": theirs,
            "axis_id": client.get(f"{API}/workshops/{theirs}").json()["axes"][0]["id"],
            "pitch_id": axis["pitch"]["id"], "cluster_id": cluster["id"], "postit_id": cluster["postits"][0]["id"],
            "synthesis_id": synthesis["id"], "job_id": synthesis["job_id"], "comment_id": comment.json()["id"]}


def _scoped_routes(client: TestClient[Litestar], ids: dict[str, str]) -> list[tuple[str, str]]:
    """Every (method, URL) of the app whose path names a workshop's row, filled with ``ids``."""
    import re

    found = []
    for route in client.app.routes:
        params = re.findall(r"{(\w+):\w+}", route.path)
        if not params or set(params) <= UNSCOPED_PARAMS:
            continue
        unknown = set(params) - set(ids) - UNSCOPED_PARAMS
        assert not unknown, f"{route.path}: no test id for {unknown}: add one to _theirs_ids"
        kind = route.path.split("{", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        filled = {**ids, "action": ACTIONS.get(kind, "x")}
        url = re.sub(r"{(\w+):\w+}", r"{\1}", route.path).format(**filled)
        found += [(m, url) for m in sorted(getattr(route, "methods", ())) if m not in ("OPTIONS", "HEAD")]
    return found


def test_other_workshops_answer_404_on_every_route(client: TestClient[Litestar]) -> None:
    """Every route of ``app.routes`` that takes a workshop's id, by introspection: a new route cannot forget."""
    ids = _theirs_ids(client)
    mine = client.post(f"{API}/workshops", json={"title": "Autre", "axes": [{"name": "B"}]}).json()["id"]
    scoped = as_key(client, "facilitator", "Animatrice B", [mine])
    before = client.get(f"{API}/pitches/{ids['pitch_id']}").json()["text"]
    routes = _scoped_routes(client, ids)
    assert len(routes) >= 40, routes  # the walk found the app's routes
    for method, url in routes:
        body = {"text": "x", "label": "x", "cluster_id": None, "body": "x"} if method in ("PATCH", "POST") else None
        answer = _bare(client, method, url, headers=scoped, json=body)
        assert answer.status_code == 404, (method, url, answer.status_code)
    assert _bare(client, "GET", f"{API}/workshops/{mine}", headers=scoped).status_code == 200
    assert client.get(f"{API}/pitches/{ids['pitch_id']}").json()["text"] == before  # nothing changed


def test_an_id_of_another_kind_or_a_deleted_cluster_reads_no_history(client: TestClient[Litestar]) -> None:
    """The history route read revisions of any entity id: a pitch's id passed as a cluster's leaked its text."""
    ids = _theirs_ids(client)
    mine = client.post(f"{API}/workshops", json={"title": "Autre", "axes": [{"name": "B"}]}).json()["id"]
    client.patch(f"{API}/pitches/{ids['pitch_id']}", json={"text": "Texte secret de l'atelier A."}).raise_for_status()
    viewer = as_key(client, "viewer", "Lecteur B", [mine])
    for other in ("pitch_id", "postit_id", "axis_id", "workshop_id"):
        leaked = _bare(client, "GET", f"{API}/clusters/{ids[other]}/history", headers=viewer)
        assert leaked.status_code == 404 and "secret" not in leaked.text, (other, leaked.text)
        assert client.get(f"{API}/clusters/{ids[other]}/history").status_code == 404  # even for the admin
    assert client.get(f"{API}/pitches/{ids['pitch_id']}/history").json()[-1]["after"]["sentences"]


def test_revoked_key_and_its_sessions_stop_working(client: TestClient[Litestar]) -> None:
    created = client.post(f"{API}/keys", json={"role": "facilitator", "name": "Temporaire"}).json()
    headers = {"Authorization": f"Bearer {created['key']}"}
    assert _bare(client, "GET", f"{API}/workshops", headers=headers).status_code == 200
    assert client.delete(f"{API}/keys/{created['id']}").status_code == 204
    assert _bare(client, "GET", f"{API}/workshops", headers=headers).status_code == 401
    assert [k["revoked"] for k in client.get(f"{API}/keys").json() if k["id"] == created["id"]] == [True]
    assert "key" not in client.get(f"{API}/keys").json()[0]  # secrets are never listed


def test_review_sign_in_session_cookie_and_safe_redirects(client: TestClient[Litestar]) -> None:
    page = _bare(client, "GET", "/review", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/review/login?next=")
    token = login_token(client)
    wrong = _bare(client, "POST", "/review/login", data={"key": "atk_nope_nope", "login_csrf": token})
    assert wrong.status_code == 401 and "inconnu" in wrong.text
    key = client.post(f"{API}/keys", json={"role": "facilitator", "name": "Camille"}).json()["key"]
    away = _bare(client, "POST", "/review/login", data={"key": key, "next": "//evil.example/x", "login_csrf": token},
                 follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == "/review"
    cookie = next(c for c in away.headers.get_list("set-cookie") if c.startswith("atelier_session")).lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/review" in cookie
    token = sign_in(client, key)
    assert "Connecté·e : Camille" in _bare(client, "GET", "/review").text
    assert _bare(client, "POST", "/review/logout", data={}).status_code == 403  # CSRF
    assert _bare(client, "POST", "/review/logout", data={"csrf": token}).status_code == 200
    assert _bare(client, "GET", "/review", follow_redirects=False).status_code == 303


def test_security_headers_and_allowed_hosts(client: TestClient[Litestar]) -> None:
    answer = client.get(f"{API}/workshops")
    assert answer.headers["x-frame-options"] == "DENY" and answer.headers["referrer-policy"] == "same-origin"
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert "unsafe-inline" not in answer.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    assert client.get("/health", headers={"Host": "attacker.example"}).status_code == 400


@pytest.mark.system  # two `atelier users` processes
def test_users_sign_in_with_a_name_and_password(client: TestClient[Litestar], home: Path) -> None:
    import subprocess
    import sys

    from tests.service.conftest import settings_for

    env = {**os.environ, "ATELIER_HOME": str(home), "ATELIER_DATABASE_URL": settings_for(home).db_url}
    made = subprocess.run([sys.executable, "-m", "atelier", "users", "create", "--name", "Camille",
                           "--password-stdin"], input="un mot de passe long\n", env=env, capture_output=True,
                          text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    short = subprocess.run([sys.executable, "-m", "atelier", "users", "create", "--name", "Léa", "--password-stdin"],
                           input="court\n", env=env, capture_output=True, text=True, timeout=120)
    assert short.returncode == 2 and "12 characters" in short.stderr
    token = login_token(client)
    wrong = _bare(client, "POST", "/review/login", data={"login": "Camille", "password": "pas le bon mot",
                                                         "login_csrf": token})
    assert wrong.status_code == 401
    ok = _bare(client, "POST", "/review/login", data={"login": "Camille", "password": "un mot de passe long",
                                                      "login_csrf": token})
    assert ok.status_code == 200 and "Connecté·e : Camille" in ok.text


@pytest.mark.system  # three `atelier keys` processes
def test_cli_keys_create_list_revoke(client: TestClient[Litestar], home: Path) -> None:
    import subprocess
    import sys

    from tests.service.conftest import settings_for

    env = {**os.environ, "ATELIER_HOME": str(home), "ATELIER_DATABASE_URL": settings_for(home).db_url}

    def atelier(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "atelier", *args], env=env, capture_output=True, text=True,
                              timeout=120)

    made = atelier("keys", "create", "--role", "viewer", "--name", "Lecture")
    key = made.stdout.strip().splitlines()[-1]
    assert made.returncode == 0 and key.startswith("atk_") and " " not in key  # alone on the last line
    assert _bare(client, "GET", f"{API}/workshops", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    listed = atelier("keys", "list").stdout
    assert "Lecture" in listed and key not in listed  # never the secret
    key_id = next(line.split("\t")[0] for line in listed.splitlines() if "Lecture" in line)
    assert atelier("keys", "revoke", key_id).returncode == 0
    assert _bare(client, "GET", f"{API}/workshops", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_a_key_name_with_a_nul_byte_is_a_400(client: TestClient[Litestar]) -> None:
    answer = client.post(f"{API}/keys", json={"role": "viewer", "name": "a\x00b"})
    assert answer.status_code == 400 and "name" in answer.json()["extra"]["field"]


def test_sign_in_with_control_characters_is_refused_not_a_500(client: TestClient[Litestar]) -> None:
    token = login_token(client)
    for data in ({"login": "a\x00b", "password": "x"}, {"key": "atk_a\x00b_c"}):
        assert _bare(client, "POST", "/review/login", data={**data, "login_csrf": token}).status_code == 401


def test_sign_in_needs_the_form_token_runs_scrypt_for_unknown_names_and_is_throttled(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Login CSRF, name enumeration by timing (1.4 ms unknown vs 31 ms known), and unthrottled guessing."""
    from service.auth import passwords
    from tests.service.conftest import started

    checked: list[str] = []
    real = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password", lambda p, h: checked.append(h) or real(p, h))
    with started(home, login_attempts_per_minute=5) as client:
        forged = _bare(client, "POST", "/review/login", data={"login": "Camille", "password": "x" * 12})
        assert forged.status_code == 403 and "sign-in token" in forged.text  # a cross-site form has no token
        token = login_token(client)
        assert _bare(client, "POST", "/review/login", data={"login": "personne", "password": "x" * 12,
                                                            "login_csrf": token}).status_code == 401
        assert len(checked) == 1 and checked[0].startswith("scrypt$")  # an unknown name costs one scrypt too
        answers = [_bare(client, "POST", "/review/login", data={"login": f"nom{i}", "password": "x" * 12,
                                                                 "login_csrf": token}).status_code for i in range(6)]
        assert answers == [401, 401, 401, 401, 429, 429], answers  # 5 a minute from one address
        limited = _bare(client, "POST", "/review/login", data={"key": "atk_x_y", "login_csrf": token})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert len(checked) == 5  # refused attempts cost no scrypt


@pytest.mark.system  # an `atelier keys` process
def test_an_admin_key_cannot_be_given_a_scope_it_would_ignore(client: TestClient[Litestar], home: Path) -> None:
    """``keys create --role admin --workshop W`` printed a scope while the key saw every workshop."""
    import subprocess
    import sys
    import uuid

    from tests.service.conftest import settings_for

    answer = client.post(f"{API}/keys", json={"role": "admin", "workshops": [str(uuid.uuid4())]})
    assert answer.status_code == 400 and answer.json()["extra"]["field"] == "workshops", answer.text
    env = {**os.environ, "ATELIER_HOME": str(home), "ATELIER_DATABASE_URL": settings_for(home).db_url}
    made = subprocess.run([sys.executable, "-m", "atelier", "keys", "create", "--role", "admin", "--workshop",
                           str(uuid.uuid4())], env=env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 2 and "cannot be scoped" in made.stderr and "atk_" not in made.stdout
    assert "Traceback" not in made.stderr


@pytest.mark.system
def test_serve_with_a_queue_and_sqlite_says_so_in_one_line(home: Path) -> None:
    import subprocess
    import sys

    env = {**os.environ, "ATELIER_HOME": str(home), "ATELIER_DATABASE_URL": "",
           "ATELIER_QUEUE_URL": "redis://127.0.0.1:1"}
    ran = subprocess.run([sys.executable, "-m", "atelier", "serve", "--port", "1"], env=env, capture_output=True,
                         text=True, timeout=120)
    assert ran.returncode == 2 and "Traceback" not in ran.stderr, ran.stderr
    assert ran.stderr.strip().count("\n") == 0 and "ATELIER_DATABASE_URL" in ran.stderr

"""Real processes for the reliability and scale tests: ``atelier serve``, ``atelier worker``, Redis."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service.conftest import settings_for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def service_env(home: Path, model: Path, **extra: str) -> dict[str, str]:
    """The environment of a real service process: tiny local embedder, extractive drafter, the test database."""
    return {**os.environ, "ATELIER_HOME": str(home), "ATELIER_DATABASE_URL": settings_for(home).db_url,
            "ATELIER_EMBEDDER": str(model), "ATELIER_DRAFTER": "extractive", "ATELIER_ALLOWED_HOSTS": "127.0.0.1",
            **extra}


def atelier(args: list[str], env: dict[str, str], log: Path | None = None) -> subprocess.Popen[bytes]:
    """``python -m atelier ARGS`` as a process (its output in ``log``, if given)."""
    out: Any = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - the process owns it
    return subprocess.Popen([sys.executable, "-m", "atelier", *args], env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_health(url: str, ready: Callable[[dict[str, Any]], bool] = lambda body: True,
                timeout: float = 180, key: str | None = None) -> dict[str, Any]:
    """Poll ``/health`` until it answers 200 and ``ready(body)`` (with an admin ``key``: the details)."""
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(url + "/health", timeout=5, headers={"Authorization": f"Bearer {key}"} if key else {})
            body = answer.json()
            if answer.status_code == 200 and ready(body):
                return body
        except (httpx.TransportError, ValueError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"the service did not become ready: {body}")


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """Debian's ``redis-server`` on a free loopback port, nothing saved to disk.

    Missing, the test is skipped with the command to install it, unless ``ATELIER_REQUIRE_REDIS=1``
    (CI), where it fails.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("ATELIER_REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Kill a process and reap it."""
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)


@contextmanager
def served(home: Path, folder: Path, **extra: str) -> Iterator[str]:
    """A real ``atelier serve`` on a free port (tiny local embedder, extractive drafter): its URL."""
    from tests.tiny_models import build_tiny_sentence_transformer

    model = build_tiny_sentence_transformer(folder / "tiny-st")
    port = free_port()
    server = atelier(["serve", "--port", str(port)], service_env(home, model, **extra))
    try:
        wait_health(f"http://127.0.0.1:{port}")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server)


def every_page(api: httpx.Client, url: str) -> list[dict[str, Any]]:
    """All items of a paged list endpoint, following its ``Link: <…>; rel="next"`` headers."""
    items: list[dict[str, Any]] = []
    while url:
        answer = api.get(url)
        answer.raise_for_status()
        items += answer.json()
        link = answer.headers.get("link", "")
        url = link[1:link.index(">")] if 'rel="next"' in link else ""
    return items

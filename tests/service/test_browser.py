"""End-to-end in headless Chromium (Debian's package, driven by Playwright).

``make test`` installs Chromium when it is missing (as root), or stops and says
how. This test never skips: without a browser it fails with that same advice.
``ATELIER_CHROMIUM`` points at another Chromium build.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest

from tests.service.conftest import admin_key
from tests.service.test_review_api import POSTITS

ROOT = Path(__file__).resolve().parents[2]
INSTALL_HINT = "run `make browser` (as root), or `sudo apt-get install chromium`, or set ATELIER_CHROMIUM"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--disable-sync", "--disable-quic"]


@pytest.fixture
def chromium() -> str:
    """Path of the Chromium executable; a missing one fails the test, it never skips it."""
    path = os.environ.get("ATELIER_CHROMIUM") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        pytest.fail(f"no Chromium at {path}: {INSTALL_HINT}", pytrace=False)
    return path


def _synthesised_axis(url: str, key: str) -> str:
    with httpx.Client(base_url=url + "/api/v1", timeout=30, headers={"Authorization": f"Bearer {key}"}) as api:
        made = api.post("/workshops", json={"title": "Atelier FabLabs", "axes": [{"name": "FabLabs"}]})
        assert made.status_code == 201, made.text
        wid = made.json()["id"]
        api.post(f"/workshops/{wid}/postits", json=POSTITS).raise_for_status()
        job = api.post(f"/workshops/{wid}/syntheses", json={}).json()["job_id"]
        for _ in range(200):
            if api.get(f"/jobs/{job}").json()["state"] == "succeeded":
                break
            time.sleep(0.05)
        return str(api.get(f"/workshops/{wid}").json()["axes"][0]["id"])


def _facilitator_key(url: str, admin: str) -> str:
    with httpx.Client(base_url=url + "/api/v1", timeout=30, headers={"Authorization": f"Bearer {admin}"}) as api:
        return str(api.post("/keys", json={"role": "facilitator", "name": "Camille"}).json()["key"])


def test_axis_page_edit_approve_and_history_in_chromium(live_url: str, chromium: str, home: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    admin = admin_key(home)
    axis_id = _synthesised_axis(live_url, admin)
    camille = _facilitator_key(live_url, admin)
    out = ROOT / "test-output"
    out.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1600})
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{live_url}/review/axes/{axis_id}")  # not signed in: the sign-in page, then back here
        page.fill("#key", camille)
        page.click("#login-form button")
        expect(page.locator("#signed-in")).to_have_text("Connecté·e : Camille")
        assert page.url.endswith(f"/review/axes/{axis_id}")
        first_cite = page.locator("details.cite").first
        first_cite.locator("summary").click()
        expect(first_cite.locator("blockquote")).to_be_visible()
        page.locator(".axis-map .point").first.click()
        expect(page.locator("#map-reading")).not_to_have_text("Survolez ou cliquez un point pour lire le post-it.")
        page.screenshot(path=str(out / "axis-page.png"), full_page=True)
        page.fill("#pitch-text", "Ouvrir des FabLabs itinérants dans les communes rurales.")
        page.click("#save-pitch")
        expect(page.locator("#pitch-state")).to_have_text("modifié")
        page.click("#approve")
        expect(page.locator("#pitch-state")).to_have_text("approuvé")
        page.click("#history-link")
        rows = page.locator("#history tr.revision")
        expect(rows).to_have_count(3)
        expect(rows.nth(0)).to_contain_text("Camille")
        expect(rows.nth(1)).to_contain_text("Ouvrir des FabLabs itinérants")
        page.screenshot(path=str(out / "history-page.png"), full_page=True)
        browser.close()
    assert dialogs == []  # the <script> post-it was shown as text, never run

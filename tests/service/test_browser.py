"""End-to-end in headless Chromium (Debian's package, driven by Playwright), with axe-core on every page.

``make test`` installs Chromium when it is missing (as root), or stops and says how, and installs
axe-core from npm (``package.json``). This test never skips: without a browser or axe-core it
fails with that same advice. ``ATELIER_CHROMIUM`` points at another Chromium build.
The README's screenshots come from a real workshop instead (``make screenshots``).
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service.conftest import admin_key
from tests.service.test_review_api import POSTITS

pytestmark = pytest.mark.system  # processes or a browser, seconds each: out of the inner loop

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
INSTALL_HINT = "run `make browser` (as root), or `sudo apt-get install chromium`, or set ATELIER_CHROMIUM"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--disable-sync", "--disable-quic"]
#: WCAG 2.1 A and AA: what the RGAA 4 requires.
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: Agree / disagree votes, so key points show agreement and division.
OPINIONS = [(30, 2), (25, 3), (28, 1), (12, 10), (20, 4), (18, 2), (22, 3), (1, 9)]


@pytest.fixture
def chromium() -> str:
    """Path of the Chromium executable; a missing one fails the test, it never skips it."""
    path = os.environ.get("ATELIER_CHROMIUM") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        pytest.fail(f"no Chromium at {path}: {INSTALL_HINT}", pytrace=False)
    if not AXE.is_file():
        pytest.fail(f"no axe-core at {AXE}: run `npm ci` (make test does)", pytrace=False)
    return path


def _synthesised_axis(url: str, key: str) -> tuple[str, str]:
    """A synthesised one-axis workshop; its id and its axis's id."""
    postits = [{**p, "agrees": a, "disagrees": d} for p, (a, d) in zip(POSTITS, OPINIONS, strict=True)]
    with httpx.Client(base_url=url + "/api/v1", timeout=30, headers={"Authorization": f"Bearer {key}"}) as api:
        made = api.post("/workshops", json={"title": "Atelier FabLabs", "axes": [{"name": "FabLabs"}]})
        assert made.status_code == 201, made.text
        wid = made.json()["id"]
        api.post(f"/workshops/{wid}/postits", json=postits).raise_for_status()
        job = api.post(f"/workshops/{wid}/syntheses", json={}).json()["job_id"]
        for _ in range(1200):
            if api.get(f"/jobs/{job}").json()["state"] == "succeeded":
                break
            time.sleep(0.05)
        return str(wid), str(api.get(f"/workshops/{wid}").json()["axes"][0]["id"])


def _facilitator_key(url: str, admin: str, name: str) -> str:
    with httpx.Client(base_url=url + "/api/v1", timeout=30, headers={"Authorization": f"Bearer {admin}"}) as api:
        return str(api.post("/keys", json={"role": "facilitator", "name": name}).json()["key"])


def axe_check(page: Any, name: str, report: dict[str, Any]) -> None:
    """Run axe-core (WCAG 2.1 A/AA) on the page as it is now; record its violations under ``name``."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated through the DevTools protocol: the CSP stays on
    found = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    report[name] = {"url": page.url, "passes": len(found["passes"]),
                    "violations": [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]),
                                    "help": v["help"]} for v in found["violations"]]}


def sign_in(page: Any, url: str, key: str) -> None:
    page.goto(url)  # not signed in: the sign-in page, then back here
    page.fill("#key", key)
    page.click("#login-form button")


def test_two_reviewers_discuss_edit_and_every_page_passes_axe(live_url: str, chromium: str, home: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    admin = admin_key(home)
    wid, axis_id = _synthesised_axis(live_url, admin)
    camille, lea = (_facilitator_key(live_url, admin, name) for name in ("Camille", "Léa"))
    out = ROOT / "test-output"
    out.mkdir(exist_ok=True)
    report: dict[str, Any] = {}
    axis_url = f"{live_url}/review/axes/{axis_id}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=FLAGS)
        one = browser.new_page(viewport={"width": 1200, "height": 1600})
        dialogs: list[str] = []
        one.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        one.goto(f"{live_url}/review/login")
        axe_check(one, "login", report)
        sign_in(one, axis_url, camille)
        expect(one.locator("#signed-in")).to_have_text("Connecté·e : Camille")
        assert one.url.endswith(f"/review/axes/{axis_id}")
        two = browser.new_context(viewport={"width": 1200, "height": 1600}).new_page()
        sign_in(two, axis_url, lea)
        expect(two.locator("#signed-in")).to_have_text("Connecté·e : Léa")

        # citations: superscripts; keyboard focus shows the post-it and lists the sentence's sources
        first_cite = one.locator("#pitch-sentences a.cite").first
        first_cite.focus()
        expect(one.locator("#pitch-sentences .tip").first).to_be_visible()
        expect(one.locator("#sources-list li").first).to_be_visible()
        expect(one.locator(".stance").first).to_contain_text("% d'accord")
        one.locator("#map-text summary").click()  # the map's text alternative, grouped by cluster
        expect(one.locator("#map-text ul li").first).to_be_visible()
        one.locator(".axis-map .point").first.focus()
        expect(one.locator("#map-reading")).not_to_have_text("Survolez ou cliquez un point pour lire le post-it.")

        # discussion: Camille comments on a cluster; Léa sees it without reloading, answers, resolves
        thread = "details.thread[data-thread^='cluster:']"
        one.locator(f"{thread} summary").first.click()
        one.locator(f"{thread} textarea").first.fill("Faut-il séparer l'itinérant du fixe ?")
        one.keyboard.press("Tab")
        one.keyboard.press("Enter")  # the keyboard alone posts it
        expect(one.locator(f"{thread} li.comment").first).to_contain_text("Camille")
        seen = two.locator(f"{thread} li.comment").first
        expect(seen).to_contain_text("Faut-il séparer l'itinérant du fixe ?", timeout=10_000)
        expect(two.locator("#open-threads")).to_have_text("1 discussion ouverte")
        two.locator(f"{thread} textarea").first.fill("Oui : deux groupes, l'un itinérant.")
        two.locator(f"{thread} form.comment-form button").first.click()  # a reply in Camille's thread
        reply = one.locator(f"{thread} li.comment.reply").first
        expect(reply).to_contain_text("Oui : deux groupes, l'un itinérant.", timeout=10_000)
        expect(reply).to_contain_text("Léa")
        two.locator(f"{thread} li.comment:not(.reply) button").first.click()
        expect(one.locator(f"{thread} li.comment").first).to_contain_text("résolu par Léa", timeout=10_000)
        expect(one.locator("#open-threads")).to_have_text("0 discussions ouvertes")
        axe_check(one, "axis (threads open)", report)
        one.evaluate("window.scrollTo(0, 0)")
        one.locator("#pitch-sentences a.cite").first.hover()
        one.screenshot(path=str(out / "axis-page.png"), full_page=False)

        # edit, approve, a conflicting edit from a page that was open meanwhile, history
        two.reload()
        one.fill("#pitch-text", "Ouvrir des FabLabs itinérants dans les communes rurales.")
        one.click("#save-pitch")
        expect(one.locator("#pitch-state")).to_have_text("modifié")
        two.fill("#pitch-text", "Une autre version.")
        two.click("#save-pitch")
        expect(two.locator("#conflict")).to_be_visible()
        axe_check(two, "conflict", report)
        one.click("#approve")
        expect(one.locator("#pitch-state")).to_have_text("approuvé")
        one.click("#history-link")
        rows = one.locator("#history tr.revision")
        expect(rows).to_have_count(3)
        expect(rows.nth(0)).to_contain_text("Camille")
        expect(rows.nth(1)).to_contain_text("Ouvrir des FabLabs itinérants")
        axe_check(one, "history", report)
        one.goto(f"{live_url}/review")
        axe_check(one, "index", report)
        one.goto(f"{live_url}/review/workshops/{wid}")
        axe_check(one, "workshop", report)
        one.goto(axis_url)
        axe_check(one, "axis (approved)", report)
        browser.close()
    (out / "axe-report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print("\naxe-core (WCAG 2.1 A/AA):", {page: [(v["id"], v["impact"]) for v in r["violations"]] or "none"
                                         for page, r in report.items()})
    assert dialogs == []  # the <script> post-it was shown as text, never run
    serious = {page: [v for v in r["violations"] if v["impact"] in ("serious", "critical")]
               for page, r in report.items()}
    assert not any(serious.values()), json.dumps(serious, indent=2, ensure_ascii=False)


def test_a_room_votes_from_three_phones_and_the_projector_follows(live_url: str, chromium: str, home: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    admin = admin_key(home)
    wid, _ = _synthesised_axis(live_url, admin)
    with httpx.Client(base_url=live_url + "/api/v1", timeout=30, headers={"Authorization": f"Bearer {admin}"}) as api:
        code = api.post(f"/workshops/{wid}/room").json()["code"]
    out = ROOT / "test-output"
    out.mkdir(exist_ok=True)
    report: dict[str, Any] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=FLAGS)
        projector = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(projector, f"{live_url}/room/{code}", _facilitator_key(live_url, admin, "Camille"))
        expect(projector.locator("#room-code")).to_have_text(code)
        drawn = projector.locator(".axis-column").first.locator("img.axis-map")
        first_version = drawn.get_attribute("data-version")
        axe_check(projector, "projector", report)
        phones = [browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
                  .new_page() for _ in range(3)]
        for n, phone in enumerate(phones):
            phone.goto(f"{live_url}/p/{code}")
            if n == 0:
                axe_check(phone, "phone (before joining)", report)
            phone.click("#join")
            choice = "D'accord" if n < 2 else "Pas d'accord"
            phone.locator(".item").first.get_by_role("button", name=choice, exact=True).click()
            expect(phone.locator(".item").first.locator("button[aria-pressed=true]")).to_have_text(choice)
        axe_check(phones[0], "phone (voted)", report)
        phones[0].fill("#postit-text", "Un atelier de réparation de vélos")
        phones[0].select_option("#postit-axis", index=1)  # the workshop's first axis
        with phones[0].expect_navigation():  # a plain form post: a screenshot taken mid-navigation fails
            phones[0].locator("#postit-form button").click()
        phones[0].screenshot(path=str(out / "room-phone.png"))
        first = projector.locator("#tallies li.item").first  # the counts arrive without a reload
        expect(first.locator(".agrees")).to_have_text("2", timeout=10_000)
        expect(first.locator(".disagrees")).to_have_text("1")
        expect(projector.locator("#room-postits")).to_contain_text("Un atelier de réparation de vélos",
                                                                  timeout=10_000)
        expect(projector.locator(".axis-column").first.locator("ul.added")).to_contain_text(  # on the map, its axis
            "Un atelier de réparation de vélos")
        expect(projector.locator("#participants")).to_have_text("3 participants")
        # once the new post-it is embedded, the axis's picture is drawn again, without a reload
        expect(drawn).not_to_have_attribute("data-version", first_version, timeout=30_000)
        expect(drawn).to_have_attribute("src", re.compile(r"\?v=[0-9a-f]{16}$"))
        picture = projector.request.get(live_url + (drawn.get_attribute("src") or ""))
        assert picture.ok and picture.text().count('class="new"') == 1, picture.text()[:300]
        projector.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=drawn.element_handle())
        projector.screenshot(path=str(out / "room-projector.png"), full_page=True)
        with httpx.Client(base_url=live_url + "/api/v1", timeout=30,
                          headers={"Authorization": f"Bearer {admin}"}) as api:
            assert api.delete(f"/workshops/{wid}/room").status_code == 204
        with phones[1].expect_response(lambda r: r.url.endswith("/vote")) as closed:
            phones[1].locator(".item").first.get_by_role("button", name="Passer", exact=True).click()
        assert closed.value.status == 404  # a closed room refuses the vote
        browser.close()
    serious = {page: [v for v in r["violations"] if v["impact"] in ("serious", "critical")]
               for page, r in report.items()}
    print("\naxe-core on the room's pages:", {page: [(v["id"], v["impact"]) for v in r["violations"]] or "none"
                                            for page, r in report.items()})
    assert not any(serious.values()), json.dumps(serious, indent=2, ensure_ascii=False)

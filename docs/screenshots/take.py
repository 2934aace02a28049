"""The README's screenshots, taken of a real workshop: the shipped Make.org excerpt, synthesised by
the default local models through a running service, then its workshop and axis pages in Chromium,
and a room: three phones vote, one adds a post-it, and the projector shows the tallies.

Usage (``make screenshots`` starts the service and runs this)::

    python docs/screenshots/take.py --url http://127.0.0.1:8000 --key "$(cat ~/.cache/atelier/admin.key)"

It takes a few minutes on 2 cores (the synthesis); nothing here is a test.
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "evaluation" / "data" / "makeorg_excerpt.csv"
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic"]


def synthesised_workshop(url: str, key: str) -> tuple[str, list[dict[str, str]]]:
    """Import the sample, synthesise it, wait; the workshop's id and its axes."""
    with httpx.Client(base_url=url + "/api/v1", timeout=60, headers={"Authorization": f"Bearer {key}"}) as api:
        with SAMPLE.open(encoding="utf-8", newline="") as handle:
            axes = [{"name": a} for a in dict.fromkeys(row["axis"] for row in csv.DictReader(handle)) if a]
        wid = api.post("/workshops", json={"title": "Le monde d'après (Make.org, extrait)", "language": "fr",
                                           "axes": axes}).raise_for_status().json()["id"]
        api.post(f"/workshops/{wid}/postits/csv", content=SAMPLE.read_bytes(),
                 headers={"Content-Type": "text/csv"}).raise_for_status()
        job = api.post(f"/workshops/{wid}/syntheses", json={}).raise_for_status().json()["job_id"]
        started = time.monotonic()
        while (state := api.get(f"/jobs/{job}").json())["state"] not in ("succeeded", "failed"):
            time.sleep(2)
        print(f"synthesis {state['state']} in {time.monotonic() - started:.0f} s")
        return wid, api.get(f"/workshops/{wid}").json()["axes"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--key", required=True, help="an admin or facilitator API key")
    parser.add_argument("--axis", type=int, default=1,
                        help="which axis page to show (0 = the first; the sample's second has themes)")
    args = parser.parse_args()
    wid, axes = synthesised_workshop(args.url, args.key)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=os.environ.get("ATELIER_CHROMIUM", "/usr/bin/chromium"),
                                     args=FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        page.goto(f"{args.url}/review/login?next=/review/workshops/{wid}")
        page.fill("#key", args.key)
        page.click("#login-form button")
        page.wait_for_url(f"**/review/workshops/{wid}")
        page.screenshot(path=str(ROOT / "docs" / "screenshots" / "workshop-page.png"))
        page.goto(f"{args.url}/review/axes/{axes[args.axis]['id']}")
        page.locator("#pitch-sentences a.cite").first.hover()
        page.screenshot(path=str(ROOT / "docs" / "screenshots" / "axis-page.png"), full_page=True,
                        clip={"x": 0, "y": 0, "width": 1200, "height": 1500})  # the pitch and the first key points
        room(browser, page, args.url, args.key, wid)
        browser.close()
    print("wrote docs/screenshots/workshop-page.png, axis-page.png, room-phone.png and room-projector.png")


def room(browser: Any, projector: Any, url: str, key: str, wid: str) -> None:
    """Open the workshop's room, let three phones vote on the first items, photograph a phone and the projector."""
    with httpx.Client(base_url=url + "/api/v1", timeout=60, headers={"Authorization": f"Bearer {key}"}) as api:
        code = api.post(f"/workshops/{wid}/room").raise_for_status().json()["code"]
    phones = [browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
              for _ in range(3)]
    for n, phone in enumerate(phones):
        phone.goto(f"{url}/p/{code}")
        phone.click("#join")
        for index, choice in enumerate((["D'accord"] * 3 + ["Pas d'accord"] * 2)[n:n + 3]):
            phone.locator(".item").nth(index).get_by_role("button", name=choice, exact=True).click()
    phones[0].fill("#postit-text", "Des ateliers de réparation dans chaque quartier")
    phones[0].select_option("#postit-axis", index=1)  # the workshop's first axis
    phones[0].locator("#postit-form button").click()
    phones[1].goto(f"{url}/p/{code}")
    phones[1].screenshot(path=str(ROOT / "docs" / "screenshots" / "room-phone.png"))
    projector.goto(f"{url}/room/{code}")
    first_map = projector.locator("img.axis-map").first
    for _ in range(60):  # the new idea is drawn once embedded (a second or so with the real embedder)
        drawn = projector.request.get(url + (first_map.get_attribute("data-src") or ""))
        if 'class="new"' in drawn.text():
            break
        time.sleep(0.5)
    projector.reload()
    projector.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=first_map.element_handle())
    projector.screenshot(path=str(ROOT / "docs" / "screenshots" / "room-projector.png"), full_page=True,
                         clip={"x": 0, "y": 0, "width": 1200, "height": 1500})  # the head and the first axes


if __name__ == "__main__":
    main()

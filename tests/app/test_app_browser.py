"""End to end: the running app in a real headless Chromium (Debian's), one screenshot per page.

Screenshots go to ``test-artifacts/screenshots/`` so a person can look at what the app shows.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from atlas_testing import CHROMIUM, CHROMIUM_ARGS, running_app
from pipeline import curate

HANG_MS = 180_000  # Playwright waits are for events; this bound only guards a hang on a busy machine

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
PAGES = ["proposals", "screening", "codebook", "effects", "methods", "overview", "query", "ingest", "history"]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason=f"{CHROMIUM} not installed (apt-get install chromium; .ci/run does this)")]


@pytest.fixture
def server(app_store):
    with running_app(app_store.location) as url:
        yield url


def test_browser_accept_and_screenshots(server, app_store):
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    from pipeline.ingest.testing import P_NONIID

    proposal = P_NONIID
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server + "/")
        try:
            page.wait_for_selector("input[aria-label='Your name (reviewer)']", timeout=HANG_MS)
        finally:
            page.screenshot(path=str(SHOTS / "start.png"))
        name = page.locator("input[aria-label='Your name (reviewer)']")
        name.fill("Grace Hopper")
        name.press("Enter")
        expect(page.get_by_text("Deciding as")).to_be_visible(timeout=HANG_MS)
        accept = page.get_by_role("button", name=re.compile(r"^Accept\b(?! \d)"))
        expect(accept).to_be_enabled(timeout=HANG_MS)
        accept.click()
        expect(page.get_by_text("Accepted Non-I.I.D. Training Data")).to_be_visible(timeout=HANG_MS)
        assert curate.current_status(app_store, proposal) == "accepted"
        assert curate.history(app_store, proposal)[-1].reviewer_name == "Grace Hopper"
        for key in PAGES:
            # client-side navigation keeps the session (and the reviewer's name)
            page.get_by_role("link", name=key.capitalize(), exact=True).first.click()
            page.wait_for_url(f"**/{key}" if key != "proposals" else "**/", timeout=HANG_MS)
            expect(page.get_by_role("heading", name=key.capitalize()).first).to_be_visible(timeout=HANG_MS)
            if key == "overview":
                expect(page.get_by_test_id("stImage").first).to_be_visible(timeout=60000)
            page.wait_for_timeout(800)
            page.screenshot(path=str(SHOTS / f"{key}.png"), full_page=True)
            assert not page.get_by_test_id("stException").count(), f"exception on {key}"
        browser.close()
    assert {p.stem for p in SHOTS.glob("*.png")} >= set(PAGES)

"""Prioritised, blind dual screening in the running app, in a real headless Chromium: two reviewers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from atlas_testing import CHROMIUM, CHROMIUM_ARGS, running_app
from pipeline import curate
from pipeline.curate.ranking import reviewer_queue
from pipeline.ingest.testing import PAPER_A, PAPER_B

HANG_MS = 180_000  # Playwright waits are for events; this bound only guards a hang on a busy machine

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason=f"{CHROMIUM} not installed (apt-get install chromium; .ci/run does this)")]


def _sign_in_and_open_screening(browser, url, name):
    from playwright.sync_api import expect

    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(url + "/")
    box = page.locator("input[aria-label='Your name (reviewer)']")
    box.wait_for(timeout=HANG_MS)
    box.fill(name)
    box.press("Enter")
    expect(page.get_by_text("Deciding as")).to_be_visible(timeout=HANG_MS)
    page.get_by_role("link", name="Screening", exact=True).first.click()
    expect(page.get_by_role("heading", name="Screening").first).to_be_visible(timeout=HANG_MS)
    return page


def test_two_reviewers_prioritised_and_blind(app_store):
    from playwright.sync_api import expect, sync_playwright

    fed = curate.add_record(app_store, "setup", "Zulu Federated Supernet Search for Client Devices",
                            source="database", abstract="Clients train a supernet for federated architecture search.")
    curate.add_record(app_store, "setup", "Yankee Knee Surgery Outcomes in Elderly Patients", source="database",
                      abstract="Patients after knee surgery reported outcomes.")
    curate.screen(app_store, "Ada", PAPER_A, "title-abstract", "include")
    curate.screen(app_store, "Ada", PAPER_B, "title-abstract", "exclude")
    queue = reviewer_queue(app_store, "Ada")
    assert queue.prioritised
    top = next(r for r in curate.records(app_store) if r["paper"] == queue.order[0])
    with running_app(app_store.location) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        ada = _sign_in_and_open_screening(browser, url, "Ada")
        expect(ada.get_by_text(re.compile(r"^Prioritised: records in order of predicted relevance"))).to_be_visible(
            timeout=HANG_MS)
        expect(ada.get_by_role("heading", name=top["title"])).to_be_visible(timeout=HANG_MS)
        ada.get_by_role("button", name=re.compile(r"^Include\b")).first.click()
        expect(ada.get_by_text("Included", exact=True)).to_be_visible(timeout=HANG_MS)
        bob = _sign_in_and_open_screening(browser, url, "Bob")  # decided nothing: not learned from Ada's decisions
        expect(bob.get_by_text(re.compile(r"^Records in title order"))).to_be_visible(timeout=HANG_MS)
        assert not bob.get_by_text(re.compile(r"^Prioritised:")).count()
        assert not ada.get_by_test_id("stException").count() and not bob.get_by_test_id("stException").count()
        browser.close()
    rows = app_store.select(f"""SELECT ?who ?m WHERE {{ GRAPH ?g {{ ?n a fa:ScreeningDecision ;
        fa:aboutPaper <{top['paper']}> ; prov:wasAssociatedWith ?who ; fa:rankingModel ?m }} }}""")
    assert [(r["who"].rsplit("/", 1)[-1], r["m"]) for r in rows] == [("ada", "tfidf-lr")]
    assert fed in queue.order

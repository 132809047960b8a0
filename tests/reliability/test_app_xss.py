"""Issue item 5: paper text and names holding HTML/JavaScript are shown as text in a real browser
(Debian chromium, as tests/app/test_app_browser.py); no script runs on any page."""

from __future__ import annotations

from pathlib import Path

import pytest
import relkit

from atlas_testing import CHROMIUM, CHROMIUM_ARGS, running_app

HANG_MS = 180_000  # Playwright waits are for events; this bound only guards a hang on a busy machine

PAGES = ["", "screening", "codebook", "effects", "methods", "overview", "query", "ingest", "history"]
SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=1">'

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} not installed (apt-get install chromium)")]


def _hostile_store(path: Path):
    from pipeline import curate
    from pipeline.ingest.testing import make_ingested_paper, proposal_node
    from pipeline.store.corpus import init_store
    from pipeline.vocab import challenge

    store = relkit.open_store(path)
    init_store(store)
    text = f"Title {SCRIPT}\n\nClients hold non-IID data {IMG} and {SCRIPT} differ in hardware."
    spec = {"kind": "challenge", "code": challenge("non_iid_data"), "quote": f"non-IID data {IMG} and {SCRIPT}",
            "score": 0.9}
    make_ingested_paper(store, "xss2024-evil", f"Evil {SCRIPT} paper {IMG}", f"Abstract {IMG} {SCRIPT}", [spec],
                        text=text)
    curate.accept(store, f"<b>Eve</b>{IMG}", proposal_node("xss2024-evil", spec, text).value)
    return store


def test_no_script_runs_in_the_browser(tmp_path):
    from playwright.sync_api import sync_playwright

    store = _hostile_store(tmp_path / "store")
    with running_app(store.location) as url:
        shown = ran = 0
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for key in PAGES:
                page.goto(f"{url}/{key}")
                page.wait_for_selector("h1", timeout=HANG_MS)
                page.wait_for_timeout(1500)
                if page.evaluate("typeof window.__xss") != "undefined":
                    ran += 1
                body = page.inner_text("body")
                shown += SCRIPT in body or IMG in body
                assert not page.get_by_test_id("stException").count(), f"exception on /{key}"
            # the proposals page shows the hostile evidence literally
            page.goto(url + "/")
            page.wait_for_timeout(2500)
            assert SCRIPT in page.inner_text("body")
            page.goto(url + "/history")
            page.wait_for_timeout(2500)
            history_text = page.inner_text("body") + page.content()
            browser.close()
    print(f"xss: pages={len(PAGES)} scripts_run={ran} pages_showing_markup_as_text={shown}")
    assert ran == 0
    assert shown >= 1
    assert "Eve" in history_text

"""End to end in a real Chromium: a new paper from BibTeX to a row of the review's tables.

Ingest (upload) -> include at both screening stages -> accept its proposals (and code a
passage by selecting it) -> merge its open code into a new refined technique -> code the
technique's effects -> the method's row in the tables and the gap matrix change. Along the
way: shortcuts never type into or act from inputs, ``e`` opens the editor, History undoes
a row, and the Effects matrix and report tables fit the page without horizontal scrolling.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from atlas_testing import CHROMIUM, CHROMIUM_ARGS, running_app
from pipeline import curate
from pipeline.report.analysis import gap_matrix
from pipeline.report.tables import method_table
from pipeline.vocab import challenge, nas_type

HANG_MS = 180_000  # Playwright waits are for events; this bound only guards a hang on a busy machine

ROOT = Path(__file__).resolve().parents[2]
BIB = ROOT / "tests" / "curate" / "data" / "loop_papers.bib"
SHOTS = ROOT / "test-artifacts" / "screenshots"
NONIID, RL = challenge("non_iid_data").value, nas_type("reinforcement_learning").value

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} not installed")]


@pytest.fixture
def server(app_store):
    with running_app(app_store.location) as url:
        yield url


def go(page, key):
    page.get_by_role("link", name=key.capitalize(), exact=True).first.click()
    page.wait_for_url(f"**/{key}" if key != "proposals" else "**/", timeout=HANG_MS)
    page.get_by_role("heading", name=key.capitalize()).first.wait_for(timeout=HANG_MS)


def settle(page) -> None:
    """Wait until the app has finished its current run (Streamlit's running indicator is gone)."""
    from playwright.sync_api import expect

    page.wait_for_timeout(150)
    expect(page.get_by_test_id("stStatusWidget").get_by_text("Running")).to_have_count(0, timeout=60000)


def choose(page, label, option, tries: int = 6):
    """Pick ``option`` (a substring) in the Streamlit selectbox labelled ``label``."""
    from playwright.sync_api import expect

    for attempt in range(tries):
        settle(page)
        box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True)).first
        if option in box.inner_text():
            return
        try:
            box.locator("input").click()
            page.get_by_role("listbox").first.wait_for(timeout=HANG_MS)
            box.locator("input").fill(option[:40])
            page.get_by_role("option").filter(has_text=option).first.click(timeout=HANG_MS)
            expect(page.get_by_role("listbox")).to_have_count(0, timeout=HANG_MS)
            settle(page)
            return
        except AssertionError:
            if attempt == tries - 1:
                raise
        except Exception:  # noqa: BLE001 - a rerun replaced the widget under the pointer: try again
            if attempt == tries - 1:
                raise
            page.keyboard.press("Escape")


def btn(page, label):
    """A button by its label (a shortcut hint may follow it in the accessible name)."""
    return page.get_by_role("button", name=re.compile("^" + re.escape(label) + r"( Shortcut \S+)?$"))


def flash(page, text, timeout=HANG_MS):
    from playwright.sync_api import expect

    expect(page.get_by_text(text).first).to_be_visible(timeout=timeout)


def wait_until(page, condition) -> None:
    """Poll the store (between browser events) until ``condition()`` holds.

    The click's write lands when the app's script run ends, which on a loaded machine can take
    long; the bound is the same hang guard as every Playwright wait here, not a timing claim."""
    for _ in range(HANG_MS // 250):
        if condition():
            return
        page.wait_for_timeout(250)
    assert condition()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("""() => { const m = document.querySelector('[data-testid="stMain"]') || document.body;
        return m.scrollWidth <= m.clientWidth + 1 && document.documentElement.scrollWidth <= window.innerWidth + 1; }""")


def test_browser_review_loop(server, app_store):
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    gap_before = gap_matrix(app_store).count(NONIID, RL)
    rows_before = set(dict(method_table(app_store).rows).values())
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        try:
            journey(page, server, app_store, expect)
        finally:
            page.screenshot(path=str(SHOTS / "loop-last.png"), full_page=True)
            browser.close()
    assert gap_matrix(app_store).count(NONIID, RL) == gap_before + 1
    assert set(dict(method_table(app_store).rows).values()) - rows_before == {"FedRLNAS"}


def journey(page, url, store, expect, ingest: bool = True):
    page.goto(url + "/")
    name = page.locator("input[aria-label='Your name (reviewer)']")
    name.wait_for(timeout=HANG_MS)
    name.fill("dave")
    name.press("Enter")
    flash(page, "Deciding as")
    # the name box is gone while deciding: a shortcut cannot type into it
    page.keyboard.press("x")
    assert not page.locator("input[aria-label='Your name (reviewer)']").count()
    expect(page.get_by_text("Deciding as dave", exact=False).first).to_be_visible()

    # ingest the BibTeX file through the app
    if ingest:
        go(page, "ingest")
        page.locator("input[type=file]").set_input_files(str(BIB))
        btn(page, "Ingest").click()
        flash(page, "Done", timeout=240000)
    papers = {r["title"]: r["paper"] for r in curate.records(store)}
    fed = next(p for t, p in papers.items() if t.startswith("FedRLNAS"))
    fed_title = next(t for t in papers if t.startswith("FedRLNAS"))

    # include at both stages
    go(page, "screening")

    def my_vote(stage):
        return [d["decision"] for d in curate.screening_decisions(store, fed)
                if d["stage"] == stage and d["reviewer"].endswith("/dave")]

    for stage, label in (("TitleAbstract", "Title/abstract"), ("FullText", "Full text")):
        page.get_by_test_id("stRadio").get_by_text(label, exact=True).click()
        expect(page.get_by_test_id("stRadio").get_by_role("radio", name=label)).to_be_checked(timeout=HANG_MS)
        choose(page, "Record", "FedRLNAS")
        expect(page.get_by_role("heading", name=fed_title).first).to_be_visible(timeout=HANG_MS)
        settle(page)
        expect(btn(page, "Include")).to_have_count(1, timeout=HANG_MS)  # the rerun's stale copy is gone
        btn(page, "Include").click()
        wait_until(page, lambda stage=stage: my_vote(stage) == ["include"])
    assert [m.label for m in curate.methods_of(store, fed)] == ["FedRLNAS"]

    # proposals: focus in an input never triggers a shortcut
    go(page, "proposals")
    choose(page, "Paper", fed_title[:30])
    flash(page, "Accepted codes go to the method FedRLNAS")
    before = {v.iri: v.status for v in curate.proposals(store, fed)}
    page.get_by_text("Add a code the machine missed").first.click()
    passage = page.get_by_label("... or paste the passage")
    passage.click()
    page.keyboard.type("xae")
    assert passage.input_value() == "xae"
    assert {v.iri: v.status for v in curate.proposals(store, fed)} == before
    # e (focus outside inputs) opens the editor instead of saving
    page.get_by_role("heading", name="Proposals").first.click()
    page.keyboard.press("e")
    expect(btn(page, "Save edit")).to_be_visible(timeout=HANG_MS)
    assert not page.get_by_text("E300").count()
    assert {v.iri: v.status for v in curate.proposals(store, fed)} == before
    btn(page, "Close editor").click()
    # accept every proposal of the paper (the header names technique proposals by their label)
    def accepted():
        return sum(v.status == "accepted" for v in curate.proposals(store, fed))

    for i in range(len(before)):
        header = page.get_by_role("heading", name=re.compile(r"^\d+.\d+ · ")).first
        expect(header).to_contain_text(f"{i + 1}/{len(before)} · ", timeout=HANG_MS)
        assert not header.inner_text().rstrip().endswith(":"), header.inner_text()
        btn(page, "Accept").click()
        wait_until(page, lambda i=i: accepted() == i + 1)
    assert all(v.status == "accepted" for v in curate.proposals(store, fed))
    # select to code: a passage selected in the paper text becomes a code with its offsets
    text = curate.paper_text(store, fed)
    quote = "cluster clients by the similarity of their label distributions"
    choose(page, "Kind", "challenge")
    choose(page, "Code", "Unbalanced")
    frame = page.frame_locator("iframe[title='app.components.select_code.select_to_code']").first
    frame.locator("#text").wait_for(timeout=HANG_MS)
    frame.locator("#text").evaluate("""(box, quote) => {
        const node = box.firstChild; const i = node.nodeValue.indexOf(quote);
        const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + quote.length);
        const s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
        box.dispatchEvent(new MouseEvent('mouseup', {bubbles: true})); }""", quote)
    frame.get_by_role("button", name="Code selection").click()
    page.get_by_role("button", name=re.compile("for the selection")).click()
    flash(page, "Code added")
    manual = [v for v in curate.proposals(store, fed) if v.manual]
    assert len(manual) == 1 and manual[0].text == quote
    assert (manual[0].start, manual[0].end) == (text.index(quote), text.index(quote) + len(quote))

    # codebook: the accepted technique proposal is an uncategorised open code; keep it as a new technique
    (m,) = curate.methods_of(store, fed)
    before = set(m.techniques)  # proposals matched to a refined technique attach it directly
    go(page, "codebook")
    expect(page.get_by_role("heading", name="Uncategorised open codes (1)")).to_be_visible(timeout=HANG_MS)
    page.get_by_label("... or keep as a new refined technique").fill("Per-cluster controllers")
    btn(page, "Create technique from open codes").click()
    flash(page, "New technique created")
    (m,) = curate.methods_of(store, fed)
    assert len(set(m.techniques) - before) == 1  # the new refined technique joins the method
    (new_technique,) = set(m.techniques) - before

    # effects: code the new technique; the matrix fits the page
    go(page, "effects")
    assert no_horizontal_scroll(page)
    expect(page.get_by_text("C11").first).to_be_visible()
    choose(page, "Technique", "Per-cluster controllers")
    choose(page, "Challenge", "Non-I.I.D.")
    page.get_by_text("towards", exact=True).first.click()
    page.get_by_label("Rationale").fill("one controller per cluster of similar clients")
    btn(page, "Save effect").click()
    flash(page, "Effect saved")

    # overview: the new method's row; the gap matrix changed; nothing overflows
    go(page, "overview")
    expect(page.get_by_role("cell", name="FedRLNAS", exact=True).first).to_be_visible(timeout=60000)
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(SHOTS / "loop-overview.png"), full_page=True)
    page.get_by_test_id("stButtonGroup").get_by_text("Gaps", exact=True).first.click()
    page.get_by_text("Candidate research directions").first.click()
    directions = page.get_by_test_id("stText").last.inner_text()
    assert "Non-I.I.D. Training Data × Reinforcement learning" not in directions
    assert "Non-I.I.D. Training Data × Evolutionary" in directions
    assert no_horizontal_scroll(page)

    # history: one undo button per row; undo the effect, then redo it through the CLI-equal API
    go(page, "history")
    first_undo = btn(page, "Undo").first
    expect(first_undo).to_be_enabled(timeout=HANG_MS)
    first_undo.click()
    flash(page, "Undone: effect")
    tech = new_technique
    assert not [a for a in curate.assessments(store, tech, NONIID) if a["coder"].endswith("/dave")]
    curate.set_effect(store, "dave", tech, NONIID, "towards", "one controller per cluster of similar clients")


def test_report_tables_fit_the_page(app_store, tmp_path):
    """The offline report (index.html) shows both tables and the gap matrix without horizontal scrolling."""
    from playwright.sync_api import sync_playwright

    from pipeline.report import build_report

    build_report(app_store, tmp_path / "report")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 820, "height": 900})  # a laptop half-screen
        page.goto((tmp_path / "report" / "index.html").as_uri())
        widths = page.evaluate("""() => [...document.querySelectorAll('table')].map(
            t => [t.getBoundingClientRect().right, document.documentElement.clientWidth])""")
        wide = page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        page.screenshot(path=str(SHOTS / "report-index.png"), full_page=True)
        browser.close()
    assert len(widths) >= 3 and all(right <= width + 1 for right, width in widths), widths
    assert wide

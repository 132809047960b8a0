"""The app at a review's real size, measured in a real browser (issue 15, item 3).

Builds a store the size of a real review with the generator in
``bench/make_synthetic.py`` (records of a database export, full texts of the
included papers, machine proposals on them, dual screening decisions), starts
the real Streamlit app on it and drives Debian's Chromium through Playwright:
every page opened from the sidebar, and the clicks a reviewer makes all day
(accept a proposal, go back, undo; include / exclude a record, undo). Each
action is timed from the click until the app has finished its run and shows
the expected result; prints median and max per action and whether every one
stays under the aim (1 s by default).

    nice python bench/bench_app.py --records 300 --repeat 2         # small first
    nice python bench/bench_app.py                                  # 5,000 records, 58 full texts
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from make_synthetic import decision_quads, synthetic_decisions, synthetic_fulltext, synthetic_records  # noqa: E402

PAGES = ["screening", "proposals", "codebook", "effects", "methods", "overview", "query", "ingest", "history"]
SENTENCE = re.compile(r"[A-Z][^.\n]{30,}?\.")


def _document(rec: dict, fulltext: bool):
    from pipeline.document import Document, Source
    from pipeline.sources.text import parse_markdown

    src = Source(path="export.bib", kind="bibtex", record=rec["key"])
    doc = parse_markdown(synthetic_fulltext(rec)) if fulltext else Document(title=rec["title"])
    doc.title, doc.authors, doc.year, doc.doi = rec["title"], list(rec["authors"]), rec["year"], rec["doi"]
    doc.arxiv, doc.venue, doc.abstract, doc.keywords = rec["arxiv"], rec["venue"], rec["abstract"], rec["keywords"]
    doc.sources = [src]
    return doc


def _proposals(doc, n: int, rng: random.Random) -> list:
    """``n`` challenge proposals whose evidence is a real sentence of the paper's text."""
    from pipeline.document import Proposal
    from pipeline.store.corpus import CHALLENGE_KEYS
    from pipeline.vocab import challenge

    spans = [m for m in SENTENCE.finditer(doc.text)]
    out = []
    for m in rng.sample(spans, min(n, len(spans))):
        key = rng.choice(CHALLENGE_KEYS)
        out.append(Proposal(kind="challenge", code=challenge(key).value, label=key, score=round(rng.random(), 3),
                            evidence=m.group(), start=m.start(), end=m.end(), proposer="synthetic-v1",
                            model="synthetic", model_version="1"))
    return out


def build_store(location: str, records: int = 5000, fulltexts: int = 58, proposals: int = 500,
                decisions: int = 2000, seed: int = 0) -> dict:
    """A store of ``records`` unique records (the first ``fulltexts`` with full text, included at
    both stages by two reviewers, ``proposals`` proposals on them) and ``decisions`` title/abstract decisions."""
    from pipeline.ingest.paper_graph import document_quads, paper_key
    from pipeline.store import open_store
    from pipeline.store.corpus import init_store
    from pipeline.vocab import iri, paper

    rng = random.Random(seed)
    store = open_store(location)
    init_store(store)
    recs = [r for r in synthetic_records(int(records * 1.1) + 10, seed) if not r["duplicate_of"]][:records]
    relevant = [r for r in recs if r["relevant"]]
    chosen = (relevant + [r for r in recs if not r["relevant"]])[:fulltexts]
    full = {r["key"] for r in chosen}
    per_paper = max(1, round(proposals / max(1, len(chosen))))
    activity = iri("activity", "bench-app-build")
    iris, quads, n_props = {}, [], 0
    for r in recs:
        doc = _document(r, r["key"] in full)
        key = paper_key(doc) + "-" + r["key"]
        iris[r["key"]] = paper(key).value
        props = _proposals(doc, per_paper, rng) if r["key"] in full else []
        n_props += len(props)
        quads += document_quads(key, doc, props, origin="database", activity=activity)
    ds = [d for d in synthetic_decisions(recs, decisions, seed=seed) if d["record"] not in full]
    for i, r in enumerate(chosen):
        for stage in ("TitleAbstract", "FullText"):
            for j, who in enumerate(("alice", "bob")):
                ds.append({"record": r["key"], "stage": stage, "reviewer": who, "decision": "include", "reason": None,
                           "time": f"2026-11-{1 + i % 28:02d}T{11 + j}:{i % 60:02d}:00Z"})
    quads += decision_quads(ds, iris)
    for start in range(0, len(quads), 50_000):
        tx = store.transaction()
        tx.add_quads(quads[start:start + 50_000])
        store.commit(tx)
    return {"records": len(recs), "fulltexts": len(chosen), "proposals": n_props, "decisions": len(ds),
            "quads": store.count()}


# ---- the browser ---------------------------------------------------------------------

def _idle(page, timeout_ms: int) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)


class ActionTimedOut(Exception):
    """An action did not finish within the timeout (recorded as infinite; its section stops)."""


# Counts the runs the page starts from now on: a MutationObserver sees every change of the script state,
# however short the run (a poll could miss one), so a click that started no run at all is told apart.
_ARM = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  window.__benchRuns = 0;
  if (window.__benchObserver) window.__benchObserver.disconnect();
  window.__benchObserver = new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'running') window.__benchRuns += 1;
  });
  window.__benchObserver.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def _timed(page, act, done, timeout_ms: int) -> float:
    from playwright.sync_api import Error as PlaywrightError

    page.evaluate(_ARM)
    t0 = time.perf_counter()
    try:
        act()
        done()
        _idle(page, timeout_ms)
    except (PlaywrightError, AssertionError) as e:
        runs = page.evaluate("() => window.__benchRuns")
        why = "the click started no run (lost before the server)" if not runs else \
            f"the click started {runs} run(s), none showed the expected result"
        raise ActionTimedOut(why + ": " + " | ".join(str(e).splitlines()[:3])) from None
    return time.perf_counter() - t0


def run_browser(url: str, repeat: int, timeout_ms: int = 120_000, only: tuple[str, ...] = ()) -> dict[str, list[float]]:
    from playwright.sync_api import expect, sync_playwright

    from atlas_testing import CHROMIUM, CHROMIUM_ARGS

    times: dict[str, list[float]] = {}

    current = [""]

    def record(name: str, seconds: float) -> None:
        times.setdefault(name, []).append(seconds)
        print(f"  {name}: {seconds:.2f} s", flush=True)

    def section(fn) -> None:
        try:
            fn()
        except ActionTimedOut as e:
            print(f"  gave up on this section: {e}", flush=True)
            alerts = page.locator("[data-testid='stAlert']").all_inner_texts()
            undos = page.get_by_role("button", name=re.compile(r"^Undo")).all_inner_texts()
            errors = page.get_by_test_id("stException").all_inner_texts()
            print(f"  the page shows alerts {alerts}, undo buttons {undos}, exceptions {errors}", flush=True)
            if os.environ.get("BENCH_APP_SCREENSHOT"):  # what the page showed when it gave up
                page.screenshot(path=os.environ["BENCH_APP_SCREENSHOT"], full_page=True)
            times.setdefault(current[0] or "section", []).append(float("inf"))

    def visible(locator):
        return lambda: expect(locator).to_be_visible(timeout=timeout_ms)

    def flash(text):  # the outcome line the page shows after a click
        return visible(page.get_by_test_id("stAlertContentSuccess").get_by_text(text).first)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url + "/")
        name = page.locator("input[aria-label='Your name (reviewer)']")
        name.wait_for(timeout=timeout_ms)
        name.fill("Bench Reviewer")
        name.press("Enter")
        expect(page.get_by_text("Deciding as")).to_be_visible(timeout=timeout_ms)
        _idle(page, timeout_ms)

        def open_page(key: str) -> float:
            link = page.get_by_role("link", name=key.capitalize(), exact=True).first
            done = visible(page.get_by_role("heading", name=key.capitalize()).first)
            if key == "overview":  # and its first figure
                heading = done

                def done():
                    heading()
                    expect(page.get_by_test_id("stImage").first).to_be_visible(timeout=timeout_ms)
            return _timed(page, link.click, done, timeout_ms)

        def measure(name: str, act, done) -> None:
            current[0] = name
            record(name, _timed(page, act, done, timeout_ms))

        def opened(expander, button):
            """``button`` inside ``expander``, ready for a click: the expander opened unless it is open already
            (asked of its ``<details>``, not guessed from the button: a blind click could close it), the button
            scrolled into view and at rest (the expander's opening animation over). The reviewer's scrolling and
            the animation are not the app's answer to a click, so they are waited for before the timer starts."""
            _idle(page, timeout_ms)
            details = page.locator("details").filter(has=expander).first
            if not details.evaluate("d => d.open"):
                expander.click()
                expect(button).to_be_visible(timeout=timeout_ms)
            button.scroll_into_view_if_needed(timeout=timeout_ms)
            button.element_handle(timeout=timeout_ms).wait_for_element_state("stable", timeout=timeout_ms)
            return button

        def pages() -> None:
            for _ in range(repeat):
                for key in PAGES:
                    current[0] = f"open {key}"
                    record(current[0], open_page(key))
                    if page.get_by_test_id("stException").count():
                        raise RuntimeError(f"exception on page {key}")

        def proposals() -> None:  # accept, back to it, undo it (each result differs from the last one)
            current[0] = "open proposals"
            open_page("proposals")
            history = page.get_by_text("History of this proposal")
            heading = page.get_by_role("heading", name=re.compile(r"^\d+.\d+ · ")).first
            for _ in range(repeat):
                accept = page.get_by_role("button", name=re.compile(r"^Accept\b(?! \d)"))
                measure("accept", accept.click, flash(re.compile(r"^Accepted ")))
                before = heading.inner_text()
                measure("previous", page.get_by_role("button", name=re.compile(r"^Previous")).click,
                        lambda b=before: expect(heading).not_to_have_text(b, timeout=timeout_ms))
                undo = opened(history, page.get_by_role("button", name=re.compile(r"^Undo 'accept")))
                measure("undo accept", undo.click, flash("Undone"))

        def screening() -> None:  # include, undo, exclude, undo on the same record (it stays selected)
            current[0] = "open screening"
            open_page("screening")
            todo = page.get_by_role("switch", name="Only records I have not screened")
            _timed(page, page.get_by_text("Only records I have not screened").click,
                   lambda: expect(todo).not_to_be_checked(timeout=timeout_ms), timeout_ms)
            _idle(page, timeout_ms)
            page.wait_for_timeout(500)  # the toggle's run has started and ended: the record stays when decided
            mine = page.get_by_text("History of my decision on this record")
            for _ in range(repeat):
                for label, done_text in (("Include", "Included"), ("Exclude", "Excluded")):
                    measure(f"screen {label.lower()}", page.get_by_role("button", name=re.compile(rf"^{label}")).click,
                            flash(done_text))
                    undo = opened(mine, page.get_by_role("button", name=re.compile(r"^Undo 'screen")))
                    measure("undo screen", undo.click, flash("Undone"))

        for part in (pages, proposals, screening):
            if not only or part.__name__ in only:
                section(part)
        browser.close()
    return times


def report(times: dict[str, list[float]], aim_s: float) -> bool:
    print(f"\n{'action':<18} {'n':>3} {'median s':>9} {'max s':>7}  aim {aim_s:g} s")
    ok = True
    for name, ts in times.items():
        met = max(ts) < aim_s
        ok &= met
        print(f"{name:<18} {len(ts):>3} {statistics.median(ts):>9.2f} {max(ts):>7.2f}  {'met' if met else 'NOT met'}")
    print(f"\naim (every page and click under {aim_s:g} s): {'MET' if ok else 'NOT MET'}")
    return ok


def prepared_store(location: str, records: int, *sizes: int) -> str:
    """The benchmark store at ``location``, built first when it does not exist (the load is printed:
    the figures mean little without it)."""
    from pipeline.store import store_exists

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    if not store_exists(location):
        t0 = time.perf_counter()
        made = build_store(location, records, *sizes)
        print("built store: " + ", ".join(f"{k} {v}" for k, v in made.items())
              + f" in {time.perf_counter() - t0:.0f} s", flush=True)
    return location


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=5000)
    ap.add_argument("--fulltexts", type=int, default=58)
    ap.add_argument("--proposals", type=int, default=500)
    ap.add_argument("--decisions", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5, help="times each action is measured")
    ap.add_argument("--aim", type=float, default=1.0, help="seconds every action should stay under")
    ap.add_argument("--store", help="use (and keep) this store; built if it does not exist")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds an action may take before its section stops")
    ap.add_argument("--only", action="append", choices=["pages", "proposals", "screening"], default=[],
                    help="measure only this section (repeatable)")
    args = ap.parse_args(argv)
    from atlas_testing import running_app

    with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp:
        location = prepared_store(args.store or str(Path(tmp) / "store"), args.records, args.fulltexts,
                                  args.proposals, args.decisions)
        with running_app(location, start_timeout_s=120) as url:
            times = run_browser(url, args.repeat, int(args.timeout * 1000), only=tuple(args.only))
    ok = report(times, args.aim)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

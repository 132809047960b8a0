"""Screening (PRISMA 2020): blind dual screening in prioritised order, conflicts, kappa, the flow diagram, records."""

from __future__ import annotations

import streamlit as st

from app.common import (
    action,
    highlight_terms,
    history_table,
    md_escape,
    read_model,
    require_reviewer,
    short,
    show_flash,
    shown_as,
    start_page,
    undo_latest,
)
from pipeline import curate
from pipeline.curate import records_model
from pipeline.curate.events import reviewer as as_reviewer
from pipeline.curate.ranking import reviewer_queue
from pipeline.ingest import unmerge as dedup
from pipeline.ingest.snowball import backward_candidates
from pipeline.store.corpus import corpus_dir

REFRESH_S = 5  # the Conflicts and Agreement tabs re-read the store this often (other reviewers decide meanwhile)
PAGE_SIZE = 50  # records offered at once: a list of thousands would be sent to the browser on every click
MAX_CONFLICTS = 20  # conflicts drawn at once per stage (each is a form)
MAX_DUPLICATES = 50  # merges and suspected duplicates drawn at once (each has buttons)
FLASH = "scr_flash"  # the outcome of a decision made in the Screen tab, shown in the tab


def _save_reasons(store, who, text):
    curate.set_exclusion_reasons(store, who, (text or "").splitlines())


def _default_keywords() -> str:
    path = corpus_dir() / "screening_keywords.txt"
    return ", ".join(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def _queue(store, who, stage):
    """The reviewer's ranked queue, from the records read model of the same revision."""
    return reviewer_queue(store, who, stage, recs=records_model.records(store))


def _list(store, me, stage, order):
    """The reviewer's list at a stage, queue first: once per store revision (5,000 records)."""
    return records_model.screening_list(store, me, stage, order)


def _kappa_cell(k):
    return "n/a" if k is None else f"{k:.3f}"


store = start_page("Screening")
who = require_reviewer()
STAGE_LABEL = {"title-abstract": "Title/abstract", "full-text": "Full text"}

# the PRISMA diagram and the snowballing candidates are drawn only when their tab is open (a click stays fast)
tab_screen, tab_conf, tab_kappa, tab_prisma, tab_records = st.tabs(
    ["Screen", "Conflicts", "Agreement", "PRISMA", "Records & snowballing"], key="scr_tab", on_change="rerun")

records = records_model.records(store)  # once per store revision, followed through decisions, not on every click
reasons = read_model(curate.exclusion_reasons)


@st.fragment
def screen_tab():
    """The Screen tab as a fragment: a decision, an undo or a change of record reruns only this tab (the list,
    its counts and the card), not the page; the other tabs are drawn only while open and re-read the store then.
    Its decisions report in this tab (``scr_flash``): the page's own outcome line is not redrawn by a tab rerun."""
    with store.session():  # a tab rerun runs outside the page's session: one open of the database for it too
        show_flash(FLASH)
        stage = st.radio("Stage", list(STAGE_LABEL), format_func=lambda s: STAGE_LABEL[s], horizontal=True,
                         key="scr_stage")
        st_name = curate.screening.stage_name(stage)
        me = as_reviewer(who).iri.value if who else None
        queue = read_model(_queue, who, st_name) if who else None
        todo_only = st.toggle("Only records I have not screened", value=True, key="scr_todo")
        listing = read_model(_list, me, st_name, tuple(queue.order) if queue else ())
        mine, by_paper = listing.mine, listing.by_paper
        shown = listing.shown(todo_only)
        st.caption(f"{len(shown)} of {listing.pool} records at this stage. Decisions are blind: "
                   "other reviewers' votes appear under Conflicts once both decided.")
        if queue and queue.prioritised:
            est = f"{queue.estimated_remaining:.1f}" if queue.estimated_remaining is not None else "n/a"
            st.info(f"Prioritised: records in order of predicted relevance by **{md_escape(queue.model)}** "
                    f"v{md_escape(queue.version)}, learned from your own {queue.decisions_used} title/abstract decisions "
                    f"({queue.includes} included, {queue.excludes} excluded); last retrained "
                    f"{md_escape(queue.trained_at or '')}. "
                    f"Records screened since your last include: **{queue.since_last_include}**. "
                    f"Estimated relevant records left: **{est}** ({md_escape(queue.estimate_method)}).")
        elif queue:
            st.caption("Records in title order. Prioritised screening starts once you have included at least one "
                       f"and excluded at least one record ({queue.includes} included, {queue.excludes} excluded so far). "
                       f"Records screened since your last include: {queue.since_last_include}.")
        keywords = st.text_input("Highlight keywords (comma separated)", value=_default_keywords(), key="scr_keywords")
        terms = [t.strip() for t in (keywords or "").split(",")]
        pages = max(1, -(-len(shown) // PAGE_SIZE))
        if st.session_state.get("scr_page", 1) > pages:  # the list shrank as records were screened
            st.session_state["scr_page"] = pages
        page_no = st.number_input(f"Page (of {pages}, {PAGE_SIZE} records each)", 1, pages, 1, key="scr_page") \
            if pages > 1 else 1
        window = shown[(page_no - 1) * PAGE_SIZE:page_no * PAGE_SIZE]
        current = st.session_state.get("scr_paper")
        if current in by_paper and current not in {r["paper"] for r in window} and not (todo_only and current in mine):
            window = [by_paper[current]] + window  # the record just decided stays open (change your mind, undo)
        if window:
            titles = {r["paper"]: r["title"] for r in window}
            paper = st.selectbox("Record", list(titles), format_func=lambda p: titles.get(p, ""), key="scr_paper")
            rec = by_paper[paper]
            with st.container(border=True):
                st.markdown("#### " + highlight_terms(rec["title"], terms))
                st.markdown(md_escape(rec["authors"] or "(no authors)"))
                st.caption(" · ".join(x for x in (rec["year"] or "n.d.", rec["venue"], f"source: {rec['source']}") if x)
                           + (f" · predicted relevance {queue.scores[paper]:.2f}" if queue and paper in queue.scores else ""))
                st.markdown(highlight_terms(rec["abstract"], terms) if rec["abstract"] else "(no abstract)")
            node = curate.screening.decision_node(paper, stage, who) if who else None
            based = curate.latest_decision(store, node) if node else None
            if mine.get(paper):
                st.info(f"Your decision: {mine[paper]['decision']}" + (f" ({md_escape(mine[paper]['reason'])})"
                                                                        if mine[paper]["reason"] else ""))
            if stage == "full-text":
                st.selectbox("Exclusion reason", [""] + read_model(curate.exclusion_reasons), key="scr_reason")
            ranking = (queue.model, queue.version) if queue and queue.prioritised else None
            b1, b2, b3, _ = st.columns([1, 1, 1, 4])
            for col, label, dec, key in ((b1, "Include", "include", "i"), (b2, "Exclude", "exclude", "x"),
                                         (b3, "Maybe", "maybe", "m")):
                col.button(label, key=f"scr_{dec}", shortcut=key, help=f"{label} ({key})", disabled=not who,
                           **action(curate.screen, store, who, paper, stage, dec, based_on=based, ranking=ranking,
                                    flash_key=FLASH, success=f"{label}d" if dec != "maybe" else "Marked maybe",
                                    keys={"reason": "scr_reason"} if stage == "full-text" else None))
            if node:
                with st.expander("History of my decision on this record"):
                    events = curate.history(store, node)
                    undo_latest(store, events, key="scr_undo", flash_key=FLASH)  # above the table (never moves)
                    st.dataframe(history_table(events), hide_index=True, width="stretch")
        else:
            st.success("Nothing left to screen at this stage.")


with tab_screen:
    screen_tab()


@st.fragment(run_every=REFRESH_S)
def conflicts_tab():
    """Re-read on every run and every few seconds: the numbers are the store's now, not the page's last run."""
    reasons_now = read_model(curate.exclusion_reasons)
    for stage_c in STAGE_LABEL:
        conf = read_model(curate.conflicts, stage_c)
        st.markdown(f"**{STAGE_LABEL[stage_c]}**: {len(conf)} conflict(s)"
                    + (f" (the first {MAX_CONFLICTS} below; resolve them to see the next)" if len(conf) > MAX_CONFLICTS
                       else ""))
        sname = curate.screening.stage_name(stage_c)
        for r in conf[:MAX_CONFLICTS]:
            with st.container(border=True):
                st.markdown(md_escape(r["title"]))
                st.dataframe([{"reviewer": short(d["reviewer"]), "decision": d["decision"], "reason": d["reason"]}
                              for d in r["decisions"] if d["stage"] == sname and not d["final"]], hide_index=True)
                fk = f"res_{stage_c}_{r['paper']}"
                with st.form(fk):
                    st.radio("Final decision", ["include", "exclude"], horizontal=True, key=fk + "_d")
                    if stage_c == "full-text":
                        st.selectbox("Reason (to exclude at full text)", [""] + reasons_now, key=fk + "_r")
                    st.form_submit_button("Resolve", disabled=not who,
                                          **action(curate.resolve, store, who, r["paper"], stage_c, success="Resolved",
                                                   based_on=curate.latest_decision(
                                                       store, curate.screening.iri("screening", curate.screening.local_name(
                                                           r["paper"]) + "/" + sname + "/final")),
                                                   keys={"decision": fk + "_d", "reason": fk + "_r"}))


@st.fragment(run_every=REFRESH_S)
def agreement_tab():
    for stage_k in STAGE_LABEL:
        st.markdown(f"**Cohen's kappa, {STAGE_LABEL[stage_k]}**")
        rows = read_model(curate.screening_kappas, stage_k)
        if rows:
            st.dataframe([{"reviewer A": r["a"], "reviewer B": r["b"], "records": r["n"],
                           "agreement": round(r["agreement"], 3), "kappa": _kappa_cell(r["kappa"])} for r in rows],
                         hide_index=True)
        else:
            st.caption("Needs two reviewers with records in common.")
    st.caption("Kappa is n/a for a pair with fewer than two records in common.")


if tab_conf.open is not False:
    with tab_conf:
        conflicts_tab()

if tab_kappa.open is not False:
    with tab_kappa:
        agreement_tab()

def prisma_tab():
    import matplotlib.pyplot as plt

    from pipeline.report.prisma import box_rows, prisma_diagram, to_json, to_prisma2020_csv

    counts = curate.prisma_counts(store)
    fig = prisma_diagram(counts)
    st.pyplot(fig)
    plt.close(fig)
    st.dataframe([{"box": label, "n": n} for label, n in box_rows(counts)], hide_index=True, key="prisma_boxes")
    c1, c2 = st.columns(2)
    c1.download_button("prisma.json", to_json(counts), "prisma.json", "application/json", key="dl_prisma_json")
    c2.download_button("prisma.csv (PRISMA2020 R package / Shiny app)", to_prisma2020_csv(counts), "prisma.csv",
                       "text/csv", key="dl_prisma_csv")


def duplicates_section(records):
    """Suspected duplicates to confirm or dismiss, and merges to undo (or merge back), as in Rayyan."""
    titles = {r["paper"]: r["title"] for r in records}
    rows = read_model(dedup.merges)
    suspects = [m for m in rows if m.kind == "suspect" and m.status == "open"]
    merged = [m for m in rows if m.kind != "suspect"]
    st.markdown(f"**Suspected duplicates** ({len(suspects)} to decide): similar records without a shared identifier")
    for i, m in enumerate(suspects[:MAX_DUPLICATES]):
        c1, c2, c3 = st.columns([5, 1, 1])
        c1.text(f"{titles.get(m.record, short(m.record))}\n  may duplicate {titles.get(m.paper, short(m.paper))}"
                f"  ({m.detail})")
        c2.button("Same work", key=f"dup_yes_{i}", disabled=not who, help="Merge: counted as a duplicate removed",
                  **action(dedup.confirm_duplicate, store, who, m.id, success="Merged as a duplicate"))
        c3.button("Not a duplicate", key=f"dup_no_{i}", disabled=not who, help="Kept apart, also by later ingests",
                  **action(dedup.not_duplicate, store, who, m.id, success="Kept as different works"))
    st.markdown(f"**Merged duplicates** ({len(merged)}): undo a wrong merge; each record gets back its own metadata")
    for i, m in enumerate(merged[:MAX_DUPLICATES]):
        c1, c2 = st.columns([5, 1])
        what = m.record if m.kind == "ingest" else titles.get(m.record, short(m.record))
        if m.status == "undone":
            c1.text(f"{what}\n  kept apart from {titles.get(m.paper, short(m.paper))} (was merged by {m.detail})")
            c2.button("Merge back", key=f"remerge_{i}", disabled=not who,
                      **action(curate.undo, store, who, curate.latest_decision(store, m.id), success="Merged back"))
        else:
            c1.text(f"{what}\n  merged into {titles.get(m.paper, short(m.paper))} ({m.kind}, {m.detail})")
            c2.button("Undo merge", key=f"unmerge_{i}", disabled=not who or m.detail == "corpus",
                      **action(dedup.unmerge, store, who, m.id, success="Merge undone"))


if tab_prisma.open is not False:
    with tab_prisma:
        prisma_tab()

if tab_records.open is not False:
    with tab_records:
        st.markdown("**Backward snowballing**: references of included papers not yet in the corpus")
        cands = read_model(backward_candidates)  # once per store revision
        for i, c in enumerate(cands[:100]):
            c1, c2 = st.columns([5, 1])
            c1.text(f"{c['title']} ({c['year'] or 'n.d.'}) - cited by {short(c['cited_by'])}")
            c2.button("Add record", key=f"snow_{i}", disabled=not who,
                      **action(curate.add_record, store, who, c["title"], source="backward", year=c["year"] or None,
                               doi=c["doi"], cited_by=c["cited_by"], success="Record added"))
        if not cands:
            st.caption("No candidates (include papers with parsed references first).")
        with st.form("add_record"):
            st.markdown("**Add a record** (manual, database search, forward snowballing)")
            st.text_input("Title", key="rec_title")
            st.selectbox("Source", curate.screening.SOURCES, key="rec_source")
            st.text_input("Year", key="rec_year")
            st.text_area("Abstract", key="rec_abstract")
            st.form_submit_button("Add record", disabled=not who,
                                  **action(curate.add_record, store, who, success="Record added",
                                           keys={"title": "rec_title", "source": "rec_source", "year": "rec_year",
                                                 "abstract": "rec_abstract"}))
        duplicates_section(records)
        st.markdown("**Mark a duplicate**")
        find = st.text_input("Find records by title (both lists show at most "
                             f"{MAX_DUPLICATES} matches)", key="dup_find").strip().lower()
        # a search, not a list of thousands of titles sent to the browser on every run of this tab
        titles = {r["paper"]: r["title"] for r in records if not find or find in r["title"].lower()}
        titles = dict(list(titles.items())[:MAX_DUPLICATES])
        with st.form("duplicate"):
            st.selectbox("Record", list(titles), format_func=shown_as(titles), key="dup_a")
            st.selectbox("is a duplicate of", list(titles), format_func=shown_as(titles), key="dup_b")
            st.form_submit_button("Mark duplicate", disabled=not who,
                                  **action(dedup.mark_duplicate, store, who, success="Marked as duplicate",
                                           keys={"paper": "dup_a", "of": "dup_b"}))
        with st.form("reasons"):
            st.markdown("**Exclusion reasons** (one per line)")
            st.text_area("Reasons", "\n".join(reasons), height=180, key="reasons_text")
            st.form_submit_button("Save reasons", disabled=not who,
                                  **action(_save_reasons, store, who, success="Reasons saved", keys={"text": "reasons_text"}))

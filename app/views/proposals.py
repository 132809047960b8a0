"""Proposals: a queue per paper; accept / reject / edit with one key; bulk accept; add a missed code."""

from __future__ import annotations

import streamlit as st

from app.common import (
    action,
    highlight,
    history_table,
    md_escape,
    read_model,
    require_reviewer,
    short,
    shown_as,
    start_page,
    undo_latest,
)
from app.components.select_code import select_to_code
from pipeline import curate
from pipeline.vocab import PROPOSAL_KINDS

store = start_page("Proposals")
who = require_reviewer()

with store.session():  # the reads below are cached per store revision: a click re-reads only what changed
    papers = read_model(curate.papers)
    if not papers:
        st.info("No proposals yet: ingest papers on the Ingest page or with `fedatlas ingest`.")
        st.stop()
    labels = {p["paper"]: p["title"] for p in papers}  # stable labels: the selection survives decisions
    paper = st.selectbox("Paper", list(labels), format_func=shown_as(labels), key="prop_paper")
    counts = next(p for p in papers if p["paper"] == paper)
    st.caption(f"{counts['proposed']} open · {counts['accepted'] + counts['edited']} accepted · "
               f"{counts['rejected']} rejected")
    views = read_model(curate.proposals, paper)
    text = read_model(curate.paper_text, paper)
    code_labels = read_model(curate.code_labels)
    paper_methods = read_model(curate.methods_of, paper)

if paper_methods:
    mlabels = {m.iri: m.label for m in paper_methods}
    if len(paper_methods) > 1:
        chosen_method = st.selectbox("Accepted codes go to method", list(mlabels), format_func=shown_as(mlabels),
                                     key=f"prop_method_{paper}")
    else:
        chosen_method = paper_methods[0].iri
        st.caption(md_escape(f"Accepted codes go to the method {mlabels[chosen_method]} (rename or split it on the "
                             "Methods page)."))
else:
    chosen_method = None
    st.caption("This paper has no FedNAS method yet: accepted codes count for the method once the paper is included "
               "at full text (Screening), unless it is marked as presenting none.")

only_open = st.toggle("Only open proposals", value=False, key="prop_only_open")
queue = [v for v in views if v.status == "proposed"] if only_open else views
st.dataframe([{"#": i + 1, "kind": v.kind, "code": v.code_label, "score": v.score, "status": v.status,
               "proposer": v.proposer, "evidence": v.text} for i, v in enumerate(queue)],
             hide_index=True, width="stretch", height=min(38 * (len(queue) + 1) + 3, 260))
if not queue:
    st.success("Nothing open on this paper.")
    st.stop()

idx = min(st.session_state.get("prop_idx", 0), len(queue) - 1)
nav1, nav2, _ = st.columns([1, 1, 6])


def _go(to: int) -> None:  # a callback: the click's run shows the proposal (no second run)
    st.session_state["prop_idx"] = to


nav1.button("Previous", shortcut="k", help="Previous proposal (k)", disabled=idx == 0, on_click=_go, args=(idx - 1,))
nav2.button("Next", shortcut="j", help="Next proposal (j)", disabled=idx >= len(queue) - 1, on_click=_go,
            args=(idx + 1,))

v = queue[idx]
st.subheader(f"{idx + 1}/{len(queue)} · {v.kind}: {v.code_label}")
st.caption(f"score {v.score if v.score is not None else '-'} · proposer {v.proposer or '-'} · model {v.model or '-'} "
           f"{v.model_version} · page {v.page if v.page is not None else '-'} · status **{v.status}**"
           + (" · added by hand" if v.manual else ""))
para, a, b = curate.paragraph_of(text, v.start, v.end)
if para:
    with st.container(border=True):
        st.markdown(highlight(para, a, b))
else:
    st.markdown("> " + md_escape(v.text or "(no evidence text)"))

c1, c2, c3, _ = st.columns([1, 1, 1, 3])


def _advance(to: int = min(idx + 1, len(queue) - 1)) -> None:
    st.session_state["prop_idx"] = to


c1.button("Accept", type="primary", shortcut="a", help="Accept this proposal (a)", disabled=not who, key="btn_accept",
          **action(curate.accept_into, store, who, v.iri,
                   chosen_method if paper_methods and chosen_method != paper_methods[0].iri else None,
                   based_on=v.latest, success=f"Accepted {v.code_label}", then=_advance))
c2.button("Reject", shortcut="x", help="Reject this proposal (x)", disabled=not who, key="btn_reject",
          **action(curate.reject, store, who, v.iri, based_on=v.latest, success=f"Rejected {v.code_label}",
                   then=_advance))


def _edit(store, who, proposal, latest, old_code, old_span, code, start, end):
    span = {} if (start, end) == old_span or start is None else {"start": int(start), "end": int(end)}
    curate.edit(store, who, proposal, code=code if code != old_code else None, based_on=latest, **span)


def _open_editor() -> None:
    st.session_state["edit_open"] = not st.session_state.get("edit_open", False)


c3.button("Close editor" if st.session_state.get("edit_open") else "Edit", shortcut="e", key="btn_edit",
          help="Open the editor: change the code or the excerpt (e)", on_click=_open_editor)
if st.session_state.get("edit_open"):
    with st.container(border=True):
        st.markdown("**Edit:** change the code, or select a wider passage below and use it as the excerpt")
        prefix = {"challenge": "/challenge/", "nas_type": "/nastype/", "technique": "/technique/"}.get(v.kind, "/")
        same_kind = sorted((c for c in code_labels if prefix in c), key=lambda c: code_labels[c].lower()) or [v.code]
        with st.form(f"edit_{idx}"):
            st.selectbox("Code", same_kind, index=same_kind.index(v.code) if v.code in same_kind else 0,
                         format_func=lambda c: code_labels.get(c, short(c)), key=f"edit_code_{v.iri}")
            s1, s2 = st.columns(2)
            top = max(len(text), int(v.end or 0), 1)
            s1.number_input("Excerpt start (character)", 0, top, int(v.start or 0), key=f"edit_start_{v.iri}")
            s2.number_input("Excerpt end (character)", 0, top, int(v.end or 0), key=f"edit_end_{v.iri}")
            st.form_submit_button("Save edit", disabled=not who,
                                  **action(_edit, store, who, v.iri, v.latest, v.code, (v.start, v.end),
                                           success="Edited",
                                           keys={"code": f"edit_code_{v.iri}", "start": f"edit_start_{v.iri}",
                                                 "end": f"edit_end_{v.iri}"}))
        if text:
            sel = select_to_code(text, key=f"edit_select_{v.iri}", mark=(v.start, v.end), height=260,
                                 button="Use selection as excerpt")
            if sel:
                st.markdown("Selected: " + md_escape(sel["text"][:300]))
                st.button(f"Save excerpt {sel['start']}-{sel['end']}", disabled=not who, key="btn_edit_span",
                          **action(curate.edit, store, who, v.iri, start=sel["start"], end=sel["end"],
                                   based_on=v.latest, success="Excerpt changed"))

with st.expander("History of this proposal"):
    events = read_model(curate.history, v.iri)
    undo_latest(store, events, key=f"undo_{v.iri}")  # above the table: it never moves as the history grows
    st.dataframe(history_table(events), hide_index=True, width="stretch")

st.divider()
b1, b2 = st.columns([3, 1])
threshold = b1.slider("Bulk-accept open proposals scoring at least", 0.0, 1.0, 0.9, 0.01, key="bulk_threshold")
n_bulk = sum(1 for x in views if x.status == "proposed" and x.score is not None and x.score >= threshold)
b2.button(f"Accept {n_bulk} above {threshold:.2f}", disabled=not who or n_bulk == 0, key="btn_bulk",
          **action(curate.bulk_accept, store, who, paper, threshold, seen={x.iri: x.latest for x in views},
                   success=f"Accepted {n_bulk} proposals"))

if st.toggle("Add a code the machine missed: select the passage in the paper", key="add_open"):
    kind = st.selectbox("Kind", PROPOSAL_KINDS, key="add_kind")
    prefix = {"challenge": "/challenge/", "nas_type": "/nastype/", "technique": "/technique/"}[kind]
    options = sorted((c for c in code_labels if prefix in c), key=lambda c: code_labels[c].lower())
    code = st.selectbox("Code", options, format_func=lambda c: code_labels.get(c, short(c)), key="add_code_iri")
    if text:
        sel = select_to_code(text, key=f"add_select_{paper}", height=320, button="Code selection")
        if sel:
            st.markdown("Selected: " + md_escape(sel["text"][:300]))
            st.button(f"Add {code_labels.get(code, short(code))} for the selection", disabled=not who,
                      key="btn_add_selection", type="primary",
                      **action(curate.add_code, store, who, paper, kind, code, start=sel["start"], end=sel["end"],
                               success="Code added"))
    with st.form("add_code"):
        st.text_area("... or paste the passage" if text else "Passage (no full text: the passage is the record)",
                     height=90, key="add_passage")
        st.form_submit_button("Add code", disabled=not who,
                              **action(curate.add_code, store, who, paper, kind, success="Code added",
                                       keys={"code": "add_code_iri", "text": "add_passage"}))

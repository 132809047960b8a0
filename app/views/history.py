"""History: the latest decisions of the store (or your own), each with its undo button."""

from __future__ import annotations

import streamlit as st

from app.common import action, history_table, label_of, labels_for, md_escape, read_model, reviewer, start_page
from pipeline import curate
from pipeline.curate import events_model
from pipeline.curate.events import effective_stack

ROWS = 25  # decisions per page: each row is six elements and a button the browser draws


def _undo_state(store):
    """Per target: the head of its decision chain and the decision an undo would revert (once per revision)."""
    by_target: dict[str, list] = {}
    for e in events_model.events(store):
        by_target.setdefault(e.target, []).append(e)
    heads, tops = {}, {}
    for target, evs in by_target.items():
        chain = curate.events._chain_order(evs)
        heads[target] = chain[-1].iri
        stack = effective_stack(chain)
        tops[target] = stack[-1].iri if stack else None
    return heads, tops


store = start_page("History")
who = reviewer()
mine = st.toggle("Only my decisions", value=False, disabled=not who)
with store.session():
    everything = events_model.events(store)  # once per store revision, followed through decisions
    labels = read_model(labels_for)
    # what can be undone: the latest decision still in effect on its target (undo walks back from the top)
    heads, tops = read_model(_undo_state)
listed = [e for e in everything if not mine or e.reviewer_name == who]
pages = max(1, -(-len(listed) // ROWS))
page_no = st.number_input(f"Page (of {pages}, newest first)", 1, pages, 1, key="hist_page") if pages > 1 else 1
shown = listed[(page_no - 1) * ROWS:page_no * ROWS]

if not shown:
    st.info("No decisions yet.")
widths = [2, 2, 2, 4, 5, 1.4]
head = st.columns(widths)
for col, name in zip(head, ("time", "reviewer", "action", "on", "details", "")):
    col.markdown(f"**{name}**")
for row, e in zip(history_table(shown), shown):
    c = st.columns(widths, vertical_alignment="center")
    c[0].text(row["time"])
    c[1].text(row["reviewer"])
    c[2].text(row["action"] + (" (undone)" if e.undone_by else ""))
    c[3].text(label_of(e.target, labels))
    c[4].text(row["details"][:160])
    undoable = e.action != "undo" and not e.undone_by and tops.get(e.target) == e.iri
    c[5].button("Undo", key=f"undo_row_{e.iri}", disabled=not (who and undoable),
                help="Revert this decision" if undoable else
                "Only the latest decision in effect on its target can be undone (undo the later ones first)",
                **action(curate.undo, store, who, e.iri, based_on=heads[e.target],
                         success=f"Undone: {e.action} on {label_of(e.target, labels)}"))
st.caption(md_escape(f"Decisions {(page_no - 1) * ROWS + 1 if shown else 0}-{(page_no - 1) * ROWS + len(shown)} of "
                     f"{len(listed)}" + (f" (yours; {len(everything)} in all)." if mine else ".")))

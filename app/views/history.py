"""History: the latest decisions of the store (or your own), with undo."""

from __future__ import annotations

import streamlit as st

from app.common import start_page, history_table, reviewer
from pipeline import curate

store = start_page("History")
mine = st.toggle("Only my decisions", value=False, disabled=not reviewer())
events = curate.recent(store, limit=200, who=reviewer() if mine else None)
st.dataframe([{**row, "target": curate.events.node(e.target).value.rsplit("/id/", 1)[-1]}
              for row, e in zip(history_table(events), events)], hide_index=True, width="stretch")
target = st.text_input("History of one target (IRI)", key="hist_target")
if target:
    try:
        evs = curate.history(store, target)
        st.dataframe(history_table(evs), hide_index=True, width="stretch")
        from app.common import undo_latest

        undo_latest(store, evs, key="hist_undo")
    except Exception as e:  # noqa: BLE001 - shown to the user
        st.error(str(e))

"""FedNAS Atlas: the reviewer's workbench (Streamlit entry script).

Run with ``fedatlas app [--store S] [--port P]`` (serves on 127.0.0.1 only).
Every change goes through ``pipeline.curate``: saved at once, attributed to
the reviewer named in the sidebar, undoable, and checked against concurrent
edits (a stale write is shown, never applied).
"""

from __future__ import annotations

import streamlit as st

import pipeline.ingest.unmerge  # noqa: F401  (registers how an unmerge is undone, for every page's undo)
from app.common import get_store, store_location, warm_up
from app.pages import pages
from pipeline.curate.events import reviewer as check_name
from pipeline.errors import AtlasError

st.set_page_config(page_title="FedNAS Atlas", page_icon=":material/hub:", layout="wide")


def _sign_in() -> None:
    """The name counts only when submitted (Enter or the button): never from keys typed later."""
    name = st.session_state.get("reviewer_input", "")
    try:
        st.session_state["reviewer"] = check_name(name).name
        st.session_state.pop("name_error", None)
    except AtlasError as e:
        st.session_state["reviewer"] = None
        st.session_state["name_error"] = str(e)


def _change_name() -> None:
    st.session_state["reviewer_input"] = st.session_state.get("reviewer") or ""
    st.session_state["reviewer"] = None


def _sidebar() -> None:
    with st.sidebar:
        st.markdown("### FedNAS Atlas")
        who = st.session_state.get("reviewer")
        if who:
            # no text box while deciding: a shortcut key can never edit the name
            st.caption(f"Deciding as **{who}**")
            st.button("Change name", key="change_name", on_click=_change_name,
                      help="Sign in under another name (recorded with every decision)")
        else:
            with st.form("sign_in", border=False):
                st.text_input("Your name (reviewer)", key="reviewer_input",
                              help="Recorded with every decision you make (PROV-O).")
                st.form_submit_button("Use this name", on_click=_sign_in)
            if st.session_state.get("name_error"):
                st.error(st.session_state["name_error"])
            st.warning("Enter your name to decide; browsing works without it.")
        st.caption(f"Store: {store_location() or '(default)'}")
        st.caption("Shortcuts are shown on each button (e.g. a accept, x reject, e edit, j/k next/previous, u undo); "
                   "they never act while you type in a field.")


_sidebar()
try:
    store = get_store()
    warm_up(store_location(), store)
except AtlasError as e:
    st.error(str(e))
    st.stop()

nav = st.navigation([st.Page(page.script, title=page.title, icon=page.icon, url_path=page.key,
                             default=(page.key == "proposals")) for page in pages()])
with store.session():  # one open of the database per page run, not one per query
    nav.run()

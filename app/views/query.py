"""Query: a read-only SPARQL console with the corpus's saved queries."""

from __future__ import annotations

import csv
import io

import streamlit as st

from app.common import start_page
from pipeline import curate
from pipeline.errors import AtlasError
from pipeline.store import term_value

store = start_page("Query")
st.caption("Read-only: SELECT, ASK, CONSTRUCT, DESCRIBE. Prefixes fa: fad: skos: prov: dcterms: rdfs: owl: are "
           "predeclared; data lives in named graphs (GRAPH ?g { ... }).")
saved = curate.saved_queries()
name = st.selectbox("Saved query", list(saved), key="q_saved")
text = st.text_area("SPARQL", saved[name], height=200, key=f"q_text_{name}")
if st.button("Run", type="primary", shortcut="ctrl+enter", help="Run (Ctrl+Enter)", key="q_run"):
    try:
        result = curate.run_read_only(store, text)
    except AtlasError as e:
        st.error(str(e))
    else:
        if isinstance(result, bool):
            st.code("true" if result else "false")
        elif result and not isinstance(result[0], dict):
            st.code("\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in result[:2000]))
        else:
            rows = [{k: ("" if v is None else str(term_value(v))) for k, v in r.items()} for r in result]
            st.caption(f"{len(rows)} row(s)")
            st.dataframe(rows, hide_index=True, width="stretch")
            buf = io.StringIO()
            if rows:
                w = csv.DictWriter(buf, fieldnames=list(rows[0]))
                w.writeheader()
                w.writerows(rows)
            st.download_button("Download CSV", buf.getvalue(), "query.csv", "text/csv")

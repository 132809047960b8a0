"""Methods: one page per FedNAS method: paper, NAS types, techniques, effect vector, claims and verdicts."""

from __future__ import annotations

import streamlit as st

from app.common import start_page, md_escape, short
from pipeline.report.tables import SYMBOLS, method_table

store = start_page("Methods")
with store.session():
    table = method_table(store)
    if not table.rows:
        st.info("No methods coded yet.")
        st.stop()
    labels = dict(table.rows)
    m = st.selectbox("Method", list(labels), format_func=labels.get, key="method")
    info = store.select(f"""
        SELECT ?paper ?title WHERE {{ GRAPH ?g {{ ?paper fa:presentsMethod <{m}> }}
          OPTIONAL {{ GRAPH ?g2 {{ ?paper dcterms:title ?title }} }} }}""")
    types = store.select(f"""SELECT DISTINCT ?l WHERE {{ GRAPH ?g {{ <{m}> fa:usesNASType ?n }}
                             GRAPH ?g2 {{ ?n skos:prefLabel ?l }} }}""")
    techs = store.select(f"""SELECT DISTINCT ?l WHERE {{ GRAPH ?g {{ <{m}> fa:usesTechnique ?t }}
                             GRAPH ?g2 {{ ?t skos:prefLabel ?l }} }}""")
    claims = store.select(f"""
        SELECT ?claim ?metric ?value ?direction ?verdict WHERE {{ GRAPH ?g {{ ?claim a fa:Claim ; fa:ofMethod <{m}> }}
          OPTIONAL {{ GRAPH ?g1 {{ ?claim fa:metric ?metric }} }} OPTIONAL {{ GRAPH ?g2 {{ ?claim fa:value ?value }} }}
          OPTIONAL {{ GRAPH ?g3 {{ ?claim fa:direction ?direction }} }}
          OPTIONAL {{ GRAPH ?g4 {{ ?r fa:testsClaim ?claim ; fa:verdict ?verdict }} }} }}""")

st.subheader(labels[m])
for r in info:
    st.markdown("Paper: " + md_escape(r["title"] or short(r["paper"])))
c1, c2 = st.columns(2)
c1.markdown("**NAS types**")
c1.text("\n".join(sorted(r["l"] for r in types)) or "-")
c2.markdown("**Techniques**")
c2.text("\n".join(sorted(r["l"] for r in techs)) or "-")
st.markdown("**Aggregated effect vector** (+ towards, − against, 0 none, ± mixed, ? disputed)")
st.dataframe([{label: SYMBOLS[table.value(m, c)] for c, _, label in table.columns}], hide_index=True)
st.markdown("**Claims and replication verdicts**")
st.dataframe([{"claim": short(r["claim"]), "metric": r["metric"], "value": r["value"], "direction": r["direction"],
               "verdict": short(r["verdict"]) if r["verdict"] else "not replicated"} for r in claims],
             hide_index=True, width="stretch")

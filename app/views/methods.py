"""Methods: every FedNAS method (bundled, or from an included paper): paper, codes, effect vector, claims.

Rename a method, split a paper into several methods, or mark a paper as presenting none.
"""

from __future__ import annotations

import streamlit as st

from app.common import (
    action,
    compact_table,
    history_table,
    md_escape,
    paper_titles,
    read_model,
    require_reviewer,
    short,
    start_page,
    undo_latest,
)
from pipeline import curate
from pipeline.report.tables import SYMBOLS, method_table
from pipeline.vocab import sparql_iri


def _level(level) -> str:
    """A replication's confidence level as a percentage (99.17 %: 1 - 0.05/6 under Bonferroni)."""
    try:
        return f"{float(level) * 100:.4g} %"
    except (TypeError, ValueError):
        return ""


store = start_page("Methods")
who = require_reviewer()
with store.session():
    views = read_model(curate.method_views)  # every read model: once per store revision
    table = read_model(method_table)
    labels = read_model(curate.code_labels)
    titles = read_model(paper_titles)
    included = read_model(curate.included_papers)
if not views:
    st.info("No methods yet: a paper included at full text presents one.")
by_iri = {m.iri: m for m in views}
m = by_iri.get(st.selectbox("Method", list(by_iri), format_func=lambda i: by_iri[i].label, key="method")) \
    if views else None

if m is not None:
    st.subheader(m.label)
    st.markdown("Paper: " + md_escape(titles.get(m.paper, short(m.paper))) + f" · {m.origin} method")
    c1, c2, c3 = st.columns(3)
    c1.markdown("**NAS types**")
    c1.text("\n".join(sorted(labels.get(x, short(x)) for x in m.nas_types)) or "-")
    c2.markdown("**Challenges addressed**")
    c2.text("\n".join(sorted(labels.get(x, short(x)) for x in m.challenges)) or "-")
    c3.markdown("**Techniques**")
    c3.text("\n".join(sorted(labels.get(x, short(x)) for x in m.techniques)) or "-")
    st.markdown("**Aggregated effect vector** (+ towards, − against, 0 none, ± mixed, ? disputed)")
    if m.iri in dict(table.rows):
        st.markdown(compact_table("Method", [(m.iri, m.label)], [(c, lab) for c, _, lab in table.columns],
                                  lambda r, c: SYMBOLS[table.value(r, c)]))
    else:
        st.caption("No coded technique yet: accept its technique codes and merge them into refined techniques.")
    with store.session():
        claims = store.select(f"""
            SELECT ?claim ?metric ?value ?direction ?verdict ?level ?rule WHERE {{
              GRAPH ?g {{ ?claim a fa:Claim ; fa:ofMethod {sparql_iri(m.iri)} }}
              OPTIONAL {{ GRAPH ?g1 {{ ?claim fa:metric ?metric }} }} OPTIONAL {{ GRAPH ?g2 {{ ?claim fa:value ?value }} }}
              OPTIONAL {{ GRAPH ?g3 {{ ?claim fa:direction ?direction }} }}
              OPTIONAL {{ GRAPH ?g4 {{ ?r fa:testsClaim ?claim ; fa:verdict ?verdict
                                       OPTIONAL {{ ?r fa:ciLevel ?level }} OPTIONAL {{ ?r fa:verdictRule ?rule }} }} }} }}""")
    st.markdown("**Claims and replication verdicts** (each verdict with the confidence level of the intervals "
                "it was judged on and the rule that judged it)")
    st.dataframe([{"claim": short(r["claim"]), "metric": r["metric"], "value": r["value"], "direction": r["direction"],
                   "verdict": short(r["verdict"]) if r["verdict"] else "not replicated",
                   "CI level": _level(r.get("level")), "verdict rule": r.get("rule") or ""} for r in claims],
                 hide_index=True, width="stretch")

    tabs = st.tabs(["Rename", "Split: add a method", "Presents no method", "History"])
    with tabs[0]:
        with st.form("method_rename"):
            st.text_input("Name", m.label, key="method_name")
            st.form_submit_button("Rename method", disabled=not who,
                                  **action(curate.rename_method, store, who, m.iri, success="Method renamed",
                                           keys={"name": "method_name"}))
    with tabs[1]:
        if m.origin == "corpus" and m.paper not in included:
            st.caption("Bundled method: its paper is not screened in this review.")
        else:
            with st.form("method_add"):
                st.text_input("Name of a further method of this paper", key="method_add_name")
                st.form_submit_button("Add method", disabled=not who,
                                      **action(curate.add_method, store, who, m.paper, success="Method added",
                                               keys={"name": "method_add_name"}))
            st.caption("Choose the method an accepted code belongs to on the Proposals page.")
    with tabs[2]:
        st.caption("A survey or position paper presents no FedNAS method: its codes then count for no method.")
        st.button("This paper presents no method", key="method_none", disabled=not who or m.origin == "corpus",
                  **action(curate.mark_no_method, store, who, m.paper, success="Marked as presenting no method"))
    with tabs[3]:
        events = curate.history(store, m.iri)
        st.dataframe(history_table(events), hide_index=True, width="stretch")
        undo_latest(store, events, key="method_undo")

none_marked = [p for p in included if p not in {v.paper for v in views}]
if none_marked:
    st.divider()
    st.markdown("**Included papers presenting no method**")
    for p in none_marked:
        a, b = st.columns([5, 1])
        a.text(titles.get(p, short(p)))
        b.button("Has a method", key=f"has_method_{p}", disabled=not who,
                 **action(curate.mark_no_method, store, who, p, none=False, success="Method restored"))

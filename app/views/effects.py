"""Effects: the technique x challenge matrix; set towards / against / none with rationale and evidence."""

from __future__ import annotations

import streamlit as st

from app.common import (
    action,
    compact_table,
    history_table,
    md_escape,
    read_model,
    require_reviewer,
    short,
    shown_as,
    start_page,
    undo_latest,
)
from pipeline import curate
from pipeline.report.tables import SYMBOLS, challenges

store = start_page("Effects")
who = require_reviewer()

with store.session():
    techs = read_model(curate.techniques)  # every read model: once per store revision
    chals = read_model(challenges)
    matrix = read_model(curate.matrix)
    claims = store.select("""SELECT ?c ?key WHERE { GRAPH ?g { ?c a fa:Claim ; fa:key ?key } } ORDER BY ?key""")
    reps = store.select("""SELECT ?r ?c WHERE { GRAPH ?g { ?r a fa:Replication ; fa:testsClaim ?c } }""")

st.caption(md_escape("Legend: + towards · − against · 0 none · ? coders disagree · blank: not coded"))
# compact: short challenge keys with a legend, so all challenges show without scrolling
st.markdown(compact_table("Technique", [(t.iri, t.label) for t in techs], [(c, label) for c, _, label in chals],
                          lambda t, c: SYMBOLS.get(matrix.get((t, c), {}).get("value", ""), "")))

disputed = [(t, c) for (t, c), v in matrix.items() if v["value"] == "disputed"]
if disputed:
    tl = {t.iri: t.label for t in techs}
    cl = {c: label for c, _, label in chals}
    st.warning("Coders disagree on: " + md_escape("; ".join(f"{tl.get(t, short(t))} × {cl.get(c, short(c))}"
                                                          for t, c in disputed)))

st.subheader("Set an effect")
k1, k2 = st.columns(2)
tech = k1.selectbox("Technique", [t.iri for t in techs], format_func=shown_as({t.iri: t.label for t in techs}),
                    key="eff_tech")
chal = k2.selectbox("Challenge", [c for c, _, _ in chals], format_func=shown_as({c: lab for c, _, lab in chals}),
                    key="eff_chal")
cell = matrix.get((tech, chal), {"coders": {}, "latest": None})
current = curate.assessments(store, tech, chal)
if current:
    st.dataframe([{"coder": short(a["coder"]), "effect": a["polarity"], "rationale": a["rationale"],
                   "evidence": ", ".join(short(e) for e in a.get("evidence", []))} for a in current],
                 hide_index=True, width="stretch")
else:
    st.caption("Not coded yet.")

tech_obj = next(t for t in techs if t.iri == tech)
evidence_opts = [c["excerpt"] for c in tech_obj.open_codes if c["excerpt"]] + [c["c"] for c in claims] + \
                [r["r"] for r in reps]
with st.form("effect_form"):
    st.radio("Effect", ["towards", "against", "none"], horizontal=True, key="eff_value")
    st.text_area("Rationale", key="eff_rationale")
    st.multiselect("Evidence (excerpts, claims, replications)", evidence_opts, format_func=short,
                              key="eff_evidence")
    st.checkbox("Consensus: replace every coder's current assessment of this cell", key="eff_resolve")
    st.form_submit_button("Save effect", shortcut="s", disabled=not who, help="Save (s)",
                          **action(curate.set_effect, store, who, tech, chal, based_on=cell.get("latest"),
                                   success="Effect saved", keys={"value": "eff_value", "rationale": "eff_rationale",
                                                                 "evidence": "eff_evidence", "resolve": "eff_resolve"}))

if tech and chal:
    with st.expander("History of this cell"):
        events = curate.cell_history(store, tech, chal)
        st.dataframe(history_table(events), hide_index=True, width="stretch")
        undo_latest(store, events, key="eff_undo")

"""Codebook (axial coding): techniques with their open codes; merge, split, rename, define, move; memos."""

from __future__ import annotations

import streamlit as st

from app.common import (
    action,
    history_table,
    md_escape,
    paper_titles,
    read_model,
    require_reviewer,
    short,
    shown_as,
    start_page,
    undo_latest,
)
from pipeline import curate

store = start_page("Codebook")
who = require_reviewer()

with store.session():
    techs = read_model(curate.techniques)  # every read model: once per store revision
    cats = read_model(curate.categories)
    loose = read_model(curate.uncategorised)
    titles = read_model(paper_titles)
tech_label = {t.iri: t.label for t in techs}
cat_label = {c["iri"]: c["label"] for c in cats}

st.subheader(f"Uncategorised open codes ({len(loose)})")
if loose:
    st.caption("Open codes from accepted technique proposals, not yet merged into a refined technique.")
    st.dataframe([{"open code": c["label"], "paper": titles.get(c["paper"], short(c["paper"])), "excerpt": c["text"]}
                  for c in loose], hide_index=True, width="stretch")
    loose_label = {c["iri"]: c["label"] for c in loose}
    st.multiselect("Open codes", list(loose_label), format_func=shown_as(loose_label), key="cb_loose",
                   default=list(loose_label)[:1])
    m1, m2 = st.columns(2)
    with m1.form("refine_into"):
        st.selectbox("Merge into refined technique", list(tech_label), format_func=shown_as(tech_label),
                     key="cb_loose_into")
        st.form_submit_button("Merge into technique", disabled=not who,
                              **action(curate.refine, store, who, success="Open codes merged",
                                       keys={"open_codes_": "cb_loose", "into": "cb_loose_into"}))
    with m2.form("refine_new"):
        st.text_input("... or keep as a new refined technique", key="cb_loose_new")
        st.form_submit_button("Create technique from open codes", disabled=not who,
                              **action(curate.refine, store, who, success="New technique created",
                                       keys={"open_codes_": "cb_loose", "new_label": "cb_loose_new"}))
else:
    st.caption("Every open code is merged into a refined technique.")
st.subheader("Refined techniques")

st.dataframe([{"category": t.category_label, "technique": t.label, "open codes": len(t.open_codes),
               "definition": t.definition} for t in sorted(techs, key=lambda t: (t.category_label, t.label))],
             hide_index=True, width="stretch")

tech_iri = st.selectbox("Technique", list(tech_label), format_func=shown_as(tech_label), key="cb_tech")
page = read_model(curate.code_page, tech_iri)  # all proposals and titles: once per revision
t = page["technique"]
latest = page["history"][-1].iri if page["history"] else None
st.subheader(t.label)
st.caption(f"Category: {t.category_label or '-'} · {len(page['papers'])} paper(s) · {len(page['excerpts'])} excerpt(s)")
st.markdown(md_escape(t.definition or "(no definition)"))

with st.expander("Excerpts and papers under this code", expanded=True):
    st.dataframe([{"paper": short(e["paper"]), "title": e["title"], "excerpt": e["text"], "from": e["source"]}
                  for e in page["excerpts"]], hide_index=True, width="stretch")



def _rename_define(store, who, code, latest, old_label, old_def, label, definition):
    if label != old_label:
        latest = curate.rename(store, who, code, label, based_on=latest)
    if definition != old_def:
        curate.define(store, who, code, definition, based_on=latest)


tabs = st.tabs(["Rename / define", "Category", "Move open code", "Merge", "Split", "Memo", "New", "Suggest merges",
                "History"])
k = t.iri.rsplit("/", 1)[-1]
with tabs[0]:
    with st.form("rename"):
        st.text_input("Label", t.label, key=f"cb_label_{k}")
        st.text_area("Definition", t.definition, key=f"cb_def_{k}")
        st.form_submit_button("Save", disabled=not who,
                              **action(_rename_define, store, who, t.iri, latest, t.label, t.definition, success="Saved",
                                       keys={"label": f"cb_label_{k}", "definition": f"cb_def_{k}"}))
with tabs[1]:
    with st.form("category"):
        st.selectbox("Category (skos:broader)", list(cat_label), format_func=shown_as(cat_label),
                     index=list(cat_label).index(t.category) if t.category in cat_label else 0, key=f"cb_cat_{k}")
        st.form_submit_button("Move technique to category", disabled=not who,
                              **action(curate.set_category, store, who, t.iri, based_on=latest, success="Category set",
                                       keys={"category": f"cb_cat_{k}"}))
with tabs[2]:
    if t.open_codes:
        with st.form("move"):
            st.selectbox("Open code", [c["iri"] for c in t.open_codes], key=f"cb_oc_{k}",
                         format_func=lambda i: next(f"{short(c['iri'])}: {c['text'][:80]}"
                                                    for c in t.open_codes if c["iri"] == i))
            st.selectbox("Refine as", [i for i in tech_label if i != t.iri], format_func=shown_as(tech_label),
                         key=f"cb_to_{k}")
            st.form_submit_button("Move", disabled=not who,
                                  **action(curate.move_code, store, who, success="Open code moved",
                                           keys={"open_code": f"cb_oc_{k}", "to": f"cb_to_{k}"}))
    else:
        st.caption("No open codes.")
with tabs[3]:
    with st.form("merge"):
        st.selectbox(f"Merge '{t.label}' into", [i for i in tech_label if i != t.iri], format_func=shown_as(tech_label),
                     key=f"cb_into_{k}")
        st.form_submit_button("Merge", disabled=not who, help="Its open codes move; it is deprecated",
                              **action(curate.merge, store, who, t.iri, based_on=latest, success="Merged",
                                       keys={"into": f"cb_into_{k}"}))
with tabs[4]:
    with st.form("split"):
        st.text_input("New technique label", key=f"cb_split_label_{k}")
        st.multiselect("Open codes that go to it", [c["iri"] for c in t.open_codes], format_func=short,
                       key=f"cb_split_codes_{k}")
        st.text_area("Definition of the new technique", key=f"cb_split_def_{k}")
        st.form_submit_button("Split", disabled=not who,
                              **action(curate.split, store, who, t.iri, based_on=latest, success="Split",
                                       keys={"label": f"cb_split_label_{k}", "open_codes_": f"cb_split_codes_{k}",
                                             "definition": f"cb_split_def_{k}"}))
with tabs[5]:
    for m in page["memos"]:
        st.caption(f"{m['reviewer']} · {m['time'][:19]}")
        st.text(m["text"])
    with st.form("memo"):
        st.text_area("Memo", key=f"cb_memo_{k}")
        st.form_submit_button("Add memo", disabled=not who,
                              **action(curate.add_memo, store, who, t.iri, success="Memo saved",
                                       keys={"text": f"cb_memo_{k}"}))
with tabs[6]:
    with st.form("new_tech"):
        st.text_input("New technique", key="cb_new_label")
        st.text_area("Definition", key="cb_new_def")
        st.selectbox("Category", list(cat_label), format_func=shown_as(cat_label), key="cb_new_cat")
        st.form_submit_button("Create technique", disabled=not who,
                              **action(curate.create_technique, store, who, success="Technique created",
                                       keys={"label": "cb_new_label", "definition": "cb_new_def",
                                             "category": "cb_new_cat"}))
    with st.form("new_cat"):
        st.text_input("New category", key="cb_newcat_label")
        st.text_area("Definition ", key="cb_newcat_def")
        st.selectbox("Under (optional)", [""] + list(cat_label), format_func=lambda c: cat_label.get(c, "-"),
                     key="cb_newcat_parent")
        st.form_submit_button("Create category", disabled=not who,
                              **action(curate.create_category, store, who, success="Category created",
                                       keys={"label": "cb_newcat_label", "definition": "cb_newcat_def",
                                             "broader": "cb_newcat_parent"}))
with tabs[7]:
    threshold = st.slider("Similarity threshold", 0.5, 0.99, 0.75, 0.01)
    if st.button("Suggest merges (embeds the open codes)"):
        with st.spinner("Embedding open codes..."):
            st.session_state["merge_suggestions"] = curate.suggest_merges(store, threshold)
    result = st.session_state.get("merge_suggestions")
    if result:
        st.caption(result["message"])
        for i, sg in enumerate(result["suggestions"]):
            names = [x["label"] for x in sg["techniques"]]
            st.markdown(md_escape(f"{' + '.join(names)} (similarity {sg['similarity']})"))
            st.dataframe([{"open code": short(c["iri"]), "text": c["text"]} for c in sg["open_codes"]],
                         hide_index=True)
            if sg.get("uncategorised") and sg["techniques"]:
                codes_ = [c["iri"] for c in sg["uncategorised"]]
                st.button(f"Confirm: merge {len(codes_)} uncategorised open code(s) into {names[0]}",
                          key=f"sugg_loose_{i}", disabled=not who,
                          **action(curate.refine, store, who, codes_, sg["techniques"][0]["iri"], success="Merged"))
            if len(sg["techniques"]) >= 2:
                a, b = sg["techniques"][0]["iri"], sg["techniques"][1]["iri"]
                st.button(f"Confirm: merge {names[1]} into {names[0]}", key=f"sugg_{i}", disabled=not who,
                          **action(curate.merge, store, who, b, a, success="Merged"))
with tabs[8]:
    st.dataframe(history_table(page["history"]), hide_index=True, width="stretch")
    undo_latest(store, page["history"], key="cb_undo")

"""AppTest: the workbench fixes of the review's loop (issue items), against a real store."""

from __future__ import annotations

from app.common import md_escape
from pipeline import curate
from pipeline.curate.methods import open_code_of
from pipeline.ingest.testing import P_NONIID, PAPER_A, make_ingested_paper, proposal_node
from pipeline.report.tables import challenges, method_table
from pipeline.vocab import FA, iri, paper_graph, technique

ECD = technique("early-candidate-dropping").value


def button(at, label):
    return next(b for b in at.button if b.label == label)


def signed_in(at):
    return at.session_state["reviewer"] if "reviewer" in at.session_state else None


def include(store, paper):
    for st in ("title-abstract", "full-text"):
        curate.screen(store, "ada", paper, st, "include")


def new_technique_paper(store):
    text = "We cluster clients by label distribution and give each cluster its own controller."
    specs = [{"kind": "technique", "code": ECD, "quote": text[:60], "label": "Per-cluster search controllers"}]
    make_ingested_paper(store, "gamma2025-cluster", "ClusterNAS: per-cluster controllers", "abstract",
                        specs, text=text)
    prop = proposal_node("gamma2025-cluster", specs[0], text)
    with store.transaction() as tx:
        tx.remove(prop, FA.proposesCode, technique("early-candidate-dropping"), paper_graph("gamma2025-cluster"))
    return prop.value, iri("paper", "gamma2025-cluster").value


def test_name_counts_only_when_submitted_and_box_is_gone_while_deciding(app):
    at = app.open("proposals", who=None)
    at.text_input(key="reviewer_input").set_value("dave").run()  # typed, not submitted
    assert button(at, "Accept").disabled and signed_in(at) is None
    at.text_input(key="reviewer_input").set_value("dave")
    button(at, "Use this name").click().run()
    assert signed_in(at) == "dave" and not button(at, "Accept").disabled
    # while deciding there is no name box a shortcut key could type into
    assert not [t for t in at.text_input if t.key == "reviewer_input"]
    button(at, "Change name").click().run()
    box = next(t for t in at.text_input if t.key == "reviewer_input")
    assert box.value == "dave" and signed_in(at) is None


def test_edit_button_opens_the_editor_and_saves_nothing(app, app_store):
    at = app.open("proposals")
    assert not [b for b in at.button if b.label == "Save edit"]
    button(at, "Edit").click().run()
    assert not at.exception and not at.error
    assert [b for b in at.button if b.label == "Save edit"]
    assert curate.history(app_store, P_NONIID) == []  # opening the editor decided nothing


def test_history_undo_button_per_row(app, app_store):
    curate.reject(app_store, "Ada", P_NONIID)
    d2 = curate.accept(app_store, "Ada", P_NONIID)
    at = app.open("history")
    undos = [b for b in at.button if b.key and b.key.startswith("undo_row_")]
    assert len(undos) == 2
    by_key = {b.key: b for b in undos}
    assert by_key[f"undo_row_{d2}"].disabled is False
    assert all(b.disabled for k, b in by_key.items() if k != f"undo_row_{d2}")  # only the latest on its target
    assert any("Non-I.I.D. Training Data" in t.value for t in at.text)  # the target by its label
    by_key[f"undo_row_{d2}"].click().run()
    assert not at.exception
    assert curate.current_status(app_store, P_NONIID) == "rejected"


def test_stale_write_message_uses_labels(app, app_store):
    at = app.open("proposals")
    curate.reject(app_store, "Bob", P_NONIID)
    button(at, "Accept").click().run()
    msg = next(e.value for e in at.error if "Not saved" in e.value)
    assert "https://" not in msg and "Non-I.I.D. Training Data" in msg


def test_effects_matrix_shows_every_challenge_compactly(app, app_store):
    at = app.open("effects")
    n = len(challenges(app_store))
    assert n == 11
    table = next(m.value for m in at.markdown if m.value.startswith("| Technique |"))
    header = table.splitlines()[0]
    assert [h.strip() for h in header.strip("|").split("|")][1:] == [f"C{i}" for i in range(1, 12)]
    for _, _, label in challenges(app_store):
        assert md_escape(label) in table  # the legend names every challenge
    assert not [d for d in at.dataframe if len(d.value.columns) > 6]  # no wide grid to scroll


def test_technique_proposal_shows_its_label(app, app_store):
    prop, paper = new_technique_paper(app_store)
    at = app.open("proposals")
    at.selectbox(key="prop_paper").set_value(paper).run()
    assert any("technique: Per-cluster search controllers" in h.value for h in at.subheader)
    codes = at.dataframe[0].value["code"].tolist()
    assert codes == ["Per-cluster search controllers"]


def test_codebook_merges_an_uncategorised_open_code_and_methods_page_renames(app, app_store):
    prop, paper = new_technique_paper(app_store)
    include(app_store, paper)
    curate.accept(app_store, "Ada", prop)
    at = app.open("codebook")
    assert any("Uncategorised open codes (1)" in h.value for h in at.subheader)
    at.multiselect(key="cb_loose").set_value([open_code_of(prop).value])
    at.text_input(key="cb_loose_new").set_value("Per-cluster controllers")
    button(at, "Create technique from open codes").click().run()
    assert not at.exception
    (m,) = curate.methods_of(app_store, paper)
    assert m.techniques == [technique("per-cluster-controllers").value]
    assert m.iri in dict(method_table(app_store).rows)
    at = app.open("methods")
    at.selectbox(key="method").set_value(m.iri).run()
    at.text_input(key="method_name").set_value("ClusterNAS-v2")
    button(at, "Rename method").click().run()
    assert curate.methods_of(app_store, paper)[0].label == "ClusterNAS-v2"
    button(at, "This paper presents no method").click().run()
    assert curate.methods_of(app_store, paper) == []
    button(at, "Has a method").click().run()
    assert curate.methods_of(app_store, paper)[0].label == "ClusterNAS-v2"


def test_accept_goes_to_the_chosen_method(app, app_store):
    include(app_store, PAPER_A)
    second = curate.add_method(app_store, "Ada", PAPER_A, "FedSuper-Lite")
    at = app.open("proposals")
    at.selectbox(key=f"prop_method_{PAPER_A.value}").set_value(second).run()
    button(at, "Accept").click().run()
    assert not at.exception
    by = {m.iri: m for m in curate.methods_of(app_store, PAPER_A)}
    assert by[second].challenges == [iri("challenge", "non_iid_data").value]


def test_overview_tables_and_gaps_fit_the_page(app, app_store):
    at = app.open("overview")
    tables = [m.value for m in at.markdown if m.value.startswith(("| Method |", "| Technique |"))]
    assert len(tables) == 2 and all("| C11 |" in t for t in tables)
    at.session_state["ov_section"] = "Gaps"
    at.run()
    assert not at.exception
    gaps = next(m.value for m in at.markdown if m.value.startswith("| NAS type |"))
    assert gaps.splitlines()[0].count("| C") == 11
    assert not [d for d in at.dataframe if len(d.value.columns) > 6]  # no wide grid to scroll sideways

"""Every page's main flow in AppTest against a real store; the store is checked after each action."""

from __future__ import annotations

import pytest

from pipeline import curate
from pipeline.ingest.testing import P_NONIID, PAPER_A, PAPER_B
from pipeline.report.tables import technique_cells
from pipeline.vocab import challenge, technique

FAP = technique("federated-architecture-parameter-averaging").value
ECD = technique("early-candidate-dropping").value
BASS = technique("budget-aware-subnet-sampling").value
NONIID = challenge("non_iid_data").value


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_every_page_renders_without_a_name(app):
    for page in ("proposals", "screening", "codebook", "effects", "methods", "overview", "query", "ingest",
                 "history"):
        at = app.open(page, who=None)
        assert not at.exception, (page, at.exception)


def test_decisions_need_a_reviewer_name(app):
    at = app.open("proposals", who=None)
    assert button(at, "Accept").disabled


def test_proposals_accept_reject_undo(app, app_store):
    at = app.open("proposals")
    assert any("**Clients hold non\\-IID data**" in m.value for m in at.markdown)  # evidence highlighted, escaped
    button(at, "Accept").click().run()
    assert not at.exception
    assert curate.current_status(app_store, P_NONIID) == "accepted"
    ev = curate.history(app_store, P_NONIID)[-1]
    assert ev.action == "accept" and ev.reviewer_name == "Ada"
    # the queue moved on to the next proposal: reject it
    second = curate.proposals(app_store, PAPER_A)[1].iri
    button(at, "Reject").click().run()
    assert curate.current_status(app_store, second) == "rejected"
    # back to it (k) and undo from its history
    button(at, "Previous").click().run()
    undo = next(b for b in at.button if b.label.startswith("Undo 'reject'"))
    undo.click().run()
    assert curate.current_status(app_store, second) == "proposed"


def test_proposals_stale_write_is_shown_not_applied(app, app_store):
    at = app.open("proposals")
    curate.reject(app_store, "Bob", P_NONIID)  # another browser decides meanwhile
    button(at, "Accept").click().run()
    assert curate.current_status(app_store, P_NONIID) == "rejected"
    assert any("Not saved" in e.value for e in at.error)


def test_proposals_bulk_accept_and_add_code(app, app_store):
    at = app.open("proposals")
    at.slider(key="bulk_threshold").set_value(0.8).run()
    next(b for b in at.button if b.label.startswith("Accept 2 above")).click().run()
    statuses = {v.iri.rsplit("/", 1)[-1]: v.status for v in curate.proposals(app_store, PAPER_A)}
    assert sorted(statuses.values()).count("accepted") == 2
    at.toggle(key="add_open").set_value(True).run()
    at.selectbox(key="add_kind").set_value("nas_type").run()
    at.text_area(key="add_passage").set_value("DARTS-style continuous relaxation")
    next(b for b in at.button if b.label == "Add code").click().run()
    assert not at.exception
    manual = [v for v in curate.proposals(app_store, PAPER_A) if v.manual]
    assert len(manual) == 1 and manual[0].text == "DARTS-style continuous relaxation"


def test_effects_set_and_undo(app, app_store):
    at = app.open("effects")
    at.selectbox(key="eff_tech").set_value(FAP).run()
    at.selectbox(key="eff_chal").set_value(NONIID).run()
    at.radio(key="eff_value").set_value("against")
    at.text_area(key="eff_rationale").set_value("Averaging <script>alert(1)</script> hurts")
    next(b for b in at.button if b.label == "Save effect").click().run()
    assert not at.exception
    mine = [a for a in curate.assessments(app_store, FAP, NONIID) if a["coder"].endswith("/ada")]
    assert mine and mine[0]["polarity"] == "against"
    assert technique_cells(app_store)[(FAP, NONIID)] == "disputed"  # the seed coder said towards
    assert any("Coders disagree" in w.value for w in at.warning)
    next(b for b in at.button if b.label.startswith("Undo 'effect'")).click().run()
    assert technique_cells(app_store)[(FAP, NONIID)] == "towards"


def test_codebook_merge_rename_memo(app, app_store):
    at = app.open("codebook")
    at.selectbox(key="cb_tech").set_value(ECD).run()
    at.selectbox(key="cb_into_early-candidate-dropping").set_value(BASS)
    next(b for b in at.button if b.label == "Merge").click().run()
    assert not at.exception
    techs = {t.iri: t for t in curate.techniques(app_store)}
    assert ECD not in techs and len(techs[BASS].open_codes) == 4
    at.selectbox(key="cb_tech").set_value(BASS).run()
    at.text_input(key="cb_label_budget-aware-subnet-sampling").set_value("Budget-aware sampling")
    next(b for b in at.button if b.label == "Save").click().run()
    assert {t.iri: t for t in curate.techniques(app_store)}[BASS].label == "Budget-aware sampling"
    at.text_area(key="cb_memo_budget-aware-subnet-sampling").set_value("**not bold** <i>x</i>")
    next(b for b in at.button if b.label == "Add memo").click().run()
    assert curate.memos(app_store, BASS)[0]["text"] == "**not bold** <i>x</i>"
    assert any(t.value == "**not bold** <i>x</i>" for t in at.text)  # shown as text, not markup


def test_screening_dual_with_kappa_and_conflict(app, app_store):
    at = app.open("screening")
    at.selectbox(key="scr_paper").set_value(PAPER_A.value).run()
    button(at, "Include").click().run()
    assert not at.exception
    mine = [d for d in curate.screening_decisions(app_store, PAPER_A.value) if d["reviewer"].endswith("/ada")]
    assert mine[0]["decision"] == "include" and mine[0]["stage"] == "TitleAbstract"
    at.selectbox(key="scr_paper").set_value(PAPER_B.value).run()
    button(at, "Exclude").click().run()
    # a second reviewer in another browser decides blind
    at2 = app.open("screening", who="Bob")
    at2.selectbox(key="scr_paper").set_value(PAPER_A.value).run()
    button(at2, "Include").click().run()
    at2.selectbox(key="scr_paper").set_value(PAPER_B.value).run()
    button(at2, "Include").click().run()
    k = curate.screening_agreement(app_store, "title-abstract", "Ada", "Bob")
    assert k["n"] == 2 and k["kappa"] == pytest.approx(0.0)
    at2.session_state["scr_tab"] = "Agreement"  # each tab is drawn (and re-read) only while open
    at2.run()
    kappa_tables = [d for d in at2.dataframe if "kappa" in d.value.columns]
    assert any(((t.value["reviewer A"] == "ada") & (t.value["reviewer B"] == "bob")).any() for t in kappa_tables)
    at2.session_state["scr_tab"] = "Conflicts"
    at2.run()
    next(b for b in at2.button if b.label == "Resolve").click().run()
    assert not curate.conflicts(app_store, "title-abstract")


def test_query_console_is_read_only(app, app_store):
    at = app.open("query")
    before = app_store.count()
    at.text_area(key="q_text_papers").set_value("DROP ALL").run()
    button(at, "Run").click().run()
    assert at.error and app_store.count() == before
    at.text_area(key="q_text_papers").set_value(
        "SELECT ?t WHERE { GRAPH ?g { ?p a fa:Paper ; dcterms:title ?t } } ORDER BY ?t").run()
    button(at, "Run").click().run()
    assert not at.error
    assert len(at.dataframe[0].value) == 9


def test_overview_and_methods_render(app):
    at = app.open("overview")
    assert not at.exception and len(at.get("download_button")) >= 4
    at = app.open("methods")
    assert not at.exception and at.dataframe


def test_markdown_escape_neutralises_markup():
    from app.common import highlight, md_escape

    s = md_escape("[link](javascript:x) <b>b</b> $x$ :red[y] **z**")
    assert "](" not in s.replace("\\](", "").replace("\\(", "")
    assert highlight("ab cd ef", 3, 5) == "ab **cd** ef"


def test_upload_names_are_safe():
    from app.common import safe_name

    for bad in ("../../etc/passwd", "..\\x.pdf", ".hidden.pdf", "a b;rm -rf.PDF", "\x00evil.bib", ""):
        name = safe_name(bad)
        assert "/" not in name and "\\" not in name and not name.startswith(".")
        assert all(c.isalnum() or c in "._-" for c in name)
    assert safe_name("paper one.PDF").endswith("-paper_one.pdf")
    assert safe_name("x.exe").endswith(".bin")


def test_cli_and_api_agree(app_store):
    from click.testing import CliRunner

    from pipeline.cli import CliContext, cli

    res = CliRunner().invoke(cli, ["curate", "reject", P_NONIID, "--reviewer", "Cli User"],
                             obj=CliContext(app_store.location))
    assert res.exit_code == 0, res.output
    assert curate.current_status(app_store, P_NONIID) == "rejected"
    res = CliRunner().invoke(cli, ["curate", "undo", res.output.strip(), "-r", "Cli User"],
                             obj=CliContext(app_store.location))
    assert res.exit_code == 0 and curate.current_status(app_store, P_NONIID) == "proposed"
    res = CliRunner().invoke(cli, ["curate", "history", P_NONIID], obj=CliContext(app_store.location))
    assert "reject" in res.output and "(undone)" in res.output

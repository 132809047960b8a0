"""The curation API against a real store: every decision type, undo, stale writes."""

from __future__ import annotations

import json

import pytest

from pipeline import curate
from pipeline.errors import InputError, QueryError, StaleWriteError
from pipeline.ingest.snowball import backward_candidates
from pipeline.ingest.testing import P_HW, P_NAS, P_NONIID, P_TECH, PAPER_A, PAPER_B, PROPOSALS_A
from pipeline.ingest.unmerge import mark_duplicate
from pipeline.report.tables import technique_cells
from pipeline.vocab import CURATION_GRAPH, challenge, iri, paper_graph, technique

FAP = technique("federated-architecture-parameter-averaging").value
BASS = technique("budget-aware-subnet-sampling").value
ECD = technique("early-candidate-dropping").value
NONIID = challenge("non_iid_data").value


def graph_count(store, g=CURATION_GRAPH):
    return store.count(g)


def test_accept_records_attributed_event_and_status(store):
    assert curate.current_status(store, P_NONIID) == "proposed"
    d = curate.accept(store, "Ada Lovelace", P_NONIID, based_on=None)
    assert curate.current_status(store, P_NONIID) == "accepted"
    rows = store.select(f"""SELECT ?a ?who ?t ?payload WHERE {{ GRAPH <{CURATION_GRAPH.value}> {{
        <{d}> a fa:Decision ; fa:action ?a ; prov:wasAssociatedWith ?who ; prov:endedAtTime ?t ;
        fa:target <{P_NONIID}> ; fa:payload ?payload }} }}""")
    assert rows[0]["a"] == "accept" and rows[0]["who"].endswith("/reviewer/ada-lovelace")
    assert json.loads(rows[0]["payload"])["paper"] == PAPER_A.value
    # the machine's status in the paper graph is untouched
    assert store.select(f"SELECT ?s WHERE {{ GRAPH <{paper_graph('alpha2024-fedsuper').value}> "
                        f"{{ <{P_NONIID}> fa:status ?s }} }}")[0]["s"].endswith("StatusProposed")


def test_reject_then_undo_restores_previous_state(store):
    a = curate.accept(store, "ada", P_HW)
    r = curate.reject(store, "bob", P_HW, based_on=a, reason="speculative")
    assert curate.current_status(store, P_HW) == "rejected"
    curate.undo(store, "ada", r)
    assert curate.current_status(store, P_HW) == "accepted"
    hist = curate.history(store, P_HW)
    assert [e.action for e in hist] == ["accept", "reject", "undo"]
    assert hist[1].undone_by == hist[2].iri and hist[2].reviewer_name == "ada"
    curate.undo(store, "ada", a)
    assert curate.current_status(store, P_HW) == "proposed"
    with pytest.raises(InputError):
        curate.undo(store, "ada", a)  # already undone


def test_undo_only_walks_back_from_the_latest(store):
    a = curate.accept(store, "ada", P_HW)
    curate.reject(store, "ada", P_HW)
    with pytest.raises(InputError, match="later decision"):
        curate.undo(store, "ada", a)


def test_stale_write_detected_and_nothing_written(store):
    seen = curate.latest_decision(store, P_NAS)  # both sessions load the same state
    assert seen is None
    curate.accept(store, "ada", P_NAS, based_on=seen)
    before = graph_count(store)
    with pytest.raises(StaleWriteError):
        curate.reject(store, "bob", P_NAS, based_on=seen)
    assert graph_count(store) == before
    assert curate.current_status(store, P_NAS) == "accepted"


def test_reingest_keeps_human_decisions(store):
    from pipeline.ingest.testing import make_ingested_paper

    curate.reject(store, "ada", P_TECH)
    make_ingested_paper(store, "alpha2024-fedsuper", "FedSuper (v2)", "re-ingested", PROPOSALS_A)
    assert curate.current_status(store, P_TECH) == "rejected"
    assert curate.current_status(store, P_NONIID) == "proposed"


def test_edit_changes_code_and_widens_excerpt(store):
    v = curate.get(store, P_TECH) if hasattr(curate, "get") else None
    from pipeline.curate.proposals import get

    v = get(store, P_TECH)
    curate.edit(store, "ada", P_TECH, code=ECD, start=v.start - 20, end=v.end + 8)
    w = get(store, P_TECH)
    assert w.status == "edited" and w.code == ECD
    assert w.start == v.start - 20 and w.text.endswith(v.text + " weights"[:0] + w.text[-8:])
    assert v.text in w.text and len(w.text) == len(v.text) + 28
    curate.undo(store, "ada", curate.latest_decision(store, P_TECH))
    x = get(store, P_TECH)
    assert (x.status, x.code, x.start, x.end) == ("proposed", BASS, v.start, v.end)


def test_add_code_from_selected_text(store):
    n_before = len(curate.proposals(store, PAPER_A))
    curate.add_code(store, "ada", PAPER_A, "nas_type", iri("nastype", "gradient_based"),
                    text="DARTS-style continuous relaxation")
    views = curate.proposals(store, PAPER_A)
    manual = [v for v in views if v.manual]
    assert len(views) == n_before + 1 and manual[0].status == "accepted"
    text = curate.paper_text(store, PAPER_A)
    assert text[manual[0].start:manual[0].end] == "DARTS-style continuous relaxation"
    with pytest.raises(InputError):
        curate.add_code(store, "ada", PAPER_A, "nas_type", iri("nastype", "gradient_based"), text="not in paper")


def test_bulk_accept_above_score_in_one_transaction(store):
    seen = {v.iri: v.latest for v in curate.proposals(store, PAPER_A)}
    done = curate.bulk_accept(store, "ada", PAPER_A, 0.8, seen=seen)
    assert len(done) == 2
    status = {v.iri: v.status for v in curate.proposals(store, PAPER_A)}
    assert status[P_NONIID] == status[P_HW] == "accepted" and status[P_NAS] == "proposed"
    # a stale view of one proposal fails the whole batch
    curate.accept(store, "bob", P_NAS)
    before = graph_count(store)
    with pytest.raises(StaleWriteError):
        curate.bulk_accept(store, "ada", PAPER_A, 0.5, seen=seen)
    assert graph_count(store) == before


def test_effect_set_invalidates_own_previous_and_disagreement(store):
    d1 = curate.set_effect(store, "ada", FAP, NONIID, "against", "averaging mixes clients' optima")
    cells = technique_cells(store)
    assert cells[(FAP, NONIID)] == "disputed"  # the seed coder said towards
    curate.set_effect(store, "ada", FAP, NONIID, "towards", "on reflection it helps", based_on=d1)
    mine = [a for a in curate.assessments(store, FAP, NONIID) if a["coder"].endswith("/ada")]
    assert len(mine) == 1 and mine[0]["polarity"] == "towards"
    assert technique_cells(store)[(FAP, NONIID)] == "towards"
    d3 = curate.set_effect(store, "bob", FAP, NONIID, "none", "no effect", based_on=curate.latest_decision(
        store, curate.cell(FAP, NONIID)))
    assert (FAP, NONIID) in {(t, c) for t, c, _ in curate.disagreements(store)}
    curate.undo(store, "bob", d3)
    assert technique_cells(store)[(FAP, NONIID)] == "towards"
    curate.set_effect(store, "carol", FAP, NONIID, "none", "consensus meeting", resolve=True)
    assert technique_cells(store)[(FAP, NONIID)] == "none"
    with pytest.raises(InputError):
        curate.set_effect(store, "ada", FAP, NONIID, "towards", "  ")


def test_codebook_rename_define_move_merge_split_memo(store):
    curate.rename(store, "ada", FAP, "Architecture averaging")
    curate.define(store, "ada", FAP, "Average architecture parameters across clients.")
    t = {x.iri: x for x in curate.techniques(store)}[FAP]
    assert (t.label, t.definition) == ("Architecture averaging", "Average architecture parameters across clients.")
    cat = curate.create_category(store, "ada", "Search-space shaping", "How the space is restricted")
    curate.set_category(store, "ada", FAP, cat)
    assert {x.iri: x for x in curate.techniques(store)}[FAP].category == cat
    new = curate.create_technique(store, "ada", "Layer freezing", "Freeze early layers", cat)
    codes = {x.iri: x for x in curate.techniques(store)}[ECD].open_codes
    assert codes
    curate.move_code(store, "ada", codes[0]["iri"], new)
    assert {x.iri: x for x in curate.techniques(store)}[new].open_codes[0]["iri"] == codes[0]["iri"]
    m = curate.merge(store, "ada", new, ECD)
    techs = {x.iri: x for x in curate.techniques(store)}
    assert new not in techs and codes[0]["iri"] in [c["iri"] for c in techs[ECD].open_codes]
    curate.undo(store, "ada", m)
    assert new in {x.iri for x in curate.techniques(store)}
    src = {x.iri: x for x in curate.techniques(store)}[BASS]
    split_new = curate.split(store, "ada", BASS, "Memory-aware sampling", [src.open_codes[0]["iri"]])
    techs = {x.iri: x for x in curate.techniques(store)}
    assert [c["iri"] for c in techs[split_new].open_codes] == [src.open_codes[0]["iri"]]
    memo = curate.add_memo(store, "ada", FAP, "Check with <b>Bob</b>")
    page = curate.code_page(store, FAP)
    assert page["memos"][0]["text"] == "Check with <b>Bob</b>"
    assert curate.code_page(store, ECD)["excerpts"]
    assert [e.action for e in page["history"]] == ["rename", "define", "categorise", "memo"]
    assert memo


def test_screening_dual_kappa_conflict_and_prisma(store):
    papers_ = [PAPER_A.value, PAPER_B.value]
    curate.screen(store, "ada", papers_[0], "title-abstract", "include")
    curate.screen(store, "bob", papers_[0], "title-abstract", "include")
    curate.screen(store, "ada", papers_[1], "title-abstract", "include")
    curate.screen(store, "bob", papers_[1], "title-abstract", "exclude")
    k = curate.screening_agreement(store, "title-abstract", "ada", "bob")
    # 2 items: po = 1/2; pe = (2/2*1/2) + (0*1/2) = 1/2 -> kappa 0
    assert k["n"] == 2 and k["kappa"] == pytest.approx(0.0)
    assert [c["paper"] for c in curate.conflicts(store, "title-abstract")] == [papers_[1]]
    curate.resolve(store, "carol", papers_[1], "title-abstract", "exclude")
    assert not curate.conflicts(store, "title-abstract")
    with pytest.raises(InputError, match="reason"):
        curate.screen(store, "ada", papers_[0], "full-text", "exclude")
    curate.screen(store, "ada", papers_[0], "full-text", "include")
    counts = curate.prisma_counts(store)
    # seed: 6 records (protocol excluded), 3 included, 3 excluded at full text; + 2 ingested
    assert counts["identified"] == 8 and counts["identified_by_source"]["database"] == 2
    assert counts["excluded_screening"] == 1 and counts["included"] == 4
    assert counts["excluded_reports"] == 3
    assert counts["exclusion_reasons"] == {"Not a FedNAS method (centralised NAS)": 3}
    mark_duplicate(store, "ada", papers_[1], papers_[0])
    assert curate.prisma_counts(store)["duplicates"] == 1


def test_screen_change_of_mind_has_history_and_undo(store):
    d1 = curate.screen(store, "ada", PAPER_A, "title-abstract", "include")
    d2 = curate.screen(store, "ada", PAPER_A, "title-abstract", "exclude", based_on=d1)
    node = curate.history(store, curate.screening_decisions(store, PAPER_A.value)[0]["node"])
    assert [e.iri for e in node] == [d1, d2]
    curate.undo(store, "ada", d2)
    assert curate.screening_decisions(store, PAPER_A.value)[0]["decision"] == "include"


def test_snowballing_candidates_become_records(store):
    from pipeline.vocab import CITO, DCTERMS, FA, RDF, lit, paper_graph

    ref = iri("reference", "alpha/1")
    tx = store.transaction()
    for s, p, o in ((PAPER_A, CITO.cites, ref), (ref, RDF.type, FA.Reference),
                    (ref, DCTERMS.title, lit("Once-for-All: Train One Network"))):
        tx.add(s, p, o, paper_graph("alpha2024-fedsuper"))
    store.commit(tx)
    curate.screen(store, "ada", PAPER_A, "title-abstract", "include")
    assert not backward_candidates(store)
    curate.screen(store, "ada", PAPER_A, "full-text", "include")
    cands = backward_candidates(store)
    assert [c["title"] for c in cands] == ["Once-for-All: Train One Network"]
    p = curate.add_record(store, "ada", cands[0]["title"], source="backward", cited_by=cands[0]["cited_by"])
    assert not backward_candidates(store)
    assert curate.prisma_counts(store)["identified_by_source"]["backward"] == 1
    assert any(r["paper"] == p and r["TitleAbstract"] is None for r in curate.records(store))


def test_exclusion_reasons_editable(store):
    base = curate.exclusion_reasons(store)
    assert "Full text not available" in base
    curate.set_exclusion_reasons(store, "ada", base + ["Wrong population"])
    assert "Wrong population" in curate.exclusion_reasons(store)


def test_reviewer_names_validated(store):
    with pytest.raises(InputError):
        curate.accept(store, "   ", P_NONIID)
    with pytest.raises(InputError):
        curate.accept(store, "ada", "not an iri> . <x")


@pytest.mark.parametrize("q", [
    "INSERT DATA { <a:b> <a:c> <a:d> }", "PREFIX x: <http://x#> DELETE WHERE { ?s ?p ?o }",
    "SELECT * WHERE { SERVICE <http://evil/> { ?s ?p ?o } }", "DROP ALL", "# SELECT\nCLEAR DEFAULT",
    "LOAD <http://x>", "  copy default to <a:b>"])
def test_query_guard_refuses_updates(q):
    with pytest.raises(QueryError):
        curate.check_read_only(q)


@pytest.mark.parametrize("q", [
    "SELECT ?add WHERE { ?add ?p 'DELETE' } # insert", "PREFIX ex: <http://ex.org/x#INSERT>\nASK { ?s ?p ?o }",
    "construct { ?s ?p ?o } where { ?s ?p ?o } limit 1", "DESCRIBE <http://a/b>"])
def test_query_guard_lets_reads_through(store, q):
    curate.check_read_only(q)
    result = curate.run_read_only(store, q)
    if q.lstrip().upper().startswith(("PREFIX", "ASK")) and "ASK" in q:
        assert result is True  # the store holds triples
    elif q.lower().startswith("construct"):
        assert isinstance(result, list) and len(result) == 1  # LIMIT 1 on a non-empty store
    else:
        assert isinstance(result, list)  # rows (SELECT) or triples (DESCRIBE)
    assert store.count(CURATION_GRAPH) == 0  # a read never writes

"""Methods from included papers, open codes from accepted technique proposals, and what follows."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline import curate
from pipeline.curate.methods import METHODS_GRAPH, default_name, open_code_of
from pipeline.errors import InputError
from pipeline.ingest.testing import P_HW, P_NAS, P_NONIID, P_TECH, PAPER_A, PAPER_B, make_ingested_paper, proposal_node
from pipeline.report.analysis import gap_matrix
from pipeline.report.tables import method_table
from pipeline.vocab import FA, challenge, iri, nas_type, paper_graph, technique

NONIID, HW = challenge("non_iid_data").value, challenge("hardware_heterogeneity").value
SUPERNET = nas_type("one_shot_supernet").value
BASS = technique("budget-aware-subnet-sampling").value
ECD = technique("early-candidate-dropping").value
DRN = technique("dynamic-round-numbers").value


def include(store, paper, who="ada"):
    return [curate.screen(store, who, paper, st, "include") for st in ("title-abstract", "full-text")]


@pytest.mark.parametrize("title, name", [
    ("FedSuper: supernets for federated NAS", "FedSuper"),
    ("Towards FedNAS on mobile devices with tight budgets", "FedNAS"),
    ("Federated Neural Architecture Search for edge devices", "Federated Neural Architecture Search for ..."),
    ("", "Unnamed method")])
def test_default_name_from_acronym_or_short_title(title, name):
    assert default_name(title) == name


def test_method_created_on_full_text_inclusion_and_codes_attach(store):
    assert curate.methods_of(store, PAPER_A) == []
    ta, ft = include(store, PAPER_A)
    (m,) = curate.methods_of(store, PAPER_A)
    assert (m.label, m.origin) == ("FedSuper", "default")
    before = gap_matrix(store).count(NONIID, SUPERNET)
    for p in (P_NONIID, P_NAS):
        curate.accept(store, "ada", p)
    (m,) = curate.methods_of(store, PAPER_A)
    assert m.challenges == [NONIID] and m.nas_types == [SUPERNET] and m.techniques == []
    assert gap_matrix(store).count(NONIID, SUPERNET) == before + 1  # hand count: one more method
    assert m.iri not in dict(method_table(store).rows)  # no coded technique yet: no row
    curate.accept(store, "ada", P_TECH)  # matched to a refined technique
    assert dict(method_table(store).rows)[m.iri] == "FedSuper"
    # undoing the full-text inclusion removes the method and its contributions
    curate.undo(store, "ada", ft)
    assert curate.methods_of(store, PAPER_A) == []
    assert gap_matrix(store).count(NONIID, SUPERNET) == before
    assert m.iri not in dict(method_table(store).rows)


def test_rename_split_assign_none_and_undo(store):
    include(store, PAPER_A)
    first = curate.methods_of(store, PAPER_A)[0].iri
    d = curate.rename_method(store, "ada", first, "FedSuper-Full")
    assert curate.methods_of(store, PAPER_A)[0].label == "FedSuper-Full"
    curate.undo(store, "ada", d)
    assert curate.methods_of(store, PAPER_A)[0].label == "FedSuper"
    second = curate.add_method(store, "ada", PAPER_A, "FedSuper-Lite")
    with pytest.raises(InputError):
        curate.add_method(store, "ada", PAPER_A, "FedSuper-Lite")
    with pytest.raises(InputError):
        curate.add_method(store, "ada", PAPER_B, "Not included")
    curate.accept(store, "ada", P_NONIID)
    curate.accept_into(store, "ada", P_HW, second)
    by = {m.iri: m for m in curate.methods_of(store, PAPER_A)}
    assert by[first].challenges == [NONIID] and by[second].challenges == [HW]
    a = curate.assign(store, "ada", P_NONIID, second)
    assert {m.iri: m for m in curate.methods_of(store, PAPER_A)}[second].challenges == [HW, NONIID]
    curate.undo(store, "ada", a)
    assert {m.iri: m for m in curate.methods_of(store, PAPER_A)}[second].challenges == [HW]
    with pytest.raises(InputError):
        curate.assign(store, "ada", P_NONIID, "https://w3id.org/fedatlas/id/method/xu-fednas")
    n = curate.mark_no_method(store, "ada", PAPER_A)
    assert curate.methods_of(store, PAPER_A) == []
    assert not store.ask(f"ASK {{ GRAPH <{METHODS_GRAPH.value}> {{ {PAPER_A} fa:presentsMethod ?m }} }}")
    curate.undo(store, "ada", n)
    assert {m.iri for m in curate.methods_of(store, PAPER_A)} == {first, second}


def _new_technique_proposal(store):
    """A technique proposal the way ingest writes an unmatched one: a label, no refined code."""
    text = "We cluster clients by label distribution and give each cluster its own controller."
    specs = [{"kind": "technique", "code": BASS, "quote": text[:60], "label": "Per-cluster search controllers"}]
    make_ingested_paper(store, "gamma2025-cluster", "ClusterNAS: per-cluster controllers", "abstract",
                        specs,
                        text=text)
    prop = proposal_node("gamma2025-cluster", specs[0], text)
    g = paper_graph("gamma2025-cluster")
    with store.transaction() as tx:
        tx.remove(prop, FA.proposesCode, technique("budget-aware-subnet-sampling"), g)
    return prop.value, iri("paper", "gamma2025-cluster")


def test_accepted_technique_becomes_open_code_and_method_follows_merge_and_split(store):
    prop, paper = _new_technique_proposal(store)
    view = next(v for v in curate.proposals(store, paper) if v.iri == prop)
    assert view.code == "" and view.code_label == "Per-cluster search controllers"  # not a blank code
    include(store, paper)
    curate.accept(store, "ada", prop)
    oc = open_code_of(prop).value
    loose = {c["iri"]: c for c in curate.uncategorised(store)}
    assert loose[oc]["label"] == "Per-cluster search controllers" and loose[oc]["text"].startswith("We cluster")
    (m,) = curate.methods_of(store, paper)
    assert loose[oc]["method"] == m.iri and m.techniques == []
    curate.refine(store, "ada", [oc], into=ECD)
    assert oc not in {c["iri"] for c in curate.uncategorised(store)}
    assert curate.methods_of(store, paper)[0].techniques == [ECD]
    assert m.iri in dict(method_table(store).rows)
    curate.merge(store, "ada", ECD, DRN)  # technique merge: the method follows
    table = method_table(store)
    assert store.ask(f"ASK {{ <{m.iri}> fa:usesTechnique <{DRN}> }}")
    assert table.value(m.iri, challenge("limited_communication").value) != ""
    new = curate.split(store, "ada", DRN, "Cluster controllers", [oc])
    assert curate.methods_of(store, paper)[0].techniques == [new]
    # keep as a new technique straight away
    with pytest.raises(InputError):
        curate.refine(store, "ada", [oc])
    t2 = curate.refine(store, "ada", [oc], new_label="Controllers per client cluster")
    assert curate.methods_of(store, paper)[0].techniques == [t2]
    assert t2 in {t.iri for t in curate.techniques(store)}


def test_merge_suggestions_cover_uncategorised_open_codes(store):
    prop, paper = _new_technique_proposal(store)
    include(store, paper)
    curate.accept(store, "ada", prop)

    def encode(texts):
        return np.array([[1.0, 0.0] if ("cluster" in t.lower() or "group" in t.lower()) else [0.0, 1.0]
                         for t in texts])

    out = curate.suggest_merges(store, threshold=0.9, encode=encode)
    hit = [s for s in out["suggestions"] if any(c["iri"] == open_code_of(prop).value for c in s["uncategorised"])]
    assert hit and any("Client groups" in t["label"] for t in hit[0]["techniques"])


def test_saved_queries_count_curated_methods(store):
    from pipeline.store.corpus import corpus_dir

    queries = corpus_dir() / "queries"

    def rows(name):
        return curate.run_read_only(store, (queries / f"{name}.rq").read_text(encoding="utf-8"))

    def labels(rs, var):
        return {str(r[var].value) for r in rs if r.get(var) is not None}

    assert "FedSuper" not in labels(rows("methods_by_nas_type_and_challenge"), "methodLabel")
    gaps_before = len(rows("nas_type_challenge_gaps"))
    include(store, PAPER_A)
    for p in (P_NONIID, P_NAS, P_TECH):
        curate.accept(store, "ada", p)
    combos = [r for r in rows("methods_by_nas_type_and_challenge") if str(r["methodLabel"].value) == "FedSuper"]
    assert [(r["nasTypeKey"].value, r["challengeKey"].value) for r in combos] == [("one_shot_supernet", "non_iid_data")]
    assert len(rows("nas_type_challenge_gaps")) == gaps_before - 1  # hand count: one (type, challenge) pair filled


def _methods_graph(store):
    return {(r["s"], r["p"], r["o"]) for r in store.select(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH <{METHODS_GRAPH.value}> {{ ?s ?p ?o }} }}")}


def _derived(store):
    from pipeline.curate.methods import derived_triples

    return {tuple(t.value for t in triple) for triple in derived_triples(store)}


def test_screening_that_keeps_the_included_set_skips_the_rewrite_and_the_graph_stays_derived(store, monkeypatch):
    from pipeline.curate import methods

    include(store, PAPER_A)  # changes the included set: the methods graph is rewritten
    assert _methods_graph(store) == _derived(store) and _derived(store)
    rewrites = []
    real = methods.refresh
    monkeypatch.setattr(methods, "refresh", lambda s: rewrites.append(1) or real(s))
    d = curate.screen(store, "bob", PAPER_B, "title-abstract", "include")  # the included set stays
    curate.undo(store, "bob", d)
    assert rewrites == [] and _methods_graph(store) == _derived(store)
    # a title/abstract decision can still change the included set (a conflict at title/abstract)
    d = curate.screen(store, "bob", PAPER_A, "title-abstract", "exclude")
    assert rewrites == [1] and PAPER_A not in curate.screening.included_papers(store)
    assert _methods_graph(store) == _derived(store)
    curate.undo(store, "bob", d)
    assert rewrites == [1, 1] and _methods_graph(store) == _derived(store)
    curate.rename_method(store, "ada", curate.methods_of(store, PAPER_A)[0].iri, "FedSuper-Full")  # not screening
    assert rewrites == [1, 1, 1] and _methods_graph(store) == _derived(store)

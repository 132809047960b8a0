"""Read models cached per store revision: a hit while nothing changed, a fresh read after a write the
cache cannot follow, and a kept or patched model that equals a fresh read after each kind of decision."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import Quad

from pipeline import curate
from pipeline.curate import events_model, proposals_model, readmodel, records_model
from pipeline.curate.proposals import paper_titles, papers, proposals
from pipeline.ingest.testing import P_NAS, P_NONIID, P_TECH, PAPER_A, PAPER_B
from pipeline.ingest.unmerge import mark_duplicate, not_duplicate
from pipeline.store.embedded import EmbeddedStore
from pipeline.vocab import FA, RDF, challenge, iri

ROOT = Path(__file__).resolve().parents[2]


def _fresh(store):
    """Every followed read model, read from the store now (nothing cached)."""
    return {"records": curate.screening.records(store), "papers": papers(store),
            "proposals": proposals(store), "proposals_a": proposals(store, PAPER_A.value),
            "events": events_model.all_events(store), "titles": paper_titles(store),
            "methods": curate.method_views(store), "prisma": curate.prisma_counts(store),
            "labels": curate.code_labels(store)}


def _cached(store):
    return {"records": records_model.records(store), "papers": proposals_model.papers(store),
            "proposals": readmodel.get(store, proposals),
            "proposals_a": proposals_model.proposals(store, PAPER_A.value),
            "events": events_model.events(store), "titles": readmodel.get(store, paper_titles),
            "methods": readmodel.get(store, curate.method_views), "prisma": curate.prisma_counts(store),
            "labels": readmodel.get(store, curate.code_labels)}


def _same(store):
    cached, fresh = _cached(store), _fresh(store)
    for name in fresh:
        assert cached[name] == fresh[name], name


@pytest.fixture
def counted():
    calls: list[str] = []

    def model(store):
        calls.append(store.revision())
        return curate.screening.records(store)

    return model, calls


def test_a_rerun_without_a_write_reads_nothing_again(store, counted):
    model, calls = counted
    first = readmodel.get(store, model)
    assert readmodel.get(store, model) is first and len(calls) == 1
    store.select("SELECT ?p WHERE { GRAPH ?g { ?p a fa:Paper } }")  # a read leaves the revision alone
    assert readmodel.get(store, model) is first and len(calls) == 1


def test_a_write_by_another_handle_without_a_note_means_a_fresh_read(store, counted):
    model, calls = counted
    records_model.records(store)
    readmodel.get(store, model)
    other = EmbeddedStore(store.location)  # a raw write (an ingest, a load): nothing the cache can follow
    tx = other.transaction()
    tx.add_quads([Quad(iri("paper", "raw-record"), RDF.type, FA.Paper, iri("graph", "raw"))])
    other.commit(tx)
    before = dict(readmodel.STATS)
    recs = records_model.records(store)
    assert readmodel.STATS["read"] == before["read"] + 1 and readmodel.STATS["patched"] == before["patched"]
    assert iri("paper", "raw-record").value in {r["paper"] for r in recs}
    assert recs == curate.screening.records(store)
    readmodel.get(store, model)
    assert len(calls) == 2  # a model without a Spec is read again after any write


def test_a_decision_in_another_process_is_seen_at_the_next_read(store):
    recs = records_model.records(store)
    assert not any(d["reviewer"].endswith("/other-process") for r in recs for d in r["decisions"])
    code = ("from pipeline import curate; from pipeline.store import open_store; import sys; "
            "curate.screen(open_store(sys.argv[1]), 'Other Process', sys.argv[2], 'title-abstract', 'exclude')")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    # no timeout of its own: the suite-wide pytest-timeout guards against a hang
    subprocess.run([sys.executable, "-c", code, store.location, PAPER_B.value], check=True, env=env)
    after = records_model.records(store)
    assert after == curate.screening.records(store)
    rec = next(r for r in after if r["paper"] == PAPER_B.value)
    assert any(d["reviewer"].endswith("/other-process") and d["decision"] == "exclude" for d in rec["decisions"])


def test_models_follow_each_kind_of_decision_and_equal_a_fresh_read(store):
    _same(store)
    steps = [
        lambda: curate.accept(store, "Ada", P_NONIID),
        lambda: curate.reject(store, "Ada", P_NAS),
        lambda: curate.edit(store, "Ada", P_TECH, start=0, end=40),
        lambda: curate.screen(store, "Ada", PAPER_A, "title-abstract", "include"),
        lambda: curate.screen(store, "Bob", PAPER_A, "title-abstract", "exclude"),
        lambda: curate.resolve(store, "Cy", PAPER_A, "title-abstract", "include"),
        lambda: curate.screen(store, "Ada", PAPER_A, "full-text", "include"),
        lambda: curate.add_code(store, "Ada", PAPER_A, "challenge", challenge("non_iid_data"), start=0, end=30),
        lambda: mark_duplicate(store, "Ada", PAPER_B, PAPER_A),
        lambda: not_duplicate(store, "Ada", PAPER_B.value, of=PAPER_A.value),  # drops the duplicateOf again
        lambda: mark_duplicate(store, "Ada", PAPER_B, PAPER_A),
        lambda: curate.add_record(store, "Ada", "A Record Added By Hand", abstract="About federated search."),
    ]
    before = dict(readmodel.STATS)
    for step in steps:
        step()
        _same(store)
    assert readmodel.STATS["patched"] > before["patched"] and readmodel.STATS["kept"] > before["kept"]
    # undo walks back every one of them, the models following each step
    for target in (iri("paper", "a-record-added-by-hand"), PAPER_B, PAPER_A):
        for event in reversed(curate.history(store, target)):
            if event.action != "undo" and not event.undone_by:
                curate.undo(store, "Ada", event.iri)
                _same(store)
    for decided in curate.recent(store, limit=1000):
        stack = curate.effective_stack(curate.history(store, decided.target))
        if stack:
            curate.undo(store, "Ada", stack[-1].iri)
            _same(store)


def test_changes_name_the_undone_action_and_the_papers():
    from pipeline.curate.events import Op, changes

    op = Op("undo", iri("screening", "x/TitleAbstract/ada"), {"undone_action": "screen", "paper": PAPER_A.value})
    ((action, iris),) = changes([op])
    assert action == "screen" and PAPER_A.value in iris
    assert readmodel.touched([(action, iris)], "paper") == {PAPER_A.value}

"""Read models are cached per store revision: a rerun without a write reads nothing again, and
every decision (in the app or from another handle on the store) shows at the next run."""

from __future__ import annotations

from pyoxigraph import Quad

from pipeline import curate
from pipeline.curate import records_model
from pipeline.ingest.testing import PAPER_A
from pipeline.store.embedded import EmbeddedStore
from pipeline.vocab import FA, RDF, iri


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def test_records_are_read_once_and_followed_through_decisions(app, app_store, monkeypatch):
    """Every record is read once; a rerun reads nothing, a decision re-reads only its record, and only
    a write the cache cannot follow (a raw write from another handle) reads them all again."""
    from pipeline.curate import screening

    full_reads = []
    real = screening.decisions

    def counting(store, paper=None, papers=None):
        if paper is None and papers is None:
            full_reads.append(store.revision())
        return real(store, paper, papers)

    monkeypatch.setattr(screening, "decisions", counting)
    at = app.open("screening")
    at.toggle(key="scr_todo").set_value(False).run()
    at.selectbox(key="scr_paper").set_value(PAPER_A.value).run()
    n = len(full_reads)
    at.run()
    at.run()
    assert len(full_reads) == n  # reruns without a write: the cached records
    _button(at, "Include").click().run()
    assert len(full_reads) == n  # the app's own decision: its record re-read, the others kept
    assert any(i.value.startswith("Your decision: include") for i in at.info)
    curate.screen(app_store, "Ada", PAPER_A, "title-abstract", "exclude")  # another handle, as a CLI would
    at.run()
    assert any(i.value.startswith("Your decision: exclude") for i in at.info)
    other = EmbeddedStore(app_store.location)  # a raw write: nothing to follow, everything read again
    tx = other.transaction()
    tx.add_quads([Quad(iri("paper", "raw-write"), RDF.type, FA.Paper, iri("graph", "raw"))])
    other.commit(tx)
    at.run()
    assert len(full_reads) == n + 1 and full_reads[-1] == app_store.revision()
    assert records_model.records(app_store) == screening.records(app_store)

"""The store's revision token: every write changes it (in any process), reads never do."""

from __future__ import annotations

from pyoxigraph import Quad

from pipeline import curate
from pipeline.store import open_store
from pipeline.store.embedded import EmbeddedStore
from pipeline.vocab import FA, RDF, iri


def test_revision_changes_on_every_write_and_never_on_a_read(seeded_store):
    store = seeded_store
    seen = [store.revision()]
    tx = store.transaction()
    tx.add(iri("paper", "rev-a"), RDF.type, FA.Paper, iri("graph", "rev-test"))
    store.commit(tx)
    seen.append(store.revision())
    store.select("SELECT ?p WHERE { GRAPH ?g { ?p a fa:Paper } }")
    curate.records(store)
    assert store.revision() == seen[-1]  # reads leave it alone: cached read models stay valid
    store.load(b"<https://w3id.org/fedatlas/id/paper/rev-b> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
               b"<https://w3id.org/fedatlas/ontology#Paper> .",
               "ntriples", graph=iri("graph", "rev-test"))
    seen.append(store.revision())
    p = curate.add_record(store, "Ada", "Revision Token Record")
    seen.append(store.revision())
    curate.screen(store, "Ada", p, "title-abstract", "include")
    seen.append(store.revision())
    assert len(set(seen)) == len(seen), seen
    assert store.count(iri("graph", "rev-test")) == 2


def test_another_handle_on_the_same_store_sees_the_writers_revision(seeded_store):
    """The app and a CLI ingest are different processes: the token lives with the store, not in memory."""
    other = EmbeddedStore(seeded_store.location)
    before = other.revision()
    tx = seeded_store.transaction()
    tx.add_quads([Quad(iri("paper", "rev-c"), RDF.type, FA.Paper, iri("graph", "rev-test"))])
    seeded_store.commit(tx)
    assert other.revision() != before and other.revision() == seeded_store.revision()
    assert open_store(seeded_store.location).revision() == seeded_store.revision()

"""A query that names its dataset (FROM / FROM NAMED) reads exactly those graphs.

Atlas reads the default graph as the union of all graphs; before this, the union also
swallowed a query's own FROM, so ``SELECT ... FROM <g1>`` answered from every graph."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from pipeline.store import EmbeddedStore, open_store
from pipeline.store.guard import declares_dataset

P = ox.NamedNode("http://example.org/p")
G1, G2 = ox.NamedNode("http://example.org/g1"), ox.NamedNode("http://example.org/g2")
A, B = ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/b")

QUERIES = {
    "union": ("SELECT ?s WHERE { ?s <http://example.org/p> ?o }", {"http://example.org/a", "http://example.org/b"}),
    "from": ("SELECT ?s FROM <http://example.org/g1> WHERE { ?s <http://example.org/p> ?o }", {"http://example.org/a"}),
    "from named": ("SELECT ?s FROM NAMED <http://example.org/g2> WHERE { GRAPH ?g { ?s ?p ?o } }",
                   {"http://example.org/b"}),
    "from in lower case": ("select ?s from <http://example.org/g2> where { ?s ?p ?o }", {"http://example.org/b"}),
    "the word in a literal only": ('SELECT ?s WHERE { ?s ?p ?o FILTER(?o != "from <x>") }',
                                   {"http://example.org/a", "http://example.org/b"}),
}


def _fill(store) -> None:
    tx = store.transaction()
    tx.clear_graph(G1)
    tx.clear_graph(G2)
    tx.add(A, P, ox.Literal("1"), G1)
    tx.add(B, P, ox.Literal("2"), G2)
    store.commit(tx)


def _answers(store) -> dict[str, set[str]]:
    return {name: {r["s"] for r in store.select(q)} for name, (q, _) in QUERIES.items()}


def test_declares_dataset_reads_the_parse_not_the_word():
    assert [declares_dataset(q) for q, _ in QUERIES.values()] == [False, True, True, True, False]


def test_embedded_store_honours_from(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    _fill(store)
    assert _answers(store) == {name: want for name, (_, want) in QUERIES.items()}


@pytest.mark.slow
def test_remote_store_honours_from(oxigraph_server):
    store = open_store(f"{oxigraph_server}/query")
    _fill(store)
    got = _answers(store)
    # the server holds other tests' graphs too: the union answers contain ours
    assert got["from"] == {"http://example.org/a"} and got["from named"] == {"http://example.org/b"}
    assert got["from in lower case"] == {"http://example.org/b"}
    assert {"http://example.org/a", "http://example.org/b"} <= got["union"]

"""End to end against a real Oxigraph server: the scale-out path of docs/scale-out.md."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest

from pipeline.errors import StaleWriteError, TransactionError
from pipeline.serve import EndpointConfig, EndpointServer
from pipeline.store import RemoteStore, open_store

pytestmark = pytest.mark.slow

G = ox.NamedNode("http://example.org/remote-graph")
P = ox.NamedNode("http://example.org/p")


def test_remote_store_commit_query_and_atomic_failure(oxigraph_server):
    store = open_store(f"{oxigraph_server}/query")
    assert isinstance(store, RemoteStore)
    tx = store.transaction()
    tx.clear_graph(G)
    for i in range(5):
        tx.add(ox.NamedNode(f"http://example.org/s{i}"), P, ox.Literal(i), G)
    store.commit(tx)
    assert store.count(G) == 5
    rows = store.select(f"SELECT ?o WHERE {{ GRAPH {G} {{ <http://example.org/s3> {P} ?o }} }}")
    assert rows == [{"o": 3}]

    bad = store.transaction()  # one valid insert + one invalid operation: one request, all or nothing
    bad.add(ox.NamedNode("http://example.org/extra"), P, ox.Literal("x"), G)
    bad.update("INSERT DATA { <broken")
    with pytest.raises(TransactionError):
        store.commit(bad)
    assert store.count(G) == 5

    stale = store.transaction()
    stale.add(ox.NamedNode("http://example.org/extra"), P, ox.Literal("x"), G)
    stale.require(f"ASK {{ GRAPH {G} {{ ?s ?p 99 }} }}", "value 99 vanished")
    with pytest.raises(StaleWriteError):
        store.commit(stale)
    assert store.count(G) == 5


def test_atlas_endpoint_over_a_remote_store(oxigraph_server):
    store = open_store(f"{oxigraph_server}/query")
    tx = store.transaction()
    tx.clear_graph(G)
    tx.add(ox.NamedNode("http://example.org/a"), P, ox.Literal("via proxy"), G)
    store.commit(tx)
    config = EndpointConfig(location=f"{oxigraph_server}/query", port=0, timeout_s=10)
    with EndpointServer(config).start() as server:
        query = f"SELECT ?o WHERE {{ GRAPH {G} {{ ?s {P} ?o }} }}"
        url = f"{server.url}?{urllib.parse.urlencode({'query': query})}"
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"}),
                                    timeout=30) as resp:
            answer = json.loads(resp.read())
        assert answer["results"]["bindings"][0]["o"]["value"] == "via proxy"
        refused = f"{server.url}?{urllib.parse.urlencode({'query': 'SELECT * { SERVICE <http://127.0.0.1:9/> {} }'})}"
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(refused, timeout=30)
        assert err.value.code == 400

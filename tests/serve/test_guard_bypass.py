"""The one SPARQL guard against a corpus of bypass attempts: nothing reaches another host.

A local trap server records every connection. Each attempt goes to the app's console
(``curate.run_read_only``), to ``fedatlas query`` and to a real endpoint (/query and
/update). A control run without the guard shows that the trap does see Oxigraph's
SERVICE calls, so "no connection" means the guard held, not that the trap was deaf.
"""

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from atlas_testing import run_cli
from pipeline.errors import AtlasError

from .conftest import TOKEN


class Trap:
    """A TCP listener on loopback that counts connections and closes them at once."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self.sock.close()


@pytest.fixture
def trap():
    t = Trap()
    yield t
    t.close()


def _esc(word: str, i: int) -> str:
    return word[:i] + f"\\u{ord(word[i]):04X}" + word[i + 1:]


QUERIES = [
    "SELECT * WHERE { SERVICE <{T}> { ?a ?b ?c } }",
    "select * where { service silent <{T}> { ?a ?b ?c } }",
    "SELECT * WHERE { ?s a ?c . ?s ?p trueSERVICE <{T}> { ?a ?b ?d } }",
    "SELECT * WHERE { ?s ?p 1SERVICE <{T}> { ?a ?b ?d } }",
    "SELECT * WHERE { ?s ?p \"x\"SERVICE <{T}> { ?a ?b ?d } }",
    "SELECT * WHERE { ?s ?p ?o .SERVICE<{T}>{ ?a ?b ?d } }",
    "SELECT * WHERE { ?s ?p ?o }SERVICE",  # not even valid: refused or a syntax error, never a call
    "PREFIX t: <{T}> SELECT * WHERE { SERVICE t:x { ?a ?b ?c } }",
    "PREFIX t: <{T}> SELECT * WHERE { SERVICE:x { ?a ?b ?c } }".replace("SERVICE:x", "SERVICE t:x"),
    "SELECT * WHERE { ?s ?p ?o FILTER(1<2)SERVICE#>\n<{T}> { ?a ?b ?c } }",
    "SELECT * WHERE { ?s ?p ?o FILTER(1<2)#>'''\nSERVICE <{T}> { ?a ?b ?c } #'''\n}",
    "SELECT * WHERE { <http://e/#a> ?p ?o FILTER(1<2)SERVICE#>\n<{T}>{ ?a ?b ?c } }",
    "SELECT * WHERE { " + _esc("SERVICE", 0) + " <{T}> { ?a ?b ?c } }",
    "SELECT * WHERE { " + _esc("SERVICE", 4) + " <{T}> { ?a ?b ?c } }",
    "SELECT * WHERE { BIND(<{T}> AS ?u) SERVICE ?u { ?a ?b ?c } }",
    "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{T}> { ?a ?b ?c } } }",
    "SELECT * WHERE { { SELECT * WHERE { SERVICE <{T}> { ?a ?b ?c } } } }",
    "SELECT * WHERE { OPTIONAL { SERVICE <{T}> { ?a ?b ?c } } }",
    "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <{T}> { ?a ?b ?c } } }",
    "ASK { SERVICE <{T}> { ?a ?b ?c } }",
    "CONSTRUCT { ?a ?b ?c } WHERE { SERVICE <{T}> { ?a ?b ?c } }",
    "DESCRIBE ?a WHERE { SERVICE <{T}> { ?a ?b ?c } }",
    "SELECT * WHERE { # comment\n SERVICE\t<{T}>\n{ ?a ?b ?c } }",
    "SELECT * WHERE { ?s ?p ?o } VALUES ?x { 1 } #\n",  # harmless control: runs
]
UPDATES = [
    "LOAD <{T}>",
    "LOAD SILENT <{T}> INTO GRAPH <http://e/g>",
    "PREFIX a: <http://e/>LOAD <{T}>",
    _esc("LOAD", 0) + " <{T}>",
    "INSERT { GRAPH <http://e/g> { ?a ?b ?c } } WHERE { SERVICE <{T}> { ?a ?b ?c } }",
    "DELETE { ?a ?b ?c } WHERE { ?s ?p trueSERVICE <{T}> { ?a ?b ?c } }",
    "INSERT DATA { <http://e/s> <http://e/p> 'x' } ; LOAD <{T}>",
]


def _fill(template: str, port: int) -> str:
    return template.replace("{T}", f"http://127.0.0.1:{port}/x")


def _bait():
    """Triples every attempt's other patterns match, so Oxigraph would reach the SERVICE."""
    import pyoxigraph as ox

    s, p = ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p")
    g = ox.NamedNode("http://e/bait")
    bool_t = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    int_1 = ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    return [ox.Quad(s, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode("http://e/C"), g),
            ox.Quad(s, p, bool_t, g), ox.Quad(s, p, int_1, g), ox.Quad(s, p, ox.Literal("x"), g)]


@pytest.fixture
def bait_store(store_dir):
    from pipeline.store import open_store

    store = open_store(store_dir)
    tx = store.transaction()
    tx.add_quads(_bait())
    store.commit(tx)
    return store_dir


def test_the_corpus_would_call_out_without_the_guard(trap):
    """Most attempts really do reach the trap when Oxigraph runs them unguarded."""
    import pyoxigraph as ox

    db = ox.Store()
    db.extend(_bait())
    called = 0
    for template in QUERIES[:-1]:
        before = trap.hits
        try:
            list(db.query(_fill(template, trap.port), use_default_graph_as_union=True))
        except (OSError, SyntaxError, RuntimeError):
            pass
        called += trap.hits > before
    assert called >= len(QUERIES) - 6, called  # the rest: syntax Oxigraph rejects, or an unbound service IRI


def test_the_trap_sees_an_unguarded_service_call(store_dir, trap):
    """Control: Oxigraph itself, without the guard, does call out (so the trap can fail a test)."""
    import pyoxigraph as ox

    db = ox.Store()
    db.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o")))
    with pytest.raises(OSError):
        list(db.query(_fill("SELECT * WHERE { ?s ?p ?o . SERVICE <{T}> { ?a ?b ?d } }", trap.port)))
    assert trap.hits >= 1


def test_console_refuses_every_attempt(bait_store, trap):
    from pipeline import curate
    from pipeline.store import open_store

    store = open_store(bait_store)
    ran = []
    for template in QUERIES + UPDATES:
        text = _fill(template, trap.port)
        try:
            curate.run_read_only(store, text)
            ran.append(text)
        except AtlasError:
            pass
    assert trap.hits == 0
    assert ran == [_fill(QUERIES[-1], trap.port)]  # only the harmless control ran


def test_cli_query_refuses_service(bait_store, trap):
    for template in (QUERIES[2], QUERIES[12]):
        r = run_cli("query", _fill(template, trap.port), store=bait_store)
        assert r.returncode == 8 and "SERVICE" in r.stderr, r.stderr
    assert trap.hits == 0


def _post(url: str, body: str, content_type: str, token: str | None = None) -> int:
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code


def test_endpoint_refuses_every_attempt(bait_store, make_endpoint, trap):
    server = make_endpoint(token=TOKEN)
    base = server.url.rsplit("/", 1)[0]
    statuses = {}
    for template in QUERIES[:-1]:
        statuses[template] = _post(base + "/query", _fill(template, trap.port), "application/sparql-query")
    for template in UPDATES:
        statuses[template] = _post(base + "/update", _fill(template, trap.port), "application/sparql-update", TOKEN)
    assert trap.hits == 0
    assert set(statuses.values()) == {400}, statuses
    assert _post(base + "/query", _fill(QUERIES[-1], trap.port), "application/sparql-query") == 200

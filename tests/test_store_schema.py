"""Opening a store checks its schema version: a newer one is refused, an older one migrated."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from pipeline import SCHEMA_VERSION
from pipeline.store import open_store
from pipeline.store.corpus import init_store
from pipeline.store.schema import NewerStoreError, stored_version
from pipeline.vocab import FA, META_GRAPH, iri, lit

STRAY = ox.Quad(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"), ox.Literal("o"))


def _write_raw(path, version: int, extra=()) -> None:
    """A store as an Atlas of schema ``version`` left it on disk (written with pyoxigraph
    directly, without opening it through Atlas)."""
    db = ox.Store(str(path / "oxigraph"))
    db.add(ox.Quad(iri("store", "this"), FA.schemaVersion, lit(version), META_GRAPH))
    db.add(ox.Quad(iri("paper", "p1"), FA.key, lit("p1"), iri("graph", "paper/p1")))
    for q in extra:
        db.add(q)
    db.flush()
    del db


def test_a_version_1_store_is_migrated_when_opened(tmp_path):
    assert SCHEMA_VERSION == 2
    _write_raw(tmp_path, 1, [STRAY])  # version 1 let an update without GRAPH write the default graph
    store = open_store(tmp_path)
    assert stored_version(store) == 2
    quads = store.quads()
    assert [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)] == []
    assert ox.Quad(STRAY.subject, STRAY.predicate, STRAY.object, iri("graph", "import")) in quads
    assert store.count(iri("graph", "paper/p1")) == 1  # the rest is as it was
    before = store.canonical_dump()
    assert open_store(tmp_path).canonical_dump() == before  # a second open migrates nothing


def test_a_newer_store_is_refused_and_left_alone(tmp_path):
    _write_raw(tmp_path, SCHEMA_VERSION + 1, [STRAY])
    with pytest.raises(NewerStoreError) as e:
        open_store(tmp_path)
    assert f"schema version {SCHEMA_VERSION + 1}" in str(e.value) and "upgrade fednas-atlas" in str(e.value)
    db = ox.Store.read_only(str(tmp_path / "oxigraph"))
    quads = list(db.quads_for_pattern(None, None, None, None))
    del db
    assert STRAY in quads  # not migrated
    assert ox.Quad(iri("store", "this"), FA.schemaVersion, lit(SCHEMA_VERSION + 1), META_GRAPH) in quads


def test_init_records_the_current_version(tmp_path):
    store = open_store(tmp_path / "new")
    init_store(store)
    assert stored_version(store) == SCHEMA_VERSION
    init_store(store)
    assert stored_version(open_store(tmp_path / "new")) == SCHEMA_VERSION


def test_a_store_created_by_import_records_its_version_and_a_dumps_own_wins(tmp_path):
    from atlas_testing import run_cli

    data = tmp_path / "x.nt"
    data.write_text('<https://example.org/s> <https://example.org/p> "o" .\n', encoding="utf-8")
    r = run_cli("import", str(data), store=tmp_path / "new")
    assert r.returncode == 0, r.stderr
    assert stored_version(open_store(tmp_path / "new")) == SCHEMA_VERSION
    # an export of a version-1 store keeps its record, so the next open migrates it
    old = tmp_path / "old.nq"
    old.write_text(f"{STORE_NODE_NT} <{FA.schemaVersion.value}> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> "
                   f"<{META_GRAPH.value}> .\n<https://example.org/s> <https://example.org/p> \"o\" .\n",
                   encoding="utf-8")
    r = run_cli("import", str(old), "--format", "nquads", store=tmp_path / "from-old")
    assert r.returncode == 0, r.stderr
    store = open_store(tmp_path / "from-old")
    assert stored_version(store) == SCHEMA_VERSION  # migrated on open: the default-graph triple moved
    assert not [q for q in store.quads() if isinstance(q.graph_name, ox.DefaultGraph)]


STORE_NODE_NT = str(iri("store", "this"))

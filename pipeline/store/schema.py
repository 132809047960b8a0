"""The store's schema version: checked when a store is opened, older stores migrated.

A store records ``fa:schemaVersion`` in the meta graph (``fedatlas init`` writes it).
Opening a store whose version is newer than this Atlas knows is refused with a clear
message (an older Atlas could misread or damage it); an older one is migrated step by
step, each step and the new version number in one transaction. A store without the
record (new, or never initialised) has nothing to migrate.

Versions:
1. the first layout (named graphs per stage, meta graph).
2. every triple lives in a named graph: triples a version-1 store held in the default
   graph (written by a SPARQL update without ``GRAPH``) are moved to ``fad:graph/import``,
   the graph ``fedatlas import`` uses for graph-less data, so counts, exports per graph,
   backups and restores see them.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline import SCHEMA_VERSION
from pipeline.errors import StoreError
from pipeline.store.base import Store
from pipeline.vocab import FA, META_GRAPH, iri, lit

STORE_NODE = iri("store", "this")
VERSION_QUERY = f"SELECT ?v WHERE {{ GRAPH {META_GRAPH} {{ {STORE_NODE} fa:schemaVersion ?v }} }}"


class NewerStoreError(StoreError):
    code = "E104"
    hint = "upgrade fednas-atlas (pip install -U fednas-atlas) to open it; the store was not changed"


def stored_version(store: Store) -> int | None:
    rows = store.select(VERSION_QUERY)
    return max(int(r["v"]) for r in rows) if rows else None


def _default_graph_to_import(store: Store, tx) -> None:
    tx.update(f"ADD SILENT DEFAULT TO {iri('graph', 'import')}")
    tx.update("CLEAR SILENT DEFAULT")


# version N -> N + 1
MIGRATIONS: dict[int, Callable[[Store, object], None]] = {1: _default_graph_to_import}


def set_version(tx, version: int) -> None:
    tx.update(f"DELETE WHERE {{ GRAPH {META_GRAPH} {{ {STORE_NODE} fa:schemaVersion ?v }} }}")
    tx.add(STORE_NODE, FA.schemaVersion, lit(version), META_GRAPH)


def record_version_if_missing(store: Store, current: int = SCHEMA_VERSION) -> None:
    """Stamp a store without a version record (one ``fedatlas import`` created) with ``current``:
    unstamped, a later Atlas could neither migrate it nor an older one refuse it. Embedded stores
    only, as :func:`ensure_schema` (a remote endpoint keeps its own bookkeeping)."""
    if str(store.location).startswith(("http://", "https://")):
        return
    with store.session(write=True):
        if stored_version(store) is None:
            tx = store.transaction()
            set_version(tx, current)
            store.commit(tx)


def ensure_schema(store: Store, current: int = SCHEMA_VERSION) -> int | None:
    """Refuse a newer store, migrate an older one; returns the version the store now has."""
    with store.session(write=True):
        version = stored_version(store)
        if version is None or version == current:
            return version
        if version > current:
            raise NewerStoreError(f"store {store.location} has schema version {version}; "
                                  f"this Atlas reads versions up to {current}")
        while version < current:
            tx = store.transaction()
            MIGRATIONS[version](store, tx)
            version += 1
            set_version(tx, version)
            store.commit(tx)
        return version

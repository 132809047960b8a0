"""The decision log as a read model: every decision, newest first, cached per store revision.

A decision this process commits re-reads only the events of the targets it
names (their chain, undo marks included); other writes mean a fresh read
(see :mod:`pipeline.curate.readmodel`).
"""

from __future__ import annotations

from pipeline.curate import readmodel
from pipeline.curate.events import Event, _events, recent
from pipeline.store import Store
from pipeline.vocab import sparql_iri

ALL = 10 ** 9


def all_events(store: Store) -> list[Event]:
    """Every decision of the store, newest first (what the History page lists)."""
    return recent(store, limit=ALL)


def _patch(store: Store, value: list[Event], args: tuple, changes: list[readmodel.Change]) -> list[Event] | None:
    targets = {i for _, iris in changes for i in iris}
    if not targets:
        return value
    fresh = _events(store, "VALUES ?target { " + " ".join(sparql_iri(t) for t in sorted(targets)) + " }")
    kept = [e for e in value if e.target not in targets]
    return sorted(kept + fresh, key=lambda e: e.time, reverse=True)


readmodel.register(all_events, patch=_patch)


def events(store: Store) -> list[Event]:
    """:func:`all_events` at the store's current revision."""
    return readmodel.get(store, all_events)

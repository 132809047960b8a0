"""Open the store Atlas works on: a directory (embedded) or a SPARQL URL (remote).

Where: ``--store`` if given, else ``FEDATLAS_STORE``, else a per-user data
directory (``platformdirs.user_data_dir("fedatlas")/store``).
"""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.errors import StoreError
from pipeline.store.base import Store, Transaction, term_value
from pipeline.store.embedded import EmbeddedStore
from pipeline.store.remote import RemoteStore

__all__ = ["Store", "Transaction", "EmbeddedStore", "RemoteStore", "open_store", "default_location", "term_value",
           "store_exists"]


def default_location() -> str:
    env = os.environ.get("FEDATLAS_STORE")
    if env:
        return env
    import platformdirs

    return str(Path(platformdirs.user_data_dir("fedatlas")) / "store")


def store_exists(location: str | os.PathLike[str]) -> bool:
    """Whether an embedded store has been created at ``location`` (a URL always counts)."""
    loc = str(location)
    if loc.startswith(("http://", "https://")):
        return True
    return (Path(loc).expanduser() / "oxigraph").is_dir()


def open_store(location: str | os.PathLike[str] | None = None, create: bool = True) -> Store:
    """The store at ``location`` (path or http(s) URL); see module doc for defaults.

    With ``create=False`` a missing embedded store is an error instead of a new, empty
    store: a mistyped path must not look like a store that holds nothing."""
    loc = str(location) if location else default_location()
    if loc.startswith(("http://", "https://")):
        return RemoteStore(loc)
    exists = store_exists(loc)
    if not create and not exists:
        raise StoreError(f"no store at {Path(loc).expanduser()}", hint="run `fedatlas init`")
    store = EmbeddedStore(loc)
    if exists:
        from pipeline.store.schema import ensure_schema

        ensure_schema(store)  # refuse a newer store, migrate an older one
    return store

"""Open the store Atlas works on: a directory (embedded) or a SPARQL URL (remote).

Where: ``--store`` if given, else ``FEDATLAS_STORE``, else a per-user data
directory (``platformdirs.user_data_dir("fedatlas")/store``).
"""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.store.base import Store, Transaction, term_value
from pipeline.store.embedded import EmbeddedStore
from pipeline.store.remote import RemoteStore

__all__ = ["Store", "Transaction", "EmbeddedStore", "RemoteStore", "open_store", "default_location", "term_value"]


def default_location() -> str:
    env = os.environ.get("FEDATLAS_STORE")
    if env:
        return env
    import platformdirs

    return str(Path(platformdirs.user_data_dir("fedatlas")) / "store")


def open_store(location: str | os.PathLike[str] | None = None) -> Store:
    """The store at ``location`` (path or http(s) URL); see module doc for defaults."""
    loc = str(location) if location else default_location()
    if loc.startswith(("http://", "https://")):
        return RemoteStore(loc)
    return EmbeddedStore(loc)

"""The embedded default: Oxigraph (RocksDB) on disk, no server to start.

RocksDB admits one process at a time, so the database is opened only for the
duration of a session (one query, one transaction, or a block the caller
groups) under an exclusive file lock. The app, a CLI ingest and the SPARQL
endpoint can then share one store: each waits its turn instead of failing.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from pipeline.errors import InputError, QueryError, StoreBusyError, StoreError, TransactionError
from pipeline.store.base import Store, check_nesting, serialized
from pipeline.store.guard import declares_dataset
from pipeline.store.rdf_formats import rdf_names, rdf_syntax, result_names, result_syntax

LOCK_NAME = "atlas.lock"
REVISION_NAME = "revision"  # rewritten by every write session, in any process
DEFAULT_WAIT_S = float(os.environ.get("FEDATLAS_LOCK_WAIT", "60"))

_thread_locks: dict[str, threading.RLock] = {}
_thread_locks_guard = threading.Lock()


def _thread_lock(path: str) -> threading.RLock:
    with _thread_locks_guard:
        return _thread_locks.setdefault(path, threading.RLock())


def serialize_result(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
                     result_format: str) -> tuple[bytes, str]:
    """Serialise a pyoxigraph query result in a SPARQL protocol format (an unknown or
    mismatched name gets the default: JSON for solutions, Turtle for graphs)."""
    if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
        res = result_syntax(result_format if result_format in result_names() else "json")
        return serialized(result.serialize(format=res.results_format)), res.media_type
    graph = rdf_syntax(result_format if result_format in rdf_names(one_graph=True) else "turtle")
    return serialized(ox.serialize(list(result), format=graph.rdf_format)), graph.media_type


class EmbeddedStore(Store):
    """A persistent, transactional store in a directory."""

    def __init__(self, path: str | os.PathLike[str], wait_s: float = DEFAULT_WAIT_S) -> None:
        self.path = Path(path).expanduser().resolve()
        self.location = str(self.path)
        self.wait_s = wait_s
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot create store directory {self.path}: {e.strerror}") from None
        self._db: ox.Store | None = None
        self._depth = 0
        self._lock_fd: int | None = None
        self._tlock = _thread_lock(self.location)
        self.db_path = self.path / "oxigraph"
        self._previous: dict[str, str] = {}  # revision this handle wrote -> the one before it

    # ---- sessions ----------------------------------------------------------
    def _acquire_file_lock(self) -> None:
        fd = os.open(self.path / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._lock_fd = fd
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise StoreBusyError(f"store {self.path} stayed locked for {self.wait_s:.0f}s") from None
                time.sleep(0.02)

    @contextlib.contextmanager
    def session(self, write: bool = False) -> Iterator[EmbeddedStore]:
        if not self._tlock.acquire(timeout=self.wait_s):
            raise StoreBusyError(f"store {self.path} is busy in this process")
        try:
            if self._depth == 0:
                self._acquire_file_lock()
                try:
                    self._db = ox.Store(str(self.db_path))
                except OSError as e:
                    self._release()
                    raise StoreError(f"cannot open store {self.path}: {e}") from None
            self._depth += 1
            if write:
                self._bump_revision()
            try:
                yield self
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._release()
        finally:
            self._tlock.release()

    def _release(self) -> None:
        if self._db is not None:
            try:
                self._db.flush()
            except OSError:
                pass
        self._db = None  # dropping the object closes RocksDB and frees its LOCK
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def _bump_revision(self) -> None:
        """Before the write, under the lock: a reader that saw the old token and then waited for
        the lock reads the new data (a harmless extra cache miss later), never the reverse."""
        old, new = self.revision(), uuid.uuid4().hex
        tmp = self.path / f"{REVISION_NAME}.{os.getpid()}.tmp"
        tmp.write_text(new, encoding="ascii")
        os.replace(tmp, self.path / REVISION_NAME)
        if len(self._previous) > 4096:
            self._previous.clear()
        self._previous[new] = old

    def previous_revision(self, revision: str) -> str | None:
        """The revision ``revision`` replaced, when this handle made that write (read under the lock)."""
        return self._previous.get(revision)

    def revision(self) -> str:
        try:
            return (self.path / REVISION_NAME).read_text(encoding="ascii")
        except FileNotFoundError:
            return "none"

    @property
    def db(self) -> ox.Store:
        assert self._db is not None, "use inside store.session()"
        return self._db

    # ---- reads ---------------------------------------------------------------
    def _query(self, sparql: str):
        check_nesting(sparql)
        with self.session():
            result = None
            try:
                result = self.db.query(sparql, use_default_graph_as_union=not declares_dataset(sparql))
                if isinstance(result, ox.QuerySolutions):
                    # materialise inside the session: the iterator reads the db lazily
                    variables = result.variables
                    rows = list(result)
                    return _Solutions(variables, rows)
                if isinstance(result, ox.QueryBoolean):
                    return result
                return list(result)
            except SyntaxError as e:
                raise QueryError(f"SPARQL syntax error: {_first_line(e)}") from None
            except OSError as e:
                raise QueryError(f"query failed: {_first_line(e)}") from None
            finally:
                del result

    def raw_query(self, sparql: str, result_format: str) -> tuple[bytes, str]:
        check_nesting(sparql)
        with self.session():
            result = None
            try:
                result = self.db.query(sparql, use_default_graph_as_union=not declares_dataset(sparql))
                return serialize_result(result, result_format)
            except SyntaxError as e:
                raise QueryError(f"SPARQL syntax error: {_first_line(e)}") from None
            except OSError as e:
                raise QueryError(f"query failed: {_first_line(e)}") from None
            finally:
                # a live result keeps RocksDB open after the file lock is released
                del result

    def quads(self, graph=None):
        with self.session():
            return list(self.db.quads_for_pattern(None, None, None, graph))

    def graphs(self):
        with self.session():
            return [g for g in self.db.named_graphs() if isinstance(g, ox.NamedNode)]

    # ---- writes --------------------------------------------------------------
    def _update(self, sparql_update: str) -> None:
        try:
            check_nesting(sparql_update)
        except QueryError as e:
            raise TransactionError(e.message) from None
        try:
            self.db.update(sparql_update)
        except SyntaxError as e:
            raise TransactionError(f"invalid update: {_first_line(e)}") from None
        except OSError as e:
            raise TransactionError(f"write failed: {_first_line(e)}") from None

    def restore(self, source: str | os.PathLike[str]) -> int:
        """Replace everything (default graph included) with the backup at ``source`` in one
        transaction; returns the quads restored. The backup is opened read-only: no lock file
        or log is written into it, so it stays exactly the snapshot it was."""
        quads = read_backup(source)
        tx = self.transaction()
        tx.update("DROP SILENT ALL")
        tx.add_quads(quads)
        self.commit(tx)
        return len(quads)

    def is_empty(self) -> bool:
        with self.session():
            return next(iter(self.db.quads_for_pattern(None, None, None, None)), None) is None

    def backup(self, target: str | os.PathLike[str]) -> None:
        """A consistent snapshot of the database (RocksDB checkpoint)."""
        with self.session():
            try:
                self.db.backup(str(target))
            except OSError as e:
                raise StoreError(f"backup to {target} failed: {_first_line(e)}") from None


def backup_db_path(source: str | os.PathLike[str]) -> Path:
    """The RocksDB checkpoint inside a `fedatlas backup` directory (or the directory itself)."""
    src = Path(source).expanduser()
    return src / "oxigraph" if (src / "oxigraph").is_dir() else src


def read_backup(source: str | os.PathLike[str]) -> list[ox.Quad]:
    """Every quad of a backup, read without writing to it."""
    db_path = backup_db_path(source)
    if not (db_path / "CURRENT").is_file():
        raise InputError(f"{source}: not a backup made by `fedatlas backup`")
    db = None
    try:
        db = ox.Store.read_only(str(db_path))
        return list(db.quads_for_pattern(None, None, None, None))
    except OSError as e:
        raise StoreError(f"cannot read backup {source}: {_first_line(e)}") from None
    finally:
        del db


class _Solutions:
    """SELECT results read eagerly, so the database can close after the query."""

    def __init__(self, variables, rows) -> None:
        self.variables = variables
        self.rows = rows


def _first_line(e: BaseException) -> str:
    """First line of a parser error, with line numbers relative to the user's text
    (Atlas prepends its PREFIX lines to every query)."""
    import re

    from pipeline.vocab import PREFIXES

    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    shift = len(PREFIXES)
    return re.sub(r"error at (\d+):(\d+)",
                  lambda m: f"line {max(1, int(m.group(1)) - shift)}, column {m.group(2)}", text)

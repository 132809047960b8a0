"""Read models cached per store revision, and followed through this process's own decisions.

Every write changes the store's revision token (in any process), so a read
model computed at revision R is valid while the store is still at R: the app
reruns its page script on every click, and :func:`get` answers from memory
instead of querying the whole store again.

A decision this process commits (``curate.events.commit``) leaves a *note*:
the revision before it, the revision after it, and what changed (each op's
action and the IRIs it names: target, paper, code, ...). When a read model was
cached at R and only noted decisions led from R to now, its :class:`Spec`
says what to do instead of a full re-read: keep it (the actions cannot change
it: an accept does not change the screening records) or patch it (re-read the
few records a screening decision touched). A write without a note -- another
process, an ingest, a raw load -- breaks the chain and the model is read
afresh. Patches re-read the touched parts from the store, so a patched model
equals a fresh read (tested).

Values are shared between callers (every rerun, every browser session):
treat them as read-only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pipeline.store import Store
from pipeline.vocab import ID_NS

Change = tuple[str, frozenset[str]]  # (action, IRIs the decision names); an undo counts as the action it undid
Patch = Callable[[Store, Any, tuple, list[Change]], Any]  # -> the new value, or None: read it afresh

MAX_MODELS = 256
MAX_NOTES = 1024
MAX_CHAIN = 200  # noted writes followed at most (then a fresh read is cheaper)


@dataclass(frozen=True)
class Spec:
    """How a read model follows noted decisions: ``keep`` actions cannot change it; ``patch`` handles the rest
    (returning None when it cannot); with neither, any write means a fresh read."""

    keep: frozenset[str] = frozenset()
    patch: Patch | None = None


_SPECS: dict[str, Spec] = {}
_MODELS: OrderedDict[tuple, tuple[str, Any]] = OrderedDict()  # (location, model, args) -> (revision, value)
_NOTES: dict[str, OrderedDict[str, tuple[str, list[Change] | None]]] = {}  # location -> after -> (before, changes)
_LOCK = threading.RLock()
STATS = {"hit": 0, "kept": 0, "patched": 0, "read": 0}


def model_name(fn: Callable[..., Any]) -> str:
    code = getattr(fn, "__code__", None)  # app page scripts all run as __main__: their file tells them apart
    return f"{fn.__module__}.{fn.__qualname__}@{code.co_filename if code else ''}"


def register(fn: Callable[..., Any], keep: Iterable[str] = (), patch: Patch | None = None) -> None:
    """Declare how ``fn``'s cached value follows noted decisions (see :class:`Spec`)."""
    _SPECS[model_name(fn)] = Spec(frozenset(keep), patch)


def get(store: Store, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(store, *args)`` at the store's current revision: from memory when nothing changed since it was
    read, kept or patched when only noted decisions did, else read afresh. Uncached where the store cannot
    tell its revision (a remote endpoint)."""
    if store.revision() in (None, "none"):  # "none": never written (a store recreated in place would repeat it)
        return fn(store, *args)
    name = model_name(fn)
    key = (store.location, name, args)
    with _LOCK:
        cached = _MODELS.get(key)
    if cached is not None and cached[0] == store.revision():  # no session: opening the database costs more
        STATS["hit"] += 1
        return cached[1]
    with store.session():  # the lock: the revision read here is the one the data below belongs to
        now = store.revision() or "none"
        with _LOCK:
            cached = _MODELS.get(key)
            if cached is not None:
                _MODELS.move_to_end(key)
        if cached is not None and cached[0] == now:
            STATS["hit"] += 1
            return cached[1]
        value = _follow(store, name, cached, args, now) if cached is not None else _UNFOLLOWED
        if value is _UNFOLLOWED:
            STATS["read"] += 1
            value = fn(store, *args)
        with _LOCK:
            _MODELS[key] = (now, value)
            while len(_MODELS) > MAX_MODELS:
                _MODELS.popitem(last=False)
    return value


_UNFOLLOWED = object()


def _follow(store: Store, name: str, cached: tuple[str, Any], args: tuple, now: str) -> Any:
    """The cached value carried to revision ``now`` (kept or patched), or _UNFOLLOWED: read it afresh."""
    spec = _SPECS.get(name)
    changes = changes_between(store, cached[0], now) if spec is not None else None
    if spec is None or changes is None:
        return _UNFOLLOWED
    if all(action in spec.keep for action, _ in changes):
        STATS["kept"] += 1
        return cached[1]
    value = spec.patch(store, cached[1], args, changes) if spec.patch is not None else None
    if value is None:
        return _UNFOLLOWED
    STATS["patched"] += 1
    return value


def note(store: Store, before: str | None, after: str | None, changes: list[Change] | None) -> None:
    """Record that the store went from ``before`` to ``after`` by exactly ``changes`` (None: unknown),
    written by this process under the store's lock."""
    if before is None or after is None or before == after:
        return
    with _LOCK:
        notes = _NOTES.setdefault(store.location, OrderedDict())
        notes[after] = (before, changes)
        while len(notes) > MAX_NOTES:
            notes.popitem(last=False)


def changes_between(store: Store, old: str, new: str) -> list[Change] | None:
    """The noted changes that led from revision ``old`` to ``new``, oldest first; None when some write
    between them left no note (another process, a raw write) or the chain is too long."""
    out: list[list[Change]] = []
    rev = new
    with _LOCK:
        notes = _NOTES.get(store.location, OrderedDict())
        while rev != old:
            entry = notes.get(rev)
            if entry is None or len(out) >= MAX_CHAIN:
                return None
            rev, changes = entry
            if changes is None:
                return None
            out.append(changes)
    return [c for changes in reversed(out) for c in changes]


def last_changes(store: Store) -> tuple[str, list[Change]] | None:
    """The revision before the store's current one and the noted changes that led from it to now; None when
    the latest write left no note (another process, a raw write) or its changes are unknown."""
    now = store.revision()
    with _LOCK:
        entry = _NOTES.get(store.location, OrderedDict()).get(now or "")
    if entry is None or entry[1] is None:
        return None
    return entry[0], entry[1]


def touched(changes: list[Change], kind: str) -> set[str]:
    """The IRIs of one kind (``paper``, ``proposal``, ...) that ``changes`` name."""
    prefix = f"{ID_NS}{kind}/"
    return {i for _, iris in changes for i in iris if i.startswith(prefix)}


def clear() -> None:
    """Forget every cached model and note (tests; a store replaced on disk)."""
    with _LOCK:
        _MODELS.clear()
        _NOTES.clear()

"""Decision events: the one way human work enters the store.

Every change a reviewer makes is a ``fa:Decision`` in the curation graph: who
(``prov:wasAssociatedWith``), when (``prov:endedAtTime``), what
(``fa:action``, ``fa:payload`` JSON), on what (``fa:target``) and on which
state (``fa:basedOn``: the latest decision on the target the reviewer saw).
The decision and its effect on the graph (triples added to or removed from
the curation graph) are written in ONE transaction, and only if nobody has
decided on the target since ``based_on`` -- else :class:`StaleWriteError`
and the store is unchanged.

Decisions on one target form a chain (each is ``fa:basedOn`` the previous
one), so "latest" needs no clock: it is the decision no other one is based
on. Undo is a new decision that reverts the effect of the latest effective
decision on a target (an editor's undo stack; undo again to go further back);
the undone event stays in the history.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pyoxigraph import Literal, NamedNode, RdfFormat, parse

from pipeline.curate import readmodel
from pipeline.errors import InputError, StaleWriteError
from pipeline.store import Store
from pipeline.vocab import CURATION_GRAPH, FA, FOAF, ID_NS, PROV, RDF, RDFS, XSD, as_iri, iri, lit, slug, sparql_iri

CG = CURATION_GRAPH.value


class _Latest:
    def __repr__(self) -> str:
        return "LATEST"


LATEST: Any = _Latest()
"""``based_on`` sentinel: decide on whatever state is current now (CLI use)."""

MAX_NAME = 80


@dataclass(frozen=True)
class Reviewer:
    """A person who decides; identified by name, IRI ``fad:reviewer/<slug>``."""

    name: str

    @property
    def key(self) -> str:
        return slug(self.name)

    @property
    def iri(self) -> NamedNode:
        return iri("reviewer", self.key)


def reviewer(name: str | Reviewer) -> Reviewer:
    """A :class:`Reviewer` from a name; empty or over-long names are refused."""
    if isinstance(name, Reviewer):
        return name
    clean = " ".join(str(name or "").split())
    if not clean:
        raise InputError("a reviewer name is required", hint="identify yourself (--reviewer NAME / sidebar)")
    if len(clean) > MAX_NAME:
        raise InputError(f"reviewer name longer than {MAX_NAME} characters")
    return Reviewer(clean)


def node(value: str | NamedNode) -> NamedNode:
    """A NamedNode from an IRI string (validated: nothing can break out of ``<...>``)."""
    return as_iri(value)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def dt(value: str) -> Literal:
    return lit(value, XSD.dateTime)


def new_iri(kind: str) -> NamedNode:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return iri(kind, f"{stamp}-{uuid.uuid4().hex[:10]}")


Triple3 = tuple  # (subject, predicate, object) in the curation graph


@dataclass
class Op:
    """One decision to write: its event plus its effect on the curation graph."""

    action: str
    target: NamedNode
    payload: dict = field(default_factory=dict)
    based_on: Any = LATEST
    adds: list[Triple3] = field(default_factory=list)
    removes: list[Triple3] = field(default_factory=list)
    requires: list[tuple[str, str, bool]] = field(default_factory=list)  # (ASK, message, expect)
    undoes: NamedNode | None = None
    decision: NamedNode = field(default_factory=lambda: new_iri("decision"))


def _nt(triples: list[Triple3]) -> list[str]:
    return [f"{s} {p} {o} ." for s, p, o in triples]


def _parse_nt(lines: list[str]) -> list[Triple3]:
    if not lines:
        return []
    data = "\n".join(lines).encode("utf-8")
    return [(t.subject, t.predicate, t.object) for t in parse(data, format=RdfFormat.N_TRIPLES)]


def latest_decision(store: Store, target: str | NamedNode) -> str | None:
    """IRI of the latest decision on ``target`` (the head of its chain), or None."""
    t = node(target)
    rows = store.select(f"""
        SELECT ?d WHERE {{ GRAPH <{CG}> {{ ?d a fa:Decision ; fa:target {t} .
          FILTER NOT EXISTS {{ ?d2 fa:target {t} ; fa:basedOn ?d }} }} }}""")
    return rows[0]["d"] if rows else None


def latest_decisions(store: Store, targets: list[str]) -> dict[str, str]:
    """target -> latest decision IRI for many targets in one query."""
    if not targets:
        return {}
    values = " ".join(sparql_iri(t) for t in targets)
    rows = store.select(f"""
        SELECT ?t ?d WHERE {{ VALUES ?t {{ {values} }} GRAPH <{CG}> {{ ?d a fa:Decision ; fa:target ?t .
          FILTER NOT EXISTS {{ ?d2 fa:target ?t ; fa:basedOn ?d }} }} }}""")
    return {r["t"]: r["d"] for r in rows}


def _stale_check(op: Op, based_on: str | None) -> tuple[str, str, bool]:
    t = op.target
    if based_on is None:
        return (f"ASK {{ GRAPH <{CG}> {{ ?d a fa:Decision ; fa:target {sparql_iri(t)} }} }}",
                f"{t.value} was decided on by someone else since you loaded it", False)
    b = node(based_on)
    return (f"""ASK {{ GRAPH <{CG}> {{ {b} fa:target {sparql_iri(t)} }}
               FILTER NOT EXISTS {{ GRAPH <{CG}> {{ ?d2 fa:target {sparql_iri(t)} ; fa:basedOn {b} }} }} }}""",
            f"{t.value} was decided on by someone else since you loaded it "
            f"(you saw {b.value})", True)


UNDO_HANDLERS: dict = {}
"""action -> ``f(store, who, decision, based_on)`` for decisions whose effect reaches beyond the curation
graph (e.g. ``unmerge`` rewrites paper graphs): :func:`undo` hands those to their handler. Such a decision
carries ``"_external": true`` in its payload, so it is never reverted by triples alone."""

AFTER_COMMIT: list = []
"""Callables ``f(store, actions)`` run after every committed decision batch (derived read models, e.g.
methods); ``actions`` are the batch's action names, so a model can skip batches that cannot change it."""


def commit(store: Store, who: str | Reviewer, ops: list[Op], when: str | None = None,
           graph_effect=None) -> list[str]:
    """Write ``ops`` as decisions of ``who`` in one transaction; returns their IRIs.

    Raises :class:`StaleWriteError` (nothing written) when a target's latest
    decision is no longer the one an op is based on. ``graph_effect(tx)``, if
    given, adds the decision's changes outside the curation graph to the same
    transaction (all or nothing).
    """
    who = reviewer(who)
    when = when or now_iso()
    t_lit = dt(when)
    g = CURATION_GRAPH
    with store.session(write=True):
        before = store.previous_revision(store.revision() or "")  # this session's write token replaced it
        seen: dict[str, str | None] = {}
        tx = store.transaction()
        r = who.iri
        for s, p, o in ((r, RDF.type, FA.Reviewer), (r, RDF.type, PROV.Agent),
                        (r, FOAF.name, lit(who.name)), (r, RDFS.label, lit(who.name))):
            tx.add(s, p, o, g)
        for op in ops:
            key = op.target.value
            if key in seen:  # a second op on the same target in this batch builds on the first
                based = seen[key]
            elif op.based_on is LATEST:
                based = latest_decision(store, op.target)
                ask, msg, expect = _stale_check(op, based)
                tx.require(ask, msg, expect)
            else:
                based = op.based_on
                ask, msg, expect = _stale_check(op, based)
                tx.require(ask, msg, expect)
            for ask, msg, expect in op.requires:
                tx.require(ask, msg, expect)
            d = op.decision
            tx.add(d, RDF.type, FA.Decision, g)
            tx.add(d, RDF.type, PROV.Activity, g)
            tx.add(d, FA.action, lit(op.action), g)
            tx.add(d, FA.target, op.target, g)
            tx.add(d, PROV.wasAssociatedWith, r, g)
            tx.add(d, PROV.endedAtTime, t_lit, g)
            if based:
                tx.add(d, FA.basedOn, node(based), g)
            if op.undoes is not None:
                tx.add(d, FA.undoes, op.undoes, g)
            payload = dict(op.payload)
            payload["_added"] = _nt(op.adds)
            payload["_removed"] = _nt(op.removes)
            tx.add(d, FA.payload, lit(json.dumps(payload, ensure_ascii=False, sort_keys=True)), g)
            for s, p, o in op.removes:
                tx.remove(s, p, o, g)
            for s, p, o in op.adds:
                tx.add(s, p, o, g)
            seen[key] = d.value
        if graph_effect is not None:
            graph_effect(tx)
        store.commit(tx)
        # a graph effect reaches beyond the curation graph: cached read models are read afresh
        readmodel.note(store, before, store.revision(), None if graph_effect is not None else changes(ops))
        for after in AFTER_COMMIT:
            start = store.revision()
            after(store, {op.action for op in ops})
            readmodel.note(store, start, store.revision(), getattr(after, "changes", None))
    return [op.decision.value for op in ops]


def changes(ops: list[Op]) -> list[readmodel.Change]:
    """What each op changes, for the read models that follow this process's decisions: its action (an
    undo counts as the action it reverts) and every Atlas IRI it names (target, payload, triples)."""
    out = []
    for op in ops:
        action = str(op.payload.get("undone_action", "")) if op.action == "undo" else op.action
        iris = {op.target.value}
        iris.update(v for v in op.payload.values() if isinstance(v, str) and v.startswith(ID_NS))
        for triple in (*op.adds, *op.removes):
            iris.update(t.value for t in triple if isinstance(t, NamedNode) and t.value.startswith(ID_NS))
        out.append((action or "unknown", frozenset(iris)))
    return out


def write(store: Store, who: str | Reviewer, op: Op) -> str:
    """Commit one op; returns the decision IRI."""
    return commit(store, who, [op])[0]


# ---- reading the log ---------------------------------------------------------

@dataclass
class Event:
    """One decision as the history shows it."""

    iri: str
    action: str
    target: str
    reviewer: str
    reviewer_name: str
    time: str
    based_on: str | None
    undoes: str | None
    payload: dict
    undone_by: str | None = None

    @property
    def params(self) -> dict:
        return {k: v for k, v in self.payload.items() if not k.startswith("_")}


def _events(store: Store, where: str) -> list[Event]:
    # sparql: rendered (callers build ``where`` with sparql_iri)
    rows = store.select(f"""
        SELECT ?d ?action ?target ?who ?name ?time ?based ?undoes ?payload WHERE {{ GRAPH <{CG}> {{
          ?d a fa:Decision ; fa:action ?action ; fa:target ?target ; prov:wasAssociatedWith ?who ;
             prov:endedAtTime ?time ; fa:payload ?payload .
          {where}
          OPTIONAL {{ ?who foaf:name ?name }}
          OPTIONAL {{ ?d fa:basedOn ?based }}
          OPTIONAL {{ ?d fa:undoes ?undoes }} }} }}""")
    out = [Event(r["d"], r["action"], r["target"], r["who"], r["name"] or r["who"], str(r["time"]),
                 r["based"], r["undoes"], json.loads(r["payload"])) for r in rows]
    undone = {e.undoes: e.iri for e in out if e.undoes}
    for e in out:
        e.undone_by = undone.get(e.iri)
    return out


def _chain_order(events: list[Event]) -> list[Event]:
    """Events of one target in chain order (time as a tie-break for safety)."""
    by_base: dict[str | None, list[Event]] = {}
    for e in events:
        by_base.setdefault(e.based_on, []).append(e)
    ids = {e.iri for e in events}
    roots = [e for e in events if e.based_on is None or e.based_on not in ids]
    out: list[Event] = []
    queue = sorted(roots, key=lambda e: e.time)
    while queue:
        e = queue.pop(0)
        out.append(e)
        queue = sorted(by_base.get(e.iri, []), key=lambda x: x.time) + queue
    return out


def history(store: Store, target: str | NamedNode) -> list[Event]:
    """Every decision on ``target``, oldest first, each marked if it was undone."""
    t = node(target)
    return _chain_order(_events(store, f"VALUES ?target {{ {t} }}"))  # VALUES: bound first (a FILTER scans all)


def effective_stack(events: list[Event]) -> list[Event]:
    """The decisions of one target still in effect (undo pops the top)."""
    stack: list[Event] = []
    for e in events:
        if e.action == "undo":
            if stack:
                stack.pop()
        else:
            stack.append(e)
    return stack


def recent(store: Store, limit: int = 50, who: str | None = None) -> list[Event]:
    """The latest decisions of the whole store (or of one reviewer), newest first."""
    where = f"VALUES ?who {{ {sparql_iri(reviewer(who).iri)} }}" if who else ""
    return sorted(_events(store, where), key=lambda e: e.time, reverse=True)[:limit]


def undo(store: Store, who: str | Reviewer, decision: str | NamedNode, based_on: Any = LATEST) -> str:
    """Revert ``decision`` (the latest decision in effect on its target).

    Its added triples are removed and its removed triples restored, recorded as
    a new ``undo`` decision. Older decisions are undone one after another.
    """
    d = node(decision)
    with store.session():
        rows = store.select(f"SELECT ?t WHERE {{ GRAPH <{CG}> {{ {d} a fa:Decision ; fa:target ?t }} }}")
        if not rows:
            raise InputError(f"no decision {d.value}")
        target = rows[0]["t"]
        events = history(store, target)
    stack = effective_stack(events)
    if based_on is not LATEST and events and based_on != events[-1].iri:
        raise StaleWriteError(f"{target} was decided on by someone else since you loaded it")
    if not stack or stack[-1].iri != d.value:
        done = [e for e in events if e.iri == d.value]
        if done and done[0].action == "undo":
            raise InputError("an undo cannot be undone; decide again instead")
        if done and done[0].undone_by:
            raise InputError(f"{d.value} is already undone")
        later = len(stack) - 1 - [e.iri for e in stack].index(d.value) if d.value in [e.iri for e in stack] else 0
        raise InputError(f"undo the {later} later decision(s) on {target} first",
                         hint="undo walks back from the latest decision on a target")
    undone = stack[-1]
    if undone.payload.get("_external"):
        handler = UNDO_HANDLERS.get(undone.action)
        if handler is None:
            raise InputError(f"{undone.action} changed paper graphs: its undo lives with it",
                             hint="import pipeline.ingest.unmerge (the CLI and the app do)")
        return handler(store, who, d, events[-1].iri if based_on is LATEST else based_on)
    op = Op("undo", node(target), {"undone_action": undone.action, **undone.params},
            based_on=events[-1].iri if based_on is LATEST else based_on,
            adds=_parse_nt(undone.payload.get("_removed", [])),
            removes=_parse_nt(undone.payload.get("_added", [])), undoes=d)
    return write(store, who, op)


def curated(store: Store, s: str | NamedNode, p: NamedNode) -> list[Triple3]:
    """The exact triples ``s p ?o`` in the curation graph (to remove when replacing a value)."""
    s = node(s)
    rows = store.select_terms(f"SELECT ?o WHERE {{ GRAPH <{CG}> {{ {s} {p} ?o }} }}")
    return [(s, p, r["o"]) for r in rows]

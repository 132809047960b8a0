"""A reviewer's confirmed duplicate: the kept paper shows the fields an identifier merge would give.

A suspected duplicate (or any record a reviewer marks a duplicate of another
paper) is confirmed with :func:`confirm`, a reviewer's decision (``duplicate``:
``fa:duplicateOf`` with who/when in the curation graph; PRISMA counts it as a
duplicate removed). The duplicate's source records (their own title, year, DOI,
abstract, raw entry) count as member records of the kept paper: the kept
paper's fields are re-chosen from its records and the duplicate's, field by
field, with ingest's one rule (:func:`pipeline.ingest.dedup.merge_fields`, via
``unmerge._field_quads``), so tables, exports, screening and SPARQL show the
richer metadata. Every later re-choice of the kept paper's fields (a re-ingest
of its file, another record merged into it or split off) counts them too:
``load_state`` reads them as ``PaperState.confirmed``.

The records themselves stay on the duplicate's paper node (where PRISMA
counts them, all as duplicates removed, so nothing is counted twice), and so
do its full text, its proposals and every decision on them and on it
(screening included): hidden as a removed duplicate, they come back as they
were when the merge is undone (``unmerge`` of the reviewer's merge, ``curate
undo`` of the confirm: :func:`release` re-chooses the kept paper's fields from
its own records, which is what they were). The kept paper's own decisions stand.
"""

from __future__ import annotations

from typing import Any

from pyoxigraph import NamedNode

from pipeline.curate.events import LATEST, Op, Reviewer, commit, curated, history, node
from pipeline.errors import InputError
from pipeline.ingest.paper_graph import FIELD_PREDICATES
from pipeline.ingest.unmerge import _field_quads
from pipeline.ingest.writer import load_state, shown_records
from pipeline.store import Store
from pipeline.vocab import FA, local_name, paper_graph, sparql_iri


def absorb(store: Store, a: NamedNode, b: NamedNode):
    """The graph effect re-choosing ``b``'s fields from its records and duplicate ``a``'s."""
    b_key = local_name(b)
    gb = paper_graph(b_key)
    sa, sb = load_state(store, local_name(a), confirmed=False), load_state(store, b_key)
    if not sa.members:
        raise InputError(f"{a.value} has no record to merge")
    sb.confirmed[a.value] = shown_records(sa, a.value)
    shown_records(sb, b.value)  # its PDF record's abstract, as _split reads it
    members = sb.field_records()
    kept = [x for x in sb.snapshot if not (x.subject == b and x.predicate in FIELD_PREDICATES)]
    new_b = kept + _field_quads(b, gb, members, sb.fixed)

    def effect(tx) -> None:
        tx.clear_graph(gb)
        tx.add_quads(new_b)

    return effect


def release(store: Store, a: NamedNode, b: NamedNode):
    """The graph effect re-choosing ``b``'s fields without ``a``'s records (as they were before the merge)."""
    b_key = local_name(b)
    gb = paper_graph(b_key)
    sb = load_state(store, b_key)
    sb.confirmed.pop(a.value, None)
    shown_records(sb, b.value)
    rest = sb.field_records()
    kept = [x for x in sb.snapshot if not (x.subject == b and x.predicate in FIELD_PREDICATES)]

    def effect(tx) -> None:
        tx.clear_graph(gb)
        if sb.confirmed or any(d.sources[0].kind != "corpus" for d in sb.members.values()):  # else: corpus only
            tx.add_quads(kept + _field_quads(b, gb, rest, sb.fixed))

    return effect


def confirm(store: Store, who: str | Reviewer, a: NamedNode, b: NamedNode, based_on: Any = LATEST) -> str:
    """Merge ``a`` into ``b`` as a reviewer's decision (see the module docstring)."""
    if a == b:
        raise InputError("a record cannot duplicate itself")
    with store.session():
        for x in (a, b):
            if not store.ask(f"ASK {{ GRAPH ?g {{ {sparql_iri(x)} a fa:Paper }} }}"):
                raise InputError(f"no record {x.value}")
        earlier = curated(store, a, FA.duplicateOf)
        if earlier:
            raise InputError(f"{a.value} is merged into {earlier[0][2].value} already",
                             hint="undo that merge first (`fedatlas curate unmerge`)")
        if curated(store, b, FA.duplicateOf):
            raise InputError(f"{b.value} is itself a duplicate removed; merge into the paper it was merged into")
        removes = [t for t in curated(store, a, FA.distinctFrom) if t[2] == b]
        removes += [t for t in curated(store, b, FA.distinctFrom) if t[2] == a]
        effect = absorb(store, a, b)
    op = Op("duplicate", a, {"_external": True, "of": b.value}, based_on,
            [(a, FA.duplicateOf, b)], removes,
            requires=[(f"ASK {{ GRAPH ?g {{ {sparql_iri(x)} a fa:Paper }} }}", f"no record {x.value}", True)
                      for x in (a, b)])
    return commit(store, who, [op], graph_effect=effect)[0]


def unmerge_confirmed(store: Store, who: str | Reviewer, a: NamedNode, b: NamedNode, based_on: Any) -> str:
    """Undo a reviewer's merge: ``a`` gets its records back and the pair is ``fa:distinctFrom``."""
    with store.session():
        removes = [t for t in curated(store, a, FA.duplicateOf) if t[2] == b]
        effect = release(store, a, b)
    op = Op("unmerge", a, {"of": b.value, "_external": True}, based_on, [(a, FA.distinctFrom, b)], removes)
    return commit(store, who, [op], graph_effect=effect)[0]


def undo_reviewer_merge(store: Store, who: str | Reviewer, decision: NamedNode, based_on: Any) -> str:
    """``curate undo`` of a confirm (records go back) or of its unmerge (records merge again)."""
    from pipeline.curate.events import _parse_nt

    with store.session():
        [d] = [e for e in history(store, _target(store, decision)) if e.iri == decision.value]
        a, b = node(d.target), node(d.payload["of"])
        effect = release(store, a, b) if d.action == "duplicate" else absorb(store, a, b)
    op = Op("undo", a, {"undone_action": d.action, "of": b.value}, based_on,
            adds=_parse_nt(d.payload.get("_removed", [])), removes=_parse_nt(d.payload.get("_added", [])),
            undoes=decision)
    return commit(store, who, [op], graph_effect=effect)[0]


def _target(store: Store, decision: NamedNode) -> NamedNode:
    from pipeline.ingest.unmerge import _target as target

    return target(store, decision)


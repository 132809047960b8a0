"""A reviewer's confirmed duplicate, merged as an identifier merge at ingest would merge it.

A suspected duplicate (or any record a reviewer marks a duplicate of another
paper) is confirmed with :func:`confirm`: the duplicate's source records (their
own title, year, DOI, abstract, raw entry) become member records of the kept
paper, and the kept paper's fields are re-chosen from all its members field by
field with ingest's one rule (:func:`pipeline.ingest.dedup.merge_fields`, via
``unmerge._field_quads``), so tables, exports, screening and SPARQL show the
richer metadata. The decision (``duplicate``: ``fa:duplicateOf`` with who/when)
is what PRISMA counts as a duplicate removed.

What stays with the duplicate: its paper node, its full text, its proposals and
every decision on them and on it (screening included) stay attached to the
duplicate paper, which is hidden as a removed duplicate; they come back, with
its records, when the merge is undone (:func:`release`: ``unmerge`` of the
reviewer's merge, ``curate undo`` of the confirm). The kept paper's own
decisions stand unchanged. Which records moved is kept in the decision's
payload (``records``), so a release takes back exactly those.
"""

from __future__ import annotations

from typing import Any

from pyoxigraph import NamedNode, Quad

from pipeline.curate.events import LATEST, Op, Reviewer, commit, curated, history, node
from pipeline.document import Source
from pipeline.errors import InputError
from pipeline.ingest.paper_graph import FIELD_PREDICATES, source_node, source_quads
from pipeline.ingest.unmerge import _abstract, _field_quads, _moved
from pipeline.ingest.writer import PaperState, load_state
from pipeline.store import Store
from pipeline.vocab import FA, local_name, paper_graph, sparql_iri


def _docs(state: PaperState, p: NamedNode) -> dict:
    """The members of ``p``; a PDF record's abstract is the paper's (its text's), as ``_split`` reads it."""
    out = dict(state.members)
    for sid, doc in out.items():
        if doc.sources and doc.sources[0].kind == "pdf" and not doc.abstract:
            doc.abstract = _abstract(state.snapshot, p)
    return out


def _sources_in(quads: list[Quad], p: NamedNode) -> set:
    return {x.object for x in quads if x.subject == p and x.predicate == FA.hasSource}


def absorb(store: Store, a: NamedNode, b: NamedNode):
    """The graph effect merging duplicate ``a``'s records into ``b``, and the records it moves."""
    a_key, b_key = local_name(a), local_name(b)
    ga, gb = paper_graph(a_key), paper_graph(b_key)
    sa, sb = load_state(store, a_key), load_state(store, b_key)
    own = _sources_in(sa.snapshot, a)
    moved: list[Quad] = []
    gone: list[Quad] = []
    records = []
    for doc in _docs(sa, a).values():
        src = doc.sources[0]
        s_a, s_b = source_node(a_key, src), source_node(b_key, src)
        if s_a in own:  # a record of a's own graph: moved verbatim (raw entry and all)
            mine = [x for x in sa.snapshot if x.subject == s_a]
            moved += _moved(mine, {s_a: s_b}, gb)
            gone += mine + [Quad(a, FA.hasSource, s_a, ga)]
        else:  # a record held elsewhere (bundled corpus, a reviewer's added record): its metadata copied
            moved += [x for x in source_quads(b_key, src, src.origin or "database", doc) if x.subject == s_b]
        moved.append(Quad(b, FA.hasSource, s_b, gb))
        records.append([src.path, src.record or "", src.kind, s_a in own])
    if not records:
        raise InputError(f"{a.value} has no record to merge")
    members = list(_docs(sb, b).values()) + [d for d in _docs(sa, a).values()]
    kept = [x for x in sb.snapshot if not (x.subject == b and x.predicate in FIELD_PREDICATES)]
    new_b = kept + _field_quads(b, gb, members, sb.fixed) + moved

    def effect(tx) -> None:
        tx.clear_graph(gb)
        tx.add_quads(new_b)
        for x in gone:
            tx.remove(x.subject, x.predicate, x.object, ga)

    return effect, records


def release(store: Store, a: NamedNode, b: NamedNode, records: list):
    """The graph effect giving ``a`` back the ``records`` merged into ``b``; ``b`` is re-chosen from the rest."""
    a_key, b_key = local_name(a), local_name(b)
    ga, gb = paper_graph(a_key), paper_graph(b_key)
    sb = load_state(store, b_key)
    back: list[Quad] = []
    out: set = set()
    sids = set()
    for path, record, kind, was_own in records:
        src = Source(path, kind, record or None)
        s_b, s_a = source_node(b_key, src), source_node(a_key, src)
        out.add(s_b)
        sids.add((path, record or None))
        if was_own:
            back += _moved([x for x in sb.snapshot if x.subject == s_b], {s_b: s_a}, ga)
            back.append(Quad(a, FA.hasSource, s_a, ga))
    rest = [d for sid, d in _docs(sb, b).items() if sid not in sids]
    kept = [x for x in sb.snapshot if x.subject not in out and x.object not in out
            and not (x.subject == b and x.predicate in FIELD_PREDICATES)]

    def effect(tx) -> None:
        tx.clear_graph(gb)
        if any(d.sources[0].kind != "corpus" for d in rest):  # else b lives in the corpus graph only
            tx.add_quads(kept + _field_quads(b, gb, rest, sb.fixed))
        tx.add_quads(back)

    return effect


def merged_records(store: Store, a: NamedNode) -> list | None:
    """The records the merge of ``a`` now in effect moved (None: a merge recorded before records moved)."""
    for e in reversed(history(store, a)):
        if e.action in ("duplicate", "undo") and "records" in e.payload:
            return list(e.payload["records"])
        if e.action in ("duplicate", "unmerge"):
            return None
    return None


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
        effect, records = absorb(store, a, b)
    op = Op("duplicate", a, {"_external": True, "of": b.value, "records": records}, based_on,
            [(a, FA.duplicateOf, b)], removes,
            requires=[(f"ASK {{ GRAPH ?g {{ {sparql_iri(x)} a fa:Paper }} }}", f"no record {x.value}", True)
                      for x in (a, b)])
    return commit(store, who, [op], graph_effect=effect)[0]


def unmerge_confirmed(store: Store, who: str | Reviewer, a: NamedNode, b: NamedNode, based_on: Any) -> str:
    """Undo a reviewer's merge: ``a`` gets its records back and the pair is ``fa:distinctFrom``."""
    with store.session():
        removes = [t for t in curated(store, a, FA.duplicateOf) if t[2] == b]
        records = merged_records(store, a)
        effect = release(store, a, b, records) if records else None
    payload: dict = {"of": b.value, "_external": True, "records": records} if records else {"of": b.value}
    return commit(store, who, [Op("unmerge", a, payload, based_on, [(a, FA.distinctFrom, b)], removes)],
                  graph_effect=effect)[0]


def undo_reviewer_merge(store: Store, who: str | Reviewer, decision: NamedNode, based_on: Any) -> str:
    """``curate undo`` of a confirm (records go back) or of its unmerge (records merge again)."""
    from pipeline.curate.events import _parse_nt

    with store.session():
        [d] = [e for e in history(store, _target(store, decision)) if e.iri == decision.value]
        a, b = node(d.target), node(d.payload["of"])
        if d.action == "duplicate":
            effect, records = release(store, a, b, d.payload["records"]), d.payload["records"]
        else:
            effect, records = absorb(store, a, b)
    op = Op("undo", a, {"undone_action": d.action, "of": b.value, "records": records}, based_on,
            adds=_parse_nt(d.payload.get("_removed", [])), removes=_parse_nt(d.payload.get("_added", [])),
            undoes=decision)
    return commit(store, who, [op], graph_effect=effect)[0]


def _target(store: Store, decision: NamedNode) -> NamedNode:
    from pipeline.ingest.unmerge import _target as target

    return target(store, decision)


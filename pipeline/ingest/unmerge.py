"""The reviewer's verdicts on duplicates: undo a merge, confirm or dismiss a suspected duplicate.

Ingest merges a record into a paper on a shared identifier (``fa:DuplicateMerge``
in the dedup graph) and keeps the record's own metadata on its source node, so
a merge can be taken back exactly. :func:`unmerge` does it as a reviewer's
decision (``unmerge`` on the merge node, who/when in the curation graph): the
record's source node (its title, year, DOI, abstract, raw entry as the database
wrote them) moves to a paper of its own, the paper it left is recomputed from
its remaining records, and the full text with its proposals moves too when the
record was the paper's only full text (proposal IRIs are kept, so the
decisions on them follow). Decisions on the paper itself stay on it. The pair
is then ``fa:distinctFrom`` each other: ingest never merges them again on the
identifier they share (:class:`~pipeline.ingest.dedup.DedupIndex`).
``curate undo`` of the decision merges them back (:func:`_remerge`).

A reviewer's own merge (``duplicate``: ``fa:duplicateOf``) -- also how a
suspected duplicate is confirmed (:func:`confirm_duplicate`) -- moves the
duplicate's records into the kept paper as ingest would
(:mod:`pipeline.ingest.confirm`) and is undone the same way (:func:`unmerge`
on the paper, or ``curate undo``); :func:`not_duplicate` dismisses a
suspicion (after a confirm: undoes the merge). PRISMA counts all of these through ``prisma_counts`` alone: a
record split off stops being a "duplicate removed".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from pipeline.curate.events import CG, LATEST, UNDO_HANDLERS, Op, Reviewer, commit, curated, history, node
from pipeline.document import Document
from pipeline.errors import InputError
from pipeline.ingest.dedup import merge_fields
from pipeline.ingest.paper_graph import FIELD_PREDICATES, document_quads, field_terms, paper_key, source_node
from pipeline.ingest.writer import content_rank, load_state
from pipeline.store import Store
from pipeline.vocab import CITO, CURATION_GRAPH, DCTERMS, DEDUP_GRAPH, FA, PROV, RDF, local_name, paper, paper_graph, sparql_iri

FULL_TEXT = 2  # RICHNESS of a record that brings a full text (pdf, markdown, text)
CONTENT_LINKS = (FA.text, DCTERMS.hasPart, CITO.cites)  # paper -> its full-text content


@dataclass
class Merge:
    """One merge or suspicion as ``curate merges`` lists it."""

    id: str  # the merge / suspect node IRI, or the duplicate paper's IRI (a reviewer's merge)
    kind: str  # "ingest" | "reviewer" | "suspect"
    status: str  # ingest/reviewer: "merged" | "undone"; suspect: "open" | "confirmed" | "dismissed"
    record: str  # the record merged (file#entry) or the suspect paper
    paper: str  # the paper it was merged into / may duplicate
    detail: str = ""  # matched by doi/arxiv; the suspicion's reason
    split_as: str | None = None  # an undone ingest merge: the paper its record became


def merges(store: Store, include_undone: bool = True) -> list[Merge]:
    """Every ingest merge, reviewer's merge and suspected duplicate, with its current status."""
    with store.session():
        split = {r["m"]: r["k"] for r in store.select(
            f"SELECT ?m ?k WHERE {{ GRAPH {sparql_iri(CURATION_GRAPH)} {{ ?m fa:splitOffAs ?k }} }}")}
        distinct = {frozenset((r["a"], r["b"])) for r in store.select(
            f"SELECT ?a ?b WHERE {{ GRAPH {sparql_iri(CURATION_GRAPH)} {{ ?a fa:distinctFrom ?b }} }}")}
        dups = store.select("SELECT ?p ?o ?g WHERE { GRAPH ?g { ?p fa:duplicateOf ?o } GRAPH ?h { ?p a fa:Paper } }")
        out = [Merge(r["m"], "ingest", "undone" if r["m"] in split else "merged",
                     r["file"] + (f"#{r['label']}" if r["label"] else ""), r["into"], r["by"], split.get(r["m"]))
               for r in store.select(f"""SELECT ?m ?into ?file ?label ?by WHERE {{ GRAPH {sparql_iri(DEDUP_GRAPH)} {{
                   ?m a fa:DuplicateMerge ; fa:mergedInto ?into ; fa:sourceFile ?file ; fa:matchedBy ?by .
                   OPTIONAL {{ ?m rdfs:label ?label }} }} }}""")]
        out += [Merge(r["p"], "reviewer", "merged", r["p"], r["o"], "curation" if r["g"] == CG else "corpus")
                for r in dups]
        for r in store.select(f"""SELECT ?s ?a ?b ?why WHERE {{ GRAPH {sparql_iri(DEDUP_GRAPH)} {{ ?s a fa:SuspectedDuplicate ;
                fa:suspectRecord ?a ; fa:suspectedDuplicateOf ?b ; fa:rationale ?why }}
                FILTER EXISTS {{ GRAPH ?g {{ ?a a fa:Paper }} }} FILTER EXISTS {{ GRAPH ?h {{ ?b a fa:Paper }} }} }}"""):
            pair = frozenset((r["a"], r["b"]))
            confirmed = any({d["p"], d["o"]} == pair for d in dups)
            status = "confirmed" if confirmed else "dismissed" if pair in distinct else "open"
            out.append(Merge(r["s"], "suspect", status, r["a"], r["b"], r["why"]))
    if not include_undone:
        out = [m for m in out if m.status not in ("undone", "dismissed", "confirmed")]
    return sorted(out, key=lambda m: ("ingest reviewer suspect".split().index(m.kind), m.paper, m.record))


def resolve(store: Store, ident: str) -> Merge:
    """The merge ``ident`` names: a merge IRI or id, a record (entry, file#entry) or a paper (IRI or key)."""
    ident = ident.strip()
    every = [m for m in merges(store) if m.kind != "suspect"]
    hits = [m for m in every if ident in (m.id, local_name(m.id))]
    hits = hits or [m for m in every if m.kind == "ingest" and _names_record(m.record, ident)]
    if not hits:  # a paper: its reviewer's merge, or the one ingest merge into it
        p = ident if ":" in ident else paper(ident).value
        hits = [m for m in every if m.kind == "reviewer" and m.id == p] or \
               [m for m in every if m.kind == "ingest" and p in (m.paper, m.split_as)]
    active = [m for m in hits if m.status == "merged"] or hits
    if len(active) != 1:
        if not active:
            raise InputError(f"no merge {ident!r}", hint="`fedatlas curate merges` lists them")
        raise InputError(f"{ident!r} names {len(active)} merges: " + ", ".join(local_name(m.id) for m in active),
                         hint="give the merge id from `fedatlas curate merges`")
    return active[0]


def _names_record(record: str, ident: str) -> bool:
    """``ident`` is the record's FILE#ENTRY, its entry key, or its file (full path or name)."""
    file, _, entry = record.partition("#")
    return ident in (record, entry, file) or record.endswith("/" + ident) or file.endswith("/" + ident)


# ---- undoing a merge -------------------------------------------------------------

def unmerge(store: Store, who: str | Reviewer, ident: str, based_on: Any = LATEST) -> str:
    """Undo the merge ``ident`` names (see :func:`resolve`); returns the decision IRI."""
    m = resolve(store, ident)
    if m.status == "undone":
        raise InputError(f"merge {local_name(m.id)} is already undone (its record is {m.split_as})")
    if m.kind == "reviewer":
        if m.detail != "curation":
            raise InputError(f"{m.id} is marked a duplicate in the bundled corpus, not by a reviewer")
        from pipeline.ingest.confirm import unmerge_confirmed

        return unmerge_confirmed(store, who, node(m.id), node(m.paper), based_on)
    return _split(store, who, node(m.id), based_on)


def _merge_node(store: Store, m: NamedNode) -> tuple[NamedNode, NamedNode]:
    rows = store.select_terms(f"""SELECT ?into ?rec WHERE {{ GRAPH {sparql_iri(DEDUP_GRAPH)} {{
        {sparql_iri(m)} fa:mergedInto ?into ; fa:mergedRecord ?rec }} }}""")
    into, rec = (rows[0]["into"], rows[0]["rec"]) if rows else (None, None)
    if not isinstance(into, NamedNode) or not isinstance(rec, NamedNode):
        raise InputError(f"no merge {m.value}")
    return into, rec


def _fresh_key(store: Store, doc: Document) -> str:
    base = key = paper_key(doc)
    n = 2
    while store.ask(f"ASK {{ GRAPH ?g {{ {sparql_iri(paper(key))} ?p ?o }} }}"):
        key, n = f"{base}-{n}", n + 1
    return key


def _content(quads: list[Quad], p: NamedNode) -> list[Quad]:
    """The quads of a paper's full text: text, sections, references, proposals and their evidence."""
    linked = {x.object for x in quads if x.subject == p and x.predicate in CONTENT_LINKS[1:]}
    props = {x.subject for x in quads if x.predicate == FA.aboutPaper and x.object == p}
    linked |= props | {x.object for x in quads if x.subject in props and x.predicate in (FA.evidence, FA.neighbour)}
    return [x for x in quads if (x.subject == p and x.predicate in CONTENT_LINKS) or x.subject in linked]


def _moved(quads: list[Quad], old: dict, g: NamedNode) -> list[Quad]:
    """``quads`` in graph ``g`` with the nodes of ``old`` (old -> new) renamed."""
    return [Quad(old.get(x.subject, x.subject), x.predicate, old.get(x.object, x.object), g) for x in quads]


def _field_quads(p: NamedNode, g: NamedNode, members: list[Document], fixed: set) -> list[Quad]:
    merged = merge_fields(members)
    return [Quad(p, pr, o, g) for pr, o in field_terms(Document(**merged)) if pr not in fixed]


def _abstract(quads: list[Quad], p: NamedNode) -> str:
    return next((x.object.value for x in quads
                 if x.subject == p and x.predicate == DCTERMS.abstract and isinstance(x.object, Literal)), "")


def _activities(quads: list[Quad]) -> list[Quad]:
    nodes = {x.subject for x in quads if x.predicate == RDF.type and x.object in (PROV.Activity, PROV.SoftwareAgent)}
    return [x for x in quads if x.subject in nodes]


def _shows(quads: list[Quad], p: NamedNode, rec: NamedNode, doc: Document, others: list[Document]) -> bool:
    """Whether paper ``p`` shows the full text and proposals of record ``rec`` (so they go with it)."""
    marked = [x.object for x in quads if x.subject == p and x.predicate == FA.contentSource]
    if marked:
        return marked[0] == rec
    rank = content_rank(doc)  # stores written before the marker: the record that outranks every other one
    return any(x.subject == p and x.predicate in CONTENT_LINKS + (FA.aboutPaper,) for x in quads) and \
        all(content_rank(d) < rank for d in others)


def _split(store: Store, who: str | Reviewer, m: NamedNode, based_on: Any) -> str:
    with store.session():
        into, rec = _merge_node(store, m)
        key = local_name(into)
        g = paper_graph(key)
        state = load_state(store, key)
        sid = next((s for s, d in state.members.items() if source_node(key, d.sources[0]) == rec), None)
        if sid is None:
            raise InputError(f"the record of merge {local_name(m)} is no longer part of {into.value}",
                             hint="it was re-ingested or split off since")
        doc = state.members.pop(sid)
        if not state.members:
            raise InputError(f"{into.value} has no other record to keep")
        new_key = _fresh_key(store, doc)
        quads = state.snapshot
    new, ng, src = paper(new_key), paper_graph(new_key), doc.sources[0]
    s_new = source_node(new_key, src)
    others = list(state.members.values())
    content = _content(quads, into) if _shows(quads, into, rec, doc, others) else []
    if content and not doc.abstract:  # a PDF's abstract is part of its text, not of its source node
        doc.abstract = _abstract(quads, into)
    label = src.path + (f"#{src.record}" if src.record else "")
    op = Op("unmerge", m, {"_external": True, "paper": into.value, "record": label, "split_as": new.value,
                           "content_moved": bool(content)},
            based_on, adds=[(m, FA.splitOffAs, new), (new, FA.distinctFrom, into)],
            requires=[(f"ASK {{ GRAPH {sparql_iri(g)} {{ {sparql_iri(into)} fa:hasSource {sparql_iri(rec)} }} }}",
                       f"the record of merge {local_name(m)} changed meanwhile", True)])
    gone = set(content)
    kept = [x for x in quads if x.subject != rec and x not in gone and not (
        x.subject == into and (x.object == rec or x.predicate in FIELD_PREDICATES + (FA.contentSource,)))]
    own = Document(**merge_fields([doc]), sources=[])

    def effect(tx) -> None:
        tx.clear_graph(g)
        if any(d.sources[0].kind != "corpus" for d in others):  # else the paper lives in the corpus graph only
            tx.add_quads(kept + _field_quads(into, g, others + state.field_records()[len(state.members):],
                                             state.fixed))
        tx.add_quads(document_quads(new_key, own, [], src.origin or "database", op.decision))
        tx.add_quads(_moved([x for x in quads if x.subject == rec], {rec: s_new}, ng))
        tx.add(new, FA.hasSource, s_new, ng)
        if content:
            tx.add_quads(_moved(content, {into: new}, ng) + [Quad(a.subject, a.predicate, a.object, ng)
                                                              for a in _activities(quads)])
            tx.add(new, FA.contentSource, s_new, ng)

    return commit(store, who, [op], graph_effect=effect)[0]


def _remerge(store: Store, who: str | Reviewer, decision: NamedNode, based_on: Any) -> str:
    """Undo an ``unmerge``: the split-off paper's record goes back into the paper it left."""
    if "split_as" not in _payload(store, decision):  # a reviewer's merge undone
        from pipeline.ingest.confirm import undo_reviewer_merge

        return undo_reviewer_merge(store, who, decision, based_on)
    with store.session():
        [d] = [e for e in history(store, _target(store, decision)) if e.iri == decision.value]
        m, into, new = node(d.target), node(d.payload["paper"]), node(d.payload["split_as"])
        _, rec = _merge_node(store, m)
        key, new_key = local_name(into), local_name(new)
        own = store.select(f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {sparql_iri(CURATION_GRAPH)} {{
            {{ {sparql_iri(new)} ?p ?o FILTER(?p != fa:distinctFrom) }}
            UNION {{ ?s ?p {sparql_iri(new)} FILTER(?p != fa:splitOffAs) }} }} }}""")
        if int(own[0]["n"]):
            raise InputError(f"{new.value} has curation of its own since the merge was undone",
                             hint="undo those decisions first, or mark it a duplicate (`fedatlas curate duplicate`)")
        split = load_state(store, new_key)
        if len(split.members) != 1:
            raise InputError(f"{new.value} holds {len(split.members)} records now; only its own can go back")
        state = load_state(store, key)
        quads, nquads = state.snapshot, split.snapshot
    [doc] = split.members.values()
    if d.payload.get("content_moved") and not doc.abstract:
        doc.abstract = _abstract(nquads, new)
    g, s_new = paper_graph(key), source_node(new_key, doc.sources[0])
    content = _content(nquads, new) if d.payload.get("content_moved") else []
    members = state.field_records() + [doc]
    op = Op("undo", m, {"undone_action": "unmerge", "paper": into.value, "split_as": new.value}, based_on,
            removes=[(m, FA.splitOffAs, new), (new, FA.distinctFrom, into)], undoes=decision)
    kept = [x for x in quads if not (x.subject == into and x.predicate in FIELD_PREDICATES)]
    back = _moved([x for x in nquads if x.subject == s_new], {s_new: rec}, g) + _moved(content, {new: into}, g)
    if content:
        kept = [x for x in kept if x.predicate != FA.contentSource] + [Quad(into, FA.contentSource, rec, g)]
        kept += [Quad(a.subject, a.predicate, a.object, g) for a in _activities(nquads)]

    def effect(tx) -> None:
        tx.clear_graph(paper_graph(new_key))
        tx.clear_graph(g)
        tx.add_quads(kept + _field_quads(into, g, members, state.fixed) + back + [Quad(into, FA.hasSource, rec, g)])

    return commit(store, who, [op], graph_effect=effect)[0]


def _target(store: Store, decision: NamedNode) -> NamedNode:
    rows = store.select_terms(
        f"SELECT ?t WHERE {{ GRAPH {sparql_iri(CURATION_GRAPH)} {{ {sparql_iri(decision)} fa:target ?t }} }}")
    target = rows[0]["t"] if rows else None
    if not isinstance(target, NamedNode):
        raise InputError(f"no decision {decision.value}")
    return target


def _payload(store: Store, decision: NamedNode) -> dict:
    with store.session():
        return next(e.payload for e in history(store, _target(store, decision)) if e.iri == decision.value)


def _undo_confirm(store: Store, who: str | Reviewer, decision: NamedNode, based_on: Any) -> str:
    from pipeline.ingest.confirm import undo_reviewer_merge

    return undo_reviewer_merge(store, who, decision, based_on)


UNDO_HANDLERS["unmerge"] = _remerge
UNDO_HANDLERS["duplicate"] = _undo_confirm


# ---- suspected duplicates --------------------------------------------------------

def _pair(store: Store, ident: str, of: str | None) -> tuple[NamedNode, NamedNode]:
    if of:
        return node(ident if ":" in ident else paper(ident).value), node(of if ":" in of else paper(of).value)
    hits = [m for m in merges(store) if m.kind == "suspect" and ident in (m.id, local_name(m.id))]
    if not hits:
        raise InputError(f"no suspected duplicate {ident!r}", hint="give a suspect id, or two papers")
    return node(hits[0].record), node(hits[0].paper)


def confirm_duplicate(store: Store, who: str | Reviewer, ident: str, of: str | None = None,
                      based_on: Any = LATEST) -> str:
    """Merge a suspected duplicate (suspect id, or paper ``ident`` duplicate ``of`` another) as ingest
    merges on an identifier: its records join the kept paper (:func:`pipeline.ingest.confirm.confirm`)."""
    from pipeline.ingest.confirm import confirm

    a, b = _pair(store, ident, of)
    return confirm(store, who, a, b, based_on)


def mark_duplicate(store: Store, who: str | Reviewer, paper: str | NamedNode, of: str | NamedNode,
                   based_on: Any = LATEST) -> str:
    """``paper`` is a duplicate of ``of``: merged as a confirmed suspect is (the app's "Mark duplicate" form)."""
    return confirm_duplicate(store, who, node(paper).value, node(of).value, based_on)


def not_duplicate(store: Store, who: str | Reviewer, ident: str, of: str | None = None,
                  based_on: Any = LATEST) -> str:
    """The reviewer's verdict that a suspected pair are different works (ingest keeps them apart).

    After a confirm this is the undoing of that merge (:func:`unmerge`): the duplicate gets its
    records back and the pair is kept apart, one decision."""
    a, b = _pair(store, ident, of)
    with store.session():
        confirmed = [t for t in curated(store, a, FA.duplicateOf) if t[2] == b]
    if confirmed:
        return unmerge(store, who, a.value, based_on)
    return commit(store, who, [Op("not_duplicate", a, {"of": b.value}, based_on, [(a, FA.distinctFrom, b)],
                                  [])])[0]

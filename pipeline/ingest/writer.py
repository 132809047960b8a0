"""Stage records into papers and write a whole batch in one store transaction.

Each incoming record is decided with the dedup index (unchanged, update of its
own source, identifier merge, or new with suspected duplicates), staged in
memory, and every touched paper is written at :meth:`BatchWriter.flush`:
rebuilt when the record brings richer content (a PDF for a BibTeX record, a
longer abstract), otherwise patched with the merged fields and its new source.
Every merge is stored as a ``fa:DuplicateMerge`` and every suspicion as a
``fa:SuspectedDuplicate`` in the dedup graph, which re-ingest never clears, so
PRISMA can count duplicates removed at any time and from any source.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, Quad

from pipeline.document import Document, Proposal, Source
from pipeline.ingest.dedup import DedupIndex, merge_fields
from pipeline.ingest.paper_graph import (
    FIELD_PREDICATES,
    RICHNESS,
    activity_quads,
    document_quads,
    field_terms,
    paper_key,
    source_node,
    source_quads,
)
from pipeline.ingest.summary import IngestSummary, RecordOutcome, Suspect
from pipeline.store import Store
from pipeline.store.base import Term
from pipeline.vocab import (
    BIBO,
    CURATION_GRAPH,
    DCTERMS,
    DEDUP_GRAPH,
    FA,
    PROV,
    RDF,
    RDFS,
    iri,
    lit,
    local_name,
    paper,
    paper_graph,
    sparql_iri,
)

SourceId = tuple[str, "str | None"]


def _source_of(doc: Document, sid: SourceId) -> Source:
    return next(s for s in doc.sources if (s.path, s.record) == sid)


def label_of(doc: Document) -> str:
    src = doc.sources[0] if doc.sources else Source("?", "text")
    return src.path + (f"#{src.record}" if src.record else "")


def content_rank(doc: Document) -> tuple[int, int]:
    """Which record's text a paper shows: the richest kind (PDF > text > record), then the longer abstract."""
    return (max((RICHNESS.get(s.kind, 0) for s in doc.sources), default=0), len(doc.abstract))


@dataclass
class UndoLog:
    """What takes committed batches back: graph -> its earlier quads ([] = it was new), added events."""

    graphs: dict = field(default_factory=dict)
    events: list[Quad] = field(default_factory=list)

    def extend(self, other: UndoLog) -> None:
        for g, quads in other.graphs.items():
            self.graphs.setdefault(g, quads)  # the oldest content wins
        self.events += other.events

    def apply(self, store: Store) -> None:
        """One transaction restoring every graph and removing every event."""
        if not self.graphs and not self.events:
            return
        tx = store.transaction()
        for g, quads in self.graphs.items():
            tx.clear_graph(g)
            tx.add_quads(quads)
        for q in self.events:
            tx.remove(q.subject, q.predicate, q.object, q.graph_name)
        store.commit(tx)


@dataclass
class PaperState:
    """A paper touched by the current batch."""

    key: str
    stored: bool  # in the store before this batch
    members: dict[SourceId, Document] = field(default_factory=dict)  # every source record's own metadata
    rank: tuple[int, int] = (0, 0)  # of the content shown now
    content: Document | None = None  # new content to write (None: keep the stored content)
    proposals: list[Proposal] = field(default_factory=list)
    new_sources: list[SourceId] = field(default_factory=list)
    fixed: set[NamedNode] = field(default_factory=set)  # field predicates owned by the corpus graph
    stored_fields: list[tuple[NamedNode, Term]] = field(default_factory=list)  # (p, o) in the paper graph, for patching
    snapshot: list[Quad] = field(default_factory=list)  # the paper graph before this batch (to undo)
    # paper IRI -> the records of each paper a reviewer confirmed a duplicate of this one: they count in its fields
    confirmed: dict[str, list[Document]] = field(default_factory=dict)

    def field_records(self) -> list[Document]:
        """The records the paper's fields are chosen from (``merge_fields``): its own and its duplicates'."""
        return list(self.members.values()) + [d for docs in self.confirmed.values() for d in docs]


class BatchWriter:
    """Decides, stages and writes records; one :meth:`flush` is one transaction."""

    def __init__(self, store: Store, index: DedupIndex, summary: IngestSummary, *, origin: str,
                 activity, started, proposer_names: list[str]) -> None:
        self.store, self.index, self.summary = store, index, summary
        index.distinct |= distinct_pairs(store)
        self.origin, self.activity, self.started, self.names = origin, activity, started, proposer_names
        self.staged: dict[str, PaperState] = {}
        self.run_keys: set[str] = set()  # papers first written by this run
        self.events: list[Quad] = []
        self._pending = 0

    # ---- deciding -------------------------------------------------------------------
    def stage(self, doc: Document, proposals: list[Proposal]) -> RecordOutcome:
        for src in doc.sources:
            src.origin = src.origin if src.origin != "database" else self.origin
        label = label_of(doc)
        hashes = {s.sha256 for s in doc.sources if s.sha256}
        owner = self.index.owner(doc)
        same = self.index.owner_of_content(hashes)
        if same and (owner is None or owner == same):
            return self._record(RecordOutcome(label, "unchanged", same, "unchanged"))
        if owner:
            state = self._state(owner)
            self._take(state, doc, proposals, replace_on_tie=True)
            self.index.add(owner, doc)
            return self._record(RecordOutcome(label, "updated", owner, "changed"))
        match = self.index.match(doc)
        if match.kind == "merge" and match.key is not None:  # a merge always names its paper
            state = self._state(match.key)
            self._take(state, doc, proposals, replace_on_tie=False)
            self.index.add(match.key, doc)
            in_run = match.key in self.run_keys
            self._merge_event(doc, match.key, match.by, in_run)
            return self._record(RecordOutcome(label, "merged", match.key, match.by, in_run))
        key = self._fresh_key(doc)
        state = self.staged[key] = PaperState(key, stored=False)
        self._take(state, doc, proposals, replace_on_tie=True)
        self.index.add(key, doc)
        self.run_keys.add(key)
        for other, score, reason in match.suspects:
            self.summary.suspected.append(Suspect(label, key, other, score, reason))
            self._suspect_event(doc, key, other, score, reason)
        return self._record(RecordOutcome(label, "new", key))

    def _record(self, outcome: RecordOutcome) -> RecordOutcome:
        self._pending += outcome.outcome != "unchanged"
        self.summary.records.append(outcome)
        return outcome

    def _fresh_key(self, doc: Document) -> str:
        base = key = paper_key(doc)
        n = 2
        while key in self.index.records or key in self.staged:
            key, n = f"{base}-{n}", n + 1  # a different work with the same key words
        return key

    def _take(self, state: PaperState, doc: Document, proposals: list[Proposal], replace_on_tie: bool) -> None:
        for src in doc.sources:
            sid = (src.path, src.record)
            if sid not in state.members:
                state.new_sources.append(sid)
            state.members[sid] = doc
        rank = content_rank(doc)
        if rank > state.rank or (replace_on_tie and rank >= state.rank) or (state.content is None and not state.stored):
            state.content, state.proposals, state.rank = doc, proposals, rank

    # ---- stored papers --------------------------------------------------------------
    def _state(self, key: str) -> PaperState:
        if key in self.staged:
            return self.staged[key]
        state = self.staged[key] = load_state(self.store, key)
        return state

    # ---- events (dedup graph) --------------------------------------------------------
    def _merge_event(self, doc: Document, key: str, by: str, in_run: bool) -> None:
        src = doc.sources[0]
        m = iri("merge", hashlib.sha1(f"{src.path}|{src.record}|{key}".encode()).hexdigest()[:16])
        g = DEDUP_GRAPH
        self.events += [Quad(m, RDF.type, FA.DuplicateMerge, g), Quad(m, FA.mergedInto, paper(key), g),
                        Quad(m, FA.mergedRecord, source_node(key, src), g), Quad(m, FA.matchedBy, lit(by), g),
                        Quad(m, FA.sourceFile, lit(src.path), g), Quad(m, FA.recordSource, lit(src.origin or self.origin), g),
                        Quad(m, FA.mergedWithinRun, lit(in_run), g), Quad(m, PROV.endedAtTime, self.started, g),
                        Quad(m, PROV.wasInformedBy, self.activity, g)]
        if src.record:
            self.events.append(Quad(m, RDFS.label, lit(src.record), g))

    def _suspect_event(self, doc: Document, key: str, other: str, score: float, reason: str) -> None:
        s = iri("suspect", hashlib.sha1(f"{key}|{other}".encode()).hexdigest()[:16])
        g = DEDUP_GRAPH
        src = doc.sources[0]
        self.events += [Quad(s, RDF.type, FA.SuspectedDuplicate, g), Quad(s, FA.suspectRecord, paper(key), g),
                        Quad(s, FA.suspectedDuplicateOf, paper(other), g), Quad(s, FA.score, lit(round(float(score), 4)), g),
                        Quad(s, FA.rationale, lit(reason), g), Quad(s, FA.sourceFile, lit(src.path), g),
                        Quad(s, PROV.generatedAtTime, self.started, g),
                        Quad(paper(key), FA.suspectedDuplicateOf, paper(other), g)]

    # ---- writing ---------------------------------------------------------------------
    def pending(self) -> int:
        """Records staged since the last flush."""
        return self._pending

    def discard(self, index: DedupIndex) -> None:
        """Forget the staged batch (its transaction failed); ``index``: the store's state reloaded."""
        self.staged, self.events, self.index, self._pending = {}, [], index, 0
        index.distinct |= distinct_pairs(self.store)
        self.run_keys &= set(index.records)

    def flush(self, cited_for) -> UndoLog:
        """Write every staged paper and event in one transaction; ``cited_for(doc)`` links references.

        Returns what undoes this transaction (graphs it created, the previous content of
        graphs it changed, the events it added), so that a record file written in
        several transactions can still be taken back as a whole.
        """
        undo = UndoLog()
        if not self.staged and not self.events:
            return undo
        tx = self.store.transaction()
        for state in self.staged.values():
            tx.add_quads(self._paper_quads(state, tx, cited_for))
            undo.graphs[paper_graph(state.key)] = state.snapshot if state.stored else []
        tx.add_quads(self.events)
        self.store.commit(tx)
        undo.events = list(self.events)
        self.staged, self.events, self._pending = {}, [], 0
        return undo

    def _paper_quads(self, state: PaperState, tx, cited_for) -> list[Quad]:
        key, g = state.key, paper_graph(state.key)
        merged = merge_fields(state.field_records())
        meta = {sid: d for sid, d in state.members.items() if d.sources and d.sources[0].kind != "corpus"}
        if state.content is not None:
            sources = [_source_of(d, sid) for sid, d in meta.items()]
            shown = dataclasses.replace(state.content, **merged, sources=sources)
            if state.stored:
                tx.clear_graph(g)
            quads = activity_quads(self.activity, g, self.names, self.started)
            quads += document_quads(key, shown, state.proposals, self.origin, self.activity, cited_for(shown), meta)
            if state.content.sources:  # which record the text and proposals are of (an unmerge moves them with it)
                quads.append(Quad(paper(key), FA.contentSource, source_node(key, state.content.sources[0]), g))
            self.summary.proposals[key] = len(state.proposals)
        else:  # stored content stays; refresh the merged fields and add the new sources
            for p, o in state.stored_fields:
                tx.remove(paper(key), p, o, g)
            quads = [Quad(paper(key), p, o, g) for p, o in field_terms(Document(**merged))]
            for sid in state.new_sources:
                quads += source_quads(key, _source_of(state.members[sid], sid), self.origin, state.members[sid])
        return [q for q in quads if not (q.subject == paper(key) and q.predicate in state.fixed)]


def distinct_pairs(store: Store) -> set[frozenset[str]]:
    """Paper key pairs a reviewer said are different works (``fa:distinctFrom``: an undone merge, a
    dismissed suspicion), so that no later ingest merges them again."""
    rows = store.select(f"SELECT ?a ?b WHERE {{ GRAPH {sparql_iri(CURATION_GRAPH)} {{ ?a fa:distinctFrom ?b }} }}")
    return {frozenset((local_name(r["a"]), local_name(r["b"]))) for r in rows}


def load_state(store: Store, key: str, confirmed: bool = True) -> PaperState:
    """A stored paper's source records (each with its own metadata), current fields and, when
    ``confirmed``, the records of the papers a reviewer confirmed duplicates of it."""
    state = PaperState(key, stored=True)
    g, node = paper_graph(key), paper(key)
    state.snapshot = store.quads(g)
    by_graph: dict[str, dict[str, str]] = {}
    # a record written outside ingest: the paper typed in another graph (the bundled corpus, with or
    # without a seed file; snowballing; a reviewer's added record), named by its file, else its graph
    corpus_files: dict[str, str] = {}
    for r in store.select_terms(f"SELECT ?g ?p ?o WHERE {{ GRAPH ?g {{ {node} ?p ?o }} }}"):
        graph_term, p, o = r["g"], r["p"], r["o"]
        if graph_term is None or not isinstance(p, NamedNode) or o is None:
            continue  # never: the pattern binds all three, and a predicate is an IRI
        if p in FIELD_PREDICATES:
            by_graph.setdefault(graph_term.value, {}).setdefault(p.value, o.value)
            if graph_term == g:
                state.stored_fields.append((p, o))
            else:
                state.fixed.add(p)  # curated in the corpus graph: never overwritten here
        elif graph_term != g and p == FA.sourceFile:
            corpus_files[graph_term.value] = o.value
        elif graph_term != g and p == RDF.type and o == FA.Paper:
            corpus_files.setdefault(graph_term.value, graph_term.value)
    for graph, file in corpus_files.items():
        state.members[(file, None)] = _doc_from_fields(by_graph.get(graph, {}), Source(file, "corpus"))
    per_source: dict[str, tuple[Source, dict[str, str]]] = {}
    for row in store.select(f"""SELECT ?s ?file ?fmt ?rec ?hash ?origin ?p ?o WHERE {{ GRAPH {g} {{
          {node} fa:hasSource ?s . ?s fa:sourceFile ?file .
          OPTIONAL {{ ?s dcterms:format ?fmt }} OPTIONAL {{ ?s rdfs:label ?rec }}
          OPTIONAL {{ ?s fa:contentHash ?hash }} OPTIONAL {{ ?s fa:recordSource ?origin }}
          OPTIONAL {{ ?s ?p ?o }} }} }}"""):
        src, own = per_source.setdefault(row["s"], (Source(row["file"], row["fmt"] or "text", row["rec"], row["hash"],
                                                           row["origin"] or "database"), {}))
        if row["p"] in _FIELD_IRIS:
            own.setdefault(row["p"], str(row["o"]))
    paper_fields = by_graph.get(g.value, {})
    for src, own in per_source.values():
        # stores written before sources kept their own metadata: the paper's fields stand in
        state.members[(src.path, src.record)] = _doc_from_fields(own or paper_fields, src)
    abstract = max((f.get(DCTERMS.abstract.value, "") for f in by_graph.values()), key=len, default="")
    state.rank = (max((RICHNESS.get(d.sources[0].kind, 0) for d in state.members.values()), default=0), len(abstract))
    if confirmed:
        for dup in store.select(f"SELECT ?d WHERE {{ GRAPH {sparql_iri(CURATION_GRAPH)} {{ ?d fa:duplicateOf {node} }} }}"):
            d = str(dup["d"])
            state.confirmed[d] = shown_records(load_state(store, local_name(d), confirmed=False), d)
    return state


def shown_records(state: PaperState, p: str) -> list[Document]:
    """A paper's records as its fields count them: a PDF record's abstract is the paper's (its text's)."""
    abstract = next((x.object.value for x in state.snapshot if isinstance(x.subject, NamedNode)
                     and x.subject.value == p and x.predicate == DCTERMS.abstract and isinstance(x.object, Literal)), "")
    for doc in state.members.values():
        if doc.sources and doc.sources[0].kind == "pdf" and not doc.abstract:
            doc.abstract = abstract
    return list(state.members.values())


_FIELD_IRIS = {p.value for p in FIELD_PREDICATES}


def _doc_from_fields(f: dict[str, str], src: Source) -> Document:
    year = f.get(DCTERMS.issued.value, "")[:4]
    authors = [a.strip() for a in f.get(BIBO.authorList.value, "").split(";") if a.strip()]
    return Document(title=f.get(DCTERMS.title.value, ""), authors=authors, year=int(year) if year.isdigit() else None,
                    doi=f.get(BIBO.doi.value) or None, arxiv=f.get(FA.arxivId.value) or None,
                    venue=f.get(DCTERMS.isPartOf.value) or None, abstract=f.get(DCTERMS.abstract.value, ""),
                    sources=[src])

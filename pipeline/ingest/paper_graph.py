"""Documents and proposals -> RDF quads in the paper's own named graph.

Everything here is machine output: re-ingesting a paper rebuilds this graph and
nothing else. Proposal IRIs are derived from (paper, kind, code, evidence), so
a proposal that survives a re-ingest keeps its IRI and the human decisions in
the curation graph that point at it stay attached.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from pyoxigraph import Literal, NamedNode, Quad

from pipeline.document import Document, Proposal, Reference, Source
from pipeline.identifiers import normalise_title
from pipeline.vocab import (
    BIBO,
    CITO,
    DCTERMS,
    FA,
    FOAF,
    PROV,
    RDF,
    RDFS,
    XSD,
    iri,
    lit,
    paper,
    paper_graph,
    slug,
    status,
)

RICHNESS = {"pdf": 3, "markdown": 2, "text": 2, "bibtex": 1, "ris": 1, "corpus": 0}


def paper_key(doc: Document) -> str:
    """A readable, stable key: firstauthor-year-first-title-words (+ hash for safety)."""
    last = ""
    if doc.authors:
        parts = doc.authors[0].replace(",", " ").split()
        last = parts[0] if "," in doc.authors[0] else parts[-1] if parts else ""
    words = normalise_title(doc.title).split()[:4]
    h = hashlib.sha1(normalise_title(doc.title).encode()).hexdigest()[:6]
    return slug(f"{last}{doc.year or ''}-{'-'.join(words)}-{h}", max_len=70)


def proposal_iri(key: str, p: Proposal) -> NamedNode:
    h = hashlib.sha1(f"{p.kind}|{p.code}|{p.evidence}".encode()).hexdigest()[:16]
    return iri("proposal", f"{key}/{h}")


def now_literal():
    return lit(datetime.now(UTC).isoformat(timespec="seconds"), XSD.dateTime)


def document_quads(key: str, doc: Document, proposals: list[Proposal], origin: str,
                   activity: NamedNode, cited: dict[int, str] | None = None,
                   source_meta: dict[tuple[str, str | None], Document] | None = None) -> list[Quad]:
    """All quads of one paper's graph; ``source_meta``: each source record's own metadata."""
    g = paper_graph(key)
    node = paper(key)
    out: list[Quad] = []

    def add(s, p, o) -> None:
        out.append(Quad(s, p, o, g))

    add(node, RDF.type, FA.Paper)
    add(node, FA.key, lit(key))
    for p, o in field_terms(doc):
        add(node, p, o)
    for name in doc.authors:
        person = iri("person", slug(name))
        add(node, DCTERMS.creator, person)
        add(person, RDF.type, FOAF.Person)
        add(person, FOAF.name, lit(name))
    if doc.text:
        add(node, FA.text, lit(doc.text))
    for kw in doc.keywords:
        add(node, DCTERMS.subject, lit(kw))
    add(node, FA.recordSource, lit(origin))
    add(node, PROV.wasGeneratedBy, activity)
    for src in doc.sources:
        out.extend(source_quads(key, src, origin, (source_meta or {}).get((src.path, src.record))))
    for i, sec in enumerate(doc.sections):
        s = iri("section", f"{key}/{i + 1}")
        add(node, DCTERMS.hasPart, s)
        add(s, RDFS.label, lit(sec.heading))
        add(s, FA.charStart, lit(sec.start))
        add(s, FA.charEnd, lit(sec.end))
    for i, ref in enumerate(doc.references):
        out.extend(_reference_quads(g, node, key, i + 1, ref, (cited or {}).get(i)))
    for proposal in proposals:
        out.extend(_proposal_quads(g, node, key, proposal, activity))
    return out


def source_node(key: str, src: Source) -> NamedNode:
    return iri("source", f"{key}/{hashlib.sha1(f'{src.path}|{src.record}'.encode()).hexdigest()[:12]}")


def source_quads(key: str, src: Source, origin: str, meta: Document | None = None) -> list[Quad]:
    """A paper's record of one file (and entry) it came from, with its content hash.

    ``meta``: the metadata this record itself carried (title, year, DOI, ...), kept
    on the source node so that a merge loses nothing and can be undone.
    """
    g = paper_graph(key)
    s = source_node(key, src)
    quads = [Quad(paper(key), FA.hasSource, s, g), Quad(s, FA.sourceFile, lit(src.path), g),
             Quad(s, DCTERMS.format, lit(src.kind), g), Quad(s, FA.recordSource, lit(src.origin or origin), g)]
    if src.record:
        quads.append(Quad(s, RDFS.label, lit(src.record), g))
    if src.sha256:
        quads.append(Quad(s, FA.contentHash, lit(src.sha256), g))
    if meta is not None:
        quads += [Quad(s, p, o, g) for p, o in field_terms(meta, abstract=src.kind not in ("pdf",))]
    if src.raw:  # the record as the database wrote it: exports give it back unchanged
        quads.append(Quad(s, DCTERMS.bibliographicCitation, lit(src.raw), g))
    return quads


def field_terms(doc: Document, abstract: bool = True) -> list[tuple[NamedNode, Literal]]:
    """(predicate, object) of a record's bibliographic fields, as stored on papers and sources."""
    out: list[tuple[NamedNode, Literal]] = [(DCTERMS.title, lit(doc.title or "(untitled)"))]
    if doc.authors:
        out.append((BIBO.authorList, lit("; ".join(doc.authors))))
    if doc.year:
        out.append((DCTERMS.issued, lit(str(doc.year), XSD.gYear)))
    if doc.doi:
        out.append((BIBO.doi, lit(doc.doi.lower())))
    if doc.arxiv:
        out.append((FA.arxivId, lit(doc.arxiv)))
    if doc.venue:
        out.append((DCTERMS.isPartOf, lit(doc.venue)))
    if abstract and doc.abstract:
        out.append((DCTERMS.abstract, lit(doc.abstract)))
    return out


FIELD_PREDICATES = (DCTERMS.title, BIBO.authorList, DCTERMS.issued, BIBO.doi, FA.arxivId, DCTERMS.isPartOf,
                    DCTERMS.abstract)


def _reference_quads(g, node, key: str, n: int, ref: Reference, same_as: str | None) -> list[Quad]:
    r = iri("reference", f"{key}/{n}")
    quads = [Quad(node, CITO.cites, r, g), Quad(r, RDF.type, FA.Reference, g),
             Quad(r, RDFS.comment, lit(ref.raw[:2000]), g), Quad(r, FA.rank, lit(n), g)]
    if ref.title:
        quads.append(Quad(r, DCTERMS.title, lit(ref.title), g))
    if ref.authors:
        quads.append(Quad(r, BIBO.authorList, lit("; ".join(ref.authors)), g))
    if ref.year:
        quads.append(Quad(r, DCTERMS.issued, lit(str(ref.year), XSD.gYear), g))
    if ref.venue:
        quads.append(Quad(r, DCTERMS.isPartOf, lit(ref.venue), g))
    if ref.doi:
        quads.append(Quad(r, BIBO.doi, lit(ref.doi.lower()), g))
    if ref.arxiv:
        quads.append(Quad(r, FA.arxivId, lit(ref.arxiv), g))
    if same_as:
        quads.append(Quad(node, CITO.cites, NamedNode(same_as), g))
        quads.append(Quad(r, FA.duplicateOf, NamedNode(same_as), g))
    return quads


def _proposal_quads(g, node, key: str, p: Proposal, activity) -> list[Quad]:
    pn = proposal_iri(key, p)
    ex = NamedNode(pn.value + "/evidence")
    quads = [
        Quad(pn, RDF.type, FA.Proposal, g),
        Quad(pn, FA.aboutPaper, node, g),
        Quad(pn, FA.proposalKind, lit(p.kind), g),
        Quad(pn, RDFS.label, lit(p.label), g),
        Quad(pn, FA.score, lit(float(min(1.0, max(0.0, p.score)))), g),
        Quad(pn, FA.proposer, lit(p.proposer), g),
        Quad(pn, FA.model, lit(p.model), g),
        Quad(pn, FA.modelVersion, lit(p.model_version), g),
        Quad(pn, FA.status, status("proposed"), g),
        Quad(pn, FA.evidence, ex, g),
        Quad(pn, PROV.wasGeneratedBy, activity, g),
        Quad(ex, RDF.type, FA.Excerpt, g),
        Quad(ex, FA.inPaper, node, g),
        Quad(ex, FA.text, lit(p.evidence), g),
        Quad(ex, FA.charStart, lit(int(p.start)), g),
        Quad(ex, FA.charEnd, lit(int(p.end)), g),
    ]
    if p.code and p.code != "new":
        quads.append(Quad(pn, FA.proposesCode, NamedNode(p.code), g))
    if p.page:
        quads.append(Quad(ex, FA.page, lit(int(p.page)), g))
    if p.rationale:
        quads.append(Quad(pn, FA.rationale, lit(p.rationale), g))
    if "|prompt:" in p.model_version:  # LLM proposers: "<served model>|prompt:<version>"
        quads.append(Quad(pn, FA.promptVersion, lit(p.model_version.split("|prompt:", 1)[1]), g))
    for rank, (code, sim) in enumerate(p.neighbours, start=1):
        nb = NamedNode(f"{pn.value}/neighbour/{rank}")
        quads += [Quad(pn, FA.neighbour, nb, g), Quad(nb, FA.technique, NamedNode(code), g),
                  Quad(nb, FA.similarity, lit(float(sim)), g), Quad(nb, FA.rank, lit(rank), g)]
    return quads


def activity_quads(activity: NamedNode, graph: NamedNode, proposers: list[str], started) -> list[Quad]:
    from pipeline import __version__

    agent = iri("agent", "fedatlas-ingest")
    return [
        Quad(activity, RDF.type, PROV.Activity, graph),
        Quad(activity, RDFS.label, lit("fedatlas ingest"), graph),
        Quad(activity, PROV.startedAtTime, started, graph),
        Quad(activity, PROV.wasAssociatedWith, agent, graph),
        Quad(agent, RDF.type, PROV.SoftwareAgent, graph),
        Quad(agent, RDFS.label, lit(f"FedNAS Atlas {__version__}"), graph),
    ] + [Quad(activity, FA.proposer, lit(name), graph) for name in proposers]

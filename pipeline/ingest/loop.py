"""The ingest loop: files -> Documents -> sentences -> proposals -> paper graphs.

Parsing, sentence splitting and proposing run per file, in this process or in
``workers`` processes (each loads the embedding model once). Writing is done
here, one transaction per paper, so a failure never half-writes a paper and the
store is touched by one writer. Deduplication (DOI, arXiv id, normalised title)
merges a preprint and its published version into one Paper with both sources.
An unchanged file is skipped; a changed one replaces that paper's machine output
(its graph) and leaves every human decision (curation graph) in place.
"""

from __future__ import annotations

import glob
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pipeline.document import Document, Proposal
from pipeline.errors import AtlasError
from pipeline.ingest.paper_graph import (
    RICHNESS, activity_quads, document_quads, now_literal, paper_key, source_quads,
)
from pipeline.identifiers import norm_arxiv, norm_doi, normalise_title
from pipeline.store import Store
from pipeline.vocab import BIBO, FA, iri, lit, paper, paper_graph

KNOWN_SUFFIXES = {".pdf", ".bib", ".bibtex", ".ris", ".md", ".markdown", ".txt", ".text"}


@dataclass
class IngestSummary:
    ingested: list[str] = field(default_factory=list)  # paper keys written (new or changed)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file/record, why)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, one-line reason)
    merged: list[tuple[str, str]] = field(default_factory=list)  # (source, existing paper key)
    notes: list[str] = field(default_factory=list)  # read fine, worth a look (e.g. latin-1 fallback)
    proposals: dict[str, int] = field(default_factory=dict)  # paper key -> proposals written

    @property
    def ok(self) -> bool:
        return not self.failed

    def lines(self) -> list[str]:
        out = [f"ingested {len(self.ingested)} paper(s), skipped {len(self.skipped)}, "
               f"failed {len(self.failed)}, merged duplicates {len(self.merged)}"]
        out += [f"  skipped {what}: {why}" for what, why in self.skipped]
        out += [f"  merged {what} into {key}" for what, key in self.merged]
        out += [f"  note {note}" for note in self.notes]
        out += [f"  FAILED {reason}" for _, reason in self.failed]
        return out


def expand_paths(paths: list[str | os.PathLike]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files from paths, directories (recursive) and glob patterns."""
    files: list[Path] = []
    missing: list[tuple[str, str]] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in KNOWN_SUFFIXES)
        elif p.is_file():
            files.append(p)
        else:
            hits = sorted(Path(h) for h in glob.glob(str(raw), recursive=True))
            if hits:
                files += [h for h in hits if h.is_file()]
            else:
                missing.append((str(raw), f"{raw}: no such file or directory"))
    seen: set[Path] = set()
    unique = []
    for f in files:
        if f.resolve() not in seen:
            seen.add(f.resolve())
            unique.append(f)
    return unique, missing


# ---- per-file work (runs in worker processes) ---------------------------------

_WORKER_CONTEXT = None


def _init_worker(context, workers: int = 1) -> None:
    global _WORKER_CONTEXT
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    # N workers x all cores each would oversubscribe the CPU (measured: 3.5x the CPU time)
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // max(1, workers)))
    _WORKER_CONTEXT = context
    if context is not None and getattr(context, "cache_dir", None) is not None:
        context.embedder = None  # each worker loads its own model once, lazily


def process_file(path: str, context=None, proposer_names: list[str] | None = None) -> dict:
    """Parse, split and propose for one file; returns documents, proposals, problems."""
    from pipeline.propose.nlp import annotate
    from pipeline.propose import default_proposers, get_proposer
    from pipeline.sources import read_path

    context = context if context is not None else _WORKER_CONTEXT
    try:
        result = read_path(path)
        docs, problems, notes = result.documents, result.problems, list(result.notes)
    except AtlasError as e:
        return {"path": path, "error": e.message, "docs": [], "problems": [], "notes": []}
    except Exception as e:  # a parser bug must not kill the batch: report it as this file's failure
        return {"path": path, "error": f"{Path(path).name}: cannot parse ({type(e).__name__}: {e})",
                "docs": [], "problems": [], "notes": []}
    proposers = [get_proposer(n) for n in proposer_names] if proposer_names else default_proposers()
    out = []
    for doc in docs:
        notes += _cap_sizes(doc, Path(path).name)
        annotate(doc)
        proposals: list[Proposal] = []
        for proposer in proposers:
            try:
                proposals += proposer.propose(doc, context)
            except AtlasError as e:
                problems.append(f"{Path(path).name}: proposer {proposer.name}: {e.message}")
        doc.sentences = []  # not stored; keeps the result small between processes
        out.append((doc, proposals))
    return {"path": path, "error": None, "docs": out, "problems": problems, "notes": notes}


MAX_ABSTRACT = 100_000  # characters; no real abstract comes close
MAX_TEXT = 3_000_000  # characters; about a 600-page book


def _cap_sizes(doc: Document, name: str) -> list[str]:
    """Cut absurd field sizes (a 10 MB abstract) so that mining stays linear and bounded."""
    notes = []
    if len(doc.abstract) > MAX_ABSTRACT:
        notes.append(f"{name}: {doc.title[:60]!r}: abstract of {len(doc.abstract)} characters cut to {MAX_ABSTRACT}")
        doc.abstract = doc.abstract[:MAX_ABSTRACT]
        if not doc.sections:  # a database record: its text is title + abstract
            doc.text = f"{doc.title}\n\n{doc.abstract}".strip()
    if len(doc.text) > MAX_TEXT:
        notes.append(f"{name}: {doc.title[:60]!r}: text of {len(doc.text)} characters cut to {MAX_TEXT}")
        doc.text = doc.text[:MAX_TEXT]
    return notes


# ---- store side ------------------------------------------------------------------

@dataclass
class _Known:
    """Existing papers, for deduplication and idempotency."""

    by_doi: dict[str, str] = field(default_factory=dict)
    by_arxiv: dict[str, str] = field(default_factory=dict)
    by_title: dict[str, str] = field(default_factory=dict)
    hashes: dict[str, set[str]] = field(default_factory=dict)  # key -> source hashes
    richness: dict[str, int] = field(default_factory=dict)  # key -> richest source kind

    def find(self, doc: Document) -> str | None:
        if doc.doi and norm_doi(doc.doi) in self.by_doi:
            return self.by_doi[norm_doi(doc.doi)]
        if doc.arxiv and norm_arxiv(doc.arxiv) in self.by_arxiv:
            return self.by_arxiv[norm_arxiv(doc.arxiv)]
        t = normalise_title(doc.title)
        if len(t) > 12 and t in self.by_title:
            return self.by_title[t]
        if len(t) > 12:  # near-identical titles (preprint vs. published)
            import difflib

            close = difflib.get_close_matches(t, list(self.by_title), n=1, cutoff=0.93)
            if close:
                return self.by_title[close[0]]
        return None

    def remember(self, key: str, doc: Document) -> None:
        if doc.doi:
            self.by_doi[norm_doi(doc.doi)] = key
        if doc.arxiv:
            self.by_arxiv[norm_arxiv(doc.arxiv)] = key
        if doc.title:
            self.by_title[normalise_title(doc.title)] = key
        self.hashes.setdefault(key, set()).update(s.sha256 for s in doc.sources if s.sha256)
        self.richness[key] = max(self.richness.get(key, 0), *(RICHNESS.get(s.kind, 0) for s in doc.sources))


def load_known(store: Store) -> _Known:
    known = _Known()
    rows = store.select("""
        SELECT ?p ?key ?title ?doi ?arxiv WHERE { GRAPH ?g {
          ?p a fa:Paper . OPTIONAL { ?p fa:key ?key } OPTIONAL { ?p dcterms:title ?title }
          OPTIONAL { ?p bibo:doi ?doi } OPTIONAL { ?p fa:arxivId ?arxiv } } }""")
    for r in rows:
        key = r["key"] or r["p"].rsplit("/", 1)[-1]
        if r["doi"]:
            known.by_doi[norm_doi(str(r["doi"]))] = key
        if r["arxiv"]:
            known.by_arxiv[norm_arxiv(str(r["arxiv"]))] = key
        if r["title"]:
            known.by_title.setdefault(normalise_title(r["title"]), key)
    for r in store.select("""
        SELECT ?key ?hash ?fmt WHERE { GRAPH ?g { ?p a fa:Paper ; fa:key ?key ; fa:hasSource ?s .
          OPTIONAL { ?s fa:contentHash ?hash } OPTIONAL { ?s dcterms:format ?fmt } } }"""):
        if r["hash"]:
            known.hashes.setdefault(r["key"], set()).add(r["hash"])
        known.richness[r["key"]] = max(known.richness.get(r["key"], 0), RICHNESS.get(r["fmt"] or "", 0))
    return known


def _merge_metadata(doc: Document, store: Store, key: str) -> None:
    """Keep the existing paper's sources when its graph is rebuilt from a richer source."""
    from pipeline.document import Source

    rows = store.select(f"""
        SELECT ?file ?fmt ?rec ?hash ?origin WHERE {{ GRAPH {paper_graph(key)} {{
          ?p fa:hasSource ?s . ?s fa:sourceFile ?file .
          OPTIONAL {{ ?s dcterms:format ?fmt }} OPTIONAL {{ ?s rdfs:label ?rec }}
          OPTIONAL {{ ?s fa:contentHash ?hash }} OPTIONAL {{ ?s fa:recordSource ?origin }} }} }}""")
    have = {(s.path, s.record) for s in doc.sources}
    for r in rows:
        if (r["file"], r["rec"]) not in have:
            doc.sources.append(Source(path=r["file"], kind=r["fmt"] or "text", record=r["rec"],
                                      sha256=r["hash"], origin=r["origin"] or "database"))
    for field_, prop in (("doi", BIBO.doi), ("arxiv", FA.arxivId)):
        if not getattr(doc, field_):
            got = store.select(f"SELECT ?v WHERE {{ GRAPH {paper_graph(key)} {{ ?p {prop} ?v }} }} LIMIT 1")
            if got:
                setattr(doc, field_, got[0]["v"])


def _add_source_only(store: Store, key: str, doc: Document, origin: str) -> None:
    """A poorer duplicate (a BibTeX record of a paper we have as PDF): record the source."""
    tx = store.transaction()
    for src in doc.sources:
        tx.add_quads(source_quads(key, src, origin))
    if doc.doi:
        tx.add(paper(key), BIBO.doi, lit(norm_doi(doc.doi)), paper_graph(key))
    store.commit(tx)


def ingest_paths(store: Store, paths: list[str | os.PathLike], *, workers: int = 1,
                 proposer_names: list[str] | None = None, origin: str = "database",
                 progress: bool = True, on_file: Callable[[int, int, str], None] | None = None) -> IngestSummary:
    """Ingest files into ``store``; see the module docstring for the guarantees."""
    from tqdm import tqdm

    from pipeline.propose import default_proposers

    summary = IngestSummary()
    files, missing = expand_paths(paths)
    summary.failed += missing
    context = proposal_context(store)
    names = proposer_names or [p.name for p in default_proposers()]
    with store.session():
        known = load_known(store)
    activity = iri("activity", f"ingest-{now_literal().value.replace(':', '')}")
    started = now_literal()

    def results():
        if workers > 1 and len(files) > 1:
            with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(context, workers)) as ex:
                futures = [ex.submit(process_file, str(f), None, names) for f in files]
                for fut in futures:
                    yield fut.result()
        else:
            for f in files:
                yield process_file(str(f), context, names)

    bar = tqdm(total=len(files), desc="ingest", unit="file", disable=not progress, file=_stderr())
    for i, res in enumerate(results()):
        bar.update(1)
        if on_file:
            on_file(i + 1, len(files), res["path"])
        if res["error"]:
            summary.failed.append((res["path"], res["error"]))
            continue
        for problem in res["problems"]:
            summary.failed.append((res["path"], problem))
        summary.notes += res.get("notes", [])
        for doc, proposals in res["docs"]:
            try:
                _write_document(store, doc, proposals, known, origin, activity, started, names, summary)
            except AtlasError as e:
                summary.failed.append((res["path"], f"{Path(res['path']).name}: {e.message}"))
    bar.close()
    return summary


def _write_document(store, doc, proposals, known: _Known, origin, activity, started, names, summary) -> None:
    for src in doc.sources:
        src.origin = src.origin if src.origin != "database" else origin
    label = doc.sources[0].path + (f"#{doc.sources[0].record}" if doc.sources and doc.sources[0].record else "")
    existing = known.find(doc)
    key = existing or paper_key(doc)
    hashes = {s.sha256 for s in doc.sources if s.sha256}
    if existing and hashes and hashes <= known.hashes.get(key, set()):
        summary.skipped.append((label, "unchanged"))
        return
    richness = max((RICHNESS.get(s.kind, 0) for s in doc.sources), default=0)
    with store.session(write=True):
        if existing:
            if _is_other_source(store, key, doc):
                summary.merged.append((label, key))
            if richness < known.richness.get(key, 0):
                _add_source_only(store, key, doc, origin)
                known.remember(key, doc)
                summary.skipped.append((label, f"poorer source of {key}: source recorded, content kept"))
                return
            _merge_metadata(doc, store, key)
        g = paper_graph(key)
        cited = _match_references(doc, known)
        tx = store.transaction()
        tx.clear_graph(g)
        tx.add_quads(activity_quads(activity, g, names, started))
        tx.add_quads(document_quads(key, doc, proposals, origin, activity, cited))
        store.commit(tx)
    known.remember(key, doc)
    summary.ingested.append(key)
    summary.proposals[key] = len(proposals)


def _is_other_source(store: Store, key: str, doc: Document) -> bool:
    files = {r["f"] for r in store.select(
        f"SELECT ?f WHERE {{ GRAPH {paper_graph(key)} {{ ?p fa:hasSource ?s . ?s fa:sourceFile ?f }} }}")}
    return not any(s.path in files for s in doc.sources)


def _match_references(doc: Document, known: _Known) -> dict[int, str]:
    """References that are papers of the corpus (for citation links and snowballing)."""
    out = {}
    for i, ref in enumerate(doc.references):
        probe = Document(title=ref.title or "", doi=ref.doi, arxiv=ref.arxiv)
        key = known.find(probe) if (probe.title or probe.doi or probe.arxiv) else None
        if key:
            out[i] = paper(key).value
    return out


def _stderr():
    import sys

    return sys.stderr


def proposal_context(store: Store):
    """Codebook + curated exemplars + embedding cache location, read from the store."""
    from pipeline.propose import CodebookEntry, Exemplar, ProposalContext

    with store.session():
        rows = store.select("""
            SELECT ?t (SAMPLE(?l) AS ?label) (SAMPLE(?d) AS ?def)
                   (GROUP_CONCAT(DISTINCT ?x; SEPARATOR="\\u001f") AS ?examples) WHERE {
              GRAPH ?g { ?t a fa:AdaptationTechnique ; skos:prefLabel ?l . OPTIONAL { ?t skos:definition ?d } }
              OPTIONAL { GRAPH ?g2 { ?oc fa:refinedAs ?t ; fa:evidence ?e } GRAPH ?g3 { ?e fa:text ?x } }
              FILTER NOT EXISTS { GRAPH ?g4 { ?t owl:deprecated true } }
            } GROUP BY ?t""")
        codebook = [CodebookEntry(r["t"], r["label"], r["def"] or "",
                                  tuple(x for x in (r["examples"] or "").split("\x1f") if x)) for r in rows]
        exemplars = [Exemplar(r["kind"], r["code"], r["text"], r["accepted"])
                     for r in curated_examples(store)]
    cache = Path(store.location) / "embeddings" if not store.location.startswith("http") else None
    return ProposalContext(codebook=codebook, exemplars=exemplars, cache_dir=cache)


def curated_examples(store: Store) -> list[dict]:
    """Accepted/rejected proposals as labelled sentences (learning from curation)."""
    from pipeline.curate.proposals import list_proposals

    out = []
    for p in list_proposals(store, status="all"):
        if p["status"] in ("accepted", "edited", "rejected") and p["code"] and p["evidence"]:
            out.append({"kind": p["kind"], "code": p["code"], "text": p["evidence"],
                        "accepted": p["status"] != "rejected"})
    return out

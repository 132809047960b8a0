"""The ingest loop: files -> Documents -> sentences -> proposals -> paper graphs.

Records go through in batches (``pipeline.ingest.batch``: one parser pass and
one embedding call per batch of records) and are written in batches
(``pipeline.ingest.writer``: one store transaction per batch of records, so
memory stays bounded). A record file is still written all or nothing: when a
batch fails, the earlier batches of its files are taken back (their undo logs). Deduplication
(``pipeline.ingest.dedup``) merges only on a shared DOI or arXiv id and flags
similar titles as suspected duplicates for the reviewer. An unchanged record
is skipped; a changed one replaces its paper's machine output (its graph) and
leaves every human decision (curation graph) in place. Parsing and proposing
run in this process or in ``workers`` processes, outside the store's lock; writing is done
here only, holding the lock for one batch at a time (a reviewer's click waits for one batch's
transaction, not for the whole ingest).
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pipeline.document import Document, Source
from pipeline.errors import AtlasError
from pipeline.ingest.batch import propose_batch
from pipeline.ingest.dedup import DedupIndex
from pipeline.ingest.paper_graph import now_literal
from pipeline.ingest.summary import IngestSummary
from pipeline.ingest.writer import BatchWriter, UndoLog
from pipeline.sources import known_suffixes
from pipeline.store import Store
from pipeline.vocab import iri, paper

BATCH_SIZE = 256  # records per parser pass / embedding call / store transaction


def expand_paths(paths: list[str | os.PathLike]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files from paths, directories (recursive) and glob patterns."""
    files: list[Path] = []
    missing: list[tuple[str, str]] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in known_suffixes())
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


def read_file(path: str) -> dict:
    """Parse one file; a parser bug becomes this file's failure, never the run's."""
    from pipeline.sources import read_path

    try:
        result = read_path(path)
    except AtlasError as e:
        return {"path": path, "error": e.message, "docs": [], "problems": [], "notes": []}
    except Exception as e:  # noqa: BLE001
        return {"path": path, "error": f"{Path(path).name}: cannot parse ({type(e).__name__}: {e})",
                "docs": [], "problems": [], "notes": []}
    return {"path": path, "error": None, "docs": result.documents, "problems": list(result.problems),
            "notes": list(result.notes)}


def _proposers(proposer_names: list[str] | None):
    from pipeline.propose import default_proposers, get_proposer

    return [get_proposer(n) for n in proposer_names] if proposer_names else default_proposers()


def process_file(path: str, context=None, proposer_names: list[str] | None = None,
                 batch_size: int = BATCH_SIZE) -> dict:
    """Parse, split and propose for one file; returns documents with proposals, problems, notes."""
    context = context if context is not None else _WORKER_CONTEXT
    res = read_file(path)
    if res["error"]:
        return res
    proposers = _proposers(proposer_names)
    docs, out = res["docs"], []
    for i in range(0, len(docs), batch_size):
        pairs, problems, notes = propose_batch(docs[i:i + batch_size], context, proposers, path)
        out += pairs
        res["problems"] += problems
        res["notes"] += notes
    res["docs"] = out
    return res


# ---- store side ------------------------------------------------------------------

def load_index(store: Store) -> DedupIndex:
    """Every paper record of the store (each source with its own metadata) in a dedup index."""
    index = DedupIndex()
    fields = """OPTIONAL { GRAPH ?g1 { ?p dcterms:title ?title } } OPTIONAL { GRAPH ?g2 { ?p bibo:doi ?doi } }
                OPTIONAL { GRAPH ?g3 { ?p fa:arxivId ?arxiv } } OPTIONAL { GRAPH ?g4 { ?p dcterms:issued ?year } }
                OPTIONAL { GRAPH ?g5 { ?p dcterms:isPartOf ?venue } } OPTIONAL { GRAPH ?g6 { ?p fa:key ?key } }"""
    papers = {r["p"]: r for r in store.select(f"""
        SELECT ?p (SAMPLE(?key) AS ?k) (SAMPLE(?title) AS ?t) (SAMPLE(?doi) AS ?d) (SAMPLE(?arxiv) AS ?x)
               (SAMPLE(?year) AS ?y) (SAMPLE(?venue) AS ?v) (SAMPLE(?file) AS ?f) WHERE {{
          GRAPH ?g {{ ?p a fa:Paper }} {fields}
          OPTIONAL {{ GRAPH ?g7 {{ ?p fa:sourceFile ?file }} }}
        }} GROUP BY ?p""")}
    sources: dict[str, list[dict]] = {}
    for r in store.select("""
        SELECT ?p ?s ?file ?rec ?hash ?fmt ?title ?doi ?arxiv ?year ?venue WHERE { GRAPH ?g {
          ?p fa:hasSource ?s . ?s fa:sourceFile ?file .
          OPTIONAL { ?s rdfs:label ?rec } OPTIONAL { ?s fa:contentHash ?hash } OPTIONAL { ?s dcterms:format ?fmt }
          OPTIONAL { ?s dcterms:title ?title } OPTIONAL { ?s bibo:doi ?doi } OPTIONAL { ?s fa:arxivId ?arxiv }
          OPTIONAL { ?s dcterms:issued ?year } OPTIONAL { ?s dcterms:isPartOf ?venue } } }"""):
        sources.setdefault(r["p"], []).append(r)
    for p, r in papers.items():
        key = r["k"] or p.rsplit("/", 1)[-1]
        if paper(key).value != p:
            continue  # a node that is not a paper of this store's scheme
        own = [s for s in sources.get(p, []) if s["title"]]
        bare = [s for s in sources.get(p, []) if not s["title"]]
        for s in own:
            index.add(key, _record(s["title"], s["doi"], s["arxiv"], s["year"], s["venue"],
                                   [Source(s["file"], s["fmt"] or "text", s["rec"], s["hash"])]))
        if bare or not own:
            srcs = [Source(s["file"], s["fmt"] or "text", s["rec"], s["hash"]) for s in bare]
            if r["f"]:
                srcs.append(Source(r["f"], "corpus"))
            index.add(key, _record(r["t"], r["d"], r["x"], r["y"], r["v"], srcs))
    return index


def _record(title, doi, arxiv, year, venue, sources: list[Source]) -> Document:
    y = str(year or "")[:4]
    return Document(title=title or "", doi=doi, arxiv=arxiv, year=int(y) if y.isdigit() else None,
                    venue=venue, sources=sources)


def ingest_paths(store: Store, paths: list[str | os.PathLike], *, workers: int = 1,
                 proposer_names: list[str] | None = None, origin: str = "database",
                 progress: bool = True, on_file: Callable[[int, int, str], None] | None = None,
                 batch_size: int = BATCH_SIZE) -> IngestSummary:
    """Ingest files into ``store``; see the module docstring for the guarantees."""
    from tqdm import tqdm

    from pipeline.propose import check_proposer_names

    check_proposer_names(proposer_names or [])  # a mistyped name is refused before any file is read
    summary = IngestSummary()
    files, missing = expand_paths(paths)
    summary.failed += missing
    context = proposal_context(store)
    names = proposer_names or [p.name for p in _proposers(None)]
    activity = iri("activity", f"ingest-{now_literal().value.replace(':', '')}")
    with store.session():
        writer = BatchWriter(store, load_index(store), summary, origin=origin, activity=activity,
                             started=now_literal(), proposer_names=names)
        seen = store.revision()  # what the index was read from

    def results():
        """Per file: its result in parts (one per batch of records in this process), the last marked ``done``."""
        if workers > 1 and len(files) > 1:
            with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(context, workers)) as ex:
                futures = [ex.submit(process_file, str(f), None, names, batch_size) for f in files]
                for fut in futures:
                    yield {**fut.result(), "done": True}
        else:
            proposers = _proposers(names)
            for f in files:
                res = read_file(str(f))
                docs = res["docs"]
                if res["error"] or not docs:
                    yield {**res, "docs": [], "done": True}
                    continue
                for i in range(0, len(docs), batch_size):
                    pairs, problems, notes = propose_batch(docs[i:i + batch_size], context, proposers, str(f))
                    last = i + batch_size >= len(docs)
                    yield {"path": str(f), "error": None, "docs": pairs, "done": last,
                           "problems": problems + (res["problems"] if last else []),
                           "notes": notes + (res["notes"] if last else [])}

    bar = tqdm(desc="ingest", unit="record", disable=not progress, file=_stderr())
    # files with records staged or committed but not finished; their undo logs and where their outcomes start
    open_files: dict[str, tuple[UndoLog, int, int]] = {}
    unfinished: list[str] = []  # open files whose records were all read but not all committed yet

    def flush() -> bool:
        try:
            undo = writer.flush(lambda d: _match_references(d, writer.index))
        except AtlasError as e:  # this batch wrote nothing; take back the earlier batches of its files
            first = min((open_files[f][1], open_files[f][2]) for f in open_files) if open_files else None
            total = UndoLog()
            for f, (log, _, _) in open_files.items():
                total.extend(log)
                summary.failed.append((f, f"{Path(f).name}: not written ({e.message})"))
            total.apply(store)
            if first:
                del summary.records[first[0]:], summary.suspected[first[1]:]
            open_files.clear()
            unfinished.clear()
            writer.discard(load_index(store))
            return False
        for log, _, _ in open_files.values():
            log.extend(undo)
        for f in unfinished:
            open_files.pop(f, None)  # every record of it is committed now
        unfinished.clear()
        _release_freed_memory()  # (the batch's session ends next: the store flushes RocksDB's memtables then)
        return True

    done = 0
    # Parsing, embedding and proposing run outside the store's lock; the lock is held only
    # to decide and write one batch, so a reviewer's click (another process) waits for one
    # transaction, never for the whole ingest. A batch starts from the store as it is then:
    # when another process wrote since this ingest's last batch, the dedup index is reloaded.
    waiting: list[dict] = []
    finished: list[str] = []

    def write_waiting() -> None:
        nonlocal done, seen
        with store.session(write=True):
            now = store.revision()
            if seen is not None and now is not None and store.previous_revision(now) != seen:
                writer.discard(load_index(store))  # nothing is staged between batches
            for res in waiting:
                path = res["path"]
                summary.notes += res.get("notes", [])
                if res["error"]:
                    summary.failed.append((path, res["error"]))
                else:
                    summary.failed += [(path, problem) for problem in res["problems"]]
                    if path not in open_files:
                        open_files[path] = (UndoLog(), len(summary.records), len(summary.suspected))
                    for doc, proposals in res["docs"]:
                        writer.stage(doc, proposals)
                if res["done"]:
                    finished.append(path)
                    if path in open_files:
                        unfinished.append(path)
            flush()
            seen = store.revision()
        waiting.clear()
        for path in finished:  # after the lock is released: a callback may touch the store
            done += 1
            if on_file:
                on_file(done, len(files), path)
        finished.clear()

    for res in results():
        waiting.append(res)
        bar.update(len(res["docs"]))
        if sum(len(r["docs"]) for r in waiting) >= batch_size:
            write_waiting()
    if waiting:
        write_waiting()
    bar.close()
    return summary


def _release_freed_memory() -> None:
    """Hand the batch's freed heap back to the system (glibc's ``malloc_trim``; elsewhere nothing).

    A batch's tensors (of varying sizes) and its transaction leave freed memory in glibc's arenas;
    together with the flush at the end of each batch's session this keeps the peak of a 5,000-record ingest flat
    (bench/bench_bulk.py prints the resident size over the run)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _match_references(doc: Document, index: DedupIndex) -> dict[int, str]:
    """References that are papers of the corpus (for citation links and snowballing)."""
    out = {}
    for i, ref in enumerate(doc.references):
        probe = Document(title=ref.title or "", doi=ref.doi, arxiv=ref.arxiv, year=ref.year)
        if not (probe.title or probe.doi or probe.arxiv):
            continue
        match = index.match(probe)
        key = match.key if match.kind == "merge" else next(
            (k for k, score, why in match.suspects if score >= 0.97 and "no shared identifier" in why), None)
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
    """Accepted/rejected proposals as labelled sentences (learning from curation).

    Read through the one proposals read model: an edited proposal teaches the reviewer's
    code and excerpt (not the machine's), a code the reviewer added teaches too."""
    from pipeline.curate.proposals import list_proposals

    out = []
    for p in list_proposals(store, status="all"):
        if p["status"] in ("accepted", "edited", "rejected") and p["code"] != "new" and p["evidence"]:
            out.append({"kind": p["kind"], "code": p["code"], "text": p["evidence"],
                        "accepted": p["status"] != "rejected"})
    return out

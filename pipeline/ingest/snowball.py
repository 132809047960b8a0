"""Snowballing: new candidate records from the citation network of the included papers.

* **backward** (offline): the parsed references (``fa:Reference`` nodes that an
  included paper ``cito:cites``) that are not yet in the corpus.
* **forward** (network): works that cite an included paper, from OpenAlex.

Candidates are deduplicated against every paper in the store (and each other)
by DOI, arXiv id and normalised title, then written as ``fa:Paper`` records
with ``fa:recordSource "backward"`` / ``"forward"`` into ``fad:graph/snowball``
in one transaction; re-running proposes nothing twice. They enter PRISMA as
records identified from other sources and await screening.
"""

from __future__ import annotations

import hashlib
import re
import urllib.error
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pyoxigraph import NamedNode

from pipeline.curate.screening import included_papers
from pipeline.identifiers import identity_keys, norm_arxiv, norm_doi
from pipeline.ingest.openalex import OPENALEX, base_url, citing_works, default_mailto, fetch_json, with_mailto, with_retry
from pipeline.store import Store
from pipeline.vocab import BIBO, CITO, DCTERMS, FA, PROV, RDF, XSD, iri, lit, paper, slug, sparql_iri

SNOWBALL_GRAPH = iri("graph", "snowball")
__all__ = ["OPENALEX", "SNOWBALL_GRAPH", "backward", "backward_candidates", "fetch_json", "forward"]


# ---- identity ----------------------------------------------------------------------

@dataclass
class Candidate:
    """A proposed record: bibliographic fields plus where it came from."""

    title: str
    doi: str = ""
    arxiv: str = ""
    year: str = ""
    authors: str = ""
    via: str = ""  # the included paper it was found through
    source_node: str = ""  # the fa:Reference (backward) or OpenAlex work id (forward)

    def keys(self) -> list[str]:
        return identity_keys(self.title, self.doi, self.arxiv)

    def record_key(self) -> str:
        ident = (self.keys() or [self.title])[0]
        return f"{slug(self.title or ident, 48)}-{hashlib.sha1(ident.encode()).hexdigest()[:6]}"


@dataclass
class SnowballResult:
    direction: str
    proposed: list[Candidate] = field(default_factory=list)
    duplicates: int = 0
    unusable: int = 0  # references without title, DOI or arXiv id
    seeds: int = 0  # included papers searched from
    written_to: str = SNOWBALL_GRAPH.value
    reported: int = 0  # forward: citing works OpenAlex reported (meta.count), over all seeds
    fetched: int = 0  # forward: citing works read
    left_out: dict[str, int] = field(default_factory=dict)  # forward: seed paper -> reported but not read
    not_found: list[str] = field(default_factory=list)  # forward: seeds OpenAlex does not know
    cap: int | None = None

    def summary(self) -> str:
        line = (f"{self.direction} snowballing from {self.seeds} included paper(s): {len(self.proposed)} new record(s), "
                f"{self.duplicates} already in the corpus or repeated, {self.unusable} unusable")
        if self.direction == "forward":
            line += f"; {self.fetched} of {self.reported} citing work(s) reported by OpenAlex read"
            if self.left_out:
                why = f"the cap of {self.cap} per paper" if self.cap is not None else "pages missing"
                line += (f"; {sum(self.left_out.values())} LEFT OUT ({why}) from {len(self.left_out)} paper(s): "
                         + ", ".join(f"{k.rsplit('/', 1)[-1]} {n}" for k, n in sorted(self.left_out.items())))
            if self.not_found:
                line += f"; {len(self.not_found)} included paper(s) not found in OpenAlex"
        return line


def _known_keys(store: Store) -> set[str]:
    rows = store.select("""
        SELECT ?p (SAMPLE(?t) AS ?title) (SAMPLE(?d) AS ?doi) (SAMPLE(?x) AS ?arxiv) WHERE {
          GRAPH ?g { ?p a fa:Paper }
          OPTIONAL { GRAPH ?g1 { ?p dcterms:title ?t } } OPTIONAL { GRAPH ?g2 { ?p bibo:doi ?d } }
          OPTIONAL { GRAPH ?g3 { ?p fa:arxivId ?x } }
        } GROUP BY ?p""")
    keys: set[str] = set()
    for r in rows:
        keys.update(Candidate(r["title"] or "", r["doi"] or "", r["arxiv"] or "").keys())
    return keys


def _dedupe(candidates: list[Candidate], known: set[str], result: SnowballResult) -> None:
    for c in candidates:
        keys = c.keys()
        if not keys:
            result.unusable += 1
            continue
        if any(k in known for k in keys):
            result.duplicates += 1
            continue
        known.update(keys)
        result.proposed.append(c)


def _write(store: Store, result: SnowballResult) -> None:
    if not result.proposed:
        return
    now = lit(datetime.now(UTC).isoformat(timespec="seconds"), XSD.dateTime)
    g = SNOWBALL_GRAPH
    tx = store.transaction()
    for c in result.proposed:
        node = paper(c.record_key())
        tx.add(node, RDF.type, FA.Paper, g)
        tx.add(node, FA.key, lit(c.record_key()), g)
        tx.add(node, DCTERMS.title, lit(c.title or c.doi or c.arxiv), g)
        tx.add(node, FA.recordSource, lit(result.direction), g)
        tx.add(node, PROV.generatedAtTime, now, g)
        if c.doi:
            tx.add(node, BIBO.doi, lit(norm_doi(c.doi)), g)
        if c.arxiv:
            tx.add(node, FA.arxivId, lit(norm_arxiv(c.arxiv)), g)
        if re.fullmatch(r"\d{4}", c.year or ""):
            tx.add(node, DCTERMS.issued, lit(c.year, XSD.gYear), g)
        if c.authors:
            tx.add(node, BIBO.authorList, lit(c.authors), g)
        if c.source_node.startswith(("http://", "https://")):
            tx.add(node, FA.hasSource, NamedNode(c.source_node), g)
        if c.via:
            via = NamedNode(c.via)
            if result.direction == "backward":
                tx.add(via, CITO.cites, node, g)
            else:
                tx.add(node, CITO.cites, via, g)
    store.commit(tx)


# ---- backward --------------------------------------------------------------------

_REFERENCES = """
SELECT ?paper ?ref (SAMPLE(?t) AS ?title) (SAMPLE(?d) AS ?doi) (SAMPLE(?x) AS ?arxiv) (SAMPLE(?y) AS ?year)
       (SAMPLE(?a) AS ?authors) WHERE {
  VALUES ?paper { %s }
  GRAPH ?g { ?paper cito:cites ?ref }
  GRAPH ?g1 { ?ref a fa:Reference }
  OPTIONAL { GRAPH ?g2 { ?ref dcterms:title ?t } } OPTIONAL { GRAPH ?g3 { ?ref bibo:doi ?d } }
  OPTIONAL { GRAPH ?g4 { ?ref fa:arxivId ?x } } OPTIONAL { GRAPH ?g5 { ?ref dcterms:issued ?y } }
  OPTIONAL { GRAPH ?g6 { ?ref bibo:authorList ?a } }
} GROUP BY ?paper ?ref ORDER BY ?paper ?ref"""


def backward(store: Store, dry_run: bool = False) -> SnowballResult:
    """Propose the included papers' parsed references that the corpus lacks."""
    result = SnowballResult("backward")
    with store.session(write=True):
        seeds = included_papers(store)
        result.seeds = len(seeds)
        rows = store.select(_REFERENCES % " ".join(sparql_iri(p) for p in seeds)) if seeds else []
        candidates = [Candidate(r["title"] or "", r["doi"] or "", r["arxiv"] or "", str(r["year"] or "")[:4],
                                r["authors"] or "", r["paper"], r["ref"]) for r in rows]
        _dedupe(candidates, _known_keys(store), result)
        if not dry_run:
            _write(store, result)
    return result


# ---- forward ---------------------------------------------------------------------

Fetch = Callable[[str], dict]


def _openalex_id(doi: str, arxiv: str, fetch: Fetch, base: str, mailto: str | None) -> str | None:
    ident = norm_doi(doi) or (f"10.48550/arxiv.{norm_arxiv(arxiv)}" if arxiv else "")
    if not ident:
        return None
    try:
        work = fetch(with_mailto(f"{base}/works/doi:{urllib.parse.quote(ident, safe='/')}", mailto))
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None  # not indexed
        raise
    return (work.get("id") or "").rsplit("/", 1)[-1] or None


def _candidate(work: dict, via: str) -> Candidate:
    authors = "; ".join(a.get("author", {}).get("display_name", "") for a in work.get("authorships", [])
                        if a.get("author", {}).get("display_name"))
    ids = work.get("ids") or {}
    arxiv = ""
    for loc in work.get("locations") or []:
        url = ((loc or {}).get("landing_page_url") or "")
        m = re.search(r"arxiv\.org/abs/([0-9.]+)", url)
        if m:
            arxiv = m.group(1)
    doi = norm_doi(work.get("doi") or ids.get("doi") or "")
    if doi.startswith("10.48550/arxiv."):
        arxiv, doi = arxiv or doi.split("arxiv.", 1)[1], ""
    return Candidate(work.get("display_name") or work.get("title") or "", doi, arxiv,
                     str(work.get("publication_year") or ""), authors, via, work.get("id") or "")


def forward(store: Store, fetch: Fetch | None = None, max_per_paper: int | None = None,
            dry_run: bool = False, mailto: str | None = None, base: str | None = None,
            retries: int = 4, sleep: Callable[[float], None] | None = None) -> SnowballResult:
    """Propose every work citing the included papers, from OpenAlex (needs network).

    Pages through all citing works with OpenAlex's cursor and checks the total
    against ``meta.count``; with ``max_per_paper`` the rest is counted as left
    out and said so in :meth:`SnowballResult.summary`. Rate limits and server
    errors are retried with exponential backoff.
    """
    import time

    call = with_retry(fetch or fetch_json, retries=retries, sleep=sleep or time.sleep)
    base = base or base_url()
    mailto = mailto or default_mailto()
    result = SnowballResult("forward", cap=max_per_paper)
    with store.session():
        seeds = included_papers(store)
        values = " ".join(sparql_iri(p) for p in seeds)
        ids = {r["p"]: r for r in store.select("""
            SELECT ?p (SAMPLE(?d) AS ?doi) (SAMPLE(?x) AS ?arxiv) WHERE {
              VALUES ?p { """ + values + """ } OPTIONAL { GRAPH ?g1 { ?p bibo:doi ?d } }
              OPTIONAL { GRAPH ?g2 { ?p fa:arxivId ?x } }
            } GROUP BY ?p""")} if seeds else {}
    result.seeds = len(seeds)
    candidates: list[Candidate] = []
    for p in seeds:  # network calls happen outside any store session
        oa = _openalex_id(ids[p]["doi"] or "", ids[p]["arxiv"] or "", call, base, mailto)
        if not oa:
            result.not_found.append(p)
            continue
        got = citing_works(oa, call, mailto=mailto, limit=max_per_paper, base=base)
        result.reported += got.reported if got.reported is not None else len(got.works)
        result.fetched += len(got.works)
        if got.left_out:
            result.left_out[p] = got.left_out
        candidates += [_candidate(w, p) for w in got.works]
    with store.session(write=True):
        _dedupe(candidates, _known_keys(store), result)
        if not dry_run:
            _write(store, result)
    return result


def backward_candidates(store: Store) -> list[dict]:
    """References of included papers that are not yet records (backward snowballing).

    The same candidates as ``fedatlas snowball --backward`` (one dedup rule,
    ``pipeline.identifiers``); here a reviewer adds them one by one as records.
    """
    result = backward(store, dry_run=True)
    out = [{"reference": c.source_node, "cited_by": c.via, "title": c.title, "year": c.year, "doi": c.doi or None}
           for c in result.proposed if c.title]
    return sorted(out, key=lambda c: c["title"].lower())

"""Deduplication: when an incoming record is a paper we already have.

Only an identifier match merges on its own: the same DOI or the same arXiv id
(``10.48550/arXiv.X`` counts as arXiv id X), and only when nothing says the two
are different works. Different works are never merged: distinct DOIs, distinct
arXiv ids, years more than one apart unless one is a preprint, different
numbers or editions in the title (ISLES 2015 vs ISLES 2016, 2nd vs 3rd
edition), or an identifier shared by records whose titles disagree (a
proceedings DOI pasted into every paper). A similar title without a shared
identifier is a *suspected* duplicate: it is stored as its own record and
flagged for the reviewer to confirm (as Rayyan does), never merged silently.
Papers a reviewer said are different works (an undone merge, a dismissed
suspicion: ``distinct``) make the identifier they share no identity: a record
carrying it is suspected of both, never merged into either.

Lookups go through an index (DOI and arXiv maps, blocked title keys,
rapidfuzz scores on the few candidates of a block), not all pairs. When records
merge, :func:`merge_fields` picks the richer value field by field; every
source keeps its own metadata in the store, so a merge loses nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from pipeline.document import Document
from pipeline.identifiers import norm_arxiv, norm_doi, normalise_title

SUSPECT_SCORE = 90.0  # rapidfuzz ratio (0-100) of normalised titles at or above which a record is suspected
SAME_TITLE_FLOOR = 60.0  # an identifier match whose titles score below this is not trusted
MIN_TITLE = 12  # normalised characters; shorter titles ("Introduction") are no identity
PREPRINT_VENUE = re.compile(r"\b(arxiv|corr|biorxiv|medrxiv|preprint|ssrn|research square|techrxiv)\b", re.I)
ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9", "x": "10"}
STOP = frozenset("a an the of for and in on to with by from via using towards toward is are at as its".split())
ORDINALS = {"first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6",
            "seventh": "7", "eighth": "8", "ninth": "9", "tenth": "10"}


@dataclass(frozen=True)
class RecordKey:
    """What deduplication compares of one record."""

    title: str  # normalised
    doi: str  # normalised, not an arXiv DOI
    arxiv: str  # normalised, version stripped
    year: int | None
    preprint: bool
    numbers: frozenset[str]  # numbers and edition ordinals in the title

    @classmethod
    def of(cls, doc: Document) -> RecordKey:
        doi, arxiv = norm_doi(doc.doi), norm_arxiv(doc.arxiv)
        if doi.startswith("10.48550/arxiv."):
            arxiv, doi = arxiv or norm_arxiv(doi.split("arxiv.", 1)[1]), ""
        title = normalise_title(doc.title)
        preprint = bool(arxiv and not doi) or bool(PREPRINT_VENUE.search(doc.venue or ""))
        return cls(title, doi, arxiv, doc.year, preprint, title_numbers(title))


def title_numbers(norm_title: str) -> frozenset[str]:
    """Numbers in a title (years, parts, versions) and edition ordinals, which tell works apart."""
    out = set()
    tokens = norm_title.split()
    for i, tok in enumerate(tokens):
        if tok.isdigit():
            out.add(tok.lstrip("0") or "0")
        m = re.fullmatch(r"(\d+)(st|nd|rd|th)", tok)
        if m:
            out.add(m.group(1))
        if tok in ORDINALS and i + 1 < len(tokens) and tokens[i + 1] in ("edition", "ed", "part", "volume"):
            out.add(ORDINALS[tok])
        if i and tokens[i - 1] in ("part", "volume", "vol") and tok in ROMAN:
            out.add(ROMAN[tok])
    return frozenset(out)


def title_score(a: str, b: str) -> float:
    """0-100: how alike two normalised titles are (word order and small edits forgiven)."""
    if not a or not b:
        return 0.0
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))


def conflict(a: RecordKey, b: RecordKey) -> str | None:
    """Why ``a`` and ``b`` are certainly different works, or None."""
    if a.doi and b.doi and a.doi != b.doi:
        return f"different DOIs ({a.doi} / {b.doi})"
    if a.arxiv and b.arxiv and a.arxiv != b.arxiv:
        return f"different arXiv ids ({a.arxiv} / {b.arxiv})"
    if a.year and b.year and abs(a.year - b.year) > 1 and not (a.preprint or b.preprint):
        return f"years {a.year} and {b.year} without a preprint"
    if a.numbers != b.numbers and a.title and b.title:
        return "different numbers or editions in the titles"
    return None


@dataclass
class Match:
    """The verdict on one incoming record."""

    kind: str  # "merge" (into ``key``) | "new"
    key: str | None = None
    by: str = ""  # "doi" | "arxiv"
    suspects: list[tuple[str, float, str]] = field(default_factory=list)  # (key, score 0-1, reason)


def _blocks(title: str) -> list[str]:
    """Blocking keys: the first two and the last two content words, and the two longest words."""
    words = [w for w in title.split() if w not in STOP] or title.split()
    if not words:
        return []
    keys = {"f:" + " ".join(words[:2]), "l:" + " ".join(words[-2:])}
    longest = sorted(words, key=lambda w: (-len(w), w))[:2]
    keys.add("w:" + " ".join(sorted(longest)))
    return sorted(keys)


class DedupIndex:
    """Every known record, by identifier and by blocked title, mapped to its paper key."""

    def __init__(self) -> None:
        self.by_doi: dict[str, str] = {}
        self.by_arxiv: dict[str, str] = {}
        self.blocks: dict[str, set[str]] = {}  # block key -> normalised titles
        self.by_title: dict[str, set[str]] = {}  # normalised title -> paper keys
        self.records: dict[str, list[RecordKey]] = {}  # paper key -> its records
        self.by_source: dict[tuple[str, str | None], str] = {}  # (file, entry) -> paper key
        self.hashes: dict[str, set[str]] = {}  # paper key -> content hashes of its sources
        self.by_hash: dict[str, str] = {}  # content hash -> paper key
        self.holders: dict[tuple[str, str], set[str]] = {}  # ("doi"|"arxiv", id) -> every paper key with it
        self.distinct: set[frozenset[str]] = set()  # paper key pairs a reviewer said are different works

    def add(self, key: str, doc: Document) -> None:
        rec = RecordKey.of(doc)
        self.records.setdefault(key, []).append(rec)
        if rec.doi:
            self.by_doi.setdefault(rec.doi, key)
            self.holders.setdefault(("doi", rec.doi), set()).add(key)
        if rec.arxiv:
            self.by_arxiv.setdefault(rec.arxiv, key)
            self.holders.setdefault(("arxiv", rec.arxiv), set()).add(key)
        if len(rec.title) >= MIN_TITLE:
            self.by_title.setdefault(rec.title, set()).add(key)
            for b in _blocks(rec.title):
                self.blocks.setdefault(b, set()).add(rec.title)
        for src in doc.sources:
            self.by_source[(src.path, src.record)] = key
            if src.sha256:
                self.hashes.setdefault(key, set()).add(src.sha256)
                self.by_hash.setdefault(src.sha256, key)

    def owner(self, doc: Document) -> str | None:
        """The paper an incoming record's own source (same file and entry) already belongs to."""
        for src in doc.sources:
            key = self.by_source.get((src.path, src.record))
            if key:
                return key
        return None

    def owner_of_content(self, hashes: set[str]) -> str | None:
        """The paper that already has exactly this content (same file bytes or record text)."""
        keys = {self.by_hash.get(h) for h in hashes}
        return keys.pop() if hashes and len(keys) == 1 and None not in keys else None

    def _compatible(self, rec: RecordKey, key: str) -> str | None:
        return next((why for other in self.records.get(key, []) if (why := conflict(rec, other))), None)

    def _best_title(self, rec: RecordKey, key: str) -> float:
        return max((title_score(rec.title, o.title) for o in self.records.get(key, [])), default=0.0)

    def match(self, doc: Document, exclude: str | None = None) -> Match:
        """Merge by identifier when nothing contradicts it; otherwise new, with suspects listed."""
        rec = RecordKey.of(doc)
        suspects: dict[str, tuple[float, str]] = {}
        for by, ident, table in (("doi", rec.doi, self.by_doi), ("arxiv", rec.arxiv, self.by_arxiv)):
            key = table.get(ident) if ident else None
            if not key or key == exclude:
                continue
            held = self.holders.get((by, ident), {key})
            if any(frozenset((a, b)) in self.distinct for a in held for b in held if a < b):
                for other in sorted(held - {exclude}):  # the reviewer kept them apart: not an identity
                    suspects[other] = (self._best_title(rec, other) / 100,
                                       f"shares the {by} of papers a reviewer kept apart")
                continue
            why = self._compatible(rec, key)
            score = self._best_title(rec, key)
            if why is None and (not rec.title or score >= SAME_TITLE_FLOOR
                                or not any(o.title for o in self.records.get(key, []))):
                return Match("merge", key, by)
            reason = why or f"same {by.upper() if by == 'doi' else 'arXiv id'} but different titles"
            suspects[key] = (score / 100, reason)
        if len(rec.title) >= MIN_TITLE:
            for key, score in self._title_candidates(rec):
                if key == exclude or key in suspects:
                    continue
                if self._compatible(rec, key) is None:
                    suspects[key] = (score / 100, f"similar title ({score:.0f}/100), no shared identifier")
        ranked = sorted(((k, s, why) for k, (s, why) in suspects.items()), key=lambda t: (-t[1], t[0]))
        return Match("new", suspects=ranked)

    def _title_candidates(self, rec: RecordKey) -> list[tuple[str, float]]:
        titles: set[str] = set()
        for b in _blocks(rec.title):
            titles |= self.blocks.get(b, set())
        out: dict[str, float] = {}
        for t in titles:
            score = title_score(rec.title, t)
            if score >= SUSPECT_SCORE:
                for key in self.by_title[t]:
                    out[key] = max(out.get(key, 0.0), score)
        return sorted(out.items(), key=lambda kv: -kv[1])


# ---- field-by-field merge ------------------------------------------------------------

def _is_preprint(doc: Document) -> bool:
    return RecordKey.of(doc).preprint


def _richness(doc: Document) -> tuple:
    """Order of trust among records of one work: published before preprint, then fuller."""
    filled = sum(bool(x) for x in (doc.title, doc.authors, doc.year, doc.doi, doc.venue, doc.abstract))
    return (not _is_preprint(doc), filled, len(doc.abstract))


def merge_fields(records: list[Document]) -> dict:
    """The merged metadata of several records of one work, chosen field by field.

    Title, year, venue and DOI come from the most trusted record that has them
    (a published version beats its preprint, then the fuller record); the
    abstract is the longest; authors the longest list; keywords the union.
    """
    ranked = sorted(records, key=_richness, reverse=True)

    def first(attr: str):
        return next((getattr(d, attr) for d in ranked if getattr(d, attr)), None)

    dois = [d.doi for d in ranked if d.doi and not norm_doi(d.doi).startswith("10.48550/arxiv.")]
    arxiv = next((norm_arxiv(d.arxiv) for d in ranked if d.arxiv), None)
    if not arxiv:
        arxiv = next((norm_arxiv(norm_doi(d.doi).split("arxiv.", 1)[1]) for d in ranked
                      if d.doi and norm_doi(d.doi).startswith("10.48550/arxiv.")), None)
    keywords: list[str] = []
    for d in ranked:
        keywords += [k for k in d.keywords if k not in keywords]
    return {
        "title": first("title") or "",
        "year": first("year"),
        "venue": first("venue"),
        "doi": dois[0] if dois else first("doi"),
        "arxiv": arxiv,
        "abstract": max((d.abstract for d in ranked), key=len, default=""),
        "authors": max((d.authors for d in ranked), key=len, default=[]),
        "keywords": keywords,
    }

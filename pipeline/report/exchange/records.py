"""The bibliographic record of a paper, as ingested: the basis of every bibliography export.

Ingest keeps each BibTeX entry or RIS record as written (``dcterms:bibliographicCitation``
of the paper's source). An export in the same format gives that text back (only the
citation key may change, when two works share one); another format is converted field by
field through :class:`BibRecord`, whose fields use BibTeX names. A paper with no such
record (a PDF, the bundled corpus) is described from the graph's metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.store import Store
from pipeline.vocab import local_name

# BibTeX entry type <-> RIS reference type <-> CSL type
BIB_TO_RIS = {"article": "JOUR", "inproceedings": "CONF", "conference": "CONF", "proceedings": "CONF",
              "incollection": "CHAP", "inbook": "CHAP", "book": "BOOK", "phdthesis": "THES",
              "mastersthesis": "THES", "thesis": "THES", "techreport": "RPRT", "report": "RPRT",
              "unpublished": "UNPB", "online": "ELEC", "electronic": "ELEC", "manual": "GEN", "misc": "GEN"}
RIS_TO_BIB = {"JOUR": "article", "JFULL": "article", "MGZN": "article", "NEWS": "article", "EJOUR": "article",
              "CONF": "inproceedings", "CPAPER": "inproceedings", "CHAP": "incollection", "ECHAP": "incollection",
              "BOOK": "book", "EBOOK": "book", "EDBOOK": "book", "THES": "phdthesis", "RPRT": "techreport",
              "UNPB": "unpublished", "ELEC": "misc", "WEB": "misc", "GEN": "misc"}
# the container field of each BibTeX type (RIS T2)
CONTAINER = {"article": "journal", "inproceedings": "booktitle", "incollection": "booktitle",
             "inbook": "booktitle", "phdthesis": "school", "mastersthesis": "school", "techreport": "institution"}
STANDARD = ("title", "author", "editor", "year", "month", "journal", "booktitle", "publisher", "address",
            "school", "institution", "series", "edition", "volume", "number", "pages", "chapter", "doi", "isbn",
            "issn", "url", "eprint", "archiveprefix", "primaryclass", "abstract", "keywords", "note",
            "howpublished", "language")


@dataclass
class BibRecord:
    """One paper's bibliographic record; ``fields`` use BibTeX names (``author``: a list)."""

    iri: str
    key: str
    entry_type: str = "article"
    fields: dict = field(default_factory=dict)
    raw_bibtex: str = ""
    raw_ris: str = ""

    @property
    def title(self) -> str:
        return self.fields.get("title", "")

    @property
    def authors(self) -> list[str]:
        return list(self.fields.get("author", []))


_META = """
SELECT ?p (SAMPLE(?k) AS ?key) (SAMPLE(?t) AS ?title) (SAMPLE(?a) AS ?authors) (SAMPLE(?y) AS ?year)
       (SAMPLE(?v) AS ?venue) (SAMPLE(?d) AS ?doi) (SAMPLE(?x) AS ?arxiv) (SAMPLE(?ab) AS ?abstract)
       (GROUP_CONCAT(DISTINCT STR(?kw); SEPARATOR="\\u001f") AS ?keywords)
       (GROUP_CONCAT(DISTINCT STR(?type); SEPARATOR=" ") AS ?types) WHERE {
  VALUES ?p { %s }
  GRAPH ?g { ?p a fa:Paper ; dcterms:title ?t }
  OPTIONAL { GRAPH ?g1 { ?p fa:key ?k } }
  OPTIONAL { GRAPH ?g2 { ?p bibo:authorList ?a } }
  OPTIONAL { GRAPH ?g3 { ?p dcterms:issued ?y } }
  OPTIONAL { GRAPH ?g4 { ?p dcterms:isPartOf ?v } }
  OPTIONAL { GRAPH ?g5 { ?p bibo:doi ?d } }
  OPTIONAL { GRAPH ?g6 { ?p fa:arxivId ?x } }
  OPTIONAL { GRAPH ?g7 { ?p a ?type } }
  OPTIONAL { GRAPH ?g8 { ?p dcterms:abstract ?ab } }
  OPTIONAL { GRAPH ?g9 { ?p dcterms:subject ?kw } }
} GROUP BY ?p"""

_RAW = """
SELECT ?p ?format ?label ?raw WHERE {
  VALUES ?p { %s }
  GRAPH ?g { ?p fa:hasSource ?s . ?s dcterms:format ?format ; dcterms:bibliographicCitation ?raw
             OPTIONAL { ?s rdfs:label ?label } }
} ORDER BY ?p ?format ?label ?raw"""


def _kind(types: str, venue: str, arxiv: str) -> str:
    v = venue.lower()
    if "Thesis" in types or "thesis" in v:
        return "phdthesis" if re.search(r"ph\.?d|doctor", v) else "mastersthesis"
    if "JournalArticle" in types or "journal" in v or "transactions" in v:
        return "article"
    if any(w in v for w in ("conference", "proceedings", "workshop", "symposium")):
        return "inproceedings"
    if arxiv or "arxiv" in v or "preprint" in v:
        return "misc"
    return "article"


def _from_metadata(r: dict) -> BibRecord:
    venue = r["venue"] or ""
    arxiv = r["arxiv"] or ""
    kind = _kind(r["types"] or "", venue, arxiv)
    fields: dict = {"title": r["title"]}
    authors = [a.strip() for a in (r["authors"] or "").split(";") if a.strip()]
    if authors:
        fields["author"] = authors
    if r["year"]:
        fields["year"] = str(r["year"])[:4]
    if venue:
        fields[CONTAINER.get(kind, "howpublished")] = venue
    if r["doi"]:
        fields["doi"] = r["doi"]
    if arxiv:
        fields.update(eprint=arxiv, archiveprefix="arXiv", url=f"https://arxiv.org/abs/{arxiv}")
    elif r["doi"]:
        fields["url"] = f"https://doi.org/{r['doi']}"
    if r["abstract"]:
        fields["abstract"] = r["abstract"]
    keywords = [k for k in (r["keywords"] or "").split("\u001f") if k]
    if keywords:
        fields["keywords"] = ", ".join(keywords)
    return BibRecord(r["p"], r["key"] or local_name(r["p"]), kind, fields)


def bib_records(store: Store, papers: list[str] | None = None) -> list[BibRecord]:
    """Records of ``papers`` (default: the included papers), sorted by key; keys made unique."""
    from pipeline.curate.screening import included_papers
    from pipeline.report.exchange.convert import fields_from_bibtex, fields_from_ris

    with store.session():
        papers = included_papers(store) if papers is None else papers
        if not papers:
            return []
        values = " ".join(f"<{p}>" for p in papers)
        rows = store.select(_META % values)
        raws = store.select(_RAW % values)
    first: dict[str, dict[str, tuple[str, str]]] = {}
    for r in raws:
        first.setdefault(r["p"], {}).setdefault(r["format"], (r["label"] or "", r["raw"]))
    out = []
    for r in rows:
        record = _from_metadata(r)
        found = first.get(r["p"], {})
        if "bibtex" in found:
            label, record.raw_bibtex = found["bibtex"]
            record.key = label or record.key
            record.entry_type, record.fields = fields_from_bibtex(record.raw_bibtex)
        if "ris" in found:
            label, record.raw_ris = found["ris"]
            if "bibtex" not in found:
                record.entry_type, record.fields = fields_from_ris(record.raw_ris)
                record.key = label if label and not label.isdigit() else record.key
        out.append(record)
    out.sort(key=lambda b: (b.key, b.iri))
    _unique_keys(out)
    return out


def _unique_keys(records: list[BibRecord]) -> None:
    """Two works under one citation key both survive: the later ones get a, b, ... appended."""
    seen: dict[str, int] = {}
    for b in records:
        n = seen.get(b.key, 0)
        seen[b.key] = n + 1
        if n:
            b.key = f"{b.key}{chr(ord('a') + n - 1) if n <= 26 else n}"

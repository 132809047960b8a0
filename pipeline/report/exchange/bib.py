"""BibTeX and RIS export of the papers included in the review.

Entry types follow the record's FaBiO type and venue: a thesis -> ``@phdthesis``
/ ``@mastersthesis`` (RIS ``THES``), a journal article -> ``@article`` (``JOUR``),
a venue naming a conference or proceedings -> ``@inproceedings`` (``CONF``),
an arXiv preprint -> ``@misc`` with ``eprint`` (``UNPB``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.curate.screening import included_papers
from pipeline.store import Store
from pipeline.vocab import local_name

_META = """
SELECT ?p (SAMPLE(?k) AS ?key) (SAMPLE(?t) AS ?title) (SAMPLE(?a) AS ?authors) (SAMPLE(?y) AS ?year)
       (SAMPLE(?v) AS ?venue) (SAMPLE(?d) AS ?doi) (SAMPLE(?x) AS ?arxiv)
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
} GROUP BY ?p"""


@dataclass
class BibRecord:
    """The bibliographic fields Atlas exports for one paper."""

    iri: str
    key: str
    title: str
    authors: list[str] = field(default_factory=list)
    year: str = ""
    venue: str = ""
    doi: str = ""
    arxiv: str = ""
    kind: str = "article"  # article | inproceedings | thesis | preprint


def _kind(types: str, venue: str, arxiv: str) -> str:
    v = venue.lower()
    if "Thesis" in types or "thesis" in v:
        return "thesis"
    if "JournalArticle" in types or "journal" in v or "transactions" in v:
        return "article"
    if any(w in v for w in ("conference", "proceedings", "workshop", "symposium")):
        return "inproceedings"
    if arxiv or "arxiv" in v or "preprint" in v:
        return "preprint"
    return "article"


def bib_records(store: Store, papers: list[str] | None = None) -> list[BibRecord]:
    """Records of ``papers`` (default: the included papers), sorted by key."""
    with store.session():
        papers = included_papers(store) if papers is None else papers
        if not papers:
            return []
        rows = store.select(_META % " ".join(f"<{p}>" for p in papers))
    out = []
    for r in rows:
        authors = [a.strip() for a in (r["authors"] or "").split(";") if a.strip()]
        venue = r["venue"] or ""
        out.append(BibRecord(r["p"], r["key"] or local_name(r["p"]), r["title"], authors, str(r["year"] or "")[:4],
                             venue, r["doi"] or "", r["arxiv"] or "", _kind(r["types"] or "", venue, r["arxiv"] or "")))
    return sorted(out, key=lambda b: b.key)


# ---- BibTeX --------------------------------------------------------------------

_TEX_ESC = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}"}


def _bibtex_value(text: str) -> str:
    return "{" + re.sub(r"[&%$#_{}]", lambda m: _TEX_ESC[m.group()], text) + "}"


def _bib_key(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_:.\-]", "", key) or "paper"


def to_bibtex(records: list[BibRecord]) -> str:
    entries = []
    for b in records:
        fields: list[tuple[str, str]] = [("title", b.title)]
        if b.authors:
            fields.append(("author", " and ".join(b.authors)))
        if b.year:
            fields.append(("year", b.year))
        entry_type = {"article": "article", "inproceedings": "inproceedings", "preprint": "misc"}.get(b.kind, "misc")
        if b.kind == "thesis":
            entry_type = "phdthesis" if re.search(r"ph\.?d|doctor", b.venue, re.I) else "mastersthesis"
            if b.venue:
                fields.append(("school", b.venue))
        elif b.kind == "article" and b.venue:
            fields.append(("journal", b.venue))
        elif b.kind == "inproceedings" and b.venue:
            fields.append(("booktitle", b.venue))
        elif b.venue:
            fields.append(("howpublished", b.venue))
        if b.doi:
            fields.append(("doi", b.doi))
        if b.arxiv:
            fields += [("eprint", b.arxiv), ("archiveprefix", "arXiv"), ("url", f"https://arxiv.org/abs/{b.arxiv}")]
        elif b.doi:
            fields.append(("url", f"https://doi.org/{b.doi}"))
        body = ",\n".join(f"  {k} = {_bibtex_value(v)}" for k, v in fields)
        entries.append(f"@{entry_type}{{{_bib_key(b.key)},\n{body}\n}}\n")
    return "\n".join(entries)


# ---- RIS -------------------------------------------------------------------------

RIS_TYPES = {"article": "JOUR", "inproceedings": "CONF", "thesis": "THES", "preprint": "UNPB"}


def to_ris(records: list[BibRecord]) -> str:
    lines: list[str] = []
    for b in records:
        lines.append(f"TY  - {RIS_TYPES.get(b.kind, 'GEN')}")
        lines.append(f"ID  - {b.key}")
        lines.append(f"TI  - {b.title}")
        lines += [f"AU  - {a}" for a in b.authors]
        if b.year:
            lines.append(f"PY  - {b.year}")
        if b.venue:
            lines.append(f"{'PB' if b.kind == 'thesis' else 'T2'}  - {b.venue}")
        if b.doi:
            lines.append(f"DO  - {b.doi}")
        if b.arxiv:
            lines.append(f"UR  - https://arxiv.org/abs/{b.arxiv}")
            lines.append(f"M1  - arXiv:{b.arxiv}")
        lines.append("ER  - ")
        lines.append("")
    return "\n".join(lines)


def export_bibliography(store: Store, fmt: str = "bibtex") -> str:
    """The included papers as BibTeX (``bibtex``) or RIS (``ris``) text."""
    records = bib_records(store)
    if fmt == "bibtex":
        return to_bibtex(records)
    if fmt == "ris":
        return to_ris(records)
    from pipeline.errors import UnknownNameError

    raise UnknownNameError(f"unknown bibliography format {fmt!r}", hint="known: bibtex, ris")

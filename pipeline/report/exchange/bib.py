"""Bibliographies of the included papers: BibTeX, RIS and CSL-JSON (Zotero, pandoc, citeproc).

What was ingested comes back: a BibTeX entry is written as it was read (citation key,
entry type, every field), a RIS record likewise; across formats every standard field is
converted (see :mod:`.convert`). Only papers without a bibliographic record (a PDF, the
bundled corpus) are described from the graph's metadata.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from pipeline.errors import InputError
from pipeline.report.exchange.convert import bibtex_entry, ris_record, with_key
from pipeline.report.exchange.records import BibRecord, bib_records
from pipeline.store import Store

__all__ = ["BibRecord", "bib_records", "bibliography", "export_bibliography", "to_bibtex", "to_csl_json", "to_ris"]


def to_bibtex(records: list[BibRecord]) -> str:
    entries = []
    for b in records:
        if b.raw_bibtex:
            entries.append(with_key(b.raw_bibtex.strip(), b.key) + "\n")
        else:
            entries.append(bibtex_entry(b.entry_type, b.key, b.fields))
    return "\n".join(entries)


def to_ris(records: list[BibRecord]) -> str:
    out = []
    for b in records:
        if b.raw_ris and not b.raw_bibtex:
            raw = b.raw_ris.strip()
            type_line = re.search(r"^TY  - .*$", raw, re.M)
            if type_line and not re.search(r"^ID  - ", raw, re.M):
                raw = f"{raw[:type_line.end()]}\nID  - {b.key}{raw[type_line.end():]}"
            out.append(raw + "\n")
        else:
            out.append(ris_record(b.entry_type, b.key, b.fields))
    return "\n".join(out)


# ---- CSL-JSON ------------------------------------------------------------------------
CSL_TYPES = {"article": "article-journal", "inproceedings": "paper-conference", "conference": "paper-conference",
             "proceedings": "book", "incollection": "chapter", "inbook": "chapter", "book": "book",
             "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis", "techreport": "report",
             "report": "report", "unpublished": "manuscript", "online": "webpage", "misc": "document",
             "manual": "book"}
_CSL_FIELDS = {"title": "title", "volume": "volume", "number": "issue", "publisher": "publisher",
               "address": "publisher-place", "doi": "DOI", "url": "URL", "isbn": "ISBN", "issn": "ISSN",
               "abstract": "abstract", "keywords": "keyword", "edition": "edition", "note": "note",
               "language": "language", "series": "collection-title"}


def _csl_name(name: str) -> dict:
    if "," in name:
        family, given = (p.strip() for p in name.split(",", 1))
        return {"family": family, "given": given} if given else {"family": family}
    parts = name.split()
    if len(parts) == 1:
        return {"literal": name}
    return {"family": parts[-1], "given": " ".join(parts[:-1])}


def csl_item(b: BibRecord) -> dict:
    f = b.fields
    item: dict = {"id": b.key, "type": CSL_TYPES.get(b.entry_type, "document")}
    for name, csl in _CSL_FIELDS.items():
        if f.get(name):
            item[csl] = f[name]
    if f.get("author"):
        item["author"] = [_csl_name(a) for a in f["author"]]
    if f.get("editor"):
        item["editor"] = [_csl_name(a) for a in f["editor"]]
    if re.fullmatch(r"\d{4}", f.get("year", "")):
        item["issued"] = {"date-parts": [[int(f["year"])]]}
    container = next((f[k] for k in ("journal", "booktitle", "howpublished") if f.get(k)), "")
    if container:
        item["container-title"] = container
    if f.get("school") or f.get("institution"):
        item.setdefault("publisher", f.get("school") or f.get("institution"))
    if f.get("pages"):
        item["page"] = re.sub(r"\s*[-\u2013\u2014]+\s*", "-", f["pages"])
    if f.get("eprint"):
        item["number"] = f"arXiv:{f['eprint']}" if f.get("archiveprefix", "").lower() == "arxiv" else f["eprint"]
    return item


def to_csl_json(records: list[BibRecord]) -> str:
    return json.dumps([csl_item(b) for b in records], ensure_ascii=False, indent=2) + "\n"


def bibliography(store: Store, writer: Callable[[list[BibRecord]], str], papers: list[str] | None = None) -> str:
    """The included papers (or ``papers``) written by ``writer``; InputError when there are none."""
    records = bib_records(store, papers)
    if not records:
        raise InputError("no included papers to export",
                         hint="include papers at full text first (fedatlas curate screen ... --stage fulltext)")
    return writer(records)


def export_bibliography(store: Store, fmt: str = "bibtex", papers: list[str] | None = None) -> str:
    """The included papers (or ``papers``) in the bibliography format ``fmt`` of the exporter
    registry (built-in or plugin); an unknown format is answered with the known ones."""
    from pipeline.report.exchange.exporters import exporter

    out = exporter(fmt, "bibliography").output(store, papers=papers)
    return out if isinstance(out, str) else out.decode("utf-8")

"""CSV/TSV reader: one Document per row of a database or screening-tool export.

Columns are found by the names the tools write (Scopus, Web of Science, PubMed, IEEE
Xplore, Embase, ASReview, Rayyan, Covidence, Zotero), case-insensitively; the delimiter
is sniffed. A row without a title is one problem line; the rest are read. The row's own
values are kept (``Document.extra["row"]``) so screening labels can be read from them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

from pipeline.document import Document, Source
from pipeline.sources.base import ReadResult, decode_text, read_bytes, sha256_text
from pipeline.sources.references import find_arxiv, find_doi

COLUMNS = {
    "title": ("title", "document title", "article title", "ti", "primary title", "title of article"),
    "abstract": ("abstract", "ab", "abstract note", "abstracts"),
    "authors": ("authors", "author", "author names", "au", "author full names", "author(s)", "creators",
                "author list", "af"),
    "year": ("year", "publication year", "published year", "py", "pubyear", "year published", "date", "pub year"),
    "doi": ("doi", "di", "doi link", "digital object identifier"),
    "venue": ("source title", "journal", "journal/book", "publication title", "so", "source", "journal title",
              "secondary title", "publication"),
    "keywords": ("keywords", "author keywords", "de", "manual tags", "index keywords", "kw"),
    "url": ("url", "link", "pdf link", "ur"),
    "id": ("record_id", "key", "covidence #", "eid", "pmid", "ut (unique wos id)", "ut", "accession number",
           "id", "ref"),
}
ET_AL = {"others", "et al.", "et al", "et. al."}


def _columns(header: Sequence[str]) -> dict[str, str]:
    lowered = {h.strip().lower().lstrip("\ufeff"): h for h in header}
    out = {}
    for field, names in COLUMNS.items():
        for name in names:
            if name in lowered:
                out[field] = lowered[name]
                break
    return out


def split_authors(text: str) -> list[str]:
    """Author names from the separators the databases use ('; ', ' and ', PubMed's ', ')."""
    text = (text or "").strip()
    if not text:
        return []
    if re.search(r"\s+and\s+", text) and ";" not in text:
        parts = re.split(r"\s+and\s+", text)
    elif ";" in text:
        parts = text.split(";")
    elif re.fullmatch(r"(?:[^,]+,\s*[A-Z][A-Za-z.\-]*\.?,\s*)+[^,]+,\s*[A-Z][A-Za-z.\-]*\.?", text):
        parts = re.findall(r"[^,]+,\s*[A-Z][A-Za-z.\-]*\.?", text)  # Scopus: Last, F., Other, G.
    elif re.fullmatch(r"[^,]+(?:,\s*[^,]+)+", text.rstrip(".")) and all(
            re.fullmatch(r"[\w'\-]+(?:\s[\w'\-]+)*\s[A-Z]{1,3}", p.strip()) for p in text.rstrip(".").split(",")):
        parts = text.rstrip(".").split(",")  # PubMed: Smith AB, Jones C.
    else:
        parts = [text]
    return [p.strip() for p in parts if p.strip() and p.strip().lower() not in ET_AL]


def read_csv(path: Path) -> ReadResult:
    text, notes = decode_text(read_bytes(path), path.name)
    return read_csv_text(text, path, notes)


def read_csv_text(text: str, path: Path, notes: list[str] | None = None) -> ReadResult:
    result = ReadResult(notes=list(notes or []))
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    columns = _columns(reader.fieldnames or [])
    if "title" not in columns:
        result.problems.append(f"{path.name}: no title column (looked for: {', '.join(COLUMNS['title'])}); nothing read")
        return result
    for line_no, row in enumerate(reader, 2):
        row = {k: (v or "").strip() for k, v in row.items() if k is not None}
        title = row.get(columns["title"], "")
        if not title:
            result.problems.append(f"{path.name}: line {line_no}: no title; skipped")
            continue
        result.documents.append(_document(path, row, columns, line_no))
    return result


def _document(path: Path, row: dict[str, str], columns: dict[str, str], line_no: int) -> Document:
    def get(field: str) -> str:
        return row.get(columns[field], "") if field in columns else ""

    title, abstract = get("title"), get("abstract")
    year = re.search(r"(?:19|20)\d{2}", get("year"))
    raw_doi, url = get("doi"), get("url")
    keywords = [k.strip() for k in re.split(r"[;,]", get("keywords")) if k.strip()]
    record = get("id") or str(line_no - 1)
    raw = "\t".join(f"{k}={v}" for k, v in row.items() if v)
    return Document(
        title=title,
        authors=split_authors(get("authors")),
        year=int(year.group()) if year else None,
        doi=find_doi(raw_doi) or find_doi(url) or (raw_doi if raw_doi.startswith("10.") else None),
        arxiv=find_arxiv(" ".join([url, get("venue"), raw_doi])),
        venue=get("venue") or None,
        abstract=abstract,
        text=f"{title}\n\n{abstract}".strip(),
        keywords=keywords,
        sources=[Source(path=str(path), kind="csv", record=record, sha256=sha256_text(raw))],
        extra={"row": row},
    )

"""A minimal reader of record tables (CSV/TSV exports of databases, ASReview data sets).

One :class:`Document` per row; the column names are matched case-insensitively
against the usual names (title, abstract, authors, year, doi, keywords, ...).
Every cell of the row stays in ``Document.extra["row"]`` so callers can read
their own columns (e.g. ASReview's ``label_included``).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from pipeline.document import Document, Source
from pipeline.errors import InputError
from pipeline.sources.base import ReadResult, decode_text, read_bytes, sha256_text
from pipeline.sources.references import find_arxiv, find_doi

COLUMNS = {
    "title": ("title", "primary_title", "article title", "document title", "ti"),
    "abstract": ("abstract", "abstract note", "ab"),
    "authors": ("authors", "author", "author full names", "au"),
    "year": ("year", "publication_year", "publication year", "py", "date"),
    "doi": ("doi", "di"),
    "venue": ("journal", "source title", "publication title", "venue", "secondary_title", "so"),
    "keywords": ("keywords", "author keywords", "kw"),
}


def _column(header: dict[str, str], field: str) -> str | None:
    return next((header[n] for n in COLUMNS[field] if n in header), None)


def read_csv_records(path: Path) -> ReadResult:
    text, notes = decode_text(read_bytes(path), path.name)
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    if not reader.fieldnames:
        raise InputError(f"{path.name}: no header row")
    header = {(n or "").strip().lower(): n for n in reader.fieldnames}
    title_col = _column(header, "title")
    if not title_col:
        raise InputError(f"{path.name}: no title column", hint="name a column 'title'")
    result = ReadResult(notes=notes)
    for line, row in enumerate(reader, 2):
        get = lambda f: (row.get(_column(header, f) or "") or "").strip()  # noqa: E731
        title = " ".join((row.get(title_col) or "").split())
        if not title:
            result.problems.append(f"{path.name}: row {line}: no title; skipped")
            continue
        year = re.search(r"\d{4}", get("year"))
        authors = [a.strip() for a in re.split(r";|\band\b", get("authors")) if a.strip()]
        abstract = get("abstract")
        result.documents.append(Document(
            title=title, authors=authors, year=int(year.group()) if year else None,
            doi=find_doi(get("doi")), arxiv=find_arxiv(get("doi")), venue=get("venue") or None,
            abstract=abstract, text=f"{title}\n\n{abstract}".strip(),
            keywords=[k.strip() for k in re.split(r"[;,]", get("keywords")) if k.strip()],
            sources=[Source(path=str(path), kind="csv", record=str(line),
                            sha256=sha256_text(repr(sorted(row.items(), key=lambda kv: str(kv[0])))))],
            extra={"row": {(k or "").strip(): v for k, v in row.items()}}))
    return result

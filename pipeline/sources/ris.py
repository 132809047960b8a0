"""RIS reader: one Document per record. Records are parsed one at a time so a
malformed record becomes one problem line and the rest still come back."""

from __future__ import annotations

import re
from pathlib import Path

import rispy

from pipeline.document import Document, Source
from pipeline.sources.base import ReadResult, decode_text, read_bytes, sha256_text
from pipeline.sources.references import find_arxiv, find_doi

RECORD_END = re.compile(r"^ER  -.*$", re.M)


def read_ris(path: Path) -> ReadResult:
    text, notes = decode_text(read_bytes(path), path.name)
    result = ReadResult(notes=notes)
    pos, chunks = 0, []
    for m in RECORD_END.finditer(text):
        chunk = text[pos:m.end()]
        lead = len(chunk) - len(chunk.lstrip())
        chunks.append((_line_at(text, pos + lead), chunk))
        pos = m.end()
    rest = text[pos:]
    if rest.strip():
        first = _line_at(text, pos + len(rest) - len(rest.lstrip()))
        result.problems.append(f"{path.name}: line {first}: record without 'ER  -' end tag; skipped")
    for index, (start, chunk) in enumerate(chunks, 1):
        try:
            entries = rispy.loads(chunk.strip("\n") + "\n")
        except Exception as exc:  # rispy raises IOError/ValueError on bad tags
            result.problems.append(f"{path.name}: line {start}: record {index}: {str(exc).splitlines()[0]}; skipped")
            continue
        for entry in entries:
            if not (entry.get("title") or entry.get("primary_title")):
                result.problems.append(f"{path.name}: line {start}: record {index}: no title (TI/T1); skipped")
                continue
            result.documents.append(_document(path, entry, index, chunk))
    return result


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _document(path: Path, e: dict, index: int, chunk: str) -> Document:
    title = (e.get("title") or e.get("primary_title")).strip()
    abstract = (e.get("abstract") or "").strip()
    year = re.search(r"\d{4}", str(e.get("year") or e.get("publication_year") or e.get("date") or ""))
    urls = " ".join(e.get("urls") or [])
    notes = " ".join(e.get("notes") or []) if isinstance(e.get("notes"), list) else str(e.get("notes") or "")
    venue = e.get("secondary_title") or e.get("journal_name") or e.get("alternate_title1") or e.get("publisher")
    return Document(
        title=title,
        authors=[a.strip() for a in (e.get("authors") or e.get("first_authors") or [])],
        year=int(year.group()) if year else None,
        doi=find_doi(e.get("doi") or "") or find_doi(urls),
        arxiv=find_arxiv(" ".join([urls, notes, str(venue or "")])),
        venue=venue,
        abstract=abstract,
        text=f"{title}\n\n{abstract}".strip(),
        keywords=list(e.get("keywords") or []),
        sources=[Source(path=str(path), kind="ris", record=e.get("id") or str(index), sha256=sha256_text(chunk.strip()))],
        extra={"type": e.get("type_of_reference"), "notes": notes},
    )

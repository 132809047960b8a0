"""RIS reader: one Document per record. Records are parsed one at a time so a
malformed record becomes one problem line and the rest still come back."""

from __future__ import annotations

import re
from pathlib import Path

import rispy

from pipeline.document import Document, Reference, Source
from pipeline.sources.base import ReadResult, decode_text, read_bytes, sha256_text
from pipeline.sources.references import find_arxiv, find_doi

RECORD_END = re.compile(r"^ER  -.*$", re.M)


def read_ris(path: Path) -> ReadResult:
    text, notes = decode_text(read_bytes(path), path.name)
    return read_ris_text(text, path, notes)


def read_ris_text(text: str, path: Path, notes: list[str] | None = None) -> ReadResult:
    """Documents of a RIS text, one per record; a broken record costs that record."""
    result = ReadResult(notes=list(notes or []))
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
    title = (e.get("title") or e.get("primary_title") or "").strip()  # read_ris skips entries without one
    abstract = (e.get("abstract") or "").strip()
    year = re.search(r"\d{4}", str(e.get("year") or e.get("publication_year") or e.get("date") or ""))
    urls = " ".join(e.get("urls") or [])
    notes_value = e.get("notes")
    note_list = notes_value if isinstance(notes_value, list) else [str(notes_value or "")]
    note_list, references = _split_references(note_list)
    notes = " ".join(note_list)
    venue = e.get("secondary_title") or e.get("journal_name") or e.get("alternate_title1") or e.get("publisher")
    return Document(
        title=title,
        authors=[a.strip() for a in (e.get("authors") or e.get("first_authors") or [])],
        year=int(year.group()) if year else None,
        doi=find_doi(e.get("doi") or "") or find_doi(urls),
        arxiv=find_arxiv(" ".join([urls, notes, str(venue or "")])) or _abs_arxiv(e, venue),
        venue=venue,
        abstract=abstract,
        text=f"{title}\n\n{abstract}".strip(),
        keywords=list(e.get("keywords") or []),
        references=references,
        sources=[Source(path=str(path), kind="ris", record=e.get("id") or str(index), sha256=sha256_text(chunk.strip()),
                        raw=chunk.strip())],
        extra={"type": e.get("type_of_reference"), "notes": notes},
    )


# Scopus writes the reference list as one N1 note, "References: A, B., Title (2015) Venue, 12, pp. 1-9;"
# with one reference per (untagged) continuation line, which rispy returns as further notes.
_NOTE_LABEL = re.compile(r"^[A-Z][A-Za-z ]{1,40}(?:\s\d+)?:\s")
_SCOPUS_REF = re.compile(r"^(?P<authors>(?:[^,;()]+?,\s(?:[A-Z][a-z]?\.[-A-Z.]*|\d\w*|Jr\.),\s)+)(?P<title>.+?)\s\((?P<year>(?:19|20)\d{2})\)\s*(?P<venue>.*)$")  # noqa: E501


def _split_references(notes: list[str]) -> tuple[list[str], list[Reference]]:
    """(the other notes, the references of a Scopus ``N1  - References:`` note)."""
    kept: list[str] = []
    references: list[Reference] = []
    in_references = False
    for note in (n.strip() for n in notes):
        if not note:
            continue
        if note.startswith("References:"):
            in_references = True
            note = note[len("References:"):].strip()
        elif in_references and _NOTE_LABEL.match(note):
            in_references = False
        if not in_references:
            kept.append(note)
            continue
        for raw in (r.strip() for r in note.split(";\n")):
            if raw:
                references.append(_scopus_reference(raw.rstrip(";").strip()))
    return kept, references


def _scopus_reference(raw: str) -> Reference:
    ref = Reference(raw=raw, doi=find_doi(raw), arxiv=find_arxiv(raw))
    m = _SCOPUS_REF.match(raw)
    if m:
        ref.authors = [a.strip() for a in re.findall(r"[^,]+,\s[^,]+", m.group("authors").rstrip(", "))]
        ref.title = m.group("title").strip(" ,")
        ref.year = int(m.group("year"))
        ref.venue = m.group("venue").split(",")[0].strip() or None
    return ref


def _abs_arxiv(e: dict, venue) -> str | None:
    """``VL  - abs/1708.05344`` under an arXiv/CoRR journal (DBLP's and Semantic Scholar's style)."""
    m = re.fullmatch(r"\s*abs/(\d{4}\.\d{4,5})(v\d+)?\s*", str(e.get("volume") or ""))
    if m and re.search(r"arxiv|corr", str(venue or "") + str(e.get("journal_name") or ""), re.I):
        return m.group(1)
    return None

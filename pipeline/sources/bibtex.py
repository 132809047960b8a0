"""BibTeX reader: one Document per entry of a (database export) .bib file.

bibtexparser v2 keeps going past a broken entry and reports it as a failed
block; we turn each into one problem line (file, line, key) and keep the rest.
"""

from __future__ import annotations

import re
from pathlib import Path

import logging

import bibtexparser
from bibtexparser import middlewares as mw

from pipeline.document import Document, Source
from pipeline.sources.base import ReadResult, decode_text, read_bytes, sha256_text
from pipeline.sources.references import ARXIV, find_arxiv, find_doi

logging.getLogger("bibtexparser").setLevel(logging.ERROR)  # Atlas reports broken entries itself, one line each

VENUE_FIELDS = ("journal", "booktitle", "journaltitle", "series", "publisher", "school", "institution", "howpublished")


MAX_DECODED_FIELD = 100_000  # LaTeX decoding is super-linear: a 10 MB field would hang ingest


class _BoundedLatexDecoding(mw.LatexDecodingMiddleware):
    """bibtexparser's LaTeX decoding; absurdly long field values (no real abstract is
    100 kB) are cut to that length and left undecoded, with a note."""

    def transform_entry(self, entry, library):
        big = {f.key: f.value for f in entry.fields if isinstance(f.value, str) and len(f.value) > MAX_DECODED_FIELD}
        for f in entry.fields:
            if f.key in big:
                f.value = ""
        entry = super().transform_entry(entry, library)
        for f in entry.fields:
            if f.key in big:
                f.value = big[f.key][:MAX_DECODED_FIELD]
        if big:
            entry._atlas_undecoded = set(big)
        return entry


def read_bibtex(path: Path) -> ReadResult:
    text, notes = decode_text(read_bytes(path), path.name)
    library = bibtexparser.parse_string(
        text,
        append_middleware=[mw.NormalizeFieldKeys(), _BoundedLatexDecoding(), mw.SeparateCoAuthors(), mw.SplitNameParts()],
    )
    result = ReadResult(notes=notes)
    for entry in library.entries:
        for name in sorted(getattr(entry, "_atlas_undecoded", ())):
            result.notes.append(f"{path.name}: line {entry.start_line + 1}: entry {entry.key!r}: field {name!r} "
                                   f"longer than {MAX_DECODED_FIELD // 1000} kB; cut to that length, LaTeX left undecoded")
    for block in library.failed_blocks:
        key = re.match(r"@\w+\s*\{\s*([^,\s]+)", block.raw or "")
        what = f"entry {key.group(1)!r}" if key else "entry"
        reason = type(getattr(block, "error", None)).__name__ if getattr(block, "error", None) else "unparseable"
        reason = {"BlockAbortedException": "unbalanced braces or quotes", "DuplicateKeyError": "duplicate key"}.get(reason, reason)
        if type(block).__name__ == "DuplicateBlockKeyBlock":
            reason = "duplicate key"
        result.problems.append(f"{path.name}: line {block.start_line + 1}: {what}: {reason}; skipped")
    for entry in library.entries:
        fields = {k: _plain(v.value) for k, v in entry.fields_dict.items() if k not in ("author", "editor")}
        if not fields.get("title"):
            result.problems.append(f"{path.name}: line {entry.start_line + 1}: entry {entry.key!r}: no title; skipped")
            continue
        result.documents.append(_document(path, entry, fields))
    return result


def _document(path: Path, entry, fields: dict[str, str]) -> Document:
    authors = [_full_name(n) for n in (entry.fields_dict["author"].value if "author" in entry.fields_dict else [])]
    year = re.search(r"\d{4}", fields.get("year", "") or fields.get("date", ""))
    abstract = fields.get("abstract", "")
    title = fields["title"]
    return Document(
        title=title,
        authors=[a for a in authors if a],
        year=int(year.group()) if year else None,
        doi=find_doi(fields.get("doi", "")) or find_doi(fields.get("url", "")),
        arxiv=arxiv_id(fields),
        venue=next((fields[f] for f in VENUE_FIELDS if fields.get(f)), None),
        abstract=abstract,
        text=f"{title}\n\n{abstract}".strip(),
        keywords=[k.strip() for k in re.split(r"[;,]", fields.get("keywords", "")) if k.strip()],
        sources=[Source(path=str(path), kind="bibtex", record=entry.key, sha256=sha256_text(entry.raw or ""))],
        extra={"entry_type": entry.entry_type},
    )


def arxiv_id(fields: dict[str, str]) -> str | None:
    """arXiv id from eprint/archivePrefix, journal ("arXiv preprint arXiv:..."), url or note."""
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").lower()
    if fields.get("eprint") and (prefix == "arxiv" or ARXIV[0].fullmatch(f"arXiv:{fields['eprint']}")):
        return fields["eprint"].strip()
    for name in ("journal", "url", "note", "howpublished", "volume", "booktitle"):
        found = find_arxiv(fields.get(name, ""))
        if found:
            return found
    return None


def _full_name(name) -> str:
    if isinstance(name, str):
        return _plain(name)
    parts = [" ".join(name.first), " ".join(name.von), " ".join(name.last)]
    full = " ".join(p for p in parts if p)
    return _plain(f"{full}, {' '.join(name.jr)}" if name.jr else full)


def _plain(value) -> str:
    """Field text without TeX grouping braces and with collapsed whitespace."""
    return re.sub(r"\s+", " ", str(value).replace("{", "").replace("}", "")).strip()

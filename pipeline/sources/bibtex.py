"""BibTeX reader: one Document per entry of a (database export) .bib file.

bibtexparser v2 keeps going past a broken entry and reports it as a failed
block; we turn each into one problem line (file, line, key) and keep the rest.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import bibtexparser
from bibtexparser import middlewares as mw

from pipeline.document import Document, Source
from pipeline.sources.base import ReadResult, decode_text, read_bytes, sha256_text
from pipeline.sources.references import ARXIV, find_arxiv, find_doi

logging.getLogger("bibtexparser").setLevel(logging.ERROR)  # Atlas reports broken entries itself, one line each

VENUE_FIELDS = ("journal", "booktitle", "journaltitle", "series", "publisher", "school", "institution", "howpublished")


MAX_DECODED_FIELD = 100_000  # LaTeX decoding is super-linear: a 10 MB field would hang ingest


# what LaTeX decoding can change: macros, groups, math, specials (~ % & ^ _ #), ligature quotes and dashes
LATEX_SYNTAX = re.compile(r"[\\{}$~%&^_#`]|--|''")


class _BoundedLatexDecoding(mw.LatexDecodingMiddleware):
    """bibtexparser's LaTeX decoding; absurdly long field values (no real abstract is
    100 kB) are cut to that length and left undecoded, with a note. A value with no LaTeX
    syntax is its own decoding and skips the decoder (most of a database export: the
    decoder cost ~20 ms a record, more than the record's embedding)."""

    def _transform_python_value_string(self, python_string: str) -> tuple[str, str]:
        if not LATEX_SYNTAX.search(python_string):
            return python_string, ""
        return super()._transform_python_value_string(python_string)

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


_MIDDLEWARE = (mw.NormalizeFieldKeys, _BoundedLatexDecoding, mw.SeparateCoAuthors, mw.SplitNameParts)
_FIELD_START = re.compile(r"^\s*([A-Za-z][\w\-:.]*)\s*=", re.M)
ET_AL = {"others", "et al.", "et al", "et. al."}


def _parse(text: str):
    return bibtexparser.parse_string(text, append_middleware=[m() for m in _MIDDLEWARE])


def read_bibtex(path: Path) -> ReadResult:
    text, notes = decode_text(read_bytes(path), path.name)
    return read_bibtex_text(text, path, notes)


def read_bibtex_text(text: str, path: Path, notes: list[str] | None = None) -> ReadResult:
    """Documents of a BibTeX text; a broken field costs that field, a duplicate key costs nothing."""
    library = _parse(text)
    result = ReadResult(notes=list(notes or []))
    entries = [(entry, entry.raw) for entry in library.entries]
    for block in library.failed_blocks:
        key = re.match(r"@\w+\s*\{\s*([^,\s]+)", block.raw or "")
        what = f"entry {key.group(1)!r}" if key else "entry"
        where = f"{path.name}: line {block.start_line + 1}: {what}"
        if type(block).__name__ == "DuplicateBlockKeyBlock":
            # a second work under a key already used: keep it (the export gives it its own key)
            again = _parse(block.raw).entries
            if again:
                entries.append((again[0], block.raw))
                result.notes.append(f"{where}: citation key used twice; both entries kept")
                continue
        salvaged, dropped = _salvage(block.raw or "")
        if salvaged is not None:
            entries.append((salvaged, salvaged.raw))
            result.notes.append(f"{where}: malformed field(s) {', '.join(dropped)} dropped; the rest kept")
            continue
        reason = type(getattr(block, "error", None)).__name__ if getattr(block, "error", None) else "unparseable"
        reason = {"BlockAbortedException": "unbalanced braces or quotes"}.get(reason, reason)
        result.problems.append(f"{where}: {reason}; skipped")
    for entry, raw in entries:
        for name in sorted(getattr(entry, "_atlas_undecoded", ())):
            result.notes.append(f"{path.name}: line {entry.start_line + 1}: entry {entry.key!r}: field {name!r} "
                                f"longer than {MAX_DECODED_FIELD // 1000} kB; cut to that length, LaTeX left undecoded")
        fields = {k: _plain(v.value) for k, v in entry.fields_dict.items() if k not in ("author", "editor")}
        if not fields.get("title"):
            result.problems.append(f"{path.name}: line {entry.start_line + 1}: entry {entry.key!r}: no title; skipped")
            continue
        result.documents.append(_document(path, entry, fields, raw or entry.raw or ""))
    return result


def _salvage(raw: str):
    """The entry of a block that failed to parse, without the fields that broke it (None if none helps).

    Fields are found where a line starts with ``name =``; each is tried alone, and
    the ones that parse are put back together."""
    head = re.match(r"\s*@(\w+)\s*\{\s*([^,\s]+)\s*,", raw)
    if not head:
        return None, []
    starts = [m for m in _FIELD_START.finditer(raw, head.end())]
    if len(starts) < 2:
        return None, []
    good, dropped = [], []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(raw)
        chunk = raw[m.start():end].strip()
        if chunk.endswith("}") and chunk.count("}") > chunk.count("{"):
            chunk = chunk[:-1].strip()  # the entry's own closing brace
        chunk = chunk.rstrip(",").strip()
        trial = _parse(f"@{head.group(1)}{{{head.group(2)},\n  {chunk}\n}}\n")
        if trial.entries and not trial.failed_blocks and m.group(1).lower() in trial.entries[0].fields_dict:
            good.append(chunk)
        else:
            dropped.append(m.group(1).lower())
    if not good or not dropped:
        return None, []
    text = f"@{head.group(1)}{{{head.group(2)},\n" + ",\n".join(f"  {c}" for c in good) + "\n}\n"
    library = _parse(text)
    if not library.entries or library.failed_blocks:
        return None, []
    return library.entries[0], dropped


def _document(path: Path, entry, fields: dict[str, str], raw: str) -> Document:
    names = [_full_name(n) for n in (entry.fields_dict["author"].value if "author" in entry.fields_dict else [])]
    authors = [a for a in names if a and a.lower() not in ET_AL]
    year = re.search(r"\d{4}", fields.get("year", "") or fields.get("date", ""))
    abstract = fields.get("abstract", "")
    title = fields["title"]
    return Document(
        title=title,
        authors=authors,
        year=int(year.group()) if year else None,
        doi=find_doi(fields.get("doi", "")) or find_doi(fields.get("url", "")),
        arxiv=arxiv_id(fields),
        venue=next((fields[f] for f in VENUE_FIELDS if fields.get(f)), None),
        abstract=abstract,
        text=f"{title}\n\n{abstract}".strip(),
        keywords=[k.strip() for k in re.split(r"[;,]", fields.get("keywords", "")) if k.strip()],
        sources=[Source(path=str(path), kind="bibtex", record=entry.key, sha256=sha256_text(raw),
                        raw=raw.strip())],
        extra={"entry_type": entry.entry_type, "et_al": len(authors) < len([a for a in names if a])},
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
    # DBLP and Semantic Scholar write arXiv/CoRR papers as journal={ArXiv}, volume={abs/1708.05344}
    old_style = re.fullmatch(r"\s*abs/(\d{4}\.\d{4,5})(v\d+)?\s*", fields.get("volume", ""))
    if old_style and re.search(r"arxiv|corr", fields.get("journal", "") + fields.get("journaltitle", ""), re.I):
        return old_style.group(1)
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

"""BibTeX entry <-> RIS record, field by field (fields named as in BibTeX; authors a list)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipeline.report.exchange.records import BIB_TO_RIS, CONTAINER, RIS_TO_BIB

if TYPE_CHECKING:  # bibtexparser is imported where an entry is parsed, not at import time
    from bibtexparser.middlewares.names import NameParts


def _plain(value: object) -> str:
    return re.sub(r"\s+", " ", str(value).replace("{", "").replace("}", "")).strip()


def _name(person: str | NameParts) -> str:
    if isinstance(person, str):
        return _plain(person)
    last = " ".join(person.von + person.last)
    first = " ".join(person.first)
    name = f"{last}, {first}" if first else last
    return _plain(f"{name}, {' '.join(person.jr)}" if person.jr else name)


def fields_from_bibtex(raw: str) -> tuple[str, dict]:
    """(entry type, fields) of one BibTeX entry; names as ``Last, First``; "and others" left out."""
    import bibtexparser
    from bibtexparser import middlewares as mw

    library = bibtexparser.parse_string(raw, append_middleware=[
        mw.NormalizeFieldKeys(), mw.LatexDecodingMiddleware(), mw.SeparateCoAuthors(), mw.SplitNameParts()])
    if not library.entries:
        return "misc", {}
    entry = library.entries[0]
    fields: dict = {}
    for f in entry.fields:
        if f.key in ("author", "editor"):
            names = [_name(p) for p in f.value] if isinstance(f.value, list) else [_plain(f.value)]
            fields[f.key] = [n for n in names if n and n.lower() not in ("others", "et al.", "et al")]
        else:
            fields[f.key] = _plain(f.value)
    return entry.entry_type.lower(), fields


def fields_from_ris(raw: str) -> tuple[str, dict]:
    """(BibTeX entry type, fields) of one RIS record."""
    import rispy

    from pipeline.sources.ris import _split_references

    entries = rispy.loads(raw.strip() + "\n")
    if not entries:
        return "misc", {}
    e = entries[0]
    ris_type = (e.get("type_of_reference") or "GEN").upper()
    kind = RIS_TO_BIB.get(ris_type, "misc")
    fields: dict = {}

    def put(name: str, value: object) -> None:
        if value and name not in fields:
            fields[name] = value if isinstance(value, list) else str(value).strip()

    put("title", e.get("title") or e.get("primary_title"))
    put("author", list(e.get("authors") or []) + list(e.get("first_authors") or []))
    put("editor", list(e.get("secondary_authors") or []) if kind in ("incollection", "inbook", "book") else [])
    year = re.search(r"\d{4}", str(e.get("year") or e.get("publication_year") or e.get("date") or ""))
    put("year", year.group() if year else "")
    container = e.get("secondary_title") or e.get("journal_name") or e.get("alternate_title3") \
        or e.get("alternate_title1")
    put(CONTAINER.get(kind, "howpublished"), container)
    put("series", e.get("tertiary_title"))
    put("publisher", e.get("publisher"))
    put("address", e.get("place_published"))
    put("volume", e.get("volume"))
    put("number", e.get("number"))
    pages = "--".join(p for p in (str(e.get("start_page") or ""), str(e.get("end_page") or "")) if p)
    put("pages", pages)
    put("edition", e.get("edition"))
    put("doi", e.get("doi"))
    put("issn" if kind in ("article",) else "isbn", e.get("issn"))
    put("url", " ".join(e.get("urls") or []))
    put("abstract", e.get("abstract") or e.get("notes_abstract"))
    put("keywords", ", ".join(e.get("keywords") or []))
    put("language", e.get("language"))
    notes = e.get("notes") if isinstance(e.get("notes"), list) else [e.get("notes") or ""]
    kept, _references = _split_references([n for n in notes if n])
    put("note", "; ".join(kept))
    return kind, fields


# ---- writing ----------------------------------------------------------------------
_TEX_ESC = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}"}


def _tex_escape(match: re.Match[str]) -> str:
    return _TEX_ESC[match.group()]


def bibtex_value(text: str) -> str:
    return "{" + re.sub(r"[&%$#_{}]", _tex_escape, text) + "}"


def bib_key(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_:.\-+/]", "", key) or "paper"


def bibtex_entry(entry_type: str, key: str, fields: dict) -> str:
    body = []
    for name, value in fields.items():
        if name in ("author", "editor"):
            value = " and ".join(value)
        if value:
            body.append(f"  {name} = {bibtex_value(str(value))}")
    return f"@{entry_type}{{{bib_key(key)},\n" + ",\n".join(body) + "\n}\n"


def with_key(raw: str, key: str) -> str:
    """A BibTeX entry's text under another citation key."""
    return re.sub(r"^(\s*@\w+\s*[{(]\s*)[^,\s]*", lambda m: m.group(1) + bib_key(key), raw, count=1)


def ris_record(entry_type: str, key: str, fields: dict) -> str:
    """One RIS record (TY ... ER) from BibTeX-named fields."""
    ris_type = BIB_TO_RIS.get(entry_type, "GEN")
    lines = [f"TY  - {ris_type}", f"ID  - {key}"]

    def tag(name: str, value: object) -> None:
        if value:
            lines.append(f"{name}  - {value}")

    tag("TI", fields.get("title"))
    for person in fields.get("author", []):
        tag("AU", person)
    for person in fields.get("editor", []):
        tag("A2", person)
    tag("PY", fields.get("year"))
    container = next((fields[f] for f in ("journal", "booktitle", "school", "institution", "howpublished")
                      if fields.get(f)), "")
    tag("T2", container)
    if entry_type == "article":
        tag("JO", fields.get("journal"))
    tag("T3", fields.get("series"))
    tag("PB", fields.get("publisher") or (fields.get("school") if ris_type == "THES" else ""))
    tag("CY", fields.get("address"))
    tag("VL", fields.get("volume"))
    tag("IS", fields.get("number"))
    pages = re.split(r"\s*[-\u2013\u2014]+\s*", fields.get("pages", ""), maxsplit=1)
    tag("SP", pages[0] if pages else "")
    tag("EP", pages[1] if len(pages) > 1 else "")
    tag("ET", fields.get("edition"))
    tag("DO", fields.get("doi"))
    tag("SN", fields.get("isbn") or fields.get("issn"))
    for url in (fields.get("url") or "").split():
        tag("UR", url)
    if fields.get("eprint") and (fields.get("archiveprefix", "").lower() == "arxiv" or not fields.get("archiveprefix")):
        tag("M1", f"arXiv:{fields['eprint']}")
    tag("AB", fields.get("abstract"))
    for keyword in re.split(r"\s*[;,]\s*", fields.get("keywords", "")):
        tag("KW", keyword)
    tag("LA", fields.get("language"))
    tag("N1", fields.get("note"))
    lines.append("ER  - ")
    return "\n".join(lines) + "\n"

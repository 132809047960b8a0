"""Markdown / plain-text reader: title from the first heading (or first line),
sections from ``#`` headings, abstract from an "Abstract" section, and the
reference list (after a "References"/"Bibliography" heading, ``#`` or a line of
its own) parsed into ``references`` and kept out of ``text``, as the PDF reader does."""

from __future__ import annotations

import html
import re
from pathlib import Path

from pipeline.document import Document, Reference, Section, Source
from pipeline.errors import InputError
from pipeline.sources.base import ReadResult, decode_text, read_bytes, sha256_bytes
from pipeline.sources.references import BRACKET, YEAR, parse_reference, split_entries, venue_from

HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)
REFS_TITLE = re.compile(
    r"^(?:\d+\.?\s*)?(references|bibliography|literature cited|works cited|references and notes|cited literature)$",
    re.I)
APPENDIX_TITLE = re.compile(r"^(?:[A-Z]\.?\s+)?(appendix|appendices|supplementary material|supplemental material)\b", re.I)
LINE = re.compile(r"^.*$", re.M)
BULLET = re.compile(r"^\s{0,3}[-*+•]\s+")
ORDERED = re.compile(r"^\s{0,3}(?:\[\d{1,3}\]|\d{1,3}[.)]\s)")
EMPHASIS = re.compile(r"(?<![\w*\\])\*(?!\s|\*)([^*\n]+?)(?<=\S)\*(?![\w*])")
ENTRY_START = re.compile(r"^\s{0,3}(?:[-*+•]\s+|\[\d{1,3}\]|\d{1,3}[.)]?\s+[A-Z])")


def read_text(path: Path) -> ReadResult:
    data = read_bytes(path)
    text, notes = decode_text(data, path.name)
    text = text.replace("\r\n", "\n")
    if not text.strip():
        raise InputError(f"{path.name}: file is empty")
    kind = "markdown" if path.suffix.lower() in (".md", ".markdown") else "text"
    doc = parse_markdown(text)
    doc.sources = [Source(path=str(path), kind=kind, record=None, sha256=sha256_bytes(data))]
    return ReadResult([doc], notes=notes)


def parse_markdown(text: str) -> Document:
    """Document from Markdown/plain text; the reference list goes to ``references``."""
    references: list[Reference] = []
    region = find_reference_list(text)
    if region is not None:
        head, body, end = region
        before, after = text[:head].rstrip(), text[end:].strip()
        if before.strip():
            references = parse_reference_list(text[body:end])
            text = before + "\n" + (f"\n{after}\n" if after else "")
    doc = _parse_structure(text)
    doc.references = references
    return doc


BOLD_LINE = re.compile(r"^\*\*(.+?)\*\*$")
ABSTRACT_LINE = re.compile(r"^(?:#{1,6}\s*)?\**abstract\**\s*(?:[—–:.-]\s*(?P<rest>.*))?$", re.I)
TITLE_WINDOW = 60  # lines: a title sits on the first page, after cover or watermark lines


def _title(text: str, headings: list) -> tuple[str, bool]:
    """(title, from_first_heading): the first level-1 heading near the top, else the
    first bold line (thesis covers), else the first non-empty line."""
    lines = [ln.strip() for ln in text.splitlines()[:TITLE_WINDOW]]
    top = text.count("\n", 0, headings[0].start()) if headings else None
    if headings and headings[0].group(1) == "#" and top is not None and top < TITLE_WINDOW:
        return headings[0].group(2).strip(), True
    bold = [BOLD_LINE.match(ln) for ln in lines]
    first_bold = next((m for m in bold if m), None)
    if first_bold is not None:
        # a bold title may wrap onto the next line: "**Adaptation Techniques for using NAS\nMethods ...**"
        return first_bold.group(1).strip(), False
    wrapped = re.search(r"\*\*([^*]{10,200}?)\*\*", "\n".join(lines))
    if wrapped:
        return " ".join(wrapped.group(1).split()), False
    first = next(ln for ln in lines + [ln.strip() for ln in text.splitlines()] if ln)
    return HEADING.sub(r"\2", first).strip(), False


def _plain_abstract(text: str) -> str:
    """Text after an "Abstract" line (or "Abstract—..."), up to the next heading-like line."""
    lines = text.splitlines()
    for i, line in enumerate(lines[:400]):
        m = ABSTRACT_LINE.match(line.strip())
        if not m:
            continue
        body = [m.group("rest")] if m.group("rest") else []
        for nxt in lines[i + 1:]:
            t = nxt.strip()
            if body and (HEADING.match(t) or re.match(r"^(index terms|keywords|key words)\b", t, re.I) or re.match(r"^(\d+(\.\d+)*\.?\s+[A-Z][^.]{0,80}|[A-Z][A-Za-z ]{2,40})$", t)):  # noqa: E501
                break
            if t or body:
                body.append(t)
        out = "\n".join(body).strip()
        out = re.sub(r"^\[TODO[^\]]*\]\s*", "", out)
        return out
    return ""


def _parse_structure(text: str) -> Document:
    headings = list(HEADING.finditer(text))
    title, from_heading = _title(text, headings)
    if from_heading:
        headings = headings[1:]
    doc = Document(title=title, text=text)
    levels = [len(h.group(1)) for h in headings]
    for i, h in enumerate(headings):
        level = len(h.group(1))
        end = next((headings[j].start() for j in range(i + 1, len(headings)) if levels[j] <= level), len(text))
        doc.sections.append(Section(heading=h.group(2).strip(), start=h.start(), end=end, level=level))
        if h.group(2).strip().lower().rstrip(".:") == "abstract" and not doc.abstract:
            body_end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
            doc.abstract = text[h.end():body_end].strip()
    if not doc.abstract:
        doc.abstract = _plain_abstract(text)
    return doc


# ---- the reference list --------------------------------------------------------

def _heading_text(line: str) -> str:
    """A line without Markdown heading marks and emphasis, for heading tests."""
    line = HEADING.sub(r"\2", line.strip())
    return re.sub(r"[*_`]+", "", line).strip().rstrip(":").strip()


def find_reference_list(text: str) -> tuple[int, int, int] | None:
    """``(heading start, list start, list end)`` of the last reference list, or None.

    The heading is a ``#`` heading or a line of its own ("REFERENCES", "**Bibliography**")
    whose next non-blank line looks like an entry (a list item, "[1]", "1." or a year),
    so a table-of-contents line ("Bibliography 18") is not taken for it. The list ends
    at the next heading of the same or a higher level (any ``#`` heading after a plain
    one) or at an "Appendix" line.
    """
    lines = [(m.start(), m.end(), m.group()) for m in LINE.finditer(text)]
    for idx in range(len(lines) - 1, -1, -1):
        start, stop, line = lines[idx]
        if len(line) > 80 or not REFS_TITLE.match(_heading_text(line)):
            continue
        md = HEADING.match(line)
        if not md and idx > 0 and lines[idx - 1][2].strip():
            continue  # a plain heading stands on a line of its own
        first = next((ln for _, _, ln in lines[idx + 1:] if ln.strip()), "")
        if not first or HEADING.match(first) or not (ENTRY_START.match(first) or YEAR.search(first)):
            continue
        level = len(md.group(1)) if md else 7
        end = len(text)
        for s, _, ln in lines[idx + 1:]:
            h = HEADING.match(ln)
            if (h and len(h.group(1)) <= level) or (not h and APPENDIX_TITLE.match(_heading_text(ln))
                                                    and len(ln) < 60 and not ENTRY_START.match(ln)):
                end = s
                break
        return start, min(stop + 1, len(text)), end
    return None


def reference_blocks(text: str) -> list[str]:
    """One block per list item (continuation lines joined); blank lines end a block."""
    blocks: list[list[str]] = []
    open_ = False
    for line in text.split("\n"):
        if not line.strip():
            open_ = False
            continue
        item = BULLET.match(line)
        if item or ORDERED.match(line) or not open_:
            blocks.append([line[item.end():] if item else line.strip()])
            open_ = True
        else:
            blocks[-1].append(line.strip())
    return [b for b in (unmarkdown(" ".join(parts)) for parts in blocks) if b]


def parse_reference_list(text: str) -> list[Reference]:
    """References from the body of a Markdown/plain-text reference section.

    An italic span that starts with the parsed title and runs on is the whole title
    ("*Towards Non-I.I.D. and invisible data with FedNAS*" is cut at "I.I.D." otherwise).
    """
    italics = [unmarkdown(m.group(1)).rstrip(".") for m in EMPHASIS.finditer(text)]
    refs = [parse_reference(e) for e in markdown_entries(reference_blocks(text))]
    for ref in refs:
        if ref.title:
            longer = [t for t in italics if t.startswith(ref.title) and len(t) > len(ref.title) and t in ref.raw]
            if longer:
                ref.title = min(longer, key=len)
                ref.venue = venue_from(ref.raw[ref.raw.index(ref.title) + len(ref.title):]) or None
    return refs


def markdown_entries(blocks: list[str]) -> list[str]:
    """Entries of a list; tolerates a first item or two whose "[1]" got lost in conversion."""
    marked = [bool(BRACKET.match(b)) for b in blocks]
    if marked and not marked[0] and any(marked):
        i = marked.index(True)
        if i <= 2 and sum(marked) >= len(blocks) / 2:
            return [re.sub(r"\s+", " ", b).strip() for b in blocks[:i]] + split_entries(blocks[i:])
    return split_entries(blocks)


def unmarkdown(s: str) -> str:
    """Plain text of one Markdown line: no emphasis, autolink brackets, tags or escapes."""
    s = re.sub(r"<((?:https?|ftp)://[^>\s]+)>", r"\1", s)
    s = re.sub(r"\[([^\]]+)\]\(((?:https?|ftp)://[^)\s]+)\)", r"\1 \2", s)
    s = re.sub(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>", "", s)
    s = html.unescape(s)
    s = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", s)
    s = re.sub(r"(?<![\w*\\])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"\1", s)
    s = re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>])", r"\1", s)
    return re.sub(r"\s+", " ", s).strip()

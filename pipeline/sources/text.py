"""Markdown / plain-text reader: title from the first heading (or first line),
sections from ``#`` headings, abstract from an "Abstract" section."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.document import Document, Section, Source
from pipeline.errors import InputError
from pipeline.sources.base import ReadResult, decode_text, read_bytes, sha256_bytes

HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)


def read_text(path: Path) -> ReadResult:
    data = read_bytes(path)
    text, problems = decode_text(data, path.name)
    text = text.replace("\r\n", "\n")
    if not text.strip():
        raise InputError(f"{path.name}: file is empty")
    kind = "markdown" if path.suffix.lower() in (".md", ".markdown") else "text"
    doc = parse_markdown(text)
    doc.sources = [Source(path=str(path), kind=kind, record=None, sha256=sha256_bytes(data))]
    return ReadResult([doc], problems)


def parse_markdown(text: str) -> Document:
    headings = list(HEADING.finditer(text))
    if headings and headings[0].group(1) == "#" and not text[: headings[0].start()].strip():
        title = headings[0].group(2).strip()
        headings = headings[1:]
    else:
        title = next(line.strip() for line in text.splitlines() if line.strip())
        title = HEADING.sub(r"\2", title).strip()
    doc = Document(title=title, text=text)
    levels = [len(h.group(1)) for h in headings]
    for i, h in enumerate(headings):
        level = len(h.group(1))
        end = next((headings[j].start() for j in range(i + 1, len(headings)) if levels[j] <= level), len(text))
        doc.sections.append(Section(heading=h.group(2).strip(), start=h.start(), end=end, level=level))
        if h.group(2).strip().lower().rstrip(".:") == "abstract" and not doc.abstract:
            body_end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
            doc.abstract = text[h.end():body_end].strip()
    return doc

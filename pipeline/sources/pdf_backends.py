"""PDF backends: a file in, pages of classified text blocks out.

PyMuPDF is AGPL, so everything PDF-library specific lives behind this small
interface; ``pdf_backends`` maps names to backends (``pymupdf`` is the default,
using PyMuPDF 2.x's bundled layout model (module ``pymupdf4llm``, AGPL like PyMuPDF) for reading order and block classes across
columns; ``pymupdf-text`` is a plain fallback without the layout model).
"""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pipeline.errors import InputError, UnknownNameError

# Block kinds a backend may emit (the layout model's classes, normalised).
KINDS = {"title", "heading", "text", "list", "caption", "footnote", "header", "footer",
         "table", "picture", "formula"}
_KIND_OF = {"section-header": "heading", "list-item": "list", "page-header": "header",
            "page-footer": "footer"}


@dataclass
class Line:
    text: str  # words joined by spaces; superscripts kept
    clean: str  # same without superscript spans (footnote marks on titles/names)
    size: float  # largest font size on the line
    segments: list[str] = field(default_factory=list)  # pieces split at wide gaps
    bbox: tuple[float, float, float, float] = (0, 0, 0, 0)


@dataclass
class Block:
    kind: str
    bbox: tuple[float, float, float, float]
    lines: list[Line] = field(default_factory=list)

    @property
    def text(self) -> str:
        return join_lines([ln.text for ln in self.lines])

    @property
    def size(self) -> float:
        return max((ln.size for ln in self.lines), default=0.0)


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    blocks: list[Block] = field(default_factory=list)


@dataclass
class RawPdf:
    pages: list[Page]
    metadata: dict[str, str] = field(default_factory=dict)


class PdfBackend(Protocol):
    name: str

    def load(self, path: Path) -> RawPdf: ...


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines into one paragraph, undoing end-of-line hyphenation."""
    out = ""
    for line in (ln.strip().replace("\u00ad ", "\u00ad") for ln in lines):
        if not line:
            continue
        if out.endswith("\u00ad"):  # soft hyphen: always a line-break hyphenation
            out = out[:-1] + line
        elif out.endswith("-") and len(out) > 2 and out[-2].isalpha() and line[:1].islower():
            out = out[:-1] + line
        elif out:
            out += " " + line
        else:
            out = line
    return out.replace("\u00ad", "-")  # typst & co. write real hyphens as U+00AD mid-line


def line_from_spans(spans: list[dict]) -> Line | None:
    """One visual line from PyMuPDF spans (words), splitting segments at wide gaps."""
    spans = [s for s in spans if s["text"].strip()]
    if not spans:
        return None
    segments: list[list[dict]] = [[]]
    previous: list[dict | None] = [None, *spans[:-1]]
    for prev, span in zip(previous, spans):
        if prev is not None and span["bbox"][0] - prev["bbox"][2] > 1.5 * max(span["size"], 1):
            segments.append([])
        segments[-1].append(span)

    def words(group: list[dict], drop_sup: bool) -> str:
        text = ""
        for s in group:
            sup = s["flags"] & 1
            if sup and drop_sup:
                continue
            t = s["text"].strip()
            if t:
                text = text + t if (sup or not text) else f"{text} {t}"
        return text

    segs = [words(g, True) for g in segments]
    xs = [s["bbox"] for s in spans]
    return Line(
        text=words(spans, False), clean=" ".join(s for s in segs if s), size=max(s["size"] for s in spans),
        segments=[s for s in segs if s],
        bbox=(min(b[0] for b in xs), min(b[1] for b in xs), max(b[2] for b in xs), max(b[3] for b in xs)),
    )


MAX_PAGES = int(os.environ.get("FEDATLAS_MAX_PAGES", "600"))  # a huge page count must not hang ingest


def open_pdf(path: Path):
    """Open with PyMuPDF, turning its failures into one-line InputErrors."""
    import pymupdf

    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # pymupdf raises FileDataError and friends
        raise InputError(f"{path.name}: not a readable PDF ({str(exc).strip() or type(exc).__name__})") from None
    if doc.needs_pass:
        doc.close()
        raise InputError(f"{path.name}: encrypted PDF (password required); save an unencrypted copy")
    try:
        pages = doc.page_count
    except Exception as exc:  # a damaged page tree ("Invalid number of pages")
        doc.close()
        raise InputError(f"{path.name}: damaged PDF ({str(exc).strip() or type(exc).__name__})") from None
    if pages == 0:
        doc.close()
        raise InputError(f"{path.name}: PDF has no pages")
    if pages > MAX_PAGES:
        doc.close()
        raise InputError(f"{path.name}: {pages} pages; Atlas reads papers of up to {MAX_PAGES} pages "
                         "(set FEDATLAS_MAX_PAGES to raise the limit)")
    return doc


class PyMuPdfLayout:
    """pymupdf4llm's layout model: blocks classified and in reading order."""

    name = "pymupdf"

    def load(self, path: Path) -> RawPdf:
        from pymupdf4llm.helpers.document_layout import parse_document

        doc = open_pdf(path)
        try:
            try:
                with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                    parsed = parse_document(doc, use_ocr=False, show_progress=False, write_images=False)
            except (RuntimeError, ValueError) as exc:  # PyMuPDF's errors on damaged objects
                raise InputError(f"{path.name}: damaged PDF ({str(exc).strip()[:120] or type(exc).__name__})") from None
            pages = []
            for p in parsed.pages:
                page = Page(p.page_number, p.width, p.height)
                for box in p.boxes:
                    lines = [ln for tl in (box.textlines or []) if (ln := line_from_spans(tl["spans"]))]
                    kind = _KIND_OF.get(box.boxclass, box.boxclass)
                    page.blocks.append(Block(kind if kind in KINDS else "text", (box.x0, box.y0, box.x1, box.y1), lines))
                pages.append(page)
            return RawPdf(pages, {k: v or "" for k, v in (doc.metadata or {}).items()})
        finally:
            doc.close()


class PyMuPdfText:
    """Plain PyMuPDF text blocks in stored order; no layout model, no classes."""

    name = "pymupdf-text"

    def load(self, path: Path) -> RawPdf:
        doc = open_pdf(path)
        try:
            pages = []
            for i, pg in enumerate(doc):
                page = Page(i + 1, pg.rect.width, pg.rect.height)
                for b in pg.get_text("dict", sort=True)["blocks"]:
                    if b.get("type") != 0:
                        continue
                    lines = [ln for raw in b["lines"] if (ln := line_from_spans(_word_spans(raw["spans"])))]
                    if lines:
                        page.blocks.append(Block("text", tuple(b["bbox"]), lines))
                pages.append(page)
            return RawPdf(pages, {k: v or "" for k, v in (doc.metadata or {}).items()})
        finally:
            doc.close()


def _word_spans(spans: list[dict]) -> list[dict]:
    return [{"text": s["text"], "size": s["size"], "flags": s["flags"], "bbox": s["bbox"]} for s in spans]


pdf_backends: dict[str, PdfBackend] = {"pymupdf": PyMuPdfLayout(), "pymupdf-text": PyMuPdfText()}
DEFAULT_BACKEND = "pymupdf"


def get_backend(name: str | None = None) -> PdfBackend:
    name = name or DEFAULT_BACKEND
    if name not in pdf_backends:
        raise UnknownNameError(f"unknown PDF backend {name!r}; known: {', '.join(sorted(pdf_backends))}")
    return pdf_backends[name]

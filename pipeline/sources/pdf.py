"""PDF reader: checks the file, asks a backend for blocks, builds a Document.

Order of work: refuse bad files with one clear line; drop running headers,
footers and page numbers (layout classes plus lines repeated across pages);
read page-1 metadata (see ``pdf_layout``); then walk the blocks in reading
order into sections, keeping captions and footnotes out of the body and the
reference list out of ``text`` (parsed into ``references`` instead).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from pipeline.document import Document, Section, Source
from pipeline.errors import InputError
from pipeline.sources import pdf_layout as lay
from pipeline.sources.base import ReadResult, read_bytes, sha256_bytes
from pipeline.sources.pdf_backends import Block, Page, RawPdf, get_backend, join_lines
from pipeline.sources.references import find_arxiv, find_doi, parse_reference, split_entries

SKIP_KINDS = {"header", "footer", "picture", "table", "formula"}
PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[ivxlc]{1,6}$|^\d+:\d+$", re.I)
REFS_HEADING = re.compile(r"^(?:\d+\.?\s*)?(references|bibliography|literature cited|works cited|references and notes)$", re.I)
FRONT_HEADINGS = re.compile(r"^(ccs concepts|acm reference format|keywords|index terms|additional key words.*):?$", re.I)
FRONT_MATTER = re.compile(
    r"^(permission to make digital|©|\(c\) \d{4}|acm isbn|authors[’'] addresses|ccs concepts|acm reference format"
    r"|received \d|this work is licensed|publication rights licensed|https?://doi\.org/x+)",
    re.I,
)
NUMBERING = re.compile(r"^((?:\d+|[A-Za-z]|[IVX]+)(?:\.\d+)*)[.:]?\s+(?=\S)")
NUMBERED_REF = re.compile(r"^(\d{1,3})\s?(?=[A-Z´¨˜`])")
ROMAN = re.compile(r"^[IVX]+$")


def read_pdf(path: Path, backend: str | None = None) -> ReadResult:
    data = read_bytes(path)
    check_pdf_bytes(path, data)
    raw = get_backend(backend).load(path)
    if sum(len(ln.text) for p in raw.pages for b in p.blocks for ln in b.lines) < 20:
        raise InputError(f"{path.name}: no text layer (image-only or scanned PDF); run OCR on it first")
    doc = build_document(raw)
    doc.sources = [Source(path=str(path), kind="pdf", record=None, sha256=sha256_bytes(data))]
    problems = [] if doc.title else [f"{path.name}: page 1: no title found"]
    return ReadResult([doc], problems)


def check_pdf_bytes(path: Path, data: bytes) -> None:
    """Refuse empty, non-PDF and truncated files before any parser sees them."""
    if not data:
        raise InputError(f"{path.name}: file is empty (0 bytes)")
    if b"%PDF-" not in data[:1024]:
        head = data[:16].decode("latin-1").encode("unicode_escape").decode()
        raise InputError(f"{path.name}: not a PDF (no %PDF- header; file starts with '{head}')")
    if b"%%EOF" not in data[-2048:]:
        raise InputError(f"{path.name}: truncated PDF (no %%EOF marker at the end; {len(data)} bytes)")


def strip_running(pages: list[Page]) -> list[Page]:
    """Drop header/footer blocks, page numbers and margin lines repeated on several pages."""
    def key(b: Block) -> str:
        return lay.norm(b.text)  # letters only: "Page 3" and "Page 4" repeat as the same line

    def in_margin(b: Block, p: Page) -> bool:
        return b.bbox[3] < p.height * 0.12 or b.bbox[1] > p.height * 0.88

    counts = Counter(key(b) for p in pages for b in {key(b): b for b in p.blocks if in_margin(b, p)}.values())
    limit = max(2, len(pages) // 2)
    out = []
    for i, p in enumerate(pages):
        keep = []
        for b in p.blocks:
            if b.kind in ("header", "footer") and not (i == 0 and b.size > 0 and b.bbox[1] < p.height * 0.12 and len(pages) == 1):
                continue
            if in_margin(b, p) and (PAGE_NUMBER.match(b.text.strip()) or (len(pages) > 2 and counts[key(b)] >= limit)):
                continue
            keep.append(b)
        out.append(Page(p.number, p.width, p.height, keep))
    return out


def build_document(raw: RawPdf) -> Document:
    first_raw = raw.pages[0]
    body = lay.body_size(raw.pages)
    title, title_idx = lay.find_title(first_raw, body, raw.metadata)
    pages = strip_running(raw.pages)
    # title detection saw page 1 before stripping; map its blocks by identity
    title_blocks = {id(first_raw.blocks[i]) for i in title_idx}
    doc = Document(title=title)
    _DocBuilder(doc, pages, title_blocks, body).run()
    if not doc.authors:
        meta = (raw.metadata.get("author") or "").strip()
        if meta and meta.lower() != "no author given":
            doc.authors = [a.strip() for a in re.split(r";|,| and ", meta) if a.strip()]
    doc.doi, doc.arxiv = own_identifiers(raw)
    return doc


ARXIV_STAMP = re.compile(r"arXiv:\s*(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?\s*\[[A-Za-z\-.]+\]")
OWN_DOI_LINE = re.compile(r"^\s*(?:doi\s*:|https?://(?:dx\.)?doi\.org/|digital object identifier)", re.I)
REFERENCE_LIKE = re.compile(r"^\s*(?:\[\d{1,3}\]|\d{1,3}\.\s+[A-Z])")


def own_identifiers(raw: RawPdf) -> tuple[str | None, str | None]:
    """The paper's own DOI and arXiv id, from its front matter only.

    Looked for in the PDF metadata, page 1's running header, footer and margins,
    the arXiv stamp (``arXiv:2004.08546v1 [cs.LG] 27 Apr 2020``), and page-1
    front-matter blocks (copyright and permission notices, "ACM Reference
    Format", "DOI:" lines). Never from body text or the reference list: a
    paper citing arXiv:2004.08546 is not that paper.
    """
    meta = " ".join(str(raw.metadata.get(k) or "") for k in ("doi", "subject", "keywords"))
    page = raw.pages[0]
    front: list[str] = []
    stamp = None
    for b in page.blocks:
        text = b.text.strip()
        if REFS_HEADING.match(text):
            break  # the reference list starts on page 1: nothing below is the paper's own
        if REFERENCE_LIKE.match(text):
            continue
        stamp = stamp or ARXIV_STAMP.search(text)
        in_margin = b.bbox[3] < page.height * 0.1 or b.bbox[1] > page.height * 0.9 \
            or b.bbox[2] < page.width * 0.1 or b.bbox[0] > page.width * 0.9
        if b.kind in ("header", "footer") or in_margin or FRONT_MATTER.match(text) or OWN_DOI_LINE.match(text):
            front.append(text)
    front_text = " ".join(front)
    doi = find_doi(meta) or find_doi(front_text)
    doi = doi if doi and not re.search(r"x{4}", doi, re.I) else None
    arxiv = find_arxiv(meta) or (stamp.group(1) if stamp else None) or find_arxiv(front_text)
    return doi, arxiv


class _DocBuilder:
    """Walks blocks in reading order, appending text and opening sections."""

    def __init__(self, doc: Document, pages: list[Page], title_blocks: set[int], body: float) -> None:
        self.doc, self.pages, self.title_blocks, self.body = doc, pages, title_blocks, body
        self.parts: list[str] = []
        self.length = 0
        self.mode = "front"  # front | abstract | body | skip | refs
        self.front: list[Block] = []
        self.ref_blocks: list[str] = []
        self.open: list[Section] = []
        self.last_para_open = False
        self.roman_style = any(re.match(r"^(?:I|II|III|IV)\.\s", b.text) for p in pages for b in p.blocks if b.kind == "heading")
        self.trail: list[tuple[str, int, bool]] = []  # (text, offset before it, is footnote)
        self.pending_pages = 0  # pages whose first character is not placed yet
        self.heading_sizes: list[float] = sorted({b.size for p in pages for b in p.blocks if b.kind == "heading"}, reverse=True)

    def run(self) -> None:
        for page in self.pages:
            self.pending_pages += 1
            for block in page.blocks:
                if id(block) not in self.title_blocks:
                    self.take(block, page)
        self.finish()

    # -- one block -------------------------------------------------------
    def take(self, block: Block, page: Page) -> None:
        text = block.text.strip()
        if block.kind in SKIP_KINDS or not text:
            return
        if block.kind == "caption" or re.match(r"^(fig(ure)?|table)\s*\d+[.:]", text, re.I) and len(text) < 400:
            self.doc.extra.setdefault("captions", []).append(text)
            return
        if block.kind == "footnote" and self.mode != "refs":
            self.doc.extra.setdefault("footnotes", []).append(text)
            self.trail.append((text, self.length, True))
            return
        if block.kind in ("heading", "title"):
            self.heading(text, block)
            return
        if self.mode == "refs":
            self.ref_blocks.append(text)
        elif self.mode == "front":
            self.front_block(text, block, page)
        elif self.mode == "abstract":
            if lay.KEYWORDS_START.match(text):
                self.doc.keywords = lay.split_keywords(text)
                self.mode = "body"
            else:
                self.append_abstract(text)
        elif self.mode == "keywords":
            self.doc.keywords = lay.split_keywords(text)
            self.mode = "body"
        elif self.mode == "body":
            if re.match(r"^\[1\]\s", text) and not self.open:
                return
            if self.pages[0] is page and FRONT_MATTER.match(text) or lay.KEYWORDS_START.match(text) and not self.doc.keywords:
                if lay.KEYWORDS_START.match(text):
                    self.doc.keywords = lay.split_keywords(text)
                return
            self.paragraph(text)
        elif self.mode == "appendix" and self.ref_blocks and re.match(r"^\[\d+\]", text):
            self.ref_blocks.append(text)  # reading order put the reference tail after an appendix heading
        elif self.mode == "appendix":
            self.paragraph(text)

    def front_block(self, text: str, block: Block, page: Page) -> None:
        m = lay.ABSTRACT_START.match(text)
        if m and (m.end() < len(text)):
            self.doc.authors = lay.find_authors(self.front)
            self.start_abstract()
            self.append_abstract(text[m.end():])
            return
        if lay.KEYWORDS_START.match(text):
            self.doc.keywords = lay.split_keywords(text)
            return
        if lay.is_prose(text) and not lay.find_authors([block]) and self.front and page is self.pages[0]:
            self.doc.authors = lay.find_authors(self.front)
            self.start_abstract()
            self.append_abstract(text)
            return
        self.front.append(block)

    def heading(self, text: str, block: Block) -> None:
        key = lay.norm(text)
        text = re.sub(r"\s+", " ", text)
        if self.mode == "front" and not self.doc.authors:
            self.doc.authors = lay.find_authors(self.front)
        if key == "abstract":
            self.start_abstract()
            return
        if FRONT_HEADINGS.match(text):
            self.mode = "keywords" if key in ("keywords", "indexterms") or key.startswith("additionalkeywords") else "skip"
            return
        if REFS_HEADING.match(text):
            self.close_abstract()
            self.mode = "refs"
            return
        self.close_abstract()
        self.mode = "appendix" if self.ref_blocks else "body"
        self.open_section(text, self.level(text, block))

    def level(self, text: str, block: Block) -> int:
        m = NUMBERING.match(text)
        if m:
            number = m.group(1)
            if "." in number:
                return number.count(".") + 1
            if self.roman_style:  # REVTeX/IEEE: I. > A. > 1. > a.
                return 1 if ROMAN.match(number) else 2 if number.isupper() else 3 if number.isdigit() else 4
            return 1 if not number.islower() else 3
        if block.size in self.heading_sizes:
            return min(self.heading_sizes.index(block.size) + 1, 3)
        return 1

    # -- text ------------------------------------------------------------
    def append(self, text: str, new_para: bool = True) -> int:
        if self.parts:
            sep = "\n\n" if new_para else " "
            self.parts.append(sep)
            self.length += len(sep)
        start = self.length
        self.mark_page(start)
        self.parts.append(text)
        self.length += len(text)
        return start

    def start_abstract(self) -> None:
        self.mode = "abstract"
        self.open_section("Abstract", 1)

    def append_abstract(self, text: str) -> None:
        text = text.strip()
        if text:
            self.doc.abstract = f"{self.doc.abstract}\n\n{text}".strip()
            self.paragraph(text)

    def close_abstract(self) -> None:
        if self.mode == "abstract":
            self.mode = "body"

    def paragraph(self, text: str) -> None:
        """Append a paragraph; a block that continues a sentence cut by a column/page break is joined."""
        self.trail.append((text, self.length, False))
        if self.last_para_open and text[:1].islower():
            prev = self.parts[-1]
            joined = join_lines([prev, text])
            self.mark_page(self.length - len(prev) + len(joined) - len(text))
            self.length += len(joined) - len(prev)
            self.parts[-1] = joined
        else:
            self.append(text)
        self.last_para_open = not re.search(r"[.!?:;)\]”\"]$", text)

    def mark_page(self, offset: int) -> None:
        self.doc.page_starts.extend([offset] * self.pending_pages)
        self.pending_pages = 0

    def open_section(self, heading: str, level: int) -> None:
        self.close_sections(level)
        start = self.append(heading)
        self.last_para_open = False
        section = Section(heading=heading, start=start, end=start, level=level)
        self.doc.sections.append(section)
        self.open.append(section)

    def close_sections(self, level: int) -> None:
        while self.open and self.open[-1].level >= level:
            self.open.pop().end = self.length

    def unheaded_references(self) -> None:
        """REVTeX-style lists with no heading: a run "1 ...", "2 ...", ... that ends the document."""
        starts = [i for i, (t, _, _) in enumerate(self.trail) if (m := NUMBERED_REF.match(t)) and m.group(1) == "1"]
        for i in reversed(starts):
            tail = [t for t, _, _ in self.trail[i:]]
            numbers = [int(m.group(1)) for t in tail if (m := NUMBERED_REF.match(t))]
            if len(numbers) >= 3 and numbers[:3] == [1, 2, 3]:
                cut = self.trail[i][1]
                self.ref_blocks = tail
                text = "".join(self.parts)[:cut].rstrip()
                self.parts, self.length = [text], len(text)
                self.doc.extra["footnotes"] = [t for t, _, foot in self.trail[:i] if foot]
                self.doc.sections = [s for s in self.doc.sections if s.start < self.length]
                for section in self.doc.sections:
                    section.end = min(section.end, self.length)
                return

    def finish(self) -> None:
        self.close_sections(0)
        if not self.ref_blocks:
            self.unheaded_references()
        if self.mode == "front" and not self.doc.authors:
            self.doc.authors = lay.find_authors(self.front)
        self.doc.text = "".join(self.parts)
        self.mark_page(len(self.doc.text))
        self.doc.page_starts = [min(p, len(self.doc.text)) for p in self.doc.page_starts]
        if self.doc.page_starts:
            self.doc.page_starts[0] = 0
        self.doc.references = [parse_reference(e) for e in split_entries(self.ref_blocks)]

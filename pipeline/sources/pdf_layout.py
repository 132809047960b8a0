"""Page-1 metadata from classified blocks: title, authors, abstract, keywords.

Real papers put these in many shapes (ACM, LNCS, Elsevier, REVTeX); the rules
use font size (the title is the largest text near the top of page 1), the
position between title and abstract (authors), and explicit markers
("Abstract", "Keywords") with a prose-shape fallback for unmarked abstracts.
"""

from __future__ import annotations

import re
import statistics

from pipeline.sources.pdf_backends import Block, Line, Page, join_lines

MARKS = re.compile(r"[∗*†‡§¶⋆✉#]+")
AFFIL = re.compile(
    r"\b(univ|universit\w*|institut\w*|department|dept|school|college|laborator\w*|lab|labs|centre|center|"
    r"group|inc|ltd|corp\w*|research|faculty|academy|street|road|avenue|china|usa|india|germany|france|"
    r"iceland|japan|email|e-mail|consortium|foundation|company|hospital|ministry|inria|cnrs|google|microsoft|"
    r"meta|amazon|ibm|nvidia|huawei|alibaba|tencent|baidu|netherlands|kingdom|states)\b",
    re.I,
)
PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "del", "dos", "bin", "ibn", "y"}
ABSTRACT_START = re.compile(r"^\s*(?:a\s?b\s?s\s?t\s?r\s?a\s?c\s?t)\s*[.:—–\-]?\s*", re.I)
KEYWORDS_START = re.compile(
    r"^\s*(?:keywords|key\s*words|index terms|additional key words and phrases)\s*[.:—–\-]?\s*", re.I
)
JUNK_TITLES = {"", "no title given", "untitled", "title", "microsoft word"}


def norm(s: str) -> str:
    return re.sub(r"[^a-z]", "", s.lower())


def body_size(pages: list[Page]) -> float:
    sizes = [ln.size for p in pages[:3] for b in p.blocks if b.kind == "text" for ln in b.lines]
    return statistics.median(sizes) if sizes else 10.0


def find_title(page: Page, body: float, metadata: dict[str, str]) -> tuple[str, set[int]]:
    """Title text and the indices of the blocks it came from."""
    top = [(i, b, ln) for i, b in enumerate(page.blocks) if b.kind not in ("picture", "table", "formula")
           for ln in b.lines if ln.bbox[1] < page.height * 0.5 and ln.clean.strip()]
    if top:
        biggest = max(ln.size for _, _, ln in top)
        if biggest > body * 1.2:
            picked = [(i, ln) for i, _, ln in top if ln.size >= biggest - 0.6]
            picked.sort(key=lambda t: t[1].bbox[1])
            text = join_lines([ln.clean for _, ln in picked])
            if len(text) > 3:
                return clean_title(text), {i for i, _ in picked}
    for i, b in enumerate(page.blocks):
        if b.kind in ("title", "heading") and b.lines:
            return clean_title(join_lines([ln.clean for ln in b.lines])), {i}
    meta = (metadata.get("title") or "").strip()
    if meta.lower() not in JUNK_TITLES and not meta.lower().startswith("microsoft word"):
        return meta, set()
    return "", set()


def clean_title(text: str) -> str:
    """Drop footnote marks and glyphs of misencoded math fonts (Hangul/private-use ranges)."""
    text = re.sub(r"[\uac00-\ud7af\ue000-\uf8ff]", "", MARKS.sub("", text))
    return re.sub(r"\s+", " ", text).strip(" ,:")


def looks_like_name(piece: str) -> bool:
    words = piece.split()
    if not 2 <= len(words) <= 5 or AFFIL.search(piece) or re.search(r"[@\d()/:]", piece):
        return False
    return all(w[:1].isupper() or w.lower() in PARTICLES for w in words)


def _name(piece: str) -> str:
    piece = MARKS.sub("", piece).strip(" ,;")
    words = piece.split()
    if words and all(w.isupper() for w in words if len(w) > 2):  # "BEN TROVATO" -> "Ben Trovato"
        words = [w if re.fullmatch(r"(?:[A-Z]\.)+-?", w) else w.capitalize() for w in words]
    return " ".join(words)


def names_in_line(line: Line) -> list[str]:
    """Leading names of a line ("A. Smith, B. Jones and C. Roe, Univ. X") or []."""
    names: list[str] = []
    for segment in line.segments or [line.clean]:
        text = re.sub(r"\([^)]*\)", " ", MARKS.sub(" ", segment))  # "(Researcher)", footnote marks
        text = re.sub(r"^\s*and\s+", "", text)
        for piece in re.split(r",\s*and\s+|\s+and\s+|\s*&\s*|;\s*|,\s*", text):
            piece = _name(re.sub(r"\s+", " ", piece))
            if not piece:
                continue
            if not looks_like_name(piece):
                return names
            names.append(piece)
    return names


def find_authors(blocks: list[Block]) -> list[str]:
    """Names from the blocks between title and abstract: leading name lines of each block."""
    authors: list[str] = []
    for block in blocks:
        if block.kind not in ("text", "list", "heading", "title"):
            continue
        for line in block.lines:
            names = names_in_line(line)
            if not names:
                break
            authors.extend(n for n in names if n not in authors)
    return authors


def is_prose(text: str, min_words: int = 30) -> bool:
    words = text.split()
    if len(words) < min_words:
        return False
    lower = sum(1 for w in words if w[:1].islower())
    return lower / len(words) > 0.45


def split_keywords(text: str) -> list[str]:
    text = KEYWORDS_START.sub("", text)
    return [k.strip(" .") for k in re.split(r"[,;·•]|\s{2,}", text) if k.strip(" .")]

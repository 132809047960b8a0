"""Where a sentence sits in a paper, and how much it counts as evidence of the paper's own method.

Full-text papers (PDF, Markdown) mention many things they do not address: related work cites
other search strategies, background paragraphs name every FL challenge, reference lists and
captions repeat method names. The v2 proposers read each sentence with a *role*:

``title``, ``abstract``, ``intro`` (contribution lists included), ``method``, ``conclusion``
count fully; ``experiments`` moderately (claims, but also baselines); ``related`` (related
work, background, preliminaries) is a background mention; ``front`` (author block before the
first heading), ``appendix`` weakly; ``junk`` (reference entries, captions, tables, pseudo
code, acknowledgements) never counts.

Roles come from ``Document.sections`` when the source found headings, and from heading-like
lines of the text otherwise (plain-text PDFs: ``"2 PRELIMINARIES AND RELATED WORK"``,
``"Abstract—..."``, ``"REFERENCES"``). A document without any heading that is short (title +
abstract, how evaluation sees a paper) is all ``abstract``; abstract-only scoring is unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.document import Document, Sentence
from pipeline.propose.base import ensure_sentences, is_title

ROLE_WEIGHTS: dict[str, float] = {
    "title": 1.0, "abstract": 1.0, "intro": 1.0, "method": 1.0, "conclusion": 1.0,
    "experiments": 0.6, "related": 0.3, "front": 0.5, "appendix": 0.5, "body": 0.8, "junk": 0.0,
}
#: Roles where a paper states what it addresses (a strong cue here suffices on its own).
KEY_ROLES = frozenset({"title", "abstract", "intro", "conclusion"})
SHORT_DOC = 4000  # chars: a heading-less text this short is a title + abstract record

_ROLE_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("junk", re.compile(r"\b(references|bibliography|acknowledge?ments?|works cited|literature cited|"
                        r"funding|author contributions|conflicts? of interest|declaration)\b", re.I)),
    ("abstract", re.compile(r"^\W*(abstract|summary)\b", re.I)),
    ("intro", re.compile(r"\b(introduction|overview|motivation|contributions?)\b", re.I)),
    ("related", re.compile(r"\b(related work|related works|related literature|prior work|previous work|"
                           r"background|preliminar\w*|literature review|state of the art)\b", re.I)),
    ("conclusion", re.compile(r"\b(conclusions?|concluding|discussion|summary|future work|limitations?|"
                              r"closing remarks)\b", re.I)),
    ("experiments", re.compile(r"\b(experiments?|experimental|evaluations?|results|ablations?|"
                               r"benchmarks?|empirical|case stud\w+|implementation details|setup|"
                               r"analysis|comparisons?)\b", re.I)),
    ("appendix", re.compile(r"\b(appendix|appendices|supplementary)\b", re.I)),
    ("method", re.compile(r"\b(method\w*|approach|framework|system|design|algorithm|model|"
                          r"proposed|problem (statement|formulation|definition)|architecture)\b", re.I)),
]

# A heading-like line of plain text: "2 RELATED WORK", "3.1. Method", "II. BACKGROUND",
# "Chapter 2: ...", "REFERENCES", "Abstract—" (inline abstract), markdown "## ...".
_NUM = r"(?:(?:\d+(?:\.\d+)*\.?)|(?:[IVX]+\.)|(?:[A-H]\.)|(?:Chapter \d+:?))"
_HEADING_LINE = re.compile(
    rf"^(?:#+[ \t]*)?(?P<num>{_NUM})?[ ]*(?P<title>[A-Z][^\n\t]{{1,80}}?)[ \t]*$", re.M)
_CHAPTER_LINE = re.compile(r"^(?:#+[ \t]*)?(?:chapter|part)[ \t]+\d+[ \t]*$", re.I | re.M)
_INLINE_ABSTRACT = re.compile(r"^\s*(?:\*\*)?(abstract|a b s t r a c t)(?:\*\*)?\s*[—:.\-–]", re.I | re.M)
_BARE_KEYWORD_HEADING = re.compile(
    r"^(?:#+\s*)?(?:\*\*)?(abstract|references|bibliography|acknowledge?ments?|related work|"
    r"conclusions?|introduction|appendix)(?:\*\*)?\s*$", re.I | re.M)

# --------------------------------------------------------------------- junk sentences
_REF_ENTRY = re.compile(r"^\s*(?:[-*•]\s*)?\[\d+[a-z]?\]\s+\S", re.I)
_REF_NUM_ENTRY = re.compile(r"^\s*(?:[-*•]\s*)?\d{1,3}\.\s+[A-Z][a-zA-Z'\-]+,\s+[A-Z]\.")
_AUTHOR_LIST = re.compile(
    r"(?:\b[A-Z][A-Za-z'\-]+,\s+(?:[A-Z]\.\s?){1,3}(?:,|\band\b|&)){2,}"      # Smith, J., Doe, A. and
    r"|(?:\b(?:[A-Z]\.\s?){1,3}[A-Z][A-Za-z'\-]+,\s+){2,}"                     # J. Smith, A. Doe,
    r"|(?:\b[A-Z]{2,}[A-Z'\-]*,\s+(?:[A-Z]\.\s?){1,3},?\s+){2,}")               # SMITH, J., DOE, A.,
_VENUE = re.compile(r"\b(in proceedings|proceedings of|proc\.|arxiv preprint|arxiv:\d|preprint|"
                    r"journal of|transactions on|conference on|workshop on|pp\.\s*\d|vol\.\s*\d|"
                    r"doi:|https?://|et al\.,? \(?\d{4}\)?)", re.I)
_CAPTION = re.compile(r"^\W{0,4}(figure|fig\.|table|tab\.|algorithm|listing)\s*[\dA-Z.]+\s*[:.|]", re.I)
_CODE = re.compile(r"\\leftarrow|\\triangleright|^\s*\d+\s+(for|if|end|return|while|function)\b|"
                   r"\b(input|output)\s*:", re.I)


@dataclass
class Located:
    sentence: Sentence
    role: str
    weight: float
    cited: bool  # carries a citation marker ([12], (Smith et al., 2020))


_CITE = re.compile(r"\[\s*\d+(?:\s*[,–-]\s*\d+)*\s*\]|\bet al\.|\(\s*[A-Z][A-Za-z\-]+(?: et al\.)?,? \d{4}[a-z]?\s*\)")
_FIRST_PERSON = re.compile(r"\b(we|our|ours|this (paper|work|thesis|chapter))\b", re.I)


def is_junk(text: str) -> bool:
    """Reference entries, author lists, captions, tables and pseudo code."""
    t = text.strip()
    if not t or len(t) < 12:
        return True
    if _REF_ENTRY.search(t) or _REF_NUM_ENTRY.search(t) or _CAPTION.search(t) or _CODE.search(t):
        return True
    if t.count("\t") >= 2 or t.count("|") >= 4:
        return True
    if _AUTHOR_LIST.search(t) and (_VENUE.search(t) or re.search(r"\b(19|20)\d{2}\b", t)):
        return True
    if len(_VENUE.findall(t)) >= 2 and re.search(r"\b(19|20)\d{2}\b", t):
        return True
    letters = sum(c.isalpha() for c in t)
    return letters < 0.45 * len(t)  # formulas, number tables


def classify_heading(heading: str) -> str | None:
    h = re.sub(r"^[#*\s]*(?:\d+(?:\.\d+)*\.?|[IVX]+\.|[A-H]\.|chapter \d+:?)\s*", "", heading.strip(), flags=re.I)
    h = h.strip("*_ \t:—-")
    if not h:
        return None
    for role, pat in _ROLE_PATTERNS:
        if pat.search(h):
            return role
    return None


def _number(heading: str) -> str | None:
    m = re.match(r"^[#*\s]*(?:chapter\s+)?(\d+)(?:\.\d+)*\.?(?:\s|$)", heading.strip(), re.I)
    return m.group(1) if m else None


def _text_headings(text: str) -> list[tuple[int, str, int]]:
    """Heading-like lines: (offset, heading, level). Only lines standing alone in their paragraph."""
    out = []
    for m in _HEADING_LINE.finditer(text):
        line = m.group(0)
        start, end = m.start(), m.end()
        before = text[max(0, start - 2):start]
        after = text[end:end + 2]
        alone = (start == 0 or before.endswith("\n\n") or before == "\n" or start < 2) and \
            (after.startswith("\n") or end == len(text))
        if not alone:
            continue
        title = m.group("title").strip()
        words = title.split()
        if len(words) > 12 or title.endswith((".", ",", ";")) and not m.group("num"):
            continue
        if not m.group("num") and not (title.isupper() or _BARE_KEYWORD_HEADING.match(line)
                                        or line.lstrip().startswith("#")):
            continue
        if m.group("num") and re.match(r"^\d", m.group("num")):
            # "1. Target task refers to ..." is a footnote, not a heading: headings are short
            if len(words) > 9 or title.endswith("."):
                continue
        level = (m.group("num") or "").count(".") + 1 if m.group("num") else 1
        out.append((start, line.strip(), level))
    for m in _CHAPTER_LINE.finditer(text):
        out.append((m.start(), m.group(0).strip(), 1))
    for m in _INLINE_ABSTRACT.finditer(text):
        out.append((m.start(), "Abstract", 1))
    return sorted(out)


def locate(doc: Document) -> list[Located]:
    """Every non-empty sentence with its role, weight and citation flag (reading order)."""
    sents = [s for s in ensure_sentences(doc) if s.text.strip()]
    heads: list[tuple[int, str, int]] = [(s.start, s.heading, s.level) for s in doc.sections]
    heads += _text_headings(doc.text)
    heads.sort()
    if not heads and len(doc.text) <= SHORT_DOC:
        return [Located(s, "title" if is_title(doc, s) else "abstract", 1.0, bool(_CITE.search(s.text)))
                for s in sents]
    # role per heading; unrecognised numbered sub-headings inherit their chapter's role
    spans: list[tuple[int, str]] = []
    chapter_role: dict[str, str] = {}
    current = "front"
    title = re.sub(r"\W+", " ", doc.title or "").strip().lower()
    for off, heading, _level in heads:
        if title and re.sub(r"\W+", " ", heading).strip().lower() == title:
            spans.append((off, "front"))
            current = "front"
            continue
        role = classify_heading(heading)
        num = _number(heading)
        if role is None:
            if num and re.match(r"^[#*\s]*\d+\.\d", heading.strip()):
                role = chapter_role.get(num, "method")
            elif num and not re.match(r"^[#*\s]*\d+\.\d", heading.strip()):
                role = "method"  # an unnamed top-level chapter of the body: the paper's own content
            elif current in ("front", "abstract"):
                role = "body"
            else:
                role = current
        if num and not re.match(r"^[#*\s]*\d+\.\d", heading.strip()):
            chapter_role[num] = role
        if role == "front":
            role = "body"
        spans.append((off, role))
        current = role
    abstract = doc.abstract.strip()
    out = []
    k, role = -1, "front"
    for s in sents:
        while k + 1 < len(spans) and spans[k + 1][0] <= s.start:
            k += 1
            role = spans[k][1]
        r = role
        if is_title(doc, s):
            r = "title"
        elif abstract and len(s.text) > 30 and s.text.strip() in abstract:
            r = "abstract"
        elif is_junk(s.text) or _is_heading_only(s.text):
            r = "junk"
        out.append(Located(s, r, ROLE_WEIGHTS[r], bool(_CITE.search(s.text))))
    return out


def _is_heading_only(text: str) -> bool:
    t = text.strip()
    return len(t.split()) <= 8 and not re.search(r"[.!?]$", t) and bool(re.match(r"^(#|\d+(\.\d+)*\.?\s)", t))


def first_person(text: str) -> bool:
    return bool(_FIRST_PERSON.search(text))


def is_full_text(located: list[Located]) -> bool:
    return any(loc.role not in ("title", "abstract") for loc in located)

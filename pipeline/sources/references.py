"""Reference lists: split into entries and parse each into a Reference.

Handles numbered lists ("[12] ..." and "12. ..."/"12 ..." as in AIP/REVTeX) and
unnumbered author-year lists (one block per entry), then four common shapes:
IEEE (quoted title), ACM ("Authors. 2020. Title. Venue"), APA ("Authors (2020).
Title. Venue") and Springer LNCS ("Authors: Title. Venue (2020)"). Identifiers
(DOI, arXiv) are found anywhere in the entry.
"""

from __future__ import annotations

import re

from pipeline.document import Reference

DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.I)
ARXIV = [
    re.compile(r"arxiv(?:\.org/(?:abs|pdf)/|\s*(?:preprint)?\s*(?:e-print)?\s*:?\s*(?:abs/)?)\s*(\d{4}\.\d{4,5})(v\d+)?", re.I),
    re.compile(r"arxiv[^\n]{0,20}?\b((?:[a-z\-]+(?:\.[A-Z]{2})?)/\d{7})", re.I),
    re.compile(r"\bCoRR\b[,\s]*(?:abs/)?(\d{4}\.\d{4,5})(v\d+)?"),  # CoRR abs/1704.04861 is arXiv
    re.compile(r"\b((?:hep|astro|cond|gr|math|nucl|quant|physics|cs)(?:-[a-z]+)?/\d{7})\b"),
]
YEAR = re.compile(r"(?<![\d/.])((?:19|20)\d{2})[a-z]?(?![\d/])")
BRACKET = re.compile(r"(?:(?<=\s)|^)\[(\d{1,3})\]\s*")
NUMBERED = re.compile(r"^\s*(\d{1,3})(?:\.\s*|\s+|(?=[A-Z´¨˜`]))")
URL = re.compile(r"https?://\S+")
INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.[\s-]?)+$")
_SF_AUTHOR = r"[A-Z][\w'’\-]*(?:\s[A-Za-z][\w'’\-]*){0,2},\s+[A-Z][a-z]?\.(?:[\s-]{0,2}[A-Z][a-z]?\.)*"
SURNAME_FIRST = re.compile(  # "BENDER, G., AND LE, Q. V. Title..." (the list ends before a space)
    rf"^(?P<a>{_SF_AUTHOR}(?:,?\s+(?:(?:and|AND)\s+)?{_SF_AUTHOR})*(?:,?\s+(?:et al|ET AL)\.)?)\s+(?P<rest>\S.+)$")
NOISE = re.compile(r"https?://\S+|\b(?:19|20)\d{2}[a-z]?\b|[\s,.;:()]")  # what is left of an entry without a venue


def split_entries(blocks: list[str]) -> list[str]:
    """Entries from the text blocks of a reference section, in order."""
    text = "\n".join(b.strip() for b in blocks if b.strip())
    if BRACKET.match(text):
        return _split_sequential(text, BRACKET)
    numbered = NUMBERED.match(text)
    if numbered and numbered.group(1) == "1":
        return _split_numbered_blocks(blocks)
    return [b.strip() for b in blocks if b.strip()]


def _split_sequential(text: str, marker: re.Pattern) -> list[str]:
    """Cut at markers numbered 1, 2, 3, ... in order; others stay in the text."""
    cuts, expect = [], None
    for m in marker.finditer(text):
        n = int(m.group(1))
        if expect is None or n == expect or (expect < n <= expect + 3):  # tolerate gaps
            cuts.append(m.start())
            expect = n + 1
    cuts.append(len(text))
    return [_clean(text[a:b]) for a, b in zip(cuts, cuts[1:]) if _clean(text[a:b])]


def _split_numbered_blocks(blocks: list[str]) -> list[str]:
    entries: list[str] = []
    expect = 1
    for block in (b.strip() for b in blocks if b.strip()):
        m = NUMBERED.match(block)
        if m and expect <= int(m.group(1)) <= expect + 3:
            entries.append(block)
            expect = int(m.group(1)) + 1
        elif entries:
            entries[-1] += " " + block
    return [_clean(e) for e in entries]


def _clean(s: str) -> str:
    return re.sub(r"\s+([,;])", r"\1", re.sub(r"\s+", " ", s)).strip()


def parse_reference(raw: str) -> Reference:
    """Best-effort fields of one entry; ``raw`` is always kept verbatim."""
    body = BRACKET.sub("", raw, count=1) if BRACKET.match(raw) else NUMBERED.sub("", raw, count=1)
    ref = Reference(raw=raw, doi=find_doi(raw), arxiv=find_arxiv(raw))
    scrubbed = URL.sub(" ", DOI.sub(" ", body))
    for pattern in ARXIV:
        scrubbed = pattern.sub(" ", scrubbed)
    years = YEAR.findall(scrubbed)
    ref.year = int(years[0]) if years else None
    authors, title, venue = _shape(body.strip())
    ref.authors = split_authors(authors) if authors else []
    ref.title = title or None
    ref.venue = venue or None
    return ref


def find_doi(text: str) -> str | None:
    text = re.sub(r"(10\.\d{4,9}/)\s+", r"\1", text.replace("doi.org/ ", "doi.org/"))
    text = re.sub(r"(10\.\d{4,9}/\S*[./])\s+(?=\d)", r"\1", text)  # DOI broken at a line end
    m = DOI.search(text)
    return m.group(1).rstrip(".,;)]}") if m else None


def find_arxiv(text: str) -> str | None:
    for pattern in ARXIV:
        m = pattern.search(text)
        if m:
            return m.group(1)
    return None


def _shape(s: str) -> tuple[str, str, str]:
    """(authors, title, venue) by the first reference style that fits."""
    m = re.search(r"[“\"](.+?)[,.]?[”\"]", s)
    if m:  # IEEE / AIP: Authors, "Title," Venue, year.
        return s[: m.start()].strip(" ,"), m.group(1).strip(" ,"), _venue(s[m.end():])
    m = re.match(r"^(?P<a>.+?)\.?\s+(?P<y>(?:19|20)\d{2}[a-z]?)\.\s*(?P<rest>.+)$", s)
    if m and _author_list(m.group("a")):  # ACM: Authors. 2020. Title. Venue
        title, rest = _first_sentence(m.group("rest"))
        return m.group("a"), title, _venue(rest)
    m = re.match(r"^(?P<a>.+?)\s*\((?P<y>(?:19|20)\d{2})[a-z]?\)[.,:]?\s*(?P<rest>.+)$", s)
    if m and _author_list(m.group("a")):  # APA: Authors (2020). Title. Venue
        title, rest = _first_sentence(m.group("rest"))
        return m.group("a"), title, _venue(rest)
    m = SURNAME_FIRST.match(s)
    if m:  # USENIX / older ACM: SURNAME, I., AND SURNAME, I. Q. Title. Venue (2020)
        title, rest = _first_sentence(m.group("rest"))
        return m.group("a"), title, _venue(rest)
    m = re.match(r"^(?P<a>[^:]{3,300}?):\s+(?P<rest>.+)$", s)
    if m and _author_list(m.group("a")):  # LNCS: Authors: Title. Venue (2020)
        title, rest = _first_sentence(m.group("rest"))
        return m.group("a"), title, _venue(rest)
    authors, rest = _first_sentence(s)
    if rest and not NOISE.sub("", rest):  # no authors: "Deep learning for java. https://..., 2019."
        return "", authors, ""
    if _looks_like_authors(authors):
        title, rest = _first_sentence(rest)
        return authors, title, _venue(rest)
    return "", "", ""


def _author_list(s: str) -> bool:
    """Looks like authors and has no sentence break ("A. Roe. Some title" is not a list)."""
    return _looks_like_authors(s) and not _first_sentence(s)[1]


def _is_initial(before: str, prev: str) -> bool:
    """Does the word before a '.' read as an initial ("J", "M.-A", "Ch")?"""
    if _initials(before):
        return True
    # two letters right after an initial are a surname ("Q. V. Le."), else an initial ("Ch. Smith")
    return len(before) == 2 and before[0].isupper() and before[1].islower() and not _initials(prev.rstrip(",").rstrip("."))


def _initials(word: str) -> bool:
    """"J", "Á", "M.-A", "J.-P" (without the final dot)."""
    parts = re.split(r"\.-?", word.lstrip("´¨˜`^"))
    return bool(word) and all(len(p) == 1 and p.isalpha() and p.isupper() for p in parts)


def _first_sentence(s: str) -> tuple[str, str]:
    """Split at the first '. ', '? ' or '! ' that is not after an initial."""
    for m in re.finditer(r"[.?!](?=\s+|$)", s):
        words = s[: m.start()].split()
        before = words[-1] if words else ""
        prev = words[-2] if len(words) > 1 else ""
        if m.group() == "." and (_is_initial(before, prev) or before.lower() in {"al", "vol", "no", "ed", "eds", "pp", "ph.d"}):
            continue
        keep = m.group() if m.group() in "?!" else ""
        return s[: m.start()].strip() + keep, s[m.end():].strip()
    return s.strip(), ""


def _venue(rest: str) -> str:
    rest = re.sub(r"^(?:in|In)[:\s]+", "", rest.strip(" ,."))
    rest = URL.sub("", rest)
    m = re.search(r",\s*(?:vol\.|pp\.|\d)|\s\(|\.\s|,\s*(?:19|20)\d{2}", rest)
    venue = (rest[: m.start()] if m else rest).strip(" ,.;")
    return venue if len(venue) > 2 and not YEAR.fullmatch(venue) else ""


def venue_from(rest: str) -> str:
    """The venue at the start of what follows an entry's title ("In *Proc. X* (2019), pp. 1-2")."""
    return _venue(rest)


def _looks_like_authors(s: str) -> bool:
    s = s.strip()
    if not s or len(s) > 2000 or re.search(r"\d{3,}|https?:", s):
        return False
    words = s.replace(",", " ").split()
    caps = sum(1 for w in words if w[:1].isupper())
    return caps >= max(1, len(words) // 2)


def split_authors(s: str) -> list[str]:
    """'A. Smith, B. Jones, and C. Roe' / 'Smith, A., Jones, B.' -> names as written."""
    s = re.sub(r"\b(?:et al|ET AL)\.?|\((?:Ed|Eds)\.\)|,?\s*\beds?\.,?", "", s)
    pieces = [p.strip(" .,") for p in re.split(r",\s*(?:and|AND)\s+|\s+(?:and|AND)\s+|\s*&\s*|;\s*|,\s*", s)
              if p.strip(" .,")]
    names: list[str] = []
    for piece in pieces:
        if INITIALS.match(piece + ".") and names and " " not in names[-1]:
            names[-1] = f"{piece}. {names[-1]}".replace("..", ".")  # "Smith, J." -> "J. Smith"
        else:
            names.append(piece)
    return [n for n in names if any(c.isalpha() for c in n)]

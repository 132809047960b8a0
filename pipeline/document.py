"""The one data model every pipeline stage shares (like spaCy's Doc).

Sources turn files into :class:`Document` objects; nlp fills ``sentences``;
proposers read documents and emit :class:`Proposal` objects; the store layer
turns both into RDF. Offsets are character offsets into ``Document.text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reference:
    """One entry of a paper's reference list, as parsed."""

    raw: str
    authors: list[str] = field(default_factory=list)
    title: str | None = None
    year: int | None = None
    venue: str | None = None
    doi: str | None = None
    arxiv: str | None = None


@dataclass
class Section:
    heading: str
    start: int  # char offset into Document.text
    end: int
    level: int = 1


@dataclass
class Sentence:
    text: str
    start: int  # char offset into Document.text
    end: int
    section: str | None = None
    page: int | None = None  # 1-based page where the sentence starts (PDF only)


@dataclass
class Source:
    """Where a record came from: a file and, for BibTeX/RIS, the entry key."""

    path: str
    kind: str  # pdf | bibtex | ris | text | markdown | corpus
    record: str | None = None  # entry key / index within the file
    sha256: str | None = None  # content hash of the file (or of the record)
    origin: str = "database"  # PRISMA source: database | backward | forward | manual
    raw: str | None = None  # the record's own text (BibTeX entry, RIS record), for lossless export


@dataclass
class Document:
    """A parsed paper: metadata, full text, structure and references."""

    title: str
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    doi: str | None = None
    arxiv: str | None = None
    venue: str | None = None
    abstract: str = ""
    text: str = ""  # full text in reading order (abstract included when present)
    sections: list[Section] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    page_starts: list[int] = field(default_factory=list)  # char offset where each page starts
    sources: list[Source] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def page_of(self, offset: int) -> int | None:
        """1-based page of a char offset, when the document has pages."""
        if not self.page_starts:
            return None
        page = 1
        for i, start in enumerate(self.page_starts):
            if start <= offset:
                page = i + 1
            else:
                break
        return page


@dataclass
class Proposal:
    """A machine suggestion of one code for one document, with its evidence."""

    kind: str  # challenge | nas_type | technique
    code: str  # concept IRI (challenge / NAS type / refined technique) or "new"
    label: str
    score: float  # 0..1
    evidence: str  # the exact evidence sentence(s)
    start: int  # char offsets of the evidence in Document.text
    end: int
    proposer: str  # registered name, versioned, e.g. "challenge-rules-v1"
    model: str  # e.g. "all-MiniLM-L6-v2" or "rules"
    model_version: str
    page: int | None = None
    rationale: str | None = None
    neighbours: list[tuple[str, float]] = field(default_factory=list)  # technique: nearest refined codes

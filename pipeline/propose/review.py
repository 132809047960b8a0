"""Is this paper a review (survey, systematic literature review, mapping study)?

A review reports the techniques of the methods it reviews; it states no adaptation technique of
its own (seed 000's open coding codes a technique "motivated by the federated setting" in the
paper that proposes it). Open codes read from a review's own sentences are therefore noise
("map of the literature landscape"). A review is recognised by how such papers describe
themselves, in general scientific English, never by topic words:

* the title names the genre ("A Survey of ...", "... : A Systematic Review", "Scoping Review");
* a self-reference to the genre: "this survey", "our review", "in this systematic literature
  review", "we present a comprehensive survey of";
* the protocol of a systematic review: PRISMA, inclusion/exclusion criteria, a search string,
  snowballing, primary studies, research questions "RQ1".

Reference entries, captions and related-work sentences are not read (a method paper cites
surveys there), and one protocol word alone does not decide (a clinical method paper may name
its "inclusion criteria"): the signals add up to :data:`THRESHOLD`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.document import Document

_GENRE = r"(?:survey|review|mapping study|meta-analysis|literature analysis|overview)"
_TITLE = re.compile(
    r"\b(?:a|an|the)\s+(?:\w+[\s-]+){0,3}?(?:survey|review|mapping study|meta-analysis)\b"
    r"|\b(?:survey|systematic review|literature review|scoping review|mapping study|meta-analysis)\s*$"
    r"|:\s*(?:a\s+)?(?:\w+\s+){0,2}(?:survey|review|overview)\b"
    r"|\b(?:systematic|scoping|literature|comprehensive)\s+(?:literature\s+)?(?:survey|review)\b"
    r"|^\s*(?:a\s+)?(?:survey|review)\s+(?:of|on)\b", re.I)
#: the paper naming itself as a review
_SELF = re.compile(
    rf"\b(?:this|our|the present|the current)\s+(?:(?!we\b|i\b)\w+[\s-]+){{0,3}}?{_GENRE}\b(?!\s*(?:\[|\())"
    rf"|\bwe\s+(?:\w+ly\s+)?(?:present|provide|conduct|offer|give|perform|carry out|undertake)\s+"
    rf"(?:a|an)\s+(?:\w+[\s-]+){{0,4}}?(?:survey|review|mapping study|meta-analysis)\b(?!\s+(?:of\s+)?related)"
    r"|\bsystematic\s+(?:literature\s+)?(?:review|survey|mapping)\b"
    r"|\bwe\s+(?:\w+ly\s+)?survey\s+(?:the\s+)?(?:\w+\s+){0,3}(?:literature|works|studies|papers|methods|"
    r"approaches|research|landscape)\b", re.I)
#: the protocol of a systematic review (each distinct one counts once)
_PROTOCOL = {
    "prisma": re.compile(r"\bPRISMA\b"),
    "criteria": re.compile(r"\b(?:inclusion|exclusion|eligibility|selection)\s+criteri(?:a|on)\b", re.I),
    "search string": re.compile(r"\bsearch\s+(?:string|strings|query|queries|terms?)\b", re.I),
    "snowballing": re.compile(r"\bsnowball(?:ing)?\b", re.I),
    "primary studies": re.compile(r"\b(?:primary|selected|included)\s+(?:studies|papers|articles)\b", re.I),
    "research questions": re.compile(r"\bRQ\s?\d\b"),
    "databases": re.compile(r"\b(?:Scopus|Web of Science|IEEE Xplore|ACM Digital Library|Google Scholar)\b"),
}
W_TITLE, W_SELF, W_PROTOCOL = 2.0, 2.0, 1.0
THRESHOLD = 2.0
#: roles whose sentences are the paper speaking about itself (not citing others)
_READ_ROLES = frozenset({"title", "abstract", "intro", "method", "conclusion", "body", "front"})


@dataclass
class ReviewSignals:
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    @property
    def is_review(self) -> bool:
        return self.score >= THRESHOLD


def review_signals(doc: Document) -> ReviewSignals:
    """The genre signals of ``doc`` (title, self-references, protocol words), summed."""
    from pipeline.propose.structure import is_junk, locate

    out = ReviewSignals()
    title = doc.title or ""
    if _TITLE.search(title):
        out.score += W_TITLE
        out.reasons.append(f"title: {title[:60]}")
    own = [loc.sentence.text for loc in locate(doc) if loc.role in _READ_ROLES and not is_junk(loc.sentence.text)]
    own = [t for t in own if t.strip() != title.strip()]
    selfs = sorted({m.group(0).lower() for t in own for m in _SELF.finditer(t)})
    if selfs:
        out.score += W_SELF
        out.reasons.append("self-reference: " + "; ".join(selfs[:3]))
    text = "\n".join(own)
    for name, pat in _PROTOCOL.items():
        if pat.search(text):
            out.score += W_PROTOCOL
            out.reasons.append(f"protocol: {name}")
    return out


def is_review(doc: Document) -> bool:
    """True when the paper describes itself as a review (see module docstring)."""
    return review_signals(doc).is_review

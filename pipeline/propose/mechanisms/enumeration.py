"""One sentence, several mechanisms: the items of an enumeration after a colon.

"three optimizations: A, B, and C", "i) A; ii) B", "(1) A (2) B": one mechanism per item,
labelled by the item itself when short, else by its head (verb + object, or noun phrase).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from pipeline.propose.mechanisms.clauses import objects
from pipeline.propose.mechanisms.labels import gerund, phrase, words_of
from pipeline.propose.mechanisms.words import NOT_MANNER


def item_label(sent: Span | Doc, s: int, e: int, framework: set[str]) -> list[str] | None:
    """A long enumeration item named by its head: "alternately optimizing X ..." -> verb + object."""
    toks = [t for t in sent if s <= t.idx < e]
    inside = {t.i for t in toks}
    root = next((t for t in toks if t.head.i not in inside or t.head is t), None)
    if root is None:
        return None
    if root.pos_ != "VERB":  # "NetAdapt generates X": the clause's verb names the item
        verb = next((t for t in toks if t.pos_ == "VERB" and t.dep_ in ("ROOT", "relcl", "conj", "ccomp")
                     and any(c.dep_ == "nsubj" for c in t.children)), None)
        root = verb or root
    if root.pos_ == "VERB":
        obj = objects(root)[:1]
        adv = [c.lower_ for c in root.children if c.dep_ == "advmod" and c.lower_.endswith("ly")
               and c.lower_ not in NOT_MANNER][:1]
        if obj:
            return adv + [gerund(root)] + words_of(phrase(obj[0], with_of=False))
        return None
    return words_of(phrase(root, with_prep=True))


_MARKER = re.compile(r"\(?\b(?:\d|i{1,3}|iv|v|[a-e])\)\s*")


def enumeration(sent: Span | Doc, colon: Token) -> list[tuple[int, int]]:
    """Char spans of the items after a colon ("A, B, and C"; "i) A; ii) B"; "(1) A (2) B")."""
    start = colon.idx + 1
    end = sent[-1].idx + len(sent[-1].text)
    body = sent.doc.text[start:end]
    parts: list[tuple[int, int]] = []
    pos = 0
    markers = list(_MARKER.finditer(body))
    splitter = _MARKER if len(markers) >= 2 else re.compile(
        r",\s+(?:and\s+|or\s+)?|;\s+(?:and\s+)?|\s+and\s+(?=[a-z]+ing\b)")
    for m in splitter.finditer(body):
        if m.start() > 0:
            parts.append((pos, m.start()))
        pos = m.end()
    parts.append((pos, len(body)))
    out = []
    for s, e in parts:
        piece = body[s:e]
        stripped = piece.strip().rstrip(".;, ")
        stripped = re.sub(r"\s*(,|;)?\s*(and|or)$", "", stripped)
        if not stripped and splitter is _MARKER:
            continue
        if len(stripped.split()) < 2 or (len(stripped.split()) > 14 and splitter is not _MARKER):
            return []
        lead = len(piece) - len(piece.lstrip())
        out.append((start + s + lead, start + s + lead + len(stripped)))
    return out


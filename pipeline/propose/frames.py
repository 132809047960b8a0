"""Challenge frames read from the parse: a Table 1.1 label in any of its English forms.

Table 1.1 names several challenges in three label shapes (``corpus/challenges.ttl``):
"<X> heterogeneity" ("data heterogeneity", "system heterogeneity"), "limited <X>" ("Limited
Networking Capabilities", "limited computation") and "<X> cost" ("communication cost", "search
cost"). Papers state the same concepts as "heterogeneity of edge data", "local distributions
vary", "communication is the bottleneck", "the search is costly": a fixed regex per wording only
catches the wordings someone has seen. Here each shape has a closed class of general English
words (variation: heterogeneous, diverse, vary, ...; limitation: limited, scarce, constrained,
...; cost: cost, overhead, burden, ...) and *what it is about* is the X of the labels (stemmed);
a frame fires when the parse links the two (modifier, prepositional object, subject of "vary",
object of a mis-tagged adjective). No topic word is picked from an abstract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_TTL = Path(__file__).resolve().parents[2] / "corpus" / "challenges.ttl"

#: general English words of variation (adjectives, nouns and verbs of "not all alike")
STRONG = frozenset({
    "heterogeneous", "heterogeneity", "heterogenous", "diverse", "diversity", "differ", "vary", "varying",
    "varied", "variation", "variability", "disparate", "disparity", "dissimilar", "skewed", "skew",
    "diverge", "divergent", "divergence",
})
#: words that often only count or enumerate ("different clients", "various devices"): half weight
WEAK = frozenset({"different", "difference", "differing", "various", "variety", "distinct"})
VARIATION = STRONG | WEAK


@dataclass(frozen=True)
class Family:
    """One shape of Table 1.1 label: its regex (group 1: what the label is about) and the closed
    class of English words that state it (strong: 1.0, weak: 0.5)."""

    label: str
    strong: frozenset[str]
    weak: frozenset[str] = frozenset()
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def words(self) -> frozenset[str]:
        return self.strong | self.weak


FAMILIES = (
    # "data heterogeneity", "system heterogeneity"; the non-IID assumption/reality speak of each
    # client's own *distribution*
    Family(r"(?:[\w-]+ )*?([\w-]+) heterogeneity", STRONG, WEAK, (("distribution", "non_iid_data"), ("dataset", "non_iid_data"))),
    # "Limited Networking Capabilities", "limited computation", "Limited Computational Resources"
    Family(r"limited ([\w-]+)(?: [\w-]+)*", frozenset({
        "limited", "limit", "scarce", "scarcity", "constrained", "constraint", "insufficient", "restricted",
        "restriction", "lack", "shortage", "bottleneck", "tight"}), frozenset({"low", "few", "poor", "weak"})),
    # "communication cost", "computational cost", "search cost"
    Family(r"([\w-]+) cost", frozenset({
        "cost", "costly", "overhead", "burden", "expensive", "prohibitive", "bottleneck"}),
        frozenset({"consumption", "demand", "load", "intensive"})),
)
_GENERIC = {"client", "worker", "node", "fednas", "fl"}  # label words that name no concept


@lru_cache(maxsize=1)
def objects() -> tuple[dict[str, str], ...]:
    """Per family: stem of what the label is about -> challenge key, from the scheme's labels."""
    text = _TTL.read_text(encoding="utf-8") if _TTL.is_file() else ""
    out: tuple[dict[str, str], ...] = tuple({} for _ in FAMILIES)
    for block in text.split("\n\n"):
        key = re.search(r'fa:key "([a-z_]+)"', block)
        if not key:
            continue
        for label in re.findall(r'"([^"]+)"@en', block):
            for fam, table in zip(FAMILIES, out):
                m = re.fullmatch(fam.label, label.strip().lower())
                if m and m.group(1) not in _GENERIC:
                    table.setdefault(_stem(m.group(1)), key.group(1))
    for fam, table in zip(FAMILIES, out):
        for word, code in fam.extra:
            table.setdefault(_stem(word), code)
    return out


_SUFFIXES = ("ational", "ation", "ate", "ing", "al", "ed", "s", "e")


def _stem(word: str) -> str:
    """Crude stem, enough to join "computation", "computational", "compute", "computing" (and
    to keep "distributed" apart from "distribution")."""
    for _ in range(2):  # "devices" -> "device" -> "devic", as "device" -> "devic"
        for suf in _SUFFIXES:
            if word.endswith(suf) and len(word) - len(suf) >= 4:
                word = word[: -len(suf)]
                break
    return word


def _forms(tok) -> set[str]:
    return {_stem(tok.lower_), _stem(tok.lemma_.lower())}


def _nouns_with_modifiers(tok) -> list:
    """A noun and its compound/adjective modifiers ("edge data", "local data distributions")."""
    mods = [c for c in tok.children if c.dep_ in ("compound", "amod", "nmod", "conj")]
    return [tok, *mods, *[g for m in mods for g in m.children if g.dep_ in ("compound", "conj")]]


def _linked(tok) -> list:
    """Tokens the parse links to a variation word as what varies."""
    out = []
    if tok.dep_ in ("amod", "compound", "nmod") or (tok.pos_ in ("ADJ", "ADV") and tok.head.pos_ in ("NOUN", "PROPN")):
        out += _nouns_with_modifiers(tok.head)  # (the small model tags "communication overhead" as ADV)
    if tok.dep_ == "conj" and tok.head.dep_ in ("amod", "acomp"):  # "small and highly skewed datasets"
        out += _nouns_with_modifiers(tok.head.head)
    for c in tok.children:
        if c.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "compound", "amod", "nmod", "poss"):
            out += _nouns_with_modifiers(c)
        if c.dep_ == "prep" and c.lower_ in ("of", "in", "across", "among", "between", "on", "for"):
            out += [g for p in c.children if p.dep_ == "pobj" for g in _nouns_with_modifiers(p)]
    if tok.dep_ in ("acomp", "attr") or (tok.pos_ == "ADJ" and tok.head.lemma_ == "be"):
        out += [g for c in tok.head.children if c.dep_ in ("nsubj", "nsubjpass") for g in _nouns_with_modifiers(c)]
    if tok.dep_ == "conj" and tok.head.pos_ == "NOUN":  # "the sensitivity and heterogeneity of edge data"
        out += _linked(tok.head) if tok.head.lemma_.lower() not in VARIATION else []  # conj of a noun
        for c in tok.head.children:
            if c.dep_ == "prep" and c.lower_ in ("of", "in", "across", "among"):
                out += [g for p in c.children if p.dep_ == "pobj" for g in _nouns_with_modifiers(p)]
    return out


def frame_hits(doc) -> dict[str, tuple[float, str]]:
    """Challenge key -> (strength, the words of its frame) in one parsed sentence: 1.0 for a
    strong word of the family, 0.5 for a weak one ("different", "various", "low")."""
    tables = objects()
    hits: dict[str, tuple[float, str]] = {}
    for tok in doc:
        for fam, table in zip(FAMILIES, tables):
            word = tok.lemma_.lower() if tok.lemma_.lower() in fam.words else tok.lower_
            if word not in fam.words:
                continue
            strength = 1.0 if word in fam.strong else 0.5
            for other in _linked(tok):
                if other.i == tok.i:
                    continue
                for form in _forms(other):
                    code = table.get(form)
                    if code and strength > hits.get(code, (0.0, ""))[0]:
                        lo, hi = min(tok.i, other.i), max(tok.i, other.i)
                        hits[code] = (strength, doc[lo:hi + 1].text)
    return hits

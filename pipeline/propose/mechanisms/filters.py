"""What is not a technique: results sentences, the paper's framework name, generic objects.

A framework the paper names ("we propose FedX"), an object made only of generic words
("a novel framework", "neural architecture search": the task or an unchanged NAS type)
and a sentence reporting results never yield a mechanism.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.tokens import Token

from pipeline.propose.mechanisms.words import COMMON_ACRONYMS, GENERIC

COINED = re.compile(r"^(?=.*[A-Z].*[A-Z])[A-Za-z][A-Za-z0-9\-]*$")  # FedNAS, DP-FNAS, HAPFNAS, heteroFedAvg
_RESULT_SENTENCE = re.compile(
    r"\b(experiments?|results?|evaluations?|empirical(ly)?|extensive(ly)?)\b.{0,80}\b(show|demonstrate|"
    r"indicate|reveal|confirm|verify|validate|suggest)|\b(outperform\w*|state-of-the-art accuracy|"
    r"speed-?up of|\bachieves? (comparable|higher|better|superior|competitive|similar|significant)|by up to|\d+(\.\d+)?\s?(%|×|x\b))|^\s*(we|our)\s+(\w+\s+)?(show|demonstrate|evaluate|"  # noqa: E501
    r"validate|conduct|test|compare)\b|\bcode\b.{0,40}\bavailable\b", re.I)
_INTRODUCES = re.compile(r"\b(we|this (paper|work|chapter|article))\s+(\w+\s+)?(propose|present|introduce|develop|"
                         r"design|devise|build|study)s?\b", re.I)


def is_result_sentence(text: str) -> bool:
    return bool(_RESULT_SENTENCE.search(text))


def coined_names(text: str) -> list[str]:
    """Coined names in a text (FedNAS, DP-FNAS, heteroFedAvg), common acronyms left out."""
    out = []
    for tok in re.findall(r"[A-Za-z][A-Za-z0-9\-]+", text):
        tok = tok.strip("-")
        if COINED.match(tok) and tok not in COMMON_ACRONYMS and not tok.isdigit():
            out.append(tok)
    return out


def names_framework(tokens: Iterable[Token], framework: set[str]) -> bool:
    return any(name in t.text for t in tokens for name in framework)


def generic(tokens: list[Token], framework: set[str], head: Token | None = None) -> bool:
    """An object made only of generic words, or one that names the paper's framework."""
    content = [t for t in tokens if not t.is_punct and t.pos_ not in ("DET", "ADP", "CCONJ", "PRON")]
    if names_framework(tokens, framework) or (head is not None and names_framework(head.subtree, framework)
                                              and head.lemma_ in GENERIC | {"framework", "method"}):
        return True
    return all(t.lower_ in GENERIC or t.lemma_.lower() in GENERIC for t in content)


def framework_names(title: str, sentences: list[str]) -> set[str]:
    """The paper's own framework names: coined names of the title and of the first sentence that
    introduces the work ("we propose FedX", "we present a framework, termed Peaches")."""
    names = set(coined_names(title.split(":")[0])) if ":" in title else set(coined_names(title))
    names |= {m for m in re.findall(r"\(([A-Z][A-Za-z0-9\-]{2,})\)", title) if m not in COMMON_ACRONYMS}
    for text in sentences:
        if _INTRODUCES.search(text):
            names |= set(coined_names(text))
            m = re.search(r"\b(?:called|termed|named|dubbed|namely)\s+\*?([A-Z][\w\-]+)", text)
            if m:
                names.add(m.group(1))
            break
    return {n for n in names if len(n) >= 3}

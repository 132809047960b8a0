"""Rhetorical role of an abstract's sentence: is a challenge the paper's goal or background?

A challenge is coded when the paper's method is motivated by it or claims to tackle it, not
for a background mention (dev-gold coding rules). Abstracts state that in a few generic moves
that hold across papers, whatever the topic words: the opening sentences set the field
("Federated learning is ..."), a contrast or problem statement names the gap ("However, ...
suffers from ..."), the paper's own move has a first-person or "this paper" subject
("we propose ... to address ..."), and the closing sentences report results. The role is read
from the dependency parse (subject of the main verb, purpose clauses, contrast markers) and
the sentence's position; nothing here is a topic word.
"""

from __future__ import annotations

from dataclasses import dataclass

#: weight of a sentence's challenge evidence by role (goal and problem statements count fully)
ROLE_WEIGHTS = {"goal": 1.0, "problem": 1.0, "title": 1.0, "other": 0.9, "background": 0.6, "result": 0.75}

_SELF = {"we", "our", "us"}
_SELF_NOUNS = {"paper", "work", "chapter", "article", "study", "framework", "method", "approach", "algorithm",
               "system", "scheme"}
_CONTRAST = {"however", "but", "yet", "although", "though", "unfortunately", "nevertheless", "despite", "whereas"}
_PROBLEM_NOUNS = {"challenge", "problem", "issue", "difficulty", "bottleneck", "limitation", "obstacle", "drawback"}
_PROBLEM_VERBS = {"suffer", "hinder", "limit", "hamper", "degrade", "restrict", "prevent", "struggle"}
_PURPOSE_VERBS = {"address", "tackle", "overcome", "handle", "mitigate", "alleviate", "resolve", "solve", "cope",
                  "deal", "reduce", "counter", "relieve", "avoid", "remedy"}
_RESULT_NOUNS = {"experiment", "result", "evaluation", "simulation", "benchmark"}
_RESULT_VERBS = {"outperform", "achieve", "show", "demonstrate", "indicate", "reveal", "surpass", "confirm"}


@dataclass(frozen=True)
class SentenceRole:
    role: str
    reason: str

    @property
    def weight(self) -> float:
        return ROLE_WEIGHTS[self.role]


def _self_subject(doc) -> bool:
    for tok in doc:
        if tok.dep_ in ("nsubj", "nsubjpass", "poss") and (tok.lower_ in _SELF or
                                                             (tok.lemma_.lower() in _SELF_NOUNS and
                                                              any(c.lower_ in ("this", "our") for c in tok.children))):
            return True
    return False


def _purpose_clause(doc) -> bool:
    """'to address/tackle/... X', 'in the presence of X', '-aware' or 'robust to' as the paper's aim."""
    for tok in doc:
        lemma = tok.lemma_.lower()
        if lemma in _PURPOSE_VERBS and tok.pos_ == "VERB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children):
            return True
        if tok.lower_ == "presence" and tok.head.lower_ == "in":
            return True
    return False


def classify(doc, index: int, n: int, is_title: bool = False) -> SentenceRole:
    """Role of sentence ``index`` of ``n`` (``doc``: its spaCy parse)."""
    if is_title:
        return SentenceRole("title", "title")
    lemmas = {t.lemma_.lower() for t in doc}
    words = {t.lower_ for t in doc}
    own = _self_subject(doc)
    purpose = _purpose_clause(doc)
    if own and (purpose or index < n - 1):
        return SentenceRole("goal", "own move" + (" with a purpose clause" if purpose else ""))
    if purpose:
        return SentenceRole("goal", "purpose clause")
    root_subjects = {c.lemma_.lower() for t in doc if t.dep_ == "ROOT" for c in t.children
                     if c.dep_ in ("nsubj", "nsubjpass")}
    if root_subjects & _RESULT_NOUNS or (lemmas & _RESULT_VERBS and index >= n - 2 and n > 2):
        return SentenceRole("result", "results statement")
    if words & _CONTRAST or lemmas & _PROBLEM_NOUNS or lemmas & _PROBLEM_VERBS:
        return SentenceRole("problem", "contrast or problem statement")
    if index <= 1 and not own:
        return SentenceRole("background", "opening sentence without the paper's own claim")
    return SentenceRole("other", "")


def sentence_roles(texts: list[str], title_index: int | None = None) -> list[SentenceRole]:
    """Roles of an abstract's sentences in reading order (the title, if any, at ``title_index``)."""
    from pipeline.propose.nlp import parse

    body = [i for i in range(len(texts)) if i != title_index]
    docs = parse([texts[i] for i in body])
    out: list[SentenceRole] = [SentenceRole("title", "title")] * len(texts)
    for pos, (i, doc) in enumerate(zip(body, docs)):
        out[i] = classify(doc, pos, len(body))
    return out

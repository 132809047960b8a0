"""Goal and problem phrases read from the parse, matched to Table 1.1 by meaning.

A paper names its challenge in the slot of a few general scientific-English moves, whatever
the topic words: the object of a purpose verb ("to mitigate X", "reduces X", "eliminates the
need for X"), the complement of a problem verb ("suffers from X", "faces X", "X hinders ..."),
the complement of a problem noun ("the challenge of X", "two bottlenecks: X and Y"), and the
condition a mechanism adapts to ("according to X", "based on X", "X-aware"). The cue lexicon
only fires when X is worded as someone wrote it down; here X is cut out of the parse and
embedded, and compared with what the review itself says about each challenge: the literals of
``corpus/challenges.ttl`` (labels, assumption, reality, definition) and the paraphrases of
``corpus/challenge_paraphrases.json``, written from those rows, not from any abstract.

A phrase supports the challenge(s) it is closest to (within ``TIE`` of its best match), with a
strength rising from 0 at ``SIM_LO`` to ``MAX_STRENGTH`` at ``SIM_HI``; the strength enters the
proposer like a cue's, so the sentence's rhetorical role still scales it.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

_CORPUS = Path(__file__).resolve().parents[2] / "corpus"

PURPOSE_VERBS = frozenset({
    "address", "tackle", "overcome", "handle", "mitigate", "alleviate", "resolve", "solve", "cope", "deal",
    "reduce", "counter", "relieve", "avoid", "remedy", "eliminate", "compensate", "minimize", "minimise",
    "lower", "cut", "accelerate", "lessen", "combat", "prevent", "suppress", "ease"})
PROBLEM_VERBS = frozenset({"suffer", "hinder", "hamper", "degrade", "restrict", "struggle", "face", "pose",
                           "plague", "impede", "challenge", "complicate", "destabilize", "destabilise"})
PROBLEM_NOUNS = frozenset({"challenge", "problem", "issue", "difficulty", "bottleneck", "limitation",
                           "obstacle", "drawback", "concern", "constraint", "barrier", "shortcoming"})
#: "according to X", "based on X", "depending on X", "adapted to X", "aware of X"
CONDITION_HEADS = frozenset({"according", "accord", "based", "base", "depending", "depend", "adapt", "adapted",
                             "tailor", "tailored", "aware", "conditioned", "subject"})
#: a sentence none of whose tokens has one of these as lower form or lemma has no phrase
#: (``-aware`` ends with "aware"): it need not be parsed
TRIGGER_WORDS = PURPOSE_VERBS | PROBLEM_VERBS | PROBLEM_NOUNS | CONDITION_HEADS
#: words that carry no topic of their own: a phrase of only these (and function words) is skipped
_EMPTY = PROBLEM_NOUNS | {"need", "this", "that", "it", "these", "those", "they", "key", "main", "major",
                          "primary", "critical", "significant", "such", "two", "several", "many", "new",
                          "model", "method", "approach", "framework", "system", "fl", "nas", "loss", "the", "and",
                          "for", "our", "its", "their", "both", "over", "with", "from", "all", "any", "each"}

SIM_LO, SIM_HI = 0.45, 0.75
MAX_STRENGTH = 0.6
TIE = 0.04
MAX_TOKENS = 25


@lru_cache(maxsize=1)
def prototypes() -> dict[str, list[str]]:
    """Challenge key -> texts: the scheme's literals plus the seed-written paraphrases."""
    out: dict[str, list[str]] = {}
    ttl = _CORPUS / "challenges.ttl"
    text = ttl.read_text(encoding="utf-8") if ttl.is_file() else ""
    for block in text.split("\n\n"):
        key = re.search(r'fa:key "([a-z_]+)"', block)
        if not key:
            continue
        lits = re.findall(r'(?:skos:prefLabel|skos:altLabel|fa:assumption|fa:reality|skos:definition|,)\s*"([^"]+)"',
                          block)
        out[key.group(1)] = [t for t in lits if len(t) > 3]
    para = _CORPUS / "challenge_paraphrases.json"
    if para.is_file():
        for key, texts in json.loads(para.read_text(encoding="utf-8")).items():
            if key in out:
                out[key] += list(texts)
    return out


def _span(tok) -> str:
    sub = list(tok.subtree)
    if len(sub) > MAX_TOKENS:  # a long clause: keep the head's own noun phrase
        sub = [t for t in sub if t.i <= tok.i or t.head == tok][:MAX_TOKENS]
    return tok.doc[sub[0].i: sub[-1].i + 1].text


def _items(tok) -> list:
    """A noun and each of its coordinated items ("X, and Y" -> X and Y), each its own phrase."""
    out = [tok]
    for c in tok.children:
        if c.dep_ == "conj":
            out += _items(c)
    return out


def _item_span(tok) -> str:
    """The item's phrase without its coordinated siblings."""
    keep = [tok] + [t for c in tok.children if c.dep_ not in ("conj", "cc", "punct") for t in c.subtree]
    keep = sorted(keep, key=lambda t: t.i)[:MAX_TOKENS]
    return tok.doc[keep[0].i: keep[-1].i + 1].text


def _phrases_of(heads) -> list[tuple[str, str]]:
    out = []
    for h in heads:
        items = _items(h)
        out.append(_span(h))
        if len(items) > 1:
            out += [_item_span(t) for t in items]
    return [("", p) for p in out]


def _has_topic(text: str) -> bool:
    words = [w for w in re.findall(r"[a-z][a-z-]*", text.lower()) if len(w) > 2]
    return any(w not in _EMPTY for w in words)


def phrases(doc) -> list[tuple[str, str]]:
    """``(move, phrase)`` pairs of one parsed sentence: what the sentence sets out to address,
    suffers from, or adapts to."""
    found: list[tuple[str, object]] = []
    for t in doc:
        lemma = t.lemma_.lower()
        if lemma in PURPOSE_VERBS and t.pos_ in ("VERB", "AUX"):
            for c in t.children:
                if c.dep_ in ("dobj", "nsubjpass"):
                    found.append(("purpose", c))
                if c.dep_ == "prep":
                    found += [("purpose", p) for p in c.children if p.dep_ == "pobj"]
        if lemma in PROBLEM_VERBS and t.pos_ in ("VERB", "AUX"):
            for c in t.children:
                if c.dep_ == "dobj":
                    found.append(("problem", c))
                if c.dep_ in ("prep", "agent"):
                    found += [("problem", p) for p in c.children if p.dep_ == "pobj"]
            if lemma not in ("face", "pose", "suffer", "struggle"):  # "X hinders ...": X is the problem
                found += [("problem", c) for c in t.children if c.dep_ == "nsubj"]
        if lemma in PROBLEM_NOUNS and t.pos_ in ("NOUN", "PROPN"):
            for c in t.children:
                if c.dep_ == "appos":
                    found.append(("problem", c))
                if c.dep_ == "prep" and c.lower_ in ("of", "in", "from", "posed"):
                    found += [("problem", p) for p in c.children if p.dep_ == "pobj"]
            nxt = t.i + 1
            if nxt < len(doc) and doc[nxt].text == ":":  # "two bottlenecks: X, and Y"
                found += [("problem", c) for c in doc[nxt + 1:] if c.head.i <= nxt or c.head == t][:1]
            if t.dep_ == "attr":  # "X is the main bottleneck"
                found += [("problem", c) for c in t.head.children if c.dep_ == "nsubj"]
        if lemma in CONDITION_HEADS or t.lower_ in CONDITION_HEADS or t.lower_.endswith("-aware"):
            for c in t.children:
                if c.dep_ == "prep":
                    found += [("condition", p) for p in c.children if p.dep_ == "pobj"]
                if c.dep_ == "pobj":
                    found.append(("condition", c))
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for move, head in found:
        for _, text in _phrases_of([head]):
            if text not in seen and _has_topic(text):
                seen.add(text)
                out.append((move, text))
    return out


#: words of an unqualified cost ("costly", "time-consuming", "overhead"): the "<X> cost" shape of
#: Table 1.1 with no X. In NAS an unqualified cost is the search's computation and time (the
#: review codes search cost as Limited Computational Resources); a communication word in the
#: phrase makes it that challenge's instead.
#: (Speed words such as "slow" are not here: a slow uplink is a communication limit, not a cost.)
COST_WORDS = frozenset({"cost", "costs", "costly", "expensive", "overhead", "overheads", "burden", "prohibitive",
                        "time-consuming"})
COST_KEY = "limited_computation"


def _cost_without_object(text: str) -> bool:
    from pipeline.propose.frames import _stem, objects

    words = re.findall(r"[a-z][a-z-]*", text.lower())
    if not any(w in COST_WORDS for w in words):
        return False
    named = {code for table in objects() for stem, code in table.items() if any(_stem(w) == stem for w in words)}
    return not (named - {COST_KEY})


class GoalMatcher:
    """Embeds phrases and matches them with the challenge prototypes (one encode per call)."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        protos = prototypes()
        self.keys = list(protos)
        vecs = embedder.encode([t for k in self.keys for t in protos[k]])
        self._owner = np.array([j for j, k in enumerate(self.keys) for _ in protos[k]])
        self._vecs = vecs

    def similarities(self, texts: list[str]) -> np.ndarray:
        """``(len(texts), n_keys)``: each phrase's best cosine to each challenge's prototypes."""
        if not texts:
            return np.zeros((0, len(self.keys)))
        sims = self.embedder.encode(texts) @ self._vecs.T
        out = np.full((len(texts), len(self.keys)), -1.0)
        for j in range(len(self.keys)):
            out[:, j] = sims[:, self._owner == j].max(axis=1)
        return out

    def hits(self, docs) -> list[dict[str, tuple[float, str]]]:
        """Per parsed sentence: challenge key -> (strength, phrase) of its best goal/problem phrase."""
        per = [phrases(d) if d is not None else [] for d in docs]  # None: a sentence left unparsed
        flat = [(i, text) for i, ph in enumerate(per) for _, text in ph]
        sims = self.similarities([t for _, t in flat])
        out: list[dict[str, tuple[float, str]]] = [{} for _ in docs]
        cost = self.keys.index(COST_KEY) if COST_KEY in self.keys else None
        for (i, text), row in zip(flat, sims):
            if cost is not None and _cost_without_object(text):
                row = row.copy()
                row[cost] = max(row[cost], SIM_HI, float(row.max()))
            best = float(row.max())
            for j in np.flatnonzero(row >= best - TIE):
                s = MAX_STRENGTH * float(np.clip((row[j] - SIM_LO) / (SIM_HI - SIM_LO), 0.0, 1.0))
                key = self.keys[int(j)]
                if s > out[i].get(key, (0.0, ""))[0]:
                    out[i][key] = (s, text)
        return out


#: determiners that point back ("this problem", "these challenges", "such issues")
_ANAPHORS = frozenset({"this", "these", "that", "those", "such", "the", "both", "above"})


def anaphoric_goal(doc) -> bool:
    """The sentence sets out to address a problem named before it: a purpose verb whose object
    is only a problem noun pointing back ("To address this problem", "to tackle these
    challenges", "To resolve the issue") or a bare pronoun ("to address it"). The preceding
    sentence is then the paper's problem statement, whatever its words (roles alone read it as
    background or 'other'). A sentence the batch left unparsed (``None``) sets out nothing."""
    if doc is None:
        return False
    for t in doc:
        if t.lemma_.lower() not in PURPOSE_VERBS or t.pos_ not in ("VERB", "AUX"):
            continue
        objs = [c for c in t.children if c.dep_ in ("dobj", "nsubjpass")]
        objs += [p for c in t.children if c.dep_ == "prep" for p in c.children if p.dep_ == "pobj"]
        for o in objs:
            mods = [c for c in o.children if c.dep_ not in ("det", "punct")]
            if o.lower_ in ("it", "this", "these", "them", "that") and not mods:
                return True
            if o.lemma_.lower() in PROBLEM_NOUNS and not mods and \
                    any(c.dep_ == "det" and c.lower_ in _ANAPHORS for c in o.children):
                return True
    return False

"""Shared scoring pieces: weighted cue matching, sentence context, exemplar similarity.

A sentence's score for one code combines two calibrated probabilities with a noisy-OR:

* ``p_lex = 1 - exp(-k * cues * context)``: ``cues`` is the sum of the weights of the
  distinct cue patterns that match; ``context`` raises it for motivation/claim
  sentences ("to address", "we propose", "challenge") and lowers it for background
  ("FL is ...") and result-only sentences ("achieves 3x ...").
* ``p_emb``: cosine similarity of the sentence to the code's exemplar phrasings and to
  accepted curation exemplars, mapped linearly from ``[lo, hi]`` to ``[0, 1]``.

A sentence nearly identical to a *rejected* curation exemplar of the code is discounted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.propose.base import Exemplar, compile_patterns, load_lexicon


@dataclass
class Context:
    motivation: list[re.Pattern]
    background: list[re.Pattern]
    results: list[re.Pattern]
    fl_setting: list[re.Pattern]

    @classmethod
    def from_lexicon(cls, lex: dict) -> Context:
        c = lex["context"]
        return cls(*(([p for p, _ in compile_patterns(c[k])]) for k in
                     ("motivation", "background", "results", "fl_setting")))

    def multiplier(self, text: str, title: bool = False, role: str | None = None) -> float:
        """``role``: the sentence's rhetorical role from the parse (``roles``), when known; a
        goal or problem statement is motivated, a results sentence reports, whatever its words."""
        if title:
            return 1.1
        motivated = role in ("goal", "problem") or any(p.search(text) for p in self.motivation)
        if any(p.search(text) for p in self.background) and not motivated:
            return 0.6
        if (role == "result" or any(p.search(text) for p in self.results)) and not motivated:
            return 0.4
        return 1.25 if motivated else 1.0

    def is_federated(self, text: str) -> bool:
        return sum(1 for p in self.fl_setting if p.search(text)) >= 1


def cue_strength(text: str, cues: list[tuple[re.Pattern, float]],
                 negations: Sequence[re.Pattern] = (), any_cue: re.Pattern | None = None) -> tuple[float, list[str]]:
    """Sum of weights of matching cues, each counted once and only where its match does not
    overlap an earlier (stronger, listed first) cue's match; negated phrases are removed.

    ``any_cue``: the cues as one alternation (:func:`combined`); a text it does not match has no
    cue, so the per-cue scans are skipped (most sentences match no cue of most codes)."""
    if any_cue is not None and not negations and any_cue.search(text) is None:
        return 0.0, []
    for neg in negations:
        text = neg.sub(lambda m: " " * len(m.group(0)), text)
    total = 0.0
    hits: list[str] = []
    spans: list[tuple[int, int]] = []
    for pat, w in cues:
        for m in pat.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in spans):
                continue
            spans.append((m.start(), m.end()))
            total += w
            hits.append(m.group(0))
            break
    return min(total, 2.5), hits


def combined(cues: list[tuple[re.Pattern, float]]) -> re.Pattern | None:
    """One pattern that matches where any of ``cues`` matches (None when they cannot be joined:
    back-references or global flags would change meaning inside an alternation)."""
    sources = [p.pattern for p, _ in cues]
    if not sources or any(re.search(r"\\\d|\(\?P[=<]|^\(\?[a-zA-Z]+\)", s) for s in sources) \
            or any(p.flags & ~(re.I | re.U) for p, _ in cues) or any(not p.flags & re.I for p, _ in cues):
        return None
    try:
        return re.compile("|".join(f"(?:{s})" for s in sources), re.I)
    except re.error:
        return None


def p_from_cues(strength: float, multiplier: float = 1.0, k: float = 1.3) -> float:
    return 1.0 - math.exp(-k * strength * multiplier)


def p_from_similarity(sim: float, lo: float, hi: float) -> float:
    return float(min(1.0, max(0.0, (sim - lo) / (hi - lo))))


def noisy_or(*ps: float) -> float:
    q = 1.0
    for p in ps:
        q *= 1.0 - max(0.0, min(1.0, p))
    return 1.0 - q


class CodeSpace:
    """Cues and exemplar vectors of every code of one kind (built once per proposer)."""

    def __init__(self, section: str, lexicon: dict | None = None) -> None:
        lex = lexicon or load_lexicon()
        self.context = Context.from_lexicon(lex)
        self.entries = lex[section]
        self.keys = list(self.entries)
        self.labels = {k: v["label"] for k, v in self.entries.items()}
        self.cues = {k: compile_patterns(v["cues"]) for k, v in self.entries.items()}
        self.negations = {k: [re.compile(p, re.I) for p in v.get("negations", [])]
                          for k, v in self.entries.items()}
        self.any_cue = {k: combined(c) for k, c in self.cues.items()}
        self._cue_memo: dict[str, tuple[tuple[float, tuple[str, ...]], ...]] = {}
        self.exemplars = {k: list(v.get("exemplars", [])) for k, v in self.entries.items()}
        self.definitions = {k: v.get("definition", "") for k, v in self.entries.items()}
        self.generic = list(lex["context"].get("generic_exemplars", []))

    def cue_row(self, text: str) -> tuple[tuple[float, tuple[str, ...]], ...]:
        """Per code (in ``keys`` order): the cue strength of ``text`` and its hits. Kept by text
        for a while: ingest first asks which sentences need a parse, then scores them."""
        row = self._cue_memo.get(text)
        if row is None:
            row = tuple((strength, tuple(h)) for strength, h in
                        (cue_strength(text, self.cues[k], self.negations[k], self.any_cue[k]) for k in self.keys))
            if len(self._cue_memo) >= 20_000:
                self._cue_memo.clear()
            self._cue_memo[text] = row
        return row

    def prototype_texts(self, key: str) -> list[str]:
        texts = list(self.exemplars[key])
        if self.definitions[key]:
            texts.append(self.definitions[key])
        return texts


def exemplar_similarity(sent_vecs: np.ndarray, embedder, space: CodeSpace,
                        curated: list[Exemplar]):
    """Per sentence x code: max similarity to the code's prototypes, to accepted and to
    rejected curation exemplars (arrays ``(n_sentences, n_codes)``, -1 where a code has no
    such texts), and per sentence the max similarity to generic FedNAS phrasing
    (``(n_sentences, 1)``), the baseline a code's similarity must beat."""
    n, k = sent_vecs.shape[0], len(space.keys)
    out = [np.full((n, k), -1.0, dtype=np.float32) for _ in range(3)]
    if not n:
        return out[0], out[1], out[2], np.zeros((0, 1), dtype=np.float32)
    # similarity to generic FedNAS phrasing: what every sentence of the field shares
    base = (sent_vecs @ embedder.encode(space.generic).T).max(axis=1, keepdims=True) \
        if space.generic else np.zeros((n, 1), dtype=np.float32)
    groups_per_code = [(space.prototype_texts(key),
                        [e.text for e in curated if e.accepted and e.key == key],
                        [e.text for e in curated if not e.accepted and e.key == key])
                       for key in space.keys]
    # one encode call for every prototype and exemplar text (batching is the speed floor)
    every = sorted({t for groups in groups_per_code for texts in groups for t in texts})
    vec = dict(zip(every, embedder.encode(every))) if every else {}
    for j, groups in enumerate(groups_per_code):
        for arr, texts in zip(out, groups):
            if texts:
                arr[:, j] = (sent_vecs @ np.stack([vec[t] for t in texts]).T).max(axis=1)
    return out[0], out[1], out[2], base

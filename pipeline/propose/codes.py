"""Challenge and NAS-type proposers: weighted cues + exemplar similarity -> 0..1 score.

``challenge-hybrid-v1`` (default), ``challenge-rules-v1`` (cues only) and
``challenge-embed-v1`` (similarity only) share one implementation and differ in two
weights; likewise ``nastype-hybrid-v1`` and ``nastype-rules-v1``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..document import Document, Proposal, Sentence
from .base import (ProposalContext, Proposer, ensure_sentences, iri_for, is_title, make_proposal)
from .scoring import (CodeSpace, cue_strength, exemplar_similarity, noisy_or, p_from_cues,
                      p_from_similarity)


@dataclass
class Scored:
    key: str
    score: float
    sentence: Sentence | None
    hits: list[str]


class CodeProposer(Proposer):
    """Scores every code of one kind for every sentence; the document score of a code is
    its best sentence's score, raised a little by a second supporting sentence."""

    section = "challenges"
    kind = "challenge"
    use_cues = True
    use_embeddings = True
    cue_k = 1.3
    use_context = True  # motivation/background/result discounting of cue strength
    # Similarity confirms cues rather than deciding alone: its margin over generic FedNAS
    # phrasing maps [sim_lo, sim_hi] -> [0, emb_weight], below the default threshold, so
    # it lifts weak cues (a 0.25 cue + a clear margin passes) but cannot carry a code
    # alone. Near-duplicates of accepted curation exemplars can (cur_*).
    emb_weight = 0.35
    sim_lo, sim_hi = 0.1, 0.4
    cur_lo, cur_hi = 0.7, 0.9  # similarity to an accepted curation exemplar -> p
    cur_weight = 0.9
    second_weight = 0.25
    non_fl_factor = 0.35  # challenges are FL challenges: damp papers that never mention FL

    def __init__(self) -> None:
        self._space: CodeSpace | None = None

    @property
    def space(self) -> CodeSpace:
        if self._space is None:
            self._space = CodeSpace(self.section)
        return self._space

    @property
    def model(self) -> str:  # type: ignore[override]
        return "all-MiniLM-L6-v2+rules" if self.use_embeddings else "rules"

    # ------------------------------------------------------------------ scoring
    def score_document(self, doc: Document, context: ProposalContext) -> list[Scored]:
        sents = [s for s in ensure_sentences(doc) if s.text.strip()]
        space = self.space
        n, k = len(sents), len(space.keys)
        if n == 0:
            return []
        p_lex = np.zeros((n, k))
        hits: dict[tuple[int, int], list[str]] = {}
        if self.use_cues:
            for i, s in enumerate(sents):
                mult = space.context.multiplier(s.text, title=is_title(doc, s)) if self.use_context else 1.0
                for j, key in enumerate(space.keys):
                    strength, h = cue_strength(s.text, space.cues[key], space.negations[key])
                    if strength:
                        p_lex[i, j] = p_from_cues(strength, mult, self.cue_k)
                        hits[(i, j)] = h
        p_emb = np.zeros((n, k))
        damp = np.ones((n, k))
        curated = context.exemplars_for(self.kind)
        if self.use_embeddings or curated:
            emb = context.get_embedder()
            vecs = emb.encode([s.text for s in sents])
            proto, acc, rej, base = exemplar_similarity(vecs, emb, space, curated)
            if self.use_embeddings:
                margin = proto - base
                p_emb = self.emb_weight * np.clip((margin - self.sim_lo) / (self.sim_hi - self.sim_lo), 0, 1)
            p_cur = self.cur_weight * np.clip((acc - self.cur_lo) / (self.cur_hi - self.cur_lo), 0, 1)
            p_emb = 1 - (1 - p_emb) * (1 - p_cur)
            # nearest exemplar is a rejection of this code: discount
            closer_to_rejected = (rej >= self.cur_lo) & (rej > acc)
            damp = np.where(closer_to_rejected, 1 - np.clip((rej - self.cur_lo) / (self.cur_hi - self.cur_lo), 0, 1) * 0.8, 1.0)
        sent_scores = (1 - (1 - p_lex) * (1 - p_emb)) * damp
        federated = space.context.is_federated(doc.text or " ".join(s.text for s in sents))
        out = []
        for j, key in enumerate(space.keys):
            col = sent_scores[:, j]
            order = np.argsort(-col)
            best = int(order[0])
            second = float(col[order[1]]) if n > 1 else 0.0
            score = noisy_or(float(col[best]), self.second_weight * second)
            if self.kind == "challenge" and not federated:
                score *= self.non_fl_factor
            out.append(Scored(key, score, sents[best], hits.get((best, j), [])))
        return out

    def propose(self, doc: Document, context: ProposalContext | None = None) -> list[Proposal]:
        context = context or ProposalContext()
        proposals = []
        for sc in self.score_document(doc, context):
            if sc.score >= context.threshold(self.kind, sc.key):
                rationale = ("cues: " + ", ".join(repr(h) for h in sc.hits)) if sc.hits else None
                proposals.append(make_proposal(self, doc, self.kind, iri_for(self.kind, sc.key),
                                               self.space.labels[sc.key], sc.score, sc.sentence,
                                               rationale=rationale))
        return sorted(proposals, key=lambda p: -p.score)


class ChallengeHybrid(CodeProposer):
    name = "challenge-hybrid-v1"


class ChallengeRules(CodeProposer):
    name = "challenge-rules-v1"
    use_embeddings = False
    default_enabled = False


class ChallengeEmbed(CodeProposer):
    name = "challenge-embed-v1"
    use_cues = False
    emb_weight = 1.0
    default_enabled = False


class NasTypeHybrid(CodeProposer):
    """NAS types: cues decide (named strategies are lexical); similarity only nudges.

    When a paper searches architectures but names no strategy, it proposes ``unknown``
    (the dev-gold convention) with score ``1 - best strategy score``.
    """

    name = "nastype-hybrid-v1"
    section = "nas_types"
    kind = "nas_type"
    cue_k = 1.5
    use_context = False  # a named search strategy counts wherever it is named
    emb_weight = 0.25
    sim_lo, sim_hi = 0.05, 0.3
    second_weight = 0.3

    def propose(self, doc: Document, context: ProposalContext | None = None) -> list[Proposal]:
        context = context or ProposalContext()
        scored = self.score_document(doc, context)
        proposals = []
        for sc in scored:
            if sc.score >= context.threshold(self.kind, sc.key):
                rationale = ("cues: " + ", ".join(repr(h) for h in sc.hits)) if sc.hits else None
                proposals.append(make_proposal(self, doc, self.kind, iri_for(self.kind, sc.key),
                                               self.space.labels[sc.key], sc.score, sc.sentence,
                                               rationale=rationale))
        best = max((sc.score for sc in scored), default=0.0)
        unknown = 1.0 - best
        if unknown >= context.threshold(self.kind, "unknown"):
            sent = _nas_sentence(doc)
            if sent is not None:
                proposals.append(make_proposal(self, doc, self.kind, iri_for(self.kind, "unknown"),
                                               "Unknown (not named)", unknown, sent,
                                               rationale="searches architectures; no search strategy named"))
        return sorted(proposals, key=lambda p: -p.score)


class NasTypeRules(NasTypeHybrid):
    name = "nastype-rules-v1"
    use_embeddings = False
    default_enabled = False


def _nas_sentence(doc: Document) -> Sentence | None:
    import re

    pat = re.compile(r"\b(architecture search|NAS|search(es|ing)? (for )?(an? )?(neural )?architectures?|"
                     r"model search|architecture design)\b", re.I)
    sents = ensure_sentences(doc)
    body = [s for s in sents if not is_title(doc, s)] or sents
    for s in body:
        if pat.search(s.text):
            return s
    return None

"""NAS-type proposers: a named search strategy is lexical, so cues decide and similarity only nudges.

``nastype-hybrid-v2`` (default) reads full text by section like the challenge v2 proposers;
``nastype-rules-v2`` is cues only; the v1 names stay registered (not default) for reproducibility.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pipeline.document import Document, Proposal, Sentence
from pipeline.propose.base import PROPOSERS, ProposalContext, ensure_sentences, iri_for, is_title, make_proposal
from pipeline.propose.codes import CodeProposer
from pipeline.propose.structure import ROLE_WEIGHTS, locate

if TYPE_CHECKING:
    from spacy.tokens import Doc


@PROPOSERS.register
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
    default_enabled = False  # superseded by nastype-hybrid-v2

    def propose(self, doc: Document, context: ProposalContext | None = None,
                parses: Mapping[str, Doc] | None = None) -> list[Proposal]:
        context = context or ProposalContext()
        scored = self.score_document(doc, context, parses)
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
            sent = _nas_sentence(doc, skip_junk=self.structure_aware)
            if sent is not None:
                proposals.append(make_proposal(self, doc, self.kind, iri_for(self.kind, "unknown"),
                                               "Unknown (not named)", unknown, sent,
                                               rationale="searches architectures; no search strategy named"))
        return sorted(proposals, key=lambda p: -p.score)


@PROPOSERS.register
class NasTypeRules(NasTypeHybrid):
    name = "nastype-rules-v1"
    use_embeddings = False
    default_enabled = False


@PROPOSERS.register
class NasTypeHybridV2(NasTypeHybrid):
    """v2: the paper's own search strategy. Method sections count fully; related work,
    experiments (baselines) and statements about cited work count little."""

    name = "nastype-hybrid-v2"
    structure_aware = True
    # the introduction surveys other methods; the paper's own strategy is named in the
    # title/abstract, the method sections or the conclusion
    role_weights = {**ROLE_WEIGHTS, "intro": 0.7, "experiments": 0.5, "related": 0.2, "front": 0.3}
    key_roles = frozenset({"title", "abstract", "method", "conclusion"})
    cite_discount = 0.5
    foreign_discount = 0.5  # "unlike existing methods", "one category of NAS is ..."
    default_enabled = True


@PROPOSERS.register
class NasTypeRulesV2(NasTypeHybridV2):
    name = "nastype-rules-v2"
    use_embeddings = False
    default_enabled = False


def _nas_sentence(doc: Document, skip_junk: bool = False) -> Sentence | None:
    pat = re.compile(r"\b(architecture search|NAS|search(es|ing)? (for )?(an? )?(neural )?architectures?|"
                     r"model search|architecture design)\b", re.I)
    sents = ensure_sentences(doc)
    body = [s for s in sents if not is_title(doc, s)] or sents
    if skip_junk:
        body = [loc.sentence for loc in locate(doc)
                if loc.role not in ("title", "junk", "related", "front")] or body
    for s in body:
        if pat.search(s.text):
            return s
    return None

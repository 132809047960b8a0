"""Challenge and NAS-type proposers: weighted cues + exemplar similarity -> 0..1 score.

``challenge-hybrid-v4`` (the default, module ``challenge_v4``) adds what the parse says about
each abstract sentence (``parse_evidence``: role and challenge frames). ``challenge-hybrid-v3``
weighs each abstract sentence by its rhetorical role (``roles``: goal, problem statement,
background, result). ``challenge-hybrid-v2``, ``challenge-rules-v2`` (cues only) and
``challenge-embed-v2`` (similarity only) share one implementation and differ in two weights;
the NAS-type proposers (module ``nas_types``) share it too. The v2 proposers read full text by
section (see ``structure``); on title + abstract they score exactly like the v1 names, which
stay registered (not default) for reproducibility.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pipeline.document import Document, Proposal, Sentence
from pipeline.propose.base import (
    PROPOSERS,
    DocumentMemo,
    ProposalContext,
    Proposer,
    ensure_sentences,
    iri_for,
    is_title,
    make_proposal,
)
from pipeline.propose.roles import sentence_roles
from pipeline.propose.scoring import CodeSpace, exemplar_similarity, noisy_or, p_from_cues
from pipeline.propose.structure import KEY_ROLES, ROLE_WEIGHTS, Located, first_person, is_full_text, locate

if TYPE_CHECKING:
    from spacy.tokens import Doc

_FEDERATED = re.compile(r"\bfederated\b|(?-i:\bFL\b)|\bFedAvg\b", re.I)


_FOREIGN = re.compile(
    r"\b(existing|conventional|prior|previous|traditional|other|most|many|popular|typical|"
    r"representative) (nas |search |sampling-based |federated )?(methods|approaches|works|"
    r"algorithms|techniques|strategies|frameworks)\b|\bunlike\b|\b(categor(y|ies)|famil(y|ies)|class(es)?) "
    r"of (nas|methods|approaches)\b|\bcompared (to|with)\b|\bbaselines?\b|\bapplicable to other\b", re.I)


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
    # full-text reading (v2): role weights, key roles, support from several sentences
    structure_aware = False
    role_weights = {**ROLE_WEIGHTS, "intro": 0.85}
    key_roles = KEY_ROLES
    cite_discount = 0.75  # a statement about cited work, not the paper's own
    foreign_discount = 1.0  # statements about other methods (NAS types only)
    key_floor = 0.45  # a key-role sentence decides alone only when it is this strong
    support_floor = 0.5  # a supporting sentence must be at least this good (after weighting)
    support_n = 3
    support_weight = 0.22  # outside key roles, three strong sentences are needed to pass

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
    def score_document(self, doc: Document, context: ProposalContext,
                       parses: Mapping[str, Doc] | None = None) -> list[Scored]:
        """Per code: the document's score and best sentence. ``parses``: the sentences' parses by
        text when the caller made them already (ingest's batch), else they are parsed here if needed."""
        located: list[Located] = locate(doc) if self.structure_aware else []
        full = bool(located) and is_full_text(located)
        if full:
            located = [loc for loc in located if loc.role != "junk"]
            sents = [loc.sentence for loc in located]
        else:
            sents = [s for s in ensure_sentences(doc) if s.text.strip()]
        space = self.space
        n, k = len(sents), len(space.keys)
        if n == 0:
            return []
        p_lex = np.zeros((n, k))
        hits: dict[tuple[int, int], list[str]] = {}
        if self.use_cues:
            roles, frames = self.parse_evidence(doc, sents, parses) if not full else (None, None)
            for i, s in enumerate(sents):
                mult = space.context.multiplier(s.text, title=is_title(doc, s), role=roles[i] if roles else None) \
                    if self.use_context else 1.0
                for j, (strength, found) in enumerate(space.cue_row(s.text)):
                    key, h = space.keys[j], list(found)
                    if frames and key in frames[i] and frames[i][key][0] > strength:  # the parse's frame
                        strength, h = frames[i][key][0], [*h, frames[i][key][1]]
                    if strength:
                        p_lex[i, j] = p_from_cues(strength, mult, self.cue_k)
                        hits[(i, j)] = h
        p_emb = np.zeros((n, k))
        damp = np.ones((n, k))
        curated = context.exemplars_for(self.kind)
        if self.use_embeddings or curated:
            emb = context.get_embedder()
            rows = np.arange(n)
            if full and not curated and self.use_cues:
                # similarity alone (<= emb_weight) cannot make a supporting sentence outside the
                # key roles: embed only key-role sentences and sentences with a cue (speed)
                rows = np.array([i for i, loc in enumerate(located)
                                 if loc.role in KEY_ROLES or p_lex[i].any()], dtype=np.int64)
            if len(rows):
                vecs = emb.encode([sents[i].text for i in rows])
                proto, acc, rej, base = exemplar_similarity(vecs, emb, space, curated)
                pe = np.zeros((len(rows), k))
                if self.use_embeddings:
                    margin = proto - base
                    pe = self.emb_weight * np.clip((margin - self.sim_lo) / (self.sim_hi - self.sim_lo), 0, 1)
                p_cur = self.cur_weight * np.clip((acc - self.cur_lo) / (self.cur_hi - self.cur_lo), 0, 1)
                p_emb[rows] = 1 - (1 - pe) * (1 - p_cur)
                # nearest exemplar is a rejection of this code: discount
                closer_to_rejected = (rej >= self.cur_lo) & (rej > acc)
                damp[rows] = np.where(closer_to_rejected, 1 - np.clip((rej - self.cur_lo) / (self.cur_hi - self.cur_lo), 0, 1) * 0.8, 1.0)  # noqa: E501
        sent_scores = (1 - (1 - p_lex) * (1 - p_emb)) * damp
        if full:
            return self._aggregate_full_text(doc, located, sent_scores, hits)
        weights = self.sentence_weights(doc, sents)
        if weights is not None:
            sent_scores = sent_scores * weights[:, None]
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

    def cannot_pass(self, doc: Document, context: ProposalContext) -> bool:
        """True when no challenge of a title + abstract record can reach its threshold: a record
        that never names the federated setting has every score damped to at most
        ``non_fl_factor``, so scoring (and parsing) it would give no proposal."""
        if self.kind != "challenge":
            return False
        if any(context.threshold(self.kind, k) <= self.non_fl_factor for k in self.space.keys):
            return False
        memo = self.__dict__.setdefault("_unfederated_memo", DocumentMemo(4096))
        return memo.get(doc, self._unfederated)

    def _unfederated(self, doc: Document) -> bool:
        located = locate(doc) if self.structure_aware else []
        sents = [s for s in ensure_sentences(doc) if s.text.strip()]
        return not (located and is_full_text(located)) and \
            not self.space.context.is_federated(doc.text or " ".join(s.text for s in sents))

    def parse_evidence(self, doc: Document, sents: list[Sentence],
                       parses: Mapping[str, Doc] | None = None) -> tuple[list | None, list | None]:
        """Per sentence of a title + abstract record: rhetorical role and challenge frames read
        from the parse (None, None: this proposer reads words only)."""
        return None, None

    def sentence_weights(self, doc: Document, sents: list[Sentence]) -> np.ndarray | None:
        """Per-sentence weight of the evidence on title + abstract records (None: all alike)."""
        return None

    def _aggregate_full_text(self, doc: Document, located: list[Located], sent_scores: np.ndarray,
                             hits: dict) -> list[Scored]:
        """Document scores from full text: sentences weighted by where they sit.

        A code is supported by its best sentence in a key role (abstract, introduction,
        conclusion; for NAS types also the method sections) or by several independent
        supporting sentences elsewhere; background (related work) and cited statements count
        little, reference entries and captions not at all (they were removed before).
        """
        roles = [loc.role for loc in located]
        w = np.array([self.role_weights.get(r, 0.5) for r in roles])
        cited = np.array([loc.cited and not first_person(loc.sentence.text) for loc in located])
        w = np.where(cited, w * self.cite_discount, w)
        if self.foreign_discount < 1.0:
            foreign = np.array([bool(_FOREIGN.search(loc.sentence.text)) for loc in located])
            w = np.where(foreign, w * self.foreign_discount, w)
        weighted = sent_scores * w[:, None]
        key = np.array([r in self.key_roles for r in roles])
        federated = self._federated_full_text(doc, located)
        out = []
        for j, key_name in enumerate(self.space.keys):
            col = weighted[:, j]
            key_col = np.where(key, col, 0.0)
            kbest = int(np.argmax(key_col)) if key.any() else -1
            key_best = float(key_col[kbest]) if kbest >= 0 else 0.0
            if key_best < self.key_floor:  # a weak key-role mention is only one more supporter
                key_best, kbest = 0.0, -1
            rest = np.sort(np.delete(col, kbest) if kbest >= 0 else col)[::-1]
            rest = rest[rest >= self.support_floor][: self.support_n]
            support = noisy_or(*(self.support_weight * float(v) for v in rest))
            score = noisy_or(key_best, support)
            if self.kind == "challenge" and not federated:
                score *= self.non_fl_factor
            best = kbest if kbest >= 0 and key_best >= float(col.max()) * 0.8 else int(np.argmax(col))
            out.append(Scored(key_name, score, located[best].sentence, hits.get((best, j), [])))
        return out

    def _federated_full_text(self, doc: Document, located: list[Located]) -> bool:
        """A full paper is about FL when its title/abstract say so, or several of its own
        (non-background) sentences do; one 'clients' or 'distributed training' is not enough."""
        ctx = self.space.context
        own = [loc for loc in located if loc.role not in ("related", "junk", "front")]
        head = [loc for loc in own if loc.role in ("title", "abstract")]
        if head and any(ctx.is_federated(loc.sentence.text) for loc in head) and \
                any(_FEDERATED.search(loc.sentence.text) for loc in own):
            return True
        return sum(1 for loc in own if _FEDERATED.search(loc.sentence.text)) >= 5

    def propose(self, doc: Document, context: ProposalContext | None = None,
                parses: Mapping[str, Doc] | None = None) -> list[Proposal]:
        context = context or ProposalContext()
        proposals: list[Proposal] = []
        if self.cannot_pass(doc, context):
            return proposals
        for sc in self.score_document(doc, context, parses):
            if sc.score >= context.threshold(self.kind, sc.key):
                rationale = ("cues: " + ", ".join(repr(h) for h in sc.hits)) if sc.hits else None
                proposals.append(make_proposal(self, doc, self.kind, iri_for(self.kind, sc.key),
                                               self.space.labels[sc.key], sc.score, sc.sentence,
                                               rationale=rationale))
        return sorted(proposals, key=lambda p: -p.score)


@PROPOSERS.register
class ChallengeHybrid(CodeProposer):
    """v1: every sentence counts alike (tuned on title + abstract). Kept for reproducibility."""

    name = "challenge-hybrid-v1"
    default_enabled = False


@PROPOSERS.register
class ChallengeRules(CodeProposer):
    name = "challenge-rules-v1"
    use_embeddings = False
    default_enabled = False


@PROPOSERS.register
class ChallengeEmbed(CodeProposer):
    name = "challenge-embed-v1"
    use_cues = False
    emb_weight = 1.0
    default_enabled = False


@PROPOSERS.register
class ChallengeHybridV2(ChallengeHybrid):
    """v2: reads full text by section (identical to v1 on title + abstract records)."""

    name = "challenge-hybrid-v2"
    structure_aware = True
    default_enabled = False  # superseded by challenge-hybrid-v4 (same on full text; reads the parse on abstracts)


@PROPOSERS.register
class ChallengeHybridV3(ChallengeHybridV2):
    """v3: on title + abstract, a sentence's evidence is weighted by its rhetorical role
    (``roles``: the paper's goal or a problem statement counts fully, the field-setting opening
    and results sentences less), read from the dependency parse, so a challenge mentioned only
    as background no longer decides. Full text reads by section as v2."""

    name = "challenge-hybrid-v3"
    default_enabled = False  # opt in with --proposers challenge-hybrid-v3
    model_version = "3"

    def sentence_weights(self, doc: Document, sents: list[Sentence]) -> np.ndarray | None:
        title = next((i for i, s in enumerate(sents) if is_title(doc, s)), None)
        return np.array([r.weight for r in sentence_roles([s.text for s in sents], title)])


@PROPOSERS.register
class ChallengeRulesV2(ChallengeRules):
    name = "challenge-rules-v2"
    structure_aware = True


@PROPOSERS.register
class ChallengeEmbedV2(ChallengeEmbed):
    name = "challenge-embed-v2"
    structure_aware = True

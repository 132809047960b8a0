"""Leave-one-out over the cue lexicon: what the lexicon would score without the held-out paper.

The cue lexicon (``corpus/proposer_lexicon.json``) was written after reading the development
abstracts, so a cue may exist only because one of them uses that wording; such a cue cannot be
expected to fire on an unseen paper. ``loo-lexicon`` estimates generalisation honestly: for
each held-out paper, every cue pattern (code cues and the sentence-context patterns) that
matches in that paper but in no other gold paper and nowhere in the Table 1.1 definitions
(every label, assumption, reality and definition in ``corpus/challenges.ttl`` and
``corpus/nas_types.ttl``) is dropped, curation exemplars
quoting the held-out paper are dropped, and the paper is proposed at the default thresholds.
A cue shared by two papers, or one the definitions themselves license, is kept: it was not
fitted to a single abstract.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from pipeline.propose.base import ProposalContext, Proposer, document_from_record, ensure_sentences, load_lexicon

_CORPUS = Path(__file__).resolve().parents[2] / "corpus"
_SECTIONS = ("challenges", "nas_types")
_CONTEXT_LISTS = ("motivation", "background", "results", "fl_setting")
_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"(?:@en)?')


@lru_cache(maxsize=1)
def definition_texts() -> tuple[str, ...]:
    """Every literal of the challenge and NAS-type schemes (labels, assumptions, realities,
    definitions): text a cue may legitimately be written from. The lexicon's own
    ``definition`` fields are not included: they were written after reading the dev abstracts."""
    out: list[str] = []
    for name in ("challenges.ttl", "nas_types.ttl"):
        path = _CORPUS / name
        if path.is_file():
            out += [m.group(1) for m in _LITERAL.finditer(path.read_text(encoding="utf-8"))]
    return tuple(t for t in out if t.strip())


def _pattern(entry) -> str:
    return entry if isinstance(entry, str) else entry[0]


def paper_sentences(records) -> list[list[str]]:
    """Sentences of each gold record as the proposers see it (title + abstract)."""
    out = []
    for rec in records:
        doc = document_from_record({"title": rec.title, "abstract": rec.abstract, "id": rec.id})
        out.append([s.text for s in ensure_sentences(doc) if s.text.strip()])
    return out


def single_paper_cues(sentences: Sequence[Sequence[str]], lexicon: dict | None = None,
                      definitions: Sequence[str] | None = None) -> dict[int, set[tuple[str, str, str]]]:
    """Per paper index: the cues that match only in that paper and not in the definitions, as
    ``(section, code or context list, pattern)``."""
    lex = lexicon or load_lexicon()
    defs = definition_texts() if definitions is None else definitions
    groups: list[tuple[str, str, list]] = [(sec, key, entry.get("cues", []))
                                           for sec in _SECTIONS for key, entry in lex.get(sec, {}).items()]
    groups += [("context", name, lex["context"].get(name, [])) for name in _CONTEXT_LISTS]
    out: dict[int, set[tuple[str, str, str]]] = {i: set() for i in range(len(sentences))}
    for sec, key, cues in groups:
        for entry in cues:
            pat = re.compile(_pattern(entry), re.I)
            if any(pat.search(d) for d in defs):
                continue
            where = [i for i, sents in enumerate(sentences) if any(pat.search(s) for s in sents)]
            if len(where) == 1:
                out[where[0]].add((sec, key, _pattern(entry)))
    return out


def ablated_lexicon(drop: set[tuple[str, str, str]], lexicon: dict | None = None) -> dict:
    """A copy of the lexicon without the given cues."""
    lex = copy.deepcopy(lexicon or load_lexicon())
    for sec, key, pat in drop:
        holder = lex["context"] if sec == "context" else lex[sec][key]
        name = key if sec == "context" else "cues"
        holder[name] = [e for e in holder[name] if _pattern(e) != pat]
    return lex


def with_lexicon(props: Sequence[Proposer], lexicon: dict) -> list[Proposer]:
    """Fresh instances of the cue-based proposers reading ``lexicon``; others unchanged."""
    from pipeline.propose.codes import CodeProposer
    from pipeline.propose.scoring import CodeSpace

    out: list[Proposer] = []
    for p in props:
        if isinstance(p, CodeProposer):
            q = type(p)()
            q._space = CodeSpace(q.section, lexicon=lexicon)
            out.append(q)
        else:
            out.append(p)
    return out


def loo_lexicon(records, props, context: ProposalContext, thr: dict, kinds, score_all, count) -> dict:
    """The ``loo-lexicon`` rows (see module docstring); ``score_all``/``count`` are the
    evaluator's scoring and counting functions."""
    sentences = paper_sentences(records)
    drops = single_paper_cues(sentences)
    fold_scores = []
    for i, rec in enumerate(records):
        held = " ".join(sentences[i])
        ex = [e for e in context.exemplars if e.text not in held]
        ctx = ProposalContext(codebook=context.codebook, exemplars=ex, cache_dir=context.cache_dir,
                              embedder=context.embedder)
        fold_props = with_lexicon(props, ablated_lexicon(drops[i])) if drops[i] else list(props)
        fold_scores.append(score_all([rec], fold_props, ctx)[0])
        context.embedder = ctx.embedder
    out = {}
    for kind in kinds:
        rep = count(records, fold_scores, kind, lambda i, c, kind=kind: thr.get(c, thr[kind]))
        rep.threshold = thr[kind]
        out[kind] = rep
    return out

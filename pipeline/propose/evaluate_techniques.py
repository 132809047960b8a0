"""Technique open codes, measured against hand-coded techniques (``techniques.jsonl``).

A gold technique is a label, a verbatim evidence clause and the challenges it is tied to.
Measured at the sentence level, the way a reviewer reads a proposal list:

* **recall**: gold techniques whose sentence a proposal's evidence touches;
* **precision**: proposals whose evidence touches the sentence of some gold technique;
* **label length**: median words of the proposals' labels;
* **label closeness**: for each recalled gold technique, the best embedding cosine between its
  gold label and the labels of the proposals on its sentence (mean over recalled techniques).

``loo-threshold`` picks each held-out paper's threshold on the other papers (best F1, ties to
the lower threshold); development figures are the fixed default threshold.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.document import Proposal
from pipeline.errors import InputError
from pipeline.propose.base import DEFAULT_THRESHOLDS, ProposalContext, Proposer, document_from_record
from pipeline.propose.nlp import split_sentences

DEFAULT_TECHNIQUE_PROPOSER = "technique-open-v3"


@dataclass(frozen=True)
class GoldTechnique:
    label: str
    evidence: str
    challenges: tuple[str, ...] = ()


@dataclass
class TechniqueFigures:
    """What one run of the technique proposer scored against the gold techniques."""

    gold: int = 0
    recalled: int = 0
    proposals: int = 0
    on_gold: int = 0
    label_words: list[int] = field(default_factory=list)
    closeness: list[float] = field(default_factory=list)
    threshold: float | None = None

    @property
    def recall(self) -> float:
        return round(self.recalled / self.gold, 4) if self.gold else 0.0

    @property
    def precision(self) -> float:
        return round(self.on_gold / self.proposals, 4) if self.proposals else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return round(2 * p * r / (p + r), 4) if p + r else 0.0

    @property
    def median_label_words(self) -> float:
        return float(statistics.median(self.label_words)) if self.label_words else 0.0

    @property
    def label_closeness(self) -> float:
        return round(sum(self.closeness) / len(self.closeness), 4) if self.closeness else 0.0

    def add(self, other: TechniqueFigures) -> None:
        self.gold += other.gold
        self.recalled += other.recalled
        self.proposals += other.proposals
        self.on_gold += other.on_gold
        self.label_words += other.label_words
        self.closeness += other.closeness

    def to_dict(self) -> dict:
        return {**{k: v for k, v in asdict(self).items() if k not in ("label_words", "closeness")},
                "recall": self.recall, "precision": self.precision, "f1": self.f1,
                "median_label_words": self.median_label_words, "label_closeness": self.label_closeness}


def load_technique_gold(path: str | Path, n_records: int, covered: bool = False):
    """Per gold record (joined by ``idx``): its hand-coded techniques; with ``covered``, also the
    set of record indices the file codes (records without a line are not measured)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"technique gold file not found: {path}", hint="give techniques.jsonl (see dev-gold README)")
    out: list[list[GoldTechnique]] = [[] for _ in range(n_records)]
    seen: set[int] = set()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"{path} line {n}: not JSON ({e.msg})") from e
            idx = row.get("idx", n - 1)
            if not isinstance(idx, int) or not 0 <= idx < n_records:
                raise InputError(f"{path} line {n}: idx {idx!r} has no record in the gold file")
            seen.add(idx)
            for t in row.get("techniques") or []:
                if not t.get("label") or not t.get("evidence"):
                    raise InputError(f"{path} line {n}: a technique needs 'label' and 'evidence'")
                out[idx].append(GoldTechnique(t["label"], t["evidence"], tuple(t.get("challenges") or ())))
    return (out, seen) if covered else out


def gold_sentences(text: str, gold: Sequence[GoldTechnique]) -> list[tuple[int, int] | None]:
    """The sentence span holding each gold technique's evidence (None when the quote is not found)."""
    spans = split_sentences(text)
    out: list[tuple[int, int] | None] = []
    for g in gold:
        at = text.find(g.evidence)
        if at < 0:
            out.append(None)
            continue
        out.append(next(((s, e) for s, e in spans if s <= at < e), (at, at + len(g.evidence))))
    return out


def score_paper(text: str, gold: Sequence[GoldTechnique], proposals: Sequence[Proposal], embedder=None,
                threshold: float = 0.0) -> TechniqueFigures:
    """Sentence-level figures of one paper's technique proposals (at or above ``threshold``)."""
    props = [p for p in proposals if p.kind == "technique" and p.score >= threshold]
    sents = gold_sentences(text, gold)
    fig = TechniqueFigures(gold=len(gold), proposals=len(props), label_words=[len(p.label.split()) for p in props])

    def touches(p: Proposal, span) -> bool:
        return span is not None and p.start < span[1] and span[0] < p.end

    fig.on_gold = sum(1 for p in props if any(touches(p, s) for s in sents))
    for g, span in zip(gold, sents):
        hits = [p for p in props if touches(p, span)]
        if not hits:
            continue
        fig.recalled += 1
        if embedder is not None:
            vecs = embedder.encode([g.label] + [p.label for p in hits])
            fig.closeness.append(round(float((vecs[1:] @ vecs[0]).max()), 4))
    return fig


def run_proposer(records, proposer: Proposer, context: ProposalContext) -> list[list[Proposal]]:
    """Every technique proposal (threshold 0) per gold record, for threshold sweeps."""
    ctx = ProposalContext(codebook=context.codebook, exemplars=context.exemplars, cache_dir=context.cache_dir,
                          embedder=context.embedder, thresholds={**context.thresholds, "technique": 0.0})
    out = []
    for rec in records:
        doc = document_from_record({"title": rec.title, "abstract": rec.abstract, "id": rec.id})
        out.append([p for p in proposer.propose(doc, ctx) if p.kind == "technique"])
        context.embedder = ctx.embedder
    return out


def paper_text(rec) -> str:
    return document_from_record({"title": rec.title, "abstract": rec.abstract}).text


def technique_figures(records, gold: list[list[GoldTechnique]], proposer: Proposer,
                      context: ProposalContext, threshold: float | None = None,
                      cross_validate: bool = True) -> dict[str, TechniqueFigures]:
    """``development`` (default threshold) and, with ``cross_validate``, ``loo-threshold`` figures."""
    thr = DEFAULT_THRESHOLDS["technique"] if threshold is None else threshold
    if isinstance(gold, tuple):  # (techniques, covered): measure only the coded records
        gold, seen = gold
        keep = sorted(seen)
        records, gold = [records[i] for i in keep], [gold[i] for i in keep]
    props = run_proposer(records, proposer, context)
    emb = context.get_embedder()
    texts = [paper_text(r) for r in records]
    per = [[score_paper(t, g, p, None, th) for t, g, p in zip(texts, gold, props)]
           for th in _GRID]
    out = {"development": _total(texts, gold, props, emb, [thr] * len(records))}
    out["development"].threshold = thr
    if cross_validate and len(records) > 2:
        chosen = []
        for i in range(len(records)):
            best, best_f = thr, -1.0
            for th, figs in zip(_GRID, per):
                agg = TechniqueFigures()
                for j, f in enumerate(figs):
                    if j != i:
                        agg.add(f)
                if agg.f1 > best_f + 1e-9:
                    best, best_f = th, agg.f1
            chosen.append(best)
        out["loo-threshold"] = _total(texts, gold, props, emb, chosen)
        out["loo-threshold"].threshold = round(sum(chosen) / len(chosen), 3)
    return out


_GRID = [round(0.05 * i, 2) for i in range(6, 19)]


def _total(texts, gold, props, emb, thresholds) -> TechniqueFigures:
    total = TechniqueFigures()
    for t, g, p, th in zip(texts, gold, props, thresholds):
        total.add(score_paper(t, g, p, emb, th))
    return total


def format_technique_figures(figs: dict[str, TechniqueFigures]) -> str:
    lines = ["== technique (open codes, sentence level)",
             f"  {'':<18}{'gold':>5}{'found':>6}{'props':>6}{'P':>7}{'R':>7}{'F1':>7}{'words':>7}{'close':>7}"]
    for name, f in figs.items():
        lines.append(f"  {name:<18}{f.gold:>5}{f.recalled:>6}{f.proposals:>6}{f.precision:>7.2f}{f.recall:>7.2f}"
                     f"{f.f1:>7.2f}{f.median_label_words:>7.1f}{f.label_closeness:>7.2f}")
    return "\n".join(lines) + "\n"

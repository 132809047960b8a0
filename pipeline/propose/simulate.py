"""``fedatlas evaluate GOLD --simulate``: a replayed review, like ASReview's simulation mode.

The reviewer codes the gold papers one by one in a fixed random order. After ``n`` coded papers
every decision so far becomes a curation exemplar: the gold challenge evidence and the gold
technique clauses (with their edited labels) are *accepted*, the proposals the reviewer would
have turned down on those papers (codes not in the gold, technique proposals off every gold
technique sentence) are *rejected*. The papers not yet coded are then proposed with that
context and scored. The learning curve is micro F1 and recall of challenges (and, with a
technique gold, sentence-level F1 and recall of technique open codes) after 0, 2, 5, 10 coded
papers, averaged over ``orders`` random orders. Steps that leave no paper uncoded are skipped.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.propose.base import DEFAULT_THRESHOLDS, Exemplar, ProposalContext, document_from_record
from pipeline.propose.evaluate import DEFAULT_EVAL_PROPOSERS, _count, _score_all, load_gold
from pipeline.propose.evaluate_techniques import (
    DEFAULT_TECHNIQUE_PROPOSER,
    TechniqueFigures,
    gold_sentences,
    load_technique_gold,
    paper_text,
    score_paper,
)

DEFAULT_STEPS = (0, 2, 5, 10)


@dataclass
class CurvePoint:
    coded: int
    challenge_f1: float
    challenge_recall: float
    technique_f1: float | None = None
    technique_recall: float | None = None
    orders: int = 0
    held_out: float = 0.0  # mean number of uncoded papers scored


@dataclass
class LearningCurve:
    gold: list[str]
    n_papers: int
    orders: int
    points: list[CurvePoint] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"gold": self.gold, "n_papers": self.n_papers, "orders": self.orders,
                "points": [vars(p) for p in self.points]}


def _exemplars(rec, tech_gold, chal_scores, tech_props, thr: dict[str, float]) -> list[Exemplar]:
    """The decisions a reviewer makes while coding one paper, as curation exemplars."""
    out = [Exemplar("challenge", code, rec.evidence[code], True) for code in rec.labels["challenge"]
           if rec.evidence.get(code)]
    for code, (score, evidence) in chal_scores.get("challenge", {}).items():
        if score >= thr.get(code, thr["challenge"]) and code not in rec.labels["challenge"] and evidence:
            out.append(Exemplar("challenge", code, evidence, False))
    if tech_gold is not None:
        out += [Exemplar("technique", "new", f"{g.label}: {g.evidence}", True) for g in tech_gold]
        spans = [s for s in gold_sentences(paper_text(rec), tech_gold) if s is not None]
        for p in tech_props:
            if p.score >= thr["technique"] and not any(p.start < e and s < p.end for s, e in spans):
                out.append(Exemplar("technique", "new", f"{p.label}: {p.evidence}", False))
    return out


def simulate_review(gold_paths: str | Path | Sequence[str | Path], techniques: str | Path | None = None,
                    orders: int = 5, steps: Sequence[int] = DEFAULT_STEPS, thresholds: dict | None = None,
                    seed: int = 0, context: ProposalContext | None = None) -> LearningCurve:
    """The learning curve of a replayed review (see the module docstring)."""
    from pipeline.propose import get_proposer

    paths = [gold_paths] if isinstance(gold_paths, (str, Path)) else list(gold_paths)
    records = [r for p in paths for r in load_gold(p)]
    thr = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    tech = load_technique_gold(techniques, len(records), covered=True) if techniques else None
    chal_props = [get_proposer(DEFAULT_EVAL_PROPOSERS[0])]
    tech_prop = get_proposer(DEFAULT_TECHNIQUE_PROPOSER) if tech else None
    base = context or ProposalContext()
    emb = base.get_embedder()

    def run(idx: list[int], ctx: ProposalContext):
        recs = [records[i] for i in idx]
        chal = _score_all(recs, chal_props, ctx)
        techs: list[list] = []
        for rec in recs:
            if tech_prop is None:
                techs.append([])
                continue
            doc = document_from_record({"title": rec.title, "abstract": rec.abstract, "id": rec.id})
            tctx = ProposalContext(codebook=ctx.codebook, exemplars=ctx.exemplars, embedder=emb,
                                   thresholds={"technique": 0.0, "challenge": thr["challenge"]})
            techs.append(tech_prop.propose(doc, tctx))
        return chal, techs

    # decisions on a paper do not depend on the order: what the reviewer saw with no curation
    first_chal, first_tech = run(list(range(len(records))), ProposalContext(codebook=base.codebook, embedder=emb))
    decisions = [_exemplars(records[i], tech[0][i] if tech and i in tech[1] else None, first_chal[i],
                            first_tech[i], thr) for i in range(len(records))]
    curve = LearningCurve(gold=[str(p) for p in paths], n_papers=len(records), orders=orders)
    sums: dict[int, list] = {}
    rng = random.Random(seed)
    for _ in range(orders):
        order = list(range(len(records)))
        rng.shuffle(order)
        for n in steps:
            if n >= len(records):
                continue
            coded, held = order[:n], order[n:]
            ctx = ProposalContext(codebook=base.codebook, embedder=emb,
                                  exemplars=[e for i in coded for e in decisions[i]])
            if n == 0:
                chal, techs = [first_chal[i] for i in held], [first_tech[i] for i in held]
            else:
                chal, techs = run(held, ctx)
            rep = _count([records[i] for i in held], chal, "challenge",
                         lambda i, c: thr.get(c, thr["challenge"]))
            tf = TechniqueFigures()
            if tech:
                for i, props in zip(held, techs):
                    if i in tech[1]:
                        tf.add(score_paper(paper_text(records[i]), tech[0][i], props, None, thr["technique"]))
            sums.setdefault(n, []).append((rep.micro.f1, rep.micro.recall, tf.f1, tf.recall, len(held)))
    for n in steps:
        rows = sums.get(n)
        if not rows:
            continue
        k = len(rows)
        mean = [sum(r[j] for r in rows) / k for j in range(5)]
        curve.points.append(CurvePoint(n, round(mean[0], 4), round(mean[1], 4),
                                       round(mean[2], 4) if tech else None, round(mean[3], 4) if tech else None,
                                       orders=k, held_out=round(mean[4], 2)))
    return curve


def format_curve(curve: LearningCurve) -> str:
    lines = [f"simulated review: {', '.join(curve.gold)}  ({curve.n_papers} papers, {curve.orders} orders)",
             f"  {'coded':>5}{'held-out':>10}{'chal F1':>9}{'chal R':>8}{'tech F1':>9}{'tech R':>8}"]
    for p in curve.points:
        t1 = f"{p.technique_f1:>9.2f}" if p.technique_f1 is not None else f"{'-':>9}"
        t2 = f"{p.technique_recall:>8.2f}" if p.technique_recall is not None else f"{'-':>8}"
        lines.append(f"  {p.coded:>5}{p.held_out:>10.1f}{p.challenge_f1:>9.2f}{p.challenge_recall:>8.2f}{t1}{t2}")
    return "\n".join(lines) + "\n"


def plot_curve(curve: LearningCurve, path: str | Path) -> Path:
    """The learning curve as a PNG (matplotlib, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [p.coded for p in curve.points]
    fig, ax = plt.subplots(figsize=(5.5, 3.6), dpi=120)
    ax.plot(xs, [p.challenge_f1 for p in curve.points], "o-", label="challenges F1")
    ax.plot(xs, [p.challenge_recall for p in curve.points], "o--", label="challenges recall")
    if curve.points and curve.points[0].technique_f1 is not None:
        ax.plot(xs, [p.technique_f1 or 0.0 for p in curve.points], "s-", label="techniques F1")
        ax.plot(xs, [p.technique_recall or 0.0 for p in curve.points], "s--", label="techniques recall")
    ax.set_xlabel("papers coded by the reviewer")
    ax.set_ylabel("score on the papers not yet coded")
    ax.set_ylim(0, 1.05)
    ax.set_xticks(xs)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(f"Simulated review ({curve.n_papers} papers, {curve.orders} orders)", fontsize=9)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path

"""Proposal quality, measured: precision/recall/F1 against a gold file of hand-coded papers.

Simulation mode, like ASReview's: each gold paper is turned into a Document of title +
abstract, the proposers score it, and the codes at or above the threshold are compared
with the gold lists. Reported per code and as micro/macro averages per kind, plus two
leave-one-out figures so the numbers are not only fit-on-dev:

* ``loo-threshold``: for each held-out paper the threshold of each kind is chosen on the
  other papers (best micro-F1, ties to the lower, recall-favouring threshold);
* ``loo-curation``: a simulated review: the other papers' gold evidence is *accepted*
  and their false-positive proposals *rejected* as curation exemplars, then the held-out
  paper is proposed with that context at the default thresholds;
* ``loo-lexicon``: the held-out paper is proposed without the cues that match only in it
  (and not in the Table 1.1 definitions), i.e. without what could only have been fitted to
  it (:mod:`pipeline.propose.evaluate_lexicon`): the estimate closest to an unseen paper.

Gold formats: one JSONL with ``title``, ``abstract``, ``challenges``, ``nas_types`` per line
(``corpus/gold/seeds.jsonl``), or a ``gold.jsonl`` whose records lack the text, joined by
``idx`` with ``abstracts.jsonl`` in the same folder (``../shared/dev-gold/``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline import vocab
from pipeline.errors import InputError
from pipeline.propose import (
    CHALLENGES,
    DEFAULT_THRESHOLDS,
    NAS_TYPES,
    Exemplar,
    ProposalContext,
    Proposer,
    document_from_record,
    get_proposer,
)

EVAL_KINDS = ("challenge", "nas_type")
_GOLD_FIELD = {"challenge": "challenges", "nas_type": "nas_types"}
_CODES = {"challenge": CHALLENGES, "nas_type": NAS_TYPES}
DEFAULT_EVAL_PROPOSERS = ("challenge-hybrid-v5", "nastype-hybrid-v2")


@dataclass
class GoldRecord:
    id: str
    title: str
    abstract: str
    kind: str
    labels: dict[str, set[str]]  # kind -> gold code keys
    evidence: dict[str, str] = field(default_factory=dict)


@dataclass
class PRF:
    precision: float
    recall: float
    f1: float


@dataclass
class CodeStats:
    code: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def prf(self) -> PRF:
        return _prf(self.tp, self.fp, self.fn)


@dataclass
class KindReport:
    kind: str
    codes: dict[str, CodeStats]
    threshold: float | None = None

    @property
    def micro(self) -> PRF:
        return _prf(sum(c.tp for c in self.codes.values()), sum(c.fp for c in self.codes.values()),
                    sum(c.fn for c in self.codes.values()))

    @property
    def macro(self) -> PRF:
        """Mean over codes that occur in the gold or in the predictions."""
        active = [c.prf for c in self.codes.values() if c.tp + c.fp + c.fn > 0]
        if not active:
            return PRF(0.0, 0.0, 0.0)
        n = len(active)
        return PRF(sum(p.precision for p in active) / n, sum(p.recall for p in active) / n,
                   sum(p.f1 for p in active) / n)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "threshold": self.threshold,
                "micro": asdict(self.micro), "macro": asdict(self.macro),
                "codes": {k: {"tp": c.tp, "fp": c.fp, "fn": c.fn, "support": c.support, **asdict(c.prf)}
                          for k, c in self.codes.items()}}


@dataclass
class Report:
    gold: list[str]
    n_papers: int
    proposers: list[str]
    thresholds: dict[str, float]
    kinds: dict[str, KindReport]
    cross_validated: dict[str, dict[str, KindReport]] = field(default_factory=dict)
    papers: list[dict] = field(default_factory=list)  # per paper: gold, predicted, scores
    techniques: dict = field(default_factory=dict)  # development / loo-threshold -> TechniqueFigures

    def to_dict(self) -> dict:
        return {"gold": self.gold, "n_papers": self.n_papers, "proposers": self.proposers,
                "techniques": {k: f.to_dict() for k, f in self.techniques.items()},
                "thresholds": self.thresholds,
                "kinds": {k: r.to_dict() for k, r in self.kinds.items()},
                "cross_validated": {name: {k: r.to_dict() for k, r in kinds.items()}
                                    for name, kinds in self.cross_validated.items()},
                "papers": self.papers}


def _prf(tp: int, fp: int, fn: int) -> PRF:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return PRF(round(p, 4), round(r, 4), round(f, 4))


# ------------------------------------------------------------------------- gold files

def load_gold(path: str | Path) -> list[GoldRecord]:
    """Read a gold file (either format, see module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"gold file not found: {path}", hint="give a JSONL file of hand-coded papers")
    rows = _read_jsonl(path)
    texts: list[dict] | None = None
    if rows and not any("abstract" in r for r in rows):
        side = path.with_name("abstracts.jsonl")
        if not side.is_file():
            raise InputError(f"{path} has no 'abstract' fields and no abstracts.jsonl beside it",
                             hint="add title+abstract to each record or put abstracts.jsonl next to it")
        texts = _read_jsonl(side)
    out = []
    for i, r in enumerate(rows):
        idx = r.get("idx", i)
        src = texts[idx] if texts is not None else r
        if texts is not None and idx >= len(texts):
            raise InputError(f"{path}: idx {idx} has no line in abstracts.jsonl")
        labels = {}
        for kind, fieldname in _GOLD_FIELD.items():
            codes = set(r.get(fieldname) or [])
            unknown = codes - set(_CODES[kind])
            if unknown:
                raise InputError(f"{path} line {i + 1}: unknown {kind} ids {sorted(unknown)}",
                                 hint="known: " + ", ".join(_CODES[kind]))
            labels[kind] = codes
        out.append(GoldRecord(id=str(src.get("id") or r.get("id") or f"{path.stem}:{idx}"),
                              title=src.get("title") or r.get("title") or "",
                              abstract=src.get("abstract") or "", kind=r.get("kind", "method"),
                              labels=labels, evidence=r.get("evidence") or {}))
    return out


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise InputError(f"{path} line {n}: not JSON ({e.msg})") from e
    return rows


# ------------------------------------------------------------------------- scoring

def _score_all(records: Sequence[GoldRecord], proposers: Sequence[Proposer],
               context: ProposalContext) -> list[dict[str, dict[str, tuple[float, str]]]]:
    """Per record: kind -> code key -> (best score, evidence), every score kept (threshold 0)."""
    scoring_ctx = ProposalContext(codebook=context.codebook, exemplars=context.exemplars,
                                  thresholds={k: 0.0 for k in EVAL_KINDS}, cache_dir=context.cache_dir,
                                  embedder=context.embedder)
    out = []
    for rec in records:
        doc = document_from_record({"title": rec.title, "abstract": rec.abstract, "id": rec.id})
        scores: dict[str, dict[str, tuple[float, str]]] = {k: {} for k in EVAL_KINDS}
        for p in proposers:
            for prop in p.propose(doc, scoring_ctx):
                if prop.kind in scores:
                    key = vocab.local_name(prop.code)
                    if prop.score > scores[prop.kind].get(key, (-1.0, ""))[0]:
                        scores[prop.kind][key] = (prop.score, prop.evidence)
        context.embedder = scoring_ctx.embedder
        out.append(scores)
    return out


def _count(records, scores, kind: str, threshold_for) -> KindReport:
    stats = {c: CodeStats(c) for c in _CODES[kind]}
    for i, (rec, sc) in enumerate(zip(records, scores)):
        gold = rec.labels[kind]
        pred = {c for c, (s, _) in sc[kind].items() if s >= threshold_for(i, c)}
        for c in pred & gold:
            stats[c].tp += 1
        for c in pred - gold:
            stats[c].fp += 1
        for c in gold - pred:
            stats[c].fn += 1
    return KindReport(kind, stats)


def _best_threshold(records, scores, kind: str, grid: Iterable[float]) -> float:
    best, best_f = None, -1.0
    for t in grid:
        f = _count(records, scores, kind, lambda i, c, t=t: t).micro.f1
        if f > best_f + 1e-9:
            best, best_f = t, f
    return best if best is not None else DEFAULT_THRESHOLDS[kind]


def evaluate(gold_path: str | Path | Sequence[str | Path], proposers: Sequence[str | Proposer] | None = None,
             thresholds: dict[str, float] | None = None, kinds: Sequence[str] = EVAL_KINDS,
             cross_validate: bool = True, context: ProposalContext | None = None,
             techniques: str | Path | None = None, technique_proposer: str | Proposer | None = None) -> Report:
    """Measure proposers against one or more gold files.

    Parameters
    ----------
    gold_path: a gold JSONL file, or several (their papers are pooled).
    proposers: names or instances; default ``challenge-hybrid-v5`` + ``nastype-hybrid-v2``.
    thresholds: per kind (``{"challenge": 0.45}``) or per code key; default
        :data:`pipeline.propose.DEFAULT_THRESHOLDS`.
    cross_validate: also compute the leave-one-out figures (``loo-threshold``,
        ``loo-curation``, ``loo-lexicon``).
    techniques: a ``techniques.jsonl`` (joined by ``idx`` with the first gold file): adds the
        technique open-code figures (:mod:`pipeline.propose.evaluate_techniques`).
    """
    paths = [gold_path] if isinstance(gold_path, (str, Path)) else list(gold_path)
    records = [r for p in paths for r in load_gold(p)]
    if not records:
        raise InputError("the gold file has no records")
    for k in kinds:
        if k not in EVAL_KINDS:
            raise InputError(f"cannot evaluate kind {k!r}", hint="kinds: " + ", ".join(EVAL_KINDS))
    props = [get_proposer(p) if isinstance(p, str) else p for p in (proposers or DEFAULT_EVAL_PROPOSERS)]
    thr = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    context = context or ProposalContext()
    scores = _score_all(records, props, context)

    def fixed(kind):
        return lambda i, c: thr.get(c, thr[kind])

    report = Report(gold=[str(p) for p in paths], n_papers=len(records), proposers=[p.name for p in props],
                    thresholds={k: thr[k] for k in kinds}, kinds={})
    for kind in kinds:
        report.kinds[kind] = _count(records, scores, kind, fixed(kind))
        report.kinds[kind].threshold = thr[kind]
    for rec, sc in zip(records, scores):
        report.papers.append({
            "id": rec.id, "title": rec.title,
            **{f"gold_{k}": sorted(rec.labels[k]) for k in kinds},
            **{f"pred_{k}": sorted(c for c, (s, _) in sc[k].items() if s >= thr.get(c, thr[k])) for k in kinds},
            **{f"scores_{k}": {c: round(s, 3) for c, (s, _) in sorted(sc[k].items(), key=lambda x: -x[1][0])}
               for k in kinds}})
    if cross_validate and len(records) > 2:
        report.cross_validated["loo-threshold"] = _loo_threshold(records, scores, kinds)
        report.cross_validated["loo-curation"] = _loo_curation(records, scores, props, context, thr, kinds)
        from pipeline.propose.evaluate_lexicon import loo_lexicon

        report.cross_validated["loo-lexicon"] = loo_lexicon(records, props, context, thr, kinds, _score_all, _count)
    if techniques is not None:
        from pipeline.propose.evaluate_techniques import DEFAULT_TECHNIQUE_PROPOSER, load_technique_gold, technique_figures

        tech_gold = load_technique_gold(techniques, len(records), covered=True)
        tp = technique_proposer or DEFAULT_TECHNIQUE_PROPOSER
        tp = get_proposer(tp) if isinstance(tp, str) else tp
        report.proposers.append(tp.name)
        report.techniques = technique_figures(records, tech_gold, tp, context,
                                              threshold=thr.get("technique"), cross_validate=cross_validate)
    return report


def _loo_threshold(records, scores, kinds) -> dict[str, KindReport]:
    grid = [round(0.05 * i, 2) for i in range(2, 19)]
    out = {}
    for kind in kinds:
        chosen = []
        for i in range(len(records)):
            rest = [j for j in range(len(records)) if j != i]
            chosen.append(_best_threshold([records[j] for j in rest], [scores[j] for j in rest], kind, grid))
        rep = _count(records, scores, kind, lambda i, c, chosen=chosen: chosen[i])
        rep.threshold = round(sum(chosen) / len(chosen), 3)  # mean chosen threshold
        out[kind] = rep
    return out


def _loo_curation(records, scores, props, context, thr, kinds) -> dict[str, KindReport]:
    """Simulated review: curated exemplars from the other papers shift the held-out one."""
    per_doc_exemplars = []
    for rec, sc in zip(records, scores):
        ex = []
        for kind in kinds:
            for code in rec.labels[kind]:
                quote = rec.evidence.get(code)
                if quote:
                    ex.append(Exemplar(kind, code, quote, accepted=True))
            for code, (s, evidence) in sc[kind].items():
                if s >= thr.get(code, thr[kind]) and code not in rec.labels[kind] and evidence:
                    ex.append(Exemplar(kind, code, evidence, accepted=False))
        per_doc_exemplars.append(ex)
    fold_scores = []
    for i, rec in enumerate(records):
        ex = [e for j, exs in enumerate(per_doc_exemplars) if j != i for e in exs]
        ctx = ProposalContext(codebook=context.codebook, exemplars=ex, cache_dir=context.cache_dir,
                              embedder=context.embedder)
        fold_scores.append(_score_all([rec], props, ctx)[0])
    out = {}
    for kind in kinds:
        rep = _count(records, fold_scores, kind, lambda i, c, thr=thr, kind=kind: thr.get(c, thr[kind]))
        rep.threshold = thr[kind]
        out[kind] = rep
    return out


# ------------------------------------------------------------------------- output

def format_report(report: Report, per_code: bool = True) -> str:
    """A plain-text table of the report (what ``fedatlas evaluate`` prints)."""
    lines = [f"gold: {', '.join(report.gold)}  ({report.n_papers} papers)",
             f"proposers: {', '.join(report.proposers)}", ""]
    for kind, rep in report.kinds.items():
        lines.append(f"== {kind}  (threshold {rep.threshold})")
        if per_code:
            lines.append(f"  {'code':<24}{'gold':>5}{'tp':>4}{'fp':>4}{'fn':>4}{'P':>7}{'R':>7}{'F1':>7}")
            for code, c in rep.codes.items():
                if c.tp + c.fp + c.fn == 0:
                    continue
                p = c.prf
                lines.append(f"  {code:<24}{c.support:>5}{c.tp:>4}{c.fp:>4}{c.fn:>4}"
                             f"{p.precision:>7.2f}{p.recall:>7.2f}{p.f1:>7.2f}")
        for name, prf in (("micro", rep.micro), ("macro", rep.macro)):
            lines.append(f"  {name:<36}{prf.precision:>7.2f}{prf.recall:>7.2f}{prf.f1:>7.2f}")
        for cv_name, cv in report.cross_validated.items():
            if kind in cv:
                m, M = cv[kind].micro, cv[kind].macro
                lines.append(f"  {cv_name + ' micro':<36}{m.precision:>7.2f}{m.recall:>7.2f}{m.f1:>7.2f}")
                lines.append(f"  {cv_name + ' macro':<36}{M.precision:>7.2f}{M.recall:>7.2f}{M.f1:>7.2f}")
        lines.append("")
    if report.techniques:
        from pipeline.propose.evaluate_techniques import format_technique_figures

        lines.append(format_technique_figures(report.techniques))
    return "\n".join(lines).rstrip() + "\n"

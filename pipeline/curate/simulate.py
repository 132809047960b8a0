"""Screening simulation (as ASReview's): replay a fully labelled set in a ranker's order.

From a prior of one relevant and one irrelevant record (drawn per seed), the
ranker is fitted on the records labelled so far and the record it scores
highest is "screened" next, its known label revealed. The model is refitted
after every record while fewer than 20 are labelled, then after every
``labelled // 20`` records (so a 5,000-record set needs a few hundred fits,
not 5,000); the same schedule and the same priors serve every model.

Metrics follow ASReview-insights' definitions and, like it, leave the prior
records out (N and R below count the records after the prior):

* WSS@r = (N - k) / N - (1 - r), k = records screened until ceil(r R) relevant are found;
* RRF@10 = share of the relevant records found after screening round(N / 10) records;
* recall curve = share of relevant records found after each 5 % of N.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.curate.ranking import get_ranker
from pipeline.errors import InputError

LABEL_COLUMNS = ("label_included", "included", "final_included", "label_included_final", "included_final",
                 "label", "included_flag", "include")
RIS_RELEVANT, RIS_IRRELEVANT = "ASReview_relevant", "ASReview_irrelevant"
CURVE_STEPS = 20


@dataclass
class Labelled:
    titles: list[str]
    texts: list[str]
    labels: list[int]

    def add(self, title: str, abstract: str, label: int) -> None:
        self.titles.append(title)
        self.texts.append(f"{title}\n{abstract}")
        self.labels.append(label)


def _label(value: str) -> int | None:
    v = str(value or "").strip().lower()
    if v in ("1", "1.0", "true", "yes", "y", "included", "include", "relevant"):
        return 1
    if v in ("0", "0.0", "false", "no", "n", "excluded", "exclude", "irrelevant"):
        return 0
    return None


def read_labelled(path: str | Path) -> Labelled:
    """Records with labels: CSV/TSV with a ``label_included`` (or ``included``, ...) column, or RIS
    with ASReview's ``ASReview_relevant`` / ``ASReview_irrelevant`` in a note (N1). Unlabelled rows are left out."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    suffix = path.suffix.lower()
    out = Labelled([], [], [])
    if suffix in (".ris", ".txt"):
        from pipeline.sources.ris import read_ris

        for doc in read_ris(path).documents:
            notes = str(doc.extra.get("notes") or "")
            label = 1 if RIS_RELEVANT in notes else 0 if RIS_IRRELEVANT in notes else None
            if label is not None:
                out.add(doc.title, doc.abstract, label)
    elif suffix in (".csv", ".tsv", ".tab"):
        from pipeline.sources.csv import read_csv

        docs = read_csv(path).documents
        row0 = {k.lower(): k for k in (docs[0].extra["row"] if docs else {})}
        col = next((row0[c] for c in LABEL_COLUMNS if c in row0), None)
        if docs and col is None:
            raise InputError(f"{path.name}: no label column", hint="add a 'label_included' column of 0/1")
        for doc in docs:
            label = _label(doc.extra["row"].get(col, ""))
            if label is not None:
                out.add(doc.title, doc.abstract, label)
    else:
        raise InputError(f"{path.name}: a labelled set is .csv, .tsv or .ris")
    if sum(out.labels) < 2 or len(out.labels) - sum(out.labels) < 2:
        raise InputError(f"{path.name}: needs at least 2 relevant and 2 irrelevant labelled records "
                         f"(found {sum(out.labels)} relevant of {len(out.labels)})")
    return out


def replay(X, labels: list[int], ranker_name: str, prior: list[int]) -> list[int]:
    """Indices in screening order after ``prior`` (the order the ranker would have shown)."""
    y = np.array(labels)
    labelled = list(prior)
    remaining = [i for i in range(len(labels)) if i not in set(prior)]
    found, total = int(y[labelled].sum()), int(y.sum())
    order: list[int] = []
    ranked: list[int] = []
    since_fit = math.inf
    while remaining:
        if found == total:  # every relevant record found: the rest cannot change any metric
            order += remaining
            break
        if since_fit >= max(1, len(labelled) // 20) or not ranked:
            model = get_ranker(ranker_name).fit(X[labelled], y[labelled])
            scores = model.scores(X[remaining])
            ranked = [remaining[j] for j in np.lexsort((np.array(remaining), -scores))]
            since_fit = 0
        nxt = ranked.pop(0)
        remaining.remove(nxt)
        order.append(nxt)
        labelled.append(nxt)
        found += labels[nxt]
        since_fit += 1
    return order


def metrics(screened_labels: list[int]) -> dict:
    """WSS@95, WSS@100, RRF@10 (percent) and the recall curve of labels in screening order."""
    n, r = len(screened_labels), sum(screened_labels)
    cum = np.cumsum(screened_labels)

    def wss(recall: float) -> float:
        need = math.ceil(recall * r - 1e-9)
        k = int(np.argmax(cum >= need)) + 1 if need > 0 else 0
        return 100.0 * ((n - k) / n - (1 - recall))

    at10 = max(1, round(n / 10))
    def recall_after(k: int) -> float:
        return float(cum[k - 1]) / r if k > 0 else 0.0

    curve = [(step / CURVE_STEPS, recall_after(round(n * step / CURVE_STEPS))) for step in range(CURVE_STEPS + 1)]
    return {"wss@95": wss(0.95), "wss@100": wss(1.0), "rrf@10": 100.0 * recall_after(at10), "curve": curve}


def simulate(data: Labelled, models: list[str], seeds: int = 5, first_seed: int = 0) -> list[dict]:
    """One result per model: metrics averaged over ``seeds`` priors (the same priors for every model)."""
    if seeds < 1:
        raise InputError("--seeds must be at least 1")
    rel = [i for i, v in enumerate(data.labels) if v]
    irr = [i for i, v in enumerate(data.labels) if not v]
    priors = []
    for s in range(first_seed, first_seed + seeds):
        rng = random.Random(s)
        priors.append([rng.choice(rel), rng.choice(irr)])
    out = []
    for name in models:
        ranker = get_ranker(name)
        X = ranker.features(data.texts)
        runs = [metrics([data.labels[i] for i in replay(X, data.labels, name, prior)]) for prior in priors]
        mean = lambda k, runs=runs: float(np.mean([m[k] for m in runs]))  # noqa: E731
        curve = [(runs[0]["curve"][j][0], float(np.mean([m["curve"][j][1] for m in runs])))
                 for j in range(CURVE_STEPS + 1)]
        out.append({"model": ranker.name, "version": ranker.version, "description": ranker.description,
                    "records": len(data.labels), "relevant": sum(data.labels), "seeds": seeds,
                    "prior": "1 relevant + 1 irrelevant record per seed (left out of the metrics)",
                    "wss@95": mean("wss@95"), "wss@100": mean("wss@100"), "rrf@10": mean("rrf@10"),
                    "per_seed": [{k: m[k] for k in ("wss@95", "wss@100", "rrf@10")} for m in runs],
                    "curve": curve})
    return out

"""Inter-rater agreement: Cohen's kappa for screening (per stage) and coding.

Coding agreement is per *coded unit*, a (paper, code) pair, not per
character: on the papers both reviewers coded, every code that was proposed
for or applied to the paper is a unit, and each reviewer's label is whether
they applied it (accepted, edited into, or added by hand) in their own
latest decision still in effect.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from itertools import combinations

from pipeline.curate.events import Event, _chain_order, _events, effective_stack, reviewer
from pipeline.curate.screening import decisions as screening_decisions
from pipeline.curate.screening import stage_name
from pipeline.store import Store
from pipeline.vocab import local_name

CODING_ACTIONS = ("accept", "reject", "edit", "add_code", "undo")


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two raters' labels on the same items; None ("n/a") for fewer than two items.

    kappa = (p_o - p_e) / (1 - p_e); when both raters use one and the same
    label throughout (p_e = 1) agreement is perfect and kappa is 1.0. On one
    item kappa says nothing (it would read 0 or 1 by chance), so it is None.
    """
    if len(a) != len(b):
        raise ValueError("both raters must label the same items")
    n = len(a)
    if n < 2:
        return None
    po = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    if pe == 1.0:
        return 1.0
    return (po - pe) / (1 - pe)


def _result(a: list, b: list, units: list) -> dict:
    return {"n": len(units), "kappa": cohen_kappa(a, b),
            "agreement": (sum(x == y for x, y in zip(a, b)) / len(units)) if units else None,
            "units": units, "a": a, "b": b}


def screening_agreement(store: Store, stage: str, reviewer_a: str, reviewer_b: str) -> dict:
    """Kappa of two reviewers on the records both decided at ``stage``."""
    st = stage_name(stage)
    ra, rb = reviewer(reviewer_a).iri.value, reviewer(reviewer_b).iri.value
    by: dict[str, dict[str, str]] = {ra: {}, rb: {}}
    for d in screening_decisions(store):
        if d["stage"] == st and not d["final"] and d["reviewer"] in by:
            by[d["reviewer"]][d["paper"]] = d["decision"]
    units = sorted(set(by[ra]) & set(by[rb]))
    return _result([by[ra][u] for u in units], [by[rb][u] for u in units], units)


def screening_reviewers(store: Store, stage: str) -> list[str]:
    st = stage_name(stage)
    return sorted({d["reviewer"] for d in screening_decisions(store) if d["stage"] == st and not d["final"]})


def screening_kappas(store: Store, stage: str) -> list[dict]:
    """Kappa for every pair of reviewers who screened at ``stage``."""
    out = []
    revs = screening_reviewers(store, stage)
    decs = screening_decisions(store)
    st = stage_name(stage)
    by: dict[str, dict[str, str]] = {r: {} for r in revs}
    for d in decs:
        if d["stage"] == st and not d["final"] and d["reviewer"] in by:
            by[d["reviewer"]][d["paper"]] = d["decision"]
    for a, b in combinations(revs, 2):
        units = sorted(set(by[a]) & set(by[b]))
        if units:
            out.append({"a": local_name(a), "b": local_name(b),
                        **{k: v for k, v in _result([by[a][u] for u in units], [by[b][u] for u in units],
                                                      units).items() if k in ("n", "kappa", "agreement")}})
    return out


def applied_codes(store: Store) -> tuple[dict[str, set[tuple[str, str]]], dict[str, set[str]]]:
    """reviewer -> {(paper, code)} they applied; reviewer -> papers they coded."""
    events = [e for e in _events(store, "") if e.action in CODING_ACTIONS]
    by_target: dict[str, list[Event]] = {}
    for e in events:
        by_target.setdefault(e.target, []).append(e)
    applied: dict[str, set[tuple[str, str]]] = {}
    coded: dict[str, set[str]] = {}
    for evs in by_target.values():
        stack = effective_stack(_chain_order(evs))
        last: dict[str, Event] = {}
        for e in stack:
            last[e.reviewer] = e
        for who, e in last.items():
            paper, code = e.params.get("paper"), e.params.get("code")
            if not paper:
                continue
            coded.setdefault(who, set()).add(paper)
            if e.action in ("accept", "edit", "add_code") and code:
                applied.setdefault(who, set()).add((paper, code))
    return applied, coded


def coding_agreement(store: Store, reviewer_a: str, reviewer_b: str) -> dict:
    """Kappa per coded unit (paper, code) on the papers both reviewers coded."""
    from pipeline.curate.proposals import proposals

    ra, rb = reviewer(reviewer_a).iri.value, reviewer(reviewer_b).iri.value
    with store.session():
        applied, coded = applied_codes(store)
        papers = coded.get(ra, set()) & coded.get(rb, set())
        units = {(v.paper, v.code) for v in proposals(store) if v.paper in papers and not v.manual}
    sa, sb = applied.get(ra, set()), applied.get(rb, set())
    units |= {u for u in sa | sb if u[0] in papers}
    units_l = sorted(units)
    return _result([int(u in sa) for u in units_l], [int(u in sb) for u in units_l], units_l)


def coding_reviewers(store: Store) -> list[str]:
    return sorted(applied_codes(store)[1])

"""The screening records read model: every record with its decisions, cached per store revision.

Reading all records of a review (5,000 titles and abstracts, their decisions)
takes seconds; a reviewer's click changes one or two. :func:`records` is the
cached list (see :mod:`pipeline.curate.readmodel`): a screening decision, a
resolution, a new record or a duplicate mark of this process re-reads only the
records it names; decisions on proposals, codes and methods leave it as it is.
:func:`screening_list` is one reviewer's list at a stage (what the Screening
page pages through), built once per revision from the cached records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.curate import readmodel
from pipeline.curate import screening as _screening
from pipeline.store import Store

CODEBOOK = frozenset({"categorise", "create", "create_category", "define", "memo", "merge", "move", "rename", "split"})
PROPOSAL = frozenset({"accept", "reject", "edit", "add_code"})
METHOD = frozenset({"assign_method", "add_method", "rename_method", "no_method", "has_method"})
# what changes a record as listed: a "not a duplicate" verdict drops a confirmed duplicateOf
RECORD = frozenset({"screen", "resolve", "add_record", "duplicate", "not_duplicate"})
OTHER = frozenset({"effect", "resolve_effect", "reasons", "derive_methods"})
NOT_RECORD = CODEBOOK | PROPOSAL | METHOD | OTHER


def _title_key(rec: dict) -> tuple[str, str]:
    return rec["title"].lower(), rec["paper"]


def _patch_records(store: Store, value: list[dict], args: tuple, changes: list[readmodel.Change]) -> list[dict] | None:
    papers = readmodel.touched([c for c in changes if c[0] in RECORD], "paper")
    if any(action not in NOT_RECORD | RECORD for action, _ in changes):
        return None
    fresh = {r["paper"]: r for r in _screening.records(store, sorted(papers))}
    kept = [r for r in value if r["paper"] not in papers]
    return sorted(kept + list(fresh.values()), key=_title_key)


readmodel.register(_screening.records, keep=NOT_RECORD, patch=_patch_records)


def records(store: Store) -> list[dict]:
    """Every record (see :func:`pipeline.curate.screening.records`) at the store's current revision."""
    return readmodel.get(store, _screening.records)


def fresh_records(store: Store) -> list[dict]:
    """The same list read from the store now (what a patched model must equal)."""
    return _screening.records(store)


@dataclass
class ScreeningList:
    """One reviewer's records at a stage, in the order the page offers them."""

    pool: int  # records at this stage (not duplicates; at full text: included or maybe at title/abstract)
    order: list[dict] = field(default_factory=list)  # every record of the pool, queue order first
    mine: dict[str, dict] = field(default_factory=dict)  # paper -> the reviewer's decision at this stage
    by_paper: dict[str, dict] = field(default_factory=dict)

    def shown(self, todo_only: bool) -> list[dict]:
        return [r for r in self.order if not (todo_only and r["paper"] in self.mine)]

    def page(self, todo_only: bool, page_no: int, size: int) -> list[dict]:
        shown = self.shown(todo_only)
        return shown[(page_no - 1) * size:page_no * size]


def screening_list(store: Store, reviewer_iri: str | None, stage: str, queue_order: tuple[str, ...] = ()) -> ScreeningList:
    """The records of ``stage`` (``TitleAbstract`` or ``FullText``), ``queue_order`` first, with
    ``reviewer_iri``'s own decisions (None: nobody signed in)."""
    recs = records(store)
    pool = [r for r in recs if not r["duplicate_of"]
            and (stage == "TitleAbstract" or r["TitleAbstract"] in ("include", "maybe"))]
    by_paper = {r["paper"]: r for r in pool}
    mine: dict[str, dict] = {}
    if reviewer_iri:
        for r in pool:
            d = next((d for d in r["decisions"] if d["stage"] == stage and d["reviewer"] == reviewer_iri), None)
            if d is not None:
                mine[r["paper"]] = d
    first = [by_paper[p] for p in queue_order if p in by_paper]
    seen = {r["paper"] for r in first}
    return ScreeningList(len(pool), first + [r for r in pool if r["paper"] not in seen], mine, by_paper)


def conflicts(store: Store, stage: str) -> list[dict]:
    """Records whose reviewers disagree at ``stage`` and nobody resolved yet."""
    st = _screening.stage_name(stage)
    return [r for r in records(store) if r[st] == "conflict"]


def cached(store: Store, fn: Any, *args: Any) -> Any:
    """Any read model through the revision cache (re-exported for the app)."""
    return readmodel.get(store, fn, *args)

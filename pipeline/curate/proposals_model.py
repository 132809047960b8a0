"""How the proposals read models follow this process's decisions (see :mod:`pipeline.curate.readmodel`).

* :func:`~pipeline.curate.proposals.proposals` of one paper: kept unless a
  decision on a proposal of that paper (or on the codebook: labels) was made;
* :func:`~pipeline.curate.proposals.papers` (open/accepted/rejected counts per
  paper): the counts of the touched papers are recounted, the rest kept;
* a paper's text and the code labels: kept unless the codebook changed.
"""

from __future__ import annotations

from typing import Any

from pipeline.curate import readmodel
from pipeline.curate.proposals import ProposalView, code_labels, paper_text, paper_titles
from pipeline.curate.proposals import papers as _papers
from pipeline.curate.proposals import proposals as _proposals
from pipeline.curate.records_model import CODEBOOK, METHOD, OTHER, PROPOSAL, RECORD
from pipeline.store import Store

PROPOSAL_DECISIONS = PROPOSAL | {"assign_method"}  # decisions on a proposal (each moves its latest decision)
NOT_PROPOSAL = (METHOD - PROPOSAL_DECISIONS) | OTHER | RECORD | {"memo", "define"}  # change no proposal, no label


def _proposal_papers(changes: list[readmodel.Change]) -> set[str] | None:
    """Papers whose proposals ``changes`` change; None when some change is not a proposal decision."""
    papers: set[str] = set()
    for action, iris in changes:
        if action in NOT_PROPOSAL:
            continue
        if action not in PROPOSAL_DECISIONS:
            return None
        named = readmodel.touched([(action, iris)], "paper")
        if not named:
            return None
        papers |= named
    return papers


def _patch_proposals(store: Store, value: Any, args: tuple, changes: list[readmodel.Change]) -> Any:
    papers = _proposal_papers(changes)
    if papers is None:
        return None
    if not args or args[0] is None:  # every proposal: the touched papers' are read again
        views = [v for v in value if v.paper not in papers]
        views += [v for p in sorted(papers) for v in _proposals(store, p)]
        return sorted(views, key=lambda v: (v.paper, v.kind, -(v.score or 0.0), v.iri))
    paper = str(getattr(args[0], "value", args[0]))
    return _proposals(store, paper) if paper in papers else value


def _patch_papers(store: Store, value: list[dict], args: tuple, changes: list[readmodel.Change]) -> list[dict] | None:
    papers = _proposal_papers(changes)
    rows = {r["paper"]: r for r in value}
    if papers is None or not papers <= set(rows):
        return None  # a paper's first proposal (added by hand): its title is read with the rest
    out = dict(rows)
    for p in papers:
        row = {**rows[p], "proposed": 0, "accepted": 0, "rejected": 0, "edited": 0}
        for v in readmodel.get(store, _proposals, p):
            row[v.status] += 1
        out[p] = row
    return sorted(out.values(), key=lambda r: (-r["proposed"], r["title"].lower()))


readmodel.register(_proposals, keep=NOT_PROPOSAL, patch=_patch_proposals)
readmodel.register(_papers, keep=NOT_PROPOSAL, patch=_patch_papers)
readmodel.register(paper_titles, keep=(NOT_PROPOSAL | PROPOSAL_DECISIONS | CODEBOOK) - {"add_record"})
readmodel.register(paper_text, keep=NOT_PROPOSAL | PROPOSAL_DECISIONS | CODEBOOK)
readmodel.register(code_labels, keep=NOT_PROPOSAL | PROPOSAL_DECISIONS)


def proposals(store: Store, paper: str) -> list[ProposalView]:
    """One paper's proposals at the store's current revision."""
    return readmodel.get(store, _proposals, paper)


def papers(store: Store) -> list[dict]:
    """Papers with proposals and their counts per status at the store's current revision."""
    return readmodel.get(store, _papers)

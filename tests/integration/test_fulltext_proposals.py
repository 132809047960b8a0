"""Full-text proposals (Markdown papers): section-aware proposers do not over-propose.

Seed 000 is the review's method chapter (its FedorAS example: budget-aware subnet sampling);
seed 001 is Xu et al., "Federated Neural Architecture Search" (NetAdapt-style pruning,
motivated by limited on-client computation and communication); seed 003 is a centralised
study of weight-sharing super-nets (no FL challenge should be proposed with confidence).
"""

from __future__ import annotations

import pytest

from atlas_testing import ROOT
from pipeline import vocab
from pipeline.curate.proposals import list_proposals
from pipeline.ingest import ingest_paths
from pipeline.propose import default_proposers

SEEDS = ROOT / "corpus" / "seeds"
REVIEW = SEEDS / "000-coetzee-review-method.md"
XU = SEEDS / "001-xu-fednas.md"
YU = SEEDS / "003-yu-supernet-heuristics.md"


@pytest.fixture
def fulltext(seeded_store):
    summary = ingest_paths(seeded_store, [REVIEW, XU, YU], progress=False)
    assert summary.ok, summary.lines()
    mine = {p.name for p in default_proposers()}
    rows = [p for p in list_proposals(seeded_store, status="all") if p["proposer"] in mine]
    # an open code ("new") has no fa:proposesCode; list_proposals' OPTIONAL label join can then
    # bind ?code to unrelated concepts (one row per concept): collapse rows per proposal
    codes: dict[str, set] = {}
    for p in rows:
        codes.setdefault(p["proposal"], set()).add(p["code"])
    props = {}
    for p in rows:
        props[p["proposal"]] = {**p, "code": p["code"] if len(codes[p["proposal"]]) == 1 else "new"}

    def of(title_part: str, kind: str) -> list[dict]:
        return [p for p in props.values() if title_part in (p["title"] or "") and p["kind"] == kind]
    return of


def _key(p: dict) -> str:
    code = p["code"] or "new"
    return "new" if code == "new" or code.endswith("/new") else vocab.local_name(code)


def test_fulltext_proposals_follow_the_papers_own_method(fulltext):
    challenges = {_key(p) for p in fulltext("Federated Neural Architecture Search", "challenge")}
    assert {"limited_computation", "limited_communication"} <= challenges
    assert not {"privacy", "security", "variable_availability"} & challenges, challenges

    nas = {_key(p) for p in fulltext("Federated Neural Architecture Search", "nas_type")}
    assert "pruning_based" in nas and not {"reinforcement_learning", "gradient_based"} & nas, nas

    techniques = fulltext("Federated Neural Architecture Search", "technique")
    assert {"early-candidate-dropping", "dynamic-round-numbers",
            "client-groups-representative-partitioning"} <= {_key(p) for p in techniques}
    assert len(techniques) <= 12, [p["evidence"] for p in techniques]
    refined = [_key(p) for p in techniques if _key(p) != "new"]
    assert len(refined) == len(set(refined))  # one proposal per refined technique
    assert not any("first framework" in (p["evidence"] or "") for p in techniques)
    # open codes are short labels naming a mechanism, not the sentence cut short
    for p in techniques:
        assert 1 <= len(p["label"].split()) <= 7 and not p["label"].endswith("..."), p["label"]

    # the review's worked example (FedorAS): budget-aware subnet sampling from the full text
    review = fulltext("Adaptation Techniques", "technique")
    assert "budget-aware-subnet-sampling" in {_key(p) for p in review}, [p["label"] for p in review]

    # centralised NAS study: no FL challenge with high confidence
    strong = [p for p in fulltext("Super-Net Heuristics", "challenge") if p["score"] >= 0.8]
    assert strong == [], strong

"""A review or survey states no technique of its own: no open codes for it (issue 10, demo junk).

The review is recognised by how such papers describe themselves (genre in the title, "this
survey", a PRISMA / inclusion-criteria protocol), not by topic words; a method paper that
reviews related work in a section or names the inclusion criteria of its data is not one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.document import Document
from pipeline.propose import ProposalContext, document_from_record, get_proposer
from pipeline.propose.review import review_signals

from .conftest import DEV_GOLD

MECHANISM = "We introduce a staleness-aware weighting of architecture updates to cope with slow clients."


def _doc(title: str, abstract: str) -> Document:
    return document_from_record({"title": title, "abstract": abstract, "id": "t"})


@pytest.mark.parametrize("title,abstract", [
    ("Federated Neural Architecture Search: A Survey", "Federated learning trains models on decentralised data."),
    ("Search in Federated Settings", "This survey organises federated NAS methods by their search strategy."),
    ("Adapting Search to Federated Learning",
     "We follow the PRISMA 2020 guidelines; records are screened against inclusion criteria and exclusion criteria."),
    ("Federated Architecture Search", "We conduct a systematic literature review of federated architecture search."),
])
def test_reviews_are_recognised(title, abstract):
    assert review_signals(_doc(title, abstract)).is_review


@pytest.mark.parametrize("title,abstract", [
    ("Federated Architecture Search", "In this section we review the literature. We propose FedX, which prunes subnets."),
    ("Federated Search for Clinical Data",
     "Patients were enrolled following the inclusion criteria. We propose FedX, which samples subnets per hospital."),
    ("Review-Aware Federated Search", "We propose a search whose clients review candidate architectures."),
])
def test_method_papers_are_not_reviews(title, abstract):
    signals = review_signals(_doc(title, abstract))
    assert not signals.is_review, signals.reasons


def test_no_development_method_abstract_is_a_review():
    path = Path(DEV_GOLD).with_name("abstracts.jsonl")
    if not path.exists():
        pytest.skip(f"the development gold set is not here ({path})")
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        assert not review_signals(_doc(rec["title"], rec["abstract"])).is_review, rec["title"]


def test_a_review_gets_no_open_codes_a_method_paper_does(embedder, codebook):
    ctx = ProposalContext(codebook=list(codebook), embedder=embedder)
    method = _doc("Budget-Fitted Federated Architecture Search",
                  f"Architecture search in federated learning is costly. {MECHANISM}")
    review = _doc("Budget-Fitted Federated Architecture Search: A Systematic Review",
                  f"Architecture search in federated learning is costly. {MECHANISM}")
    proposer = get_proposer("technique-open-v3")
    assert any(p.code == "new" for p in proposer.propose(method, ctx))
    assert not [p for p in proposer.propose(review, ctx) if p.code == "new"]

"""Fixtures for the proposer tests: the real embedding model, loaded once per session."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from atlas_testing import SHARED  # noqa: E402
from pipeline import vocab  # noqa: E402
from pipeline.propose import CodebookEntry, ProposalContext  # noqa: E402

DEV_GOLD = str(SHARED / "dev-gold" / "gold.jsonl")


@pytest.fixture(scope="session")
def embedder():
    from pipeline.propose.embed import get_embedder

    emb = get_embedder()
    emb.encode(["warm up"])
    return emb


@pytest.fixture(scope="session")
def codebook() -> list[CodebookEntry]:
    t = vocab.technique
    return [
        CodebookEntry(t("client-groups-representative-partitioning").value, "Client groups / representative partitioning",
                      "Clients are partitioned into groups; each group trains or evaluates a different candidate "
                      "architecture, so candidates are trained in parallel on partial clients.",
                      ["parallel candidates training on partial clients"]),
        CodebookEntry(t("early-candidate-dropping").value, "Early candidate dropping",
                      "Candidate architectures with inferior performance are dropped early to save client computation.",
                      ["early dropping candidates with inferior performance"]),
        CodebookEntry(t("dynamic-round-numbers").value, "Dynamic round numbers",
                      "The number of federated training rounds per candidate is adapted dynamically.",
                      ["dynamic round numbers"]),
        CodebookEntry(t("budget-aware-subnet-sampling").value, "Budget-aware subnet sampling",
                      "Only subnets within a client's compute budget are sampled for that client.",
                      ["only subnets within the client's training budget are selected for evaluation"]),
    ]


@pytest.fixture()
def context(embedder, codebook) -> ProposalContext:
    return ProposalContext(codebook=list(codebook), embedder=embedder)

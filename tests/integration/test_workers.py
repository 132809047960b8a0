"""`fedatlas ingest --workers 2` gives the same papers and proposals as `--workers 1`."""

from __future__ import annotations

import json
import shutil

import pytest

from atlas_testing import run_cli

PAPERS = {
    "a-fedoras.md": """# Budget-Aware Supernet Training for Heterogeneous Federated Clients

## Abstract

Clients in cross-device federated learning have heterogeneous hardware and limited computational resources.
We propose a federated neural architecture search method that trains a supernet on the clients.

## 1 Method

Each client samples only subnets within its training budget, so low-end devices never evaluate expensive architectures.
The server aggregates the supernet weights with federated averaging after every round.
Communication costs are reduced because clients exchange only the weights of the sampled subnet.

## References

- [1] B. Zoph and Q. V. Le. *Neural architecture search with reinforcement learning*. 2017. arXiv: 1611.01578 [cs.LG].
- [2] H. Liu, K. Simonyan, and Y. Yang. "DARTS: Differentiable architecture search." In: *ICLR* (2019).
""",
    "b-dpfnas.md": """# Differentially Private Federated Neural Architecture Search

## Abstract

Federated NAS leaks information about client data through architecture gradients.
We add calibrated Gaussian noise to the gradients of the architecture parameters to guarantee differential privacy.

## 2 Approach

Clients search a differentiable architecture locally and send noisy gradients to the server.
The search converges despite non-IID data distributed across the clients.
""",
    "c-evolution.txt": """Evolutionary Federated Architecture Search with Early Candidate Dropping

We search architectures with an evolutionary algorithm while the data stays on mobile clients.
Clients drop poorly performing candidate architectures early to save on-device computation.
The number of training rounds is adjusted dynamically for each candidate.
Unreliable clients that drop out of a round are ignored by the server when it fuses the results.
""",
}


ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "papers"
    d.mkdir()
    for name, text in PAPERS.items():
        (d / name).write_text(text, encoding="utf-8")
    return d


def _ingest_and_read(store, folder, workers: int):
    # one torch thread per process: same numerics in both runs, and two workers do not
    # oversubscribe the cores (with the default, --workers 2 burned ~3.5x the CPU of --workers 1)
    res = run_cli("ingest", str(folder), "--workers", str(workers), "--quiet", store=store, env=ONE_THREAD)
    assert res.returncode == 0, res.stderr + res.stdout
    assert "ingested 3 paper(s) from 3 record(s): 3 new" in res.stdout and "; 0 failed" in res.stdout, res.stdout
    papers = _papers(store)  # in-process (each CLI start costs ~2 s); proposals through the CLI
    props = json.loads(run_cli("proposals", "--status", "all", "--format", "json", store=store).stdout)
    return papers, props


def _papers(store) -> list[dict]:
    from pipeline.curate.proposals import list_papers
    from pipeline.store import open_store

    return list_papers(open_store(store))


def test_workers_2_matches_workers_1(tmp_path, folder, seeded_template):
    one, two = tmp_path / "w1", tmp_path / "w2"
    shutil.copytree(seeded_template, one)
    shutil.copytree(seeded_template, two)
    papers1, props1 = _ingest_and_read(one, folder, 1)
    papers2, props2 = _ingest_and_read(two, folder, 2)

    new = {p["title"] for p in papers1} - {p["title"] for p in _papers(seeded_template)}
    assert new == {"Budget-Aware Supernet Training for Heterogeneous Federated Clients",
                   "Differentially Private Federated Neural Architecture Search",
                   "Evolutionary Federated Architecture Search with Early Candidate Dropping"}

    def paper_rows(papers):
        return {(p["title"], p["year"], p["doi"], p["arxiv"], p["references"]) for p in papers}

    assert paper_rows(papers2) == paper_rows(papers1)
    refs = {p["title"]: p["references"] for p in papers1}
    assert refs["Budget-Aware Supernet Training for Heterogeneous Federated Clients"] == 2

    def keys(props):
        return {(p["title"], p["kind"], p["code"], p["evidence"]) for p in props}

    assert keys(props2) == keys(props1)
    assert len(props2) == len(props1)
    ours = [p for p in props1 if p["title"] in new]
    assert {p["title"] for p in ours} == new  # every paper got proposals
    assert {p["kind"] for p in ours} >= {"challenge", "technique"}
    scores1 = {(p["title"], p["kind"], p["code"], p["evidence"]): p["score"] for p in props1}
    for p in props2:
        assert p["score"] == pytest.approx(scores1[(p["title"], p["kind"], p["code"], p["evidence"])], abs=1e-3)

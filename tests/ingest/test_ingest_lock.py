"""An ingest holds the store's lock one batch at a time, never for the whole run: a reviewer's
decision from another process goes through while the ingest is still reading files."""

from __future__ import annotations

import os
import subprocess
import sys

from pipeline.curate.proposals import list_papers
from pipeline.ingest import ingest_paths

RULES = ["challenge-rules-v1", "nastype-rules-v1"]

FIRST = r"""@inproceedings{dp1, title = {Differentially Private Federated Neural Architecture Search}, year = {2020},
  author = {Singh, Ishika}, abstract = {We search architectures under differential privacy in federated learning.}}
"""
SECOND = r"""@article{hetero, title = {Hardware-aware federated architecture search for heterogeneous devices},
  year = {2022}, author = {Doe, Jane}, abstract = {Clients with different hardware get different sub-networks.}}
"""


def test_a_decision_from_another_process_goes_through_during_an_ingest(seeded_store, tmp_path):
    first, second = tmp_path / "a.bib", tmp_path / "b.bib"
    first.write_text(FIRST, encoding="utf-8")
    second.write_text(SECOND, encoding="utf-8")
    before = {p["key"] for p in list_papers(seeded_store)}
    outcomes: list[subprocess.CompletedProcess] = []

    def screen_first_paper(done: int, total: int, path: str) -> None:
        if done != 1:
            return
        # the ingest is between its two files: the first is written, the second not yet read
        new = [p["key"] for p in list_papers(seeded_store) if p["key"] not in before]
        assert len(new) == 1
        # a short lock wait: before the fix the ingest held the lock until its end, and this
        # decision failed with "stayed locked" (E101) instead of waiting for the whole run
        env = {**os.environ, "FEDATLAS_LOCK_WAIT": "5"}
        outcomes.append(subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "--store", seeded_store.location, "curate", "screen", new[0],
             "include", "--stage", "title-abstract", "-r", "ada"], capture_output=True, text=True, env=env))

    summary = ingest_paths(seeded_store, [first, second], proposer_names=RULES, progress=False, batch_size=1,
                           on_file=screen_first_paper)
    assert len(outcomes) == 1
    assert outcomes[0].returncode == 0, outcomes[0].stderr[-1500:]
    assert summary.counts()["new"] == 2
    after = {p["key"] for p in list_papers(seeded_store)} - before
    assert len(after) == 2  # the decision in between did not stop the second file
    rows = seeded_store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?d a fa:ScreeningDecision } }")
    assert int(rows[0]["n"]) >= 1

"""bench_app's store at a tiny size holds what it says: records, full texts, proposals, decisions."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_bench_app_store_counts_by_the_one_functions(tmp_path):
    from pipeline import curate
    from pipeline.store import open_store
    from pipeline.store.corpus import init_store

    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_app", BENCH / "bench_app.py")
        bench = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bench)
    finally:
        sys.path.remove(str(BENCH))
    seed = open_store(tmp_path / "seed")
    init_store(seed)
    seed_records, seed_included = len(curate.records(seed)), len(curate.included_papers(seed))
    seed_proposals = len(curate.proposals(seed))
    made = bench.build_store(str(tmp_path / "big"), records=40, fulltexts=3, proposals=9, decisions=20)
    store = open_store(tmp_path / "big")
    assert made["records"] == 40 and made["fulltexts"] == 3 and made["proposals"] == 9
    assert len(curate.records(store)) == seed_records + 40
    assert len(curate.included_papers(store)) == seed_included + 3  # full texts included by both reviewers
    views = [v for v in curate.proposals(store) if v.proposer == "synthetic-v1"]
    assert len(curate.proposals(store)) == seed_proposals + 9 == seed_proposals + len(views)
    text = curate.paper_text(store, views[0].paper)
    assert text[views[0].start:views[0].end] == views[0].text  # evidence is a span of the stored full text
    ta = [d for d in curate.screening.decisions(store) if d["reviewer"].endswith(("/alice", "/bob"))]
    assert len(ta) == made["decisions"]

"""The CLI and the Python API give the same answers (ASReview's practice)."""

from __future__ import annotations

import json

from atlas_testing import run_cli
from pipeline.store.stats import store_stats
from pipeline.curate.proposals import list_papers
from pipeline.report.tables import overview_tables


def test_tables_stats_and_papers_agree(seeded_store):
    loc = seeded_store.location
    via_cli = json.loads(run_cli("tables", "--format", "json", store=loc).stdout)
    assert via_cli == [t.to_dict() for t in overview_tables(seeded_store)]
    assert json.loads(run_cli("stats", "--format", "json", store=loc).stdout) == store_stats(seeded_store)
    assert json.loads(run_cli("papers", "--format", "json", store=loc).stdout) == list_papers(seeded_store)

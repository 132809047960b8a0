"""The CLI and the Python API give the same answers (ASReview's practice)."""

from __future__ import annotations

import json

from atlas_testing import run_cli
from pipeline.curate.proposals import list_papers, list_proposals
from pipeline.report.tables import overview_tables
from pipeline.store.stats import store_stats


def test_tables_stats_and_papers_agree(seeded_store):
    loc = seeded_store.location
    via_cli = json.loads(run_cli("tables", "--format", "json", store=loc).stdout)
    assert via_cli == [t.to_dict() for t in overview_tables(seeded_store)]
    assert json.loads(run_cli("stats", "--format", "json", store=loc).stdout) == store_stats(seeded_store)
    assert json.loads(run_cli("papers", "--format", "json", store=loc).stdout) == list_papers(seeded_store)


def test_proposals_agree_with_the_curation_api_after_edits_and_added_codes(seeded_store):
    from pipeline import curate
    from pipeline.ingest.loop import curated_examples
    from pipeline.ingest.testing import P_HW, P_NONIID, P_TECH, PAPER_A, add_demo_papers
    from pipeline.vocab import challenge, nas_type, technique

    add_demo_papers(seeded_store)
    ecd = technique("early-candidate-dropping").value
    curate.edit(seeded_store, "ada", P_TECH, code=ecd)
    curate.reject(seeded_store, "ada", P_HW)
    curate.accept(seeded_store, "bob", P_NONIID)
    curate.add_code(seeded_store, "ada", PAPER_A, "nas_type", nas_type("gradient_based"),
                    text="DARTS-style continuous relaxation")
    loc = seeded_store.location
    via_cli = json.loads(run_cli("proposals", "--status", "all", "--format", "json", store=loc).stdout)
    assert via_cli == list_proposals(seeded_store, status="all")
    views = curate.proposals(seeded_store)
    assert sorted(r["proposal"] for r in via_cli) == sorted(v.iri for v in views)  # one row each
    by_iri = {r["proposal"]: r for r in via_cli}
    for v in views:
        assert (by_iri[v.iri]["code"], by_iri[v.iri]["status"]) == (v.code or "new", v.status)
    assert by_iri[P_TECH]["code"] == ecd and by_iri[P_TECH]["status"] == "edited"
    added = [r for r in via_cli if r["manual"]]
    assert [(r["kind"], r["code"], r["status"]) for r in added] == [("nas_type", nas_type("gradient_based").value,
                                                                    "accepted")]
    edited = json.loads(run_cli("proposals", "--status", "edited", "--kind", "technique", "--format", "json",
                                store=loc).stdout)
    assert [r["proposal"] for r in edited] == [P_TECH]
    # learning from curation reads the same model: the reviewer's code, not the one replaced
    learned = {(e["code"], e["accepted"]) for e in curated_examples(seeded_store)}
    assert (ecd, True) in learned and (technique("budget-aware-subnet-sampling").value, True) not in learned
    assert (challenge("hardware_heterogeneity").value, False) in learned
    assert (nas_type("gradient_based").value, True) in learned


def test_proposals_paper_filter_is_an_iri_not_sparql(seeded_store):
    from pipeline.ingest.testing import add_demo_papers

    add_demo_papers(seeded_store)
    r = run_cli("proposals", "--status", "all", "--paper", "https://a> || ?paper != <https://x", "--format", "json",
                store=seeded_store.location)
    assert r.returncode == 7 and "not an IRI" in r.stderr and r.stdout == ""


def test_curate_edit_from_the_cli_shows_the_edited_code_once(seeded_store):
    """`fedatlas curate edit` is the app's Edit: `proposals` then lists the proposal once,
    with the reviewer's code, as the curation API reads it."""
    from pipeline import curate
    from pipeline.ingest.testing import P_HW, P_TECH, add_demo_papers
    from pipeline.vocab import challenge, technique

    add_demo_papers(seeded_store)
    loc = seeded_store.location
    before = {r["proposal"]: r["code"] for r in list_proposals(seeded_store, status="all")}
    ecd = technique("early-candidate-dropping").value
    assert before[P_TECH] != ecd
    r = run_cli("curate", "edit", P_TECH, "--code", ecd, "--reviewer", "ada", store=loc)
    assert r.returncode == 0, r.stderr
    r = run_cli("curate", "edit", P_HW, "--code", "limited_communication", "--reviewer", "bob", store=loc)
    assert r.returncode == 0, r.stderr  # a key, read as a code of the proposal's kind (challenge)
    via_cli = json.loads(run_cli("proposals", "--status", "all", "--format", "json", store=loc).stdout)
    assert via_cli == list_proposals(seeded_store, status="all")
    rows = [x for x in via_cli if x["proposal"] == P_TECH]
    assert [(x["code"], x["status"]) for x in rows] == [(ecd, "edited")]
    rows = [x for x in via_cli if x["proposal"] == P_HW]
    assert [(x["code"], x["status"]) for x in rows] == [(challenge("limited_communication").value, "edited")]
    views = {v.iri: v for v in curate.proposals(seeded_store)}
    assert (views[P_TECH].code, views[P_TECH].status) == (ecd, "edited")
    assert sorted(x["proposal"] for x in via_cli) == sorted(views)  # every proposal once
    r = run_cli("curate", "edit", P_TECH, "--reviewer", "ada", store=loc)
    assert r.returncode != 0 and "changes the code or the excerpt" in r.stderr

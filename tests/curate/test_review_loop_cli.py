"""The review's loop through the real CLI, on papers that are not in the bundled corpus.

BibTeX -> ingest (real proposers and model) -> screening at both stages -> accept the
proposals -> the paper's method -> merge its open code into a new refined technique ->
code the effects -> the method's row in `fedatlas tables`, the gap matrix and the
saved gap query change; undo takes it back.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

HERE = Path(__file__).parent
BIB = HERE / "data" / "loop_papers.bib"
GAPS = "corpus/queries/nas_type_challenge_gaps.rq"
REV = {"FEDATLAS_REVIEWER": "dave"}


def ok(r):
    assert r.returncode == 0, r.stderr + r.stdout
    return r.stdout


def gap_pairs(cli, store) -> set[tuple[str, str]]:
    out = ok(cli("query", "-f", GAPS, "--format", "csv", store=store))
    return {(r["nasTypeLabel"], r["challengeLabel"]) for r in csv.DictReader(io.StringIO(out))}


def method_rows(cli, store) -> dict[str, dict]:
    tables = json.loads(ok(cli("tables", "--format", "json", store=store)))
    method = next(t for t in tables if t["row_kind"] == "method")
    return {r["label"]: r["effects"] for r in method["rows"]}


@pytest.mark.slow
def test_review_loop_through_the_cli(cli, tmp_path):
    store = tmp_path / "store"
    ok(cli("init", store=store))
    ok(cli("ingest", str(BIB), store=store))
    papers = {p["title"]: p for p in json.loads(ok(cli("papers", "--format", "json", store=store)))}
    fed = next(p for t, p in papers.items() if t.startswith("FedRLNAS"))
    survey = next(p for t, p in papers.items() if t.startswith("A Survey"))
    fed_iri = fed.get("paper") or fed["iri"]
    survey_iri = survey.get("paper") or survey["iri"]

    rl_noniid = ("Reinforcement learning", "Non-I.I.D. Training Data")
    assert rl_noniid in gap_pairs(cli, store)  # a research direction before the new paper is coded
    before_rows = method_rows(cli, store)
    assert len(before_rows) == 3  # the bundled methods only

    # no method before inclusion
    r = cli("curate", "method", fed_iri, store=store, env=REV)
    assert r.returncode == 0 and r.stdout.strip() == ""
    for stage in ("title-abstract", "full-text"):
        ok(cli("curate", "screen", fed_iri, "--stage", stage, "include", store=store, env=REV))
        ok(cli("curate", "screen", survey_iri, "--stage", stage, "include", store=store, env=REV))
    line = ok(cli("curate", "method", fed_iri, store=store, env=REV)).strip().splitlines()
    assert len(line) == 1 and line[0].split("\t")[1] == "FedRLNAS" and line[0].split("\t")[2] == "default"
    method_iri = line[0].split("\t")[0]
    # the survey presents no method
    assert ok(cli("curate", "method", survey_iri, store=store, env=REV)).strip()
    ok(cli("curate", "method", survey_iri, "--none", store=store, env=REV))
    assert ok(cli("curate", "method", survey_iri, store=store, env=REV)).strip() == ""

    props = [p for p in json.loads(ok(cli("proposals", "--status", "all", "--format", "json", store=store)))
             if p["paper"] == fed_iri]
    kinds = {p["kind"] for p in props}
    assert {"challenge", "nas_type", "technique"} <= kinds
    # the challenge and NAS type, and the technique proposals that match no refined technique yet (open codes);
    # a proposal matched to a refined technique would bring that technique's coded effects along
    wanted = [p for p in props if p["code"].endswith(("non_iid_data", "reinforcement_learning"))
              or (p["kind"] == "technique" and p["code"] == "new")]
    assert any(p["kind"] == "technique" for p in wanted)
    for p in wanted:
        ok(cli("curate", "accept", p["proposal"], store=store, env=REV))
    ok(cli("curate", "method", fed_iri, "--name", "FedRLNAS (Zhang et al.)", store=store, env=REV))

    # the technique proposal is now an open code, uncategorised until merged
    loose = [json.loads(x) for x in ok(cli("curate", "open-codes", "--uncategorised", store=store)).splitlines()]
    mine = [c for c in loose if c["paper"] == fed_iri]
    assert len(mine) == 1 and mine[0]["method"] == method_iri and mine[0]["label"]
    tech = ok(cli("curate", "merge", mine[0]["iri"], "--new", "Per-cluster controllers", store=store, env=REV)).strip()
    assert tech.endswith("/technique/per-cluster-controllers")
    assert not [c for c in (json.loads(x) for x in ok(cli("curate", "open-codes", "--uncategorised",
                                                           store=store)).splitlines()) if c["paper"] == fed_iri]
    # CLI errors: one line, non-zero exit
    r = cli("curate", "merge", mine[0]["iri"], store=store, env=REV)
    assert r.returncode != 0 and "--into" in r.stderr and "Traceback" not in r.stderr

    ok(cli("curate", "effect", tech, "non_iid_data", "towards", "--rationale",
           "a controller per cluster of similar clients searches for each skewed distribution",
           store=store, env=REV))
    ok(cli("curate", "effect", tech, "limited_communication", "against", "--rationale",
           "one controller per cluster multiplies what is exchanged", store=store, env=REV))

    rows = method_rows(cli, store)
    assert set(rows) - set(before_rows) == {"FedRLNAS (Zhang et al.)"}
    new = rows["FedRLNAS (Zhang et al.)"]
    assert new["non_iid_data"] == "towards" and new["limited_communication"] == "against"
    assert new["privacy"] == ""  # not coded
    md = ok(cli("tables", "--format", "markdown", store=store))
    assert "| FedRLNAS (Zhang et al.) |" in md and "| Per-cluster controllers |" in md
    assert rl_noniid not in gap_pairs(cli, store)

    # the report's gap matrix reads the same state
    out = tmp_path / "report"
    ok(cli("report", "--out", str(out), store=store))
    gaps = (out / "gaps.md").read_text(encoding="utf-8")
    assert "- Non-I.I.D. Training Data × Reinforcement learning" not in gaps
    assert "- Non-I.I.D. Training Data × Evolutionary" in gaps
    assert "| FedRLNAS (Zhang et al.) | " in (out / "method_x_challenge.md").read_text(encoding="utf-8")

    # undo: the rename, then the merge's move takes the method's technique away again
    hist = json.loads(ok(cli("curate", "history", method_iri, "--json", store=store)))
    ok(cli("curate", "undo", hist[-1]["decision"], store=store, env=REV))
    assert "FedRLNAS" in method_rows(cli, store)
    moves = json.loads(ok(cli("curate", "history", mine[0]["iri"], "--json", store=store)))
    ok(cli("curate", "undo", moves[-1]["decision"], store=store, env=REV))
    assert "FedRLNAS" not in method_rows(cli, store)  # no coded technique: no row
    assert rl_noniid not in gap_pairs(cli, store)  # its challenge and NAS type still count

"""The Screening page's duplicates controls in AppTest, on records written by the real ingest path:
undo a merge, merge it back, dismiss a suspect; PRISMA's duplicates follow each click."""

from __future__ import annotations

from pipeline.curate.prisma import prisma_counts
from pipeline.ingest import ingest_paths
from pipeline.ingest.unmerge import merges

RULES = ["challenge-rules-v1", "nastype-rules-v1"]  # fast proposers without the embedding model
EXPORT = r"""
@article{a1, title = {Federated Neural Architecture Search for Phones}, year = {2021}, doi = {10.1000/fnas.1},
  journal = {Journal One}}
@article{a2, title = {Federated neural architecture search for phones}, year = {2021}, doi = {10.1000/FNAS.1},
  journal = {J. One}, abstract = {Phones search architectures together without sharing their data.}}
@inproceedings{s1, title = {Differentially Private Federated Architecture Search on Edge Devices}, year = {2020}}
@inproceedings{s2, title = {Differentially-private federated architecture search on edge devices}, year = {2020}}
"""


def _open_records(app):
    at = app.open("screening")
    at.session_state["scr_tab"] = "Records & snowballing"
    at.run()
    assert not at.exception, at.exception
    return at


def test_undo_merge_merge_back_and_dismiss_a_suspect(app, app_store, tmp_path):
    path = tmp_path / "export.bib"
    path.write_text(EXPORT, encoding="utf-8")
    ingest_paths(app_store, [path], proposer_names=RULES, progress=False)
    base = prisma_counts(app_store)["duplicates"]
    at = _open_records(app)
    assert any(m.value.startswith("**Suspected duplicates** (1 to decide)") for m in at.markdown)
    assert any(m.value.startswith("**Merged duplicates** (1)") for m in at.markdown)

    at.button(key="unmerge_0").click().run()  # a2, merged into a1 by its DOI
    assert not at.exception, at.exception
    [a2] = [m for m in merges(app_store) if m.record.endswith("#a2")]
    assert a2.status == "undone" and prisma_counts(app_store)["duplicates"] == base - 1

    at = _open_records(app)
    at.button(key="remerge_0").click().run()
    assert [m.status for m in merges(app_store) if m.record.endswith("#a2")] == ["merged"]
    assert prisma_counts(app_store)["duplicates"] == base

    at = _open_records(app)
    at.button(key="dup_no_0").click().run()
    assert [m.status for m in merges(app_store) if m.kind == "suspect"] == ["dismissed"]
    assert any(m.value.startswith("**Suspected duplicates** (0 to decide)") for m in _open_records(app).markdown)

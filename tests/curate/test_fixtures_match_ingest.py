"""The curation fixtures (``pipeline.ingest.testing``) give the graph that ``ingest`` itself writes.

Curation and app tests build papers with ``make_ingested_paper`` (scripted proposals, ingest's own quad
builders). Here the same text and proposals go through the real ``ingest_paths`` (a scripted proposer
plugged into the registry) and the two papers must look the same to curation: the same proposals (kind,
code, status, evidence span and text, proposer, page) and the same decisions working on them.
"""

from __future__ import annotations

from pipeline import curate
from pipeline.ingest.testing import PROPOSALS_A, SAMPLE_TEXT, make_ingested_paper, scripted_proposal
from pipeline.propose import Proposer
from pipeline.propose.base import PROPOSERS


class ScriptedProposer(Proposer):
    name = "scripted-fixture-v1"
    kind = "challenge"
    default_enabled = False

    def propose(self, doc, context=None):
        return [scripted_proposal(spec, doc.text) for spec in PROPOSALS_A if spec["quote"] in doc.text]


def _view(v) -> tuple:
    return (v.kind, v.code, v.status, v.text[v.start:v.end] if v.text else v.excerpt, v.end - v.start,
            v.proposer, v.page, v.manual)


def test_fixture_paper_and_ingested_paper_curate_alike(seeded_store, tmp_path, monkeypatch):
    monkeypatch.setitem(PROPOSERS._items, ScriptedProposer.name, ScriptedProposer)
    src = tmp_path / "alpha.txt"
    src.write_text(SAMPLE_TEXT, encoding="utf-8")
    from pipeline.ingest.loop import ingest_paths

    summary = ingest_paths(seeded_store, [src], proposer_names=[ScriptedProposer.name], progress=False)
    assert not summary.failed, summary.failed
    ingested = {v.paper for v in curate.proposals(seeded_store) if v.proposer == "lexicon-v1"}
    assert len(ingested) == 1
    real = ingested.pop()
    fixture = make_ingested_paper(seeded_store, "fixture2024-copy", "Another title", "An abstract.",
                                  PROPOSALS_A, text=seeded_text(seeded_store, real)).value
    got = {p: sorted(_view(v) for v in curate.proposals(seeded_store, p)) for p in (real, fixture)}
    assert len(got[real]) == len(PROPOSALS_A) and got[real] == got[fixture]
    # a decision means the same on both
    for p in (real, fixture):
        first = sorted(curate.proposals(seeded_store, p), key=lambda v: v.code)[0]
        curate.edit(seeded_store, "ada", first.iri, code="https://w3id.org/fedatlas/id/challenge/privacy")
    got = {p: sorted(_view(v) for v in curate.proposals(seeded_store, p)) for p in (real, fixture)}
    assert got[real] == got[fixture] and any(v[2] == "edited" for v in got[real])


def seeded_text(store, paper: str) -> str:
    return curate.paper_text(store, paper)

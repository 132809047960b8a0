"""Ingest into a real store: dedup, idempotency, human decisions survive, bad input, JSON output."""

from __future__ import annotations

import json

import pytest
from pyoxigraph import NamedNode

from atlas_testing import ROOT, SHARED
from pipeline import vocab
from pipeline.curate.proposals import list_papers, list_proposals
from pipeline.ingest import ingest_paths

RULES = ["challenge-rules-v1", "nastype-rules-v1"]  # fast proposers without the embedding model

BIB = r"""
@article{xu2020,
  title = {Federated Neural Architecture Search},
  author = {Xu, Mengwei and Zhao, Yuxin and Bian, Kaigui},
  year = {2020},
  eprint = {2002.06352},
  archivePrefix = {arXiv},
  abstract = {To deal with the primary challenge of limited on-client computational and communication resources, we present FedNAS, a highly optimized framework for efficient federated NAS.}
}
@inproceedings{dp2021,
  title = {Differentially-private Federated Neural Architecture Search},
  author = {Singh, Ishika and Zhou, Haoyi},
  year = {2020},
  abstract = {We study differentially-private FNAS (DP-FNAS), which adds random noise to the gradients of architecture variables. We collectively search for a differentiable architecture by exchanging gradients of architecture variables.}
}
@article{broken,
  title = {Unbalanced {braces,
  year = 2020
"""


@pytest.fixture
def bib(tmp_path):
    p = tmp_path / "search.bib"
    p.write_text(BIB, encoding="utf-8")
    return p


def test_bibtex_good_entries_ingested_broken_reported(seeded_store, bib):
    summary = ingest_paths(seeded_store, [bib], proposer_names=RULES, progress=False)
    assert not summary.ok
    assert any("search.bib" in reason for _, reason in summary.failed)
    titles = {p["title"] for p in list_papers(seeded_store)}
    assert "Differentially-private Federated Neural Architecture Search" in titles


def test_preprint_and_record_dedup_into_one_paper_with_both_sources(seeded_store, bib):
    ingest_paths(seeded_store, [bib], proposer_names=RULES, progress=False)
    papers = [p for p in list_papers(seeded_store) if p["arxiv"] == "2002.06352"]
    assert len(papers) == 1
    srcs = papers[0]["sources"]
    assert any(s.endswith("search.bib#xu2020") for s in srcs) and any("seeds/001" in s for s in srcs)


def test_reingest_unchanged_changes_nothing(seeded_store, bib):
    ingest_paths(seeded_store, [bib], proposer_names=RULES, progress=False)
    before = seeded_store.canonical_dump()
    summary = ingest_paths(seeded_store, [bib], proposer_names=RULES, progress=False)
    assert summary.ingested == []
    assert all(why == "unchanged" for _, why in summary.skipped)
    assert seeded_store.canonical_dump() == before


def test_changed_file_replaces_machine_output_and_keeps_human_decisions(seeded_store, bib):
    ingest_paths(seeded_store, [bib], proposer_names=RULES, progress=False)
    props = [p for p in list_proposals(seeded_store) if "Differentially" in (p["title"] or "")]
    privacy = [p for p in props if p["code"].endswith("/privacy")]
    assert privacy, props
    target = NamedNode(privacy[0]["proposal"])
    decision = NamedNode(vocab.ID_NS + "decision/test-accept")
    with seeded_store.transaction() as tx:  # what the curation API writes for an accept
        tx.add(target, vocab.FA.status, vocab.status("accepted"), vocab.CURATION_GRAPH)
        tx.add(decision, vocab.RDF.type, vocab.FA.Decision, vocab.CURATION_GRAPH)
        tx.add(decision, vocab.FA.target, target, vocab.CURATION_GRAPH)
    curation_before = seeded_store.dump("nquads", vocab.CURATION_GRAPH)
    bib.write_text(BIB.replace("year = {2020},\n  abstract = {We study", "year = {2021},\n  abstract = {We study"),
                   encoding="utf-8")
    summary = ingest_paths(seeded_store, [bib], proposer_names=RULES, progress=False)
    assert summary.ingested
    assert seeded_store.dump("nquads", vocab.CURATION_GRAPH) == curation_before
    dp = [p for p in list_papers(seeded_store) if p["title"].startswith("Differentially")]
    assert dp[0]["year"] == 2021
    again = [p for p in list_proposals(seeded_store, status="all") if p["proposal"] == target.value]
    assert again and again[0]["status"] == "accepted"


def test_bad_pdf_fails_cleanly_and_store_is_unchanged(seeded_store, tmp_path, cli):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n")  # truncated
    before = seeded_store.canonical_dump()
    r = cli("ingest", str(bad), "--quiet", store=seeded_store.location)
    assert r.returncode == 7  # an input error
    assert "broken.pdf" in r.stderr and "Traceback" not in r.stderr
    assert seeded_store.canonical_dump() == before


def test_real_pdf_and_json_outputs(seeded_store, cli, bib):
    pdf = SHARED / "pdfs" / "sample-sigconf.pdf"
    if not pdf.exists():
        pytest.skip("shared PDFs not present")
    r = cli("ingest", str(pdf), "--quiet", store=seeded_store.location)
    assert r.returncode == 0, r.stderr
    # the BibTeX abstracts name challenges, so the proposals listing below has rows to check
    ingest_paths(seeded_store, [bib], proposer_names=RULES, progress=False)
    assert r.returncode == 0, r.stderr
    papers = json.loads(cli("papers", "--format", "json", store=seeded_store.location).stdout)
    sig = [p for p in papers if "sample-sigconf.pdf" in " ".join(p["sources"])]
    assert len(sig) == 1
    assert sig[0]["title"] and isinstance(sig[0]["authors"], list) and sig[0]["references"] > 10
    for k in ("title", "authors", "year", "doi", "arxiv", "references", "sources"):
        assert k in sig[0]
    props = json.loads(cli("proposals", "--status", "all", "--format", "json", store=seeded_store.location).stdout)
    assert isinstance(props, list) and len(props) >= 2
    assert {p["kind"] for p in props} >= {"challenge"}
    for p in props:
        for k in ("paper", "title", "kind", "code", "label", "score", "evidence", "page", "proposer"):
            assert k in p
        assert 0.0 <= p["score"] <= 1.0


def test_seed_paper_full_pipeline_proposes_xu_techniques(seeded_store):
    summary = ingest_paths(seeded_store, [ROOT / "corpus" / "seeds" / "001-xu-fednas.md"], progress=False)
    assert summary.ok, summary.lines()
    props = list_proposals(seeded_store)
    codes = {p["code"].rsplit("/", 1)[-1] for p in props}
    assert {"limited_computation", "limited_communication"} <= codes
    assert {"early-candidate-dropping", "dynamic-round-numbers"} & codes
    for p in props:
        assert p["proposer"] and p["evidence"] and p["evidence"] in \
            (ROOT / "corpus" / "seeds" / "001-xu-fednas.md").read_text(encoding="utf-8")


def test_llm_proposals_store_prompt_version_and_rationale():
    from pipeline.document import Document, Proposal, Source
    from pipeline.ingest.paper_graph import document_quads

    doc = Document(title="T", text="T. We add DP noise.", sources=[Source("x.md", "markdown", None, "h")])
    p = Proposal(kind="challenge", code=vocab.challenge("privacy").value, label="Privacy", score=0.7,
                 evidence="We add DP noise.", start=3, end=19, proposer="llm-openai-v1",
                 model="smollm2", model_version="smollm2|prompt:fedatlas-codes-v1", rationale="DP is a goal")
    quads = document_quads("k", doc, [p], "database", NamedNode(vocab.ID_NS + "activity/a"))
    by_pred = {(q.predicate.value, q.object.value) for q in quads}
    assert (vocab.FA.promptVersion.value, "fedatlas-codes-v1") in by_pred
    assert (vocab.FA.rationale.value, "DP is a goal") in by_pred

"""Deduplication through the real ingest path into a real store: counts, merges, suspects, provenance."""

from __future__ import annotations

import json

import pytest

from pipeline import vocab
from pipeline.curate.proposals import list_papers
from pipeline.ingest import ingest_paths

RULES = ["challenge-rules-v1", "nastype-rules-v1"]  # fast proposers without the embedding model

EXPORT = r"""
@article{li2020, title = {Federated Learning: Challenges, Methods, and Future Directions}, year = {2020},
  author = {Li, Tian and Sahu, Anit Kumar}, doi = {10.1109/MSP.2020.2975749}, journal = {IEEE Signal Processing Magazine}}
@article{li2020scopus, title = {Federated learning: challenges, methods, and future directions}, year = {2020},
  author = {Li, T. and Sahu, A. K. and Talwalkar, A. and Smith, V.}, doi = {10.1109/msp.2020.2975749},
  journal = {IEEE Signal Process. Mag.},
  abstract = {Federated learning involves training statistical models over remote devices while keeping data localized.}}
@article{zhang2021, title = {A survey on federated learning}, year = {2021}, doi = {10.1016/j.knosys.2021.106775}}
@article{li2020cie, title = {A survey on federated learning}, year = {2020}, doi = {10.1016/j.cie.2020.106854}}
@inproceedings{dp1, title = {Differentially Private Federated Neural Architecture Search}, year = {2020},
  author = {Singh, Ishika}}
@inproceedings{dp2, title = {Differentially-private federated neural architecture search}, year = {2020},
  author = {Singh, Ishika and Zhou, Haoyi}}
@article{xu2020, title = {Federated Neural Architecture Search}, author = {Xu, Mengwei}, year = {2020},
  eprint = {2002.06352}, archivePrefix = {arXiv}}
@misc{isles15, title = {Ischemic Stroke Lesion Segmentation (ISLES) challenge 2015}, year = {2015}}
@misc{isles16, title = {Ischemic Stroke Lesion Segmentation (ISLES) challenge 2016}, year = {2016}}
@misc{isles17, title = {Ischemic Stroke Lesion Segmentation (ISLES) challenge 2017}, year = {2017}}
@misc{isles18, title = {Ischemic Stroke Lesion Segmentation (ISLES) challenge 2018}, year = {2018}}
@article{broken,
  title = {Unbalanced {braces,
  year = 2020
"""


@pytest.fixture
def export(tmp_path):
    p = tmp_path / "export.bib"
    p.write_text(EXPORT, encoding="utf-8")
    return p


def _count(store, cls) -> int:
    return int(store.select(f"SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ GRAPH ?g {{ ?m a {cls} }} }}")[0]["n"])


def test_summary_counts_every_record_exactly(seeded_store, export):
    before = len(list_papers(seeded_store))
    summary = ingest_paths(seeded_store, [export], proposer_names=RULES, progress=False)
    counts = summary.counts()
    # by hand: 11 readable records; li2020scopus merges into li2020 (same file), xu2020 into the corpus paper;
    # dp2 is suspected of duplicating dp1; the 4 ISLES and the 2 same-title surveys are different works
    assert counts == {"new": 9, "merged": 2, "updated": 0, "unchanged": 0, "merged_within_run": 1,
                      "suspected": 1, "failed": 1, "records": 11}
    assert len(list_papers(seeded_store)) == before + 9
    assert json.loads(json.dumps(summary.as_dict()))["counts"] == counts  # what the app shows
    assert summary.lines()[0].startswith("ingested 9 paper(s) from 11 record(s): 9 new, 2 merged into existing papers (1 within this run)")
    again = ingest_paths(seeded_store, [export], proposer_names=RULES, progress=False)
    assert again.counts()["unchanged"] == 11 and again.counts()["new"] == again.counts()["merged"] == 0


def test_merges_are_stored_for_prisma_and_keep_each_sources_metadata(seeded_store, export):
    ingest_paths(seeded_store, [export], proposer_names=RULES, progress=False)
    rows = seeded_store.select("""
        SELECT ?into ?file ?rec ?origin ?by ?within ?when WHERE { GRAPH ?g {
          ?m a fa:DuplicateMerge ; fa:mergedInto ?into ; fa:sourceFile ?file ; rdfs:label ?rec ;
             fa:recordSource ?origin ; fa:matchedBy ?by ; fa:mergedWithinRun ?within ; prov:endedAtTime ?when } }""")
    assert sorted((r["rec"], r["by"], r["within"], r["origin"]) for r in rows) == [
        ("li2020scopus", "doi", True, "database"), ("xu2020", "arxiv", False, "database")]
    assert any(r["into"].endswith("/paper/xu2020-fednas") for r in rows)
    assert all(r["file"].endswith("export.bib") and r["when"] for r in rows)
    # both source records of the merged survey keep their own title and journal
    src = seeded_store.select("""
        SELECT ?title ?venue WHERE { GRAPH ?g { ?p bibo:doi "10.1109/msp.2020.2975749" ; fa:hasSource ?s .
          ?s dcterms:title ?title ; dcterms:isPartOf ?venue } }""")
    assert sorted(r["venue"] for r in src) == ["IEEE Signal Process. Mag.", "IEEE Signal Processing Magazine"]
    paper = [p for p in list_papers(seeded_store) if p["doi"] == "10.1109/msp.2020.2975749"]
    assert len(paper) == 1 and len(paper[0]["authors"]) == 4  # the fuller author list
    # the corpus paper keeps its curated title; the merged record adds its source only
    xu = seeded_store.select("SELECT ?t WHERE { GRAPH ?g { " + vocab.sparql_iri(vocab.paper("xu2020-fednas"))
                             + " dcterms:title ?t } }")
    assert [r["t"] for r in xu] == ["Federated Neural Architecture Search"]
    assert seeded_store.ask("ASK { GRAPH ?g { ?m a fa:DuplicateMerge ; fa:mergedRecord ?s } "
                            "GRAPH ?h { ?p fa:hasSource ?s . ?s rdfs:label 'xu2020' } }")


def test_suspected_duplicate_is_stored_not_merged(seeded_store, export):
    ingest_paths(seeded_store, [export], proposer_names=RULES, progress=False)
    dp = [p for p in list_papers(seeded_store) if "ifferentially" in p["title"]]
    assert len(dp) == 2
    rows = seeded_store.select("""SELECT ?a ?b ?score WHERE { GRAPH ?g { ?s a fa:SuspectedDuplicate ;
        fa:suspectRecord ?a ; fa:suspectedDuplicateOf ?b ; fa:score ?score . ?a fa:suspectedDuplicateOf ?b } }""")
    assert len(rows) == 1 and 0.9 <= rows[0]["score"] <= 1.0
    assert {rows[0]["a"], rows[0]["b"]} == {p["paper"] for p in dp}
    isles = [p for p in list_papers(seeded_store) if "ISLES" in p["title"]]
    assert sorted(p["year"] for p in isles) == [2015, 2016, 2017, 2018]


def test_published_version_enriches_preprint_field_by_field(seeded_store, tmp_path):
    pre = tmp_path / "arxiv.bib"
    pre.write_text(r"""@article{w1, title = {Federated Widgets under Heterogeneous Budgets}, year = {2023},
      author = {Lima, Ana and Chen, Bo and Park, Sun}, eprint = {2401.99999}, archivePrefix = {arXiv},
      journal = {arXiv preprint},
      abstract = {We search federated architectures for clients with limited memory and unreliable links.}}""")
    pub = tmp_path / "ieee.bib"
    pub.write_text(r"""@article{w2, title = {Federated Widgets Under Heterogeneous Budgets}, year = {2024},
      author = {Lima, Ana and Chen, Bo}, doi = {10.1109/TWID.2024.1}, journal = {IEEE Transactions on Widgets},
      eprint = {2401.99999}, archivePrefix = {arXiv}}""")
    ingest_paths(seeded_store, [pre], proposer_names=RULES, progress=False)
    summary = ingest_paths(seeded_store, [pub], proposer_names=RULES, progress=False)
    assert summary.counts()["merged"] == 1
    [p] = [p for p in list_papers(seeded_store) if p["arxiv"] == "2401.99999"]
    assert p["year"] == 2024 and p["doi"] == "10.1109/twid.2024.1" and len(p["authors"]) == 3
    abstract = seeded_store.select("SELECT ?a WHERE { GRAPH ?g { " + vocab.sparql_iri(p["paper"]) + " dcterms:abstract ?a } }")
    assert [r["a"] for r in abstract] == ["We search federated architectures for clients with limited memory and unreliable links."]
    years = seeded_store.select("SELECT ?y WHERE { GRAPH ?g { ?p fa:arxivId '2401.99999' ; fa:hasSource ?s . "
                                "?s dcterms:issued ?y } }")
    assert sorted(str(r["y"]) for r in years) == ["2023", "2024"]  # each source keeps its own year


def test_pdf_citing_a_corpus_paper_is_not_merged_into_it(seeded_store, tmp_path):
    typst = pytest.importorskip("typst")
    from test_own_identifiers import CITING

    src = tmp_path / "citing.typ"
    src.write_text(CITING, encoding="utf-8")
    typst.compile(str(src), output=str(tmp_path / "citing.pdf"))
    he_before = [p for p in list_papers(seeded_store) if p["arxiv"] == "2004.08546"]
    summary = ingest_paths(seeded_store, [tmp_path / "citing.pdf"], proposer_names=RULES, progress=False)
    assert summary.counts()["new"] == 1 and summary.counts()["merged"] == 0
    assert [p for p in list_papers(seeded_store) if p["arxiv"] == "2004.08546"] == he_before
    assert any(p["title"].startswith("Heterogeneity-Aware") for p in list_papers(seeded_store))


def test_store_with_merges_and_suspects_passes_shacl(seeded_store, export):
    from pipeline.store.shacl import validate_store

    ingest_paths(seeded_store, [export], proposer_names=RULES, progress=False)
    assert _count(seeded_store, "fa:DuplicateMerge") == 2 and _count(seeded_store, "fa:SuspectedDuplicate") == 1
    report = validate_store(seeded_store)
    assert report.conforms, report

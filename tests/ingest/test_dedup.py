"""Deduplication rules, the field-by-field merge, and their measured quality on labelled pairs."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.document import Document, Source
from pipeline.ingest.dedup import DedupIndex, RecordKey, conflict, merge_fields, title_numbers
from pipeline.ingest.dedup_eval import load_pairs, pair_verdict, score_pairs

PAIRS = Path(__file__).parent / "data" / "dedup_pairs.jsonl"


def rec(title, year=None, doi=None, arxiv=None, venue=None, abstract="", authors=(), name="r"):
    return Document(title=title, year=year, doi=doi, arxiv=arxiv, venue=venue, abstract=abstract,
                    authors=list(authors), sources=[Source(f"{name}.bib", "bibtex", name)])


def test_distinct_dois_never_merge_even_with_identical_titles():
    a = {"title": "A survey on federated learning", "year": 2021, "doi": "10.1016/j.knosys.2021.106775"}
    b = {"title": "A survey on federated learning", "year": 2020, "doi": "10.1016/j.cie.2020.106854"}
    assert pair_verdict(a, b) == "distinct"


def test_distinct_arxiv_ids_never_merge():
    a = {"title": "Federated Neural Architecture Search", "year": 2020, "arxiv": "2002.06352"}
    b = {"title": "Federated Neural Architecture Search", "year": 2020, "arxiv": "2103.00001v2"}
    assert pair_verdict(a, b) == "distinct"


def test_years_apart_without_preprint_are_different_works():
    a = {"title": "Reinforcement Learning: An Introduction", "year": 1998}
    b = {"title": "Reinforcement Learning: An Introduction", "year": 2018}
    assert pair_verdict(a, b) == "distinct"
    # the same gap with a preprint on one side may be one work: shown to the reviewer, not merged
    assert pair_verdict({**a, "arxiv": "1801.00001"}, b) == "suspect"


def test_numbers_and_editions_in_titles_tell_works_apart():
    assert title_numbers("isles 2015 a public evaluation benchmark") == {"2015"}
    assert title_numbers("pattern classification 2nd edition") == {"2"}
    assert title_numbers("a survey part ii") == {"2"}
    a = {"title": "Ischemic Stroke Lesion Segmentation (ISLES) challenge 2015", "year": 2015}
    b = {"title": "Ischemic Stroke Lesion Segmentation (ISLES) challenge 2016", "year": 2016}
    assert pair_verdict(a, b) == "distinct"


def test_identifier_match_merges_across_spellings():
    assert pair_verdict({"title": "Learning Transferable Architectures", "doi": "https://doi.org/10.1109/CVPR.2018.00907"},
                        {"title": "Learning transferable architectures", "doi": "10.1109/cvpr.2018.00907"}) == "merge"
    assert pair_verdict({"title": "FedorAS: Federated Architecture Search", "doi": "10.48550/arXiv.2206.11239"},
                        {"title": "FedorAS: federated architecture search", "arxiv": "2206.11239v3"}) == "merge"


def test_shared_identifier_with_unrelated_titles_is_not_merged():
    a = {"title": "Federated Learning with Only Positive Labels", "doi": "10.5555/3524938", "year": 2020}
    b = {"title": "Adaptive Federated Optimization for Heterogeneous Clients", "doi": "10.5555/3524938", "year": 2020}
    assert pair_verdict(a, b) == "suspect"


def test_similar_title_without_identifier_is_suspected_not_merged():
    a = {"title": "Differentially Private Federated Neural Architecture Search", "year": 2020}
    b = {"title": "Differentially-private federated neural architecture search", "year": 2020}
    assert pair_verdict(a, b) == "suspect"


def test_conflict_reasons_are_named():
    a = RecordKey.of(rec("X of Y", 2010, doi="10.1/a"))
    assert "DOIs" in conflict(a, RecordKey.of(rec("X of Y", 2010, doi="10.1/b")))
    assert "years" in conflict(a, RecordKey.of(rec("X of Y", 2014)))
    assert conflict(a, RecordKey.of(rec("X of Y", 2011))) is None


def test_index_finds_candidates_through_blocks_not_all_pairs():
    index = DedupIndex()
    for i in range(300):
        index.add(f"k{i}", rec(f"Unrelated study number {i} of topic {i * 7}", 2000 + i % 20, name=f"r{i}"))
    index.add("target", rec("Communication-Efficient Learning of Deep Networks from Decentralized Data", 2017))
    match = index.match(rec("Communication-efficient learning of deep networks from decentralized data", 2016,
                            arxiv="1602.05629"))
    assert match.kind == "new" and [k for k, _, _ in match.suspects] == ["target"]
    # a title's blocks hold only the titles that share its first, last or longest words
    assert max(len(v) for k, v in index.blocks.items() if k.startswith("f:")) <= 300


def test_merge_prefers_published_fields_and_the_longest_abstract():
    preprint = rec("Communication-Efficient Learning of Deep Networks from Decentralized Data", 2016,
                   arxiv="1602.05629", venue="arXiv preprint", abstract="Modern mobile devices have access to a wealth of data.",
                   authors=["McMahan, H. Brendan", "Moore, Eider", "Ramage, Daniel", "Hampson, Seth", "Arcas, Blaise"])
    published = rec("Communication-Efficient Learning of Deep Networks from Decentralized Data", 2017,
                    venue="AISTATS", doi="10.5555/aistats.2017.1273", abstract="",
                    authors=["McMahan, Brendan", "Moore, Eider"])
    for order in ([preprint, published], [published, preprint]):  # not "the later wins"
        m = merge_fields(order)
        assert m["year"] == 2017 and m["venue"] == "AISTATS" and m["doi"] == "10.5555/aistats.2017.1273"
        assert m["abstract"] == preprint.abstract and m["arxiv"] == "1602.05629"
        assert len(m["authors"]) == 5


def test_score_pairs_counts_by_hand():
    pairs = [  # 2 true duplicates (one merged, one suspected), 2 different works (one distinct, one flagged)
        {"id": 1, "duplicate": True, "a": {"title": "Deep residual learning for image recognition", "doi": "10.1109/CVPR.2016.90"},
         "b": {"title": "Deep Residual Learning for Image Recognition", "doi": "10.1109/cvpr.2016.90"}},
        {"id": 2, "duplicate": True, "a": {"title": "Attention is all you need", "year": 2017},
         "b": {"title": "Attention Is All You Need", "year": 2017, "arxiv": "1706.03762"}},
        {"id": 3, "duplicate": False, "a": {"title": "A survey on federated learning", "doi": "10.1/a"},
         "b": {"title": "A survey on federated learning", "doi": "10.1/b"}},
        {"id": 4, "duplicate": False, "a": {"title": "Stroke lesion segmentation challenge", "year": 2016},
         "b": {"title": "Stroke lesion segmentation challenge", "year": 2017}},
    ]
    got = score_pairs(pairs)
    assert (got["merged_true"], got["merged_false"], got["suspected_true"], got["suspected_false"]) == (1, 0, 1, 1)
    assert got["merge_precision"] == 1.0 and got["merge_recall"] == 0.5
    assert got["flag_recall"] == 1.0 and got["flag_precision"] == pytest.approx(2 / 3)
    assert got["false_flags"] == [4] and got["missed"] == []


def test_labelled_pairs_no_wrong_merge_and_every_duplicate_flagged():
    """Development figures on the labelled set shipped in tests/ingest/data (see its README)."""
    pairs = load_pairs(PAIRS)
    kinds = {p["kind"] for p in pairs}
    assert {"preprint-published", "same-title-different-year", "edition", "different-doi"} <= kinds
    got = score_pairs(pairs)
    assert got["duplicates"] >= 20 and got["different"] >= 15
    assert got["wrong_merges"] == [] and got["merge_precision"] == 1.0
    assert got["flag_recall"] >= 0.95, got["missed"]
    assert got["flag_precision"] >= 0.85, got["false_flags"]

"""A reviewer-confirmed duplicate ends as an identifier merge at ingest would: through the real ingest path.

Two BibTeX files hold the same work without a shared identifier: the first search's record has neither
abstract nor DOI, the second's has both, so ingest only suspects them (no silent merge). Confirming the
suspicion must give the kept paper the richer fields (ingest's one rule, ``merge_fields``), count one
duplicate removed more, and ``unmerge`` / ``curate undo`` must give both papers back exactly as before.
"""

from __future__ import annotations

import pytest
from test_ingest_dedup_store import RULES

from pipeline import curate
from pipeline.curate.prisma import check_invariants, prisma_counts
from pipeline.curate.proposals import list_papers, list_proposals
from pipeline.errors import InputError
from pipeline.ingest import ingest_paths
from pipeline.ingest.unmerge import confirm_duplicate, mark_duplicate, merges, not_duplicate, unmerge
from pipeline.vocab import local_name, paper_graph

TITLE = "Communication-Frugal Federated Architecture Search for Wearable Clients"
DOI = "10.1145/3600000.3600001"
ABSTRACT = ("Clients hold non-IID data and differ in hardware. We search architectures with a "
            "weight-sharing supernet without sharing data.")
POOR = rf"""@inproceedings{{poor2023, title = {{{TITLE}}}, author = {{Lima, Ana and Chen, Bo}}, year = {{2023}}}}
@article{{other2021, title = {{Quantum Annealing for Crop Rotation Planning}}, author = {{Doe, Jo}}, year = {{2021}}}}
"""
RICH = rf"""@inproceedings{{rich2023, title = {{{TITLE}}}, author = {{Lima, Ana and Chen, Bo and Wu, Cy}},
  year = {{2023}}, doi = {{{DOI}}}, booktitle = {{Proc. MobiSys}}, abstract = {{{ABSTRACT}}}}}
"""


@pytest.fixture
def suspected(seeded_store, tmp_path):
    for name, text in (("first.bib", POOR), ("second.bib", RICH)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    ingest_paths(seeded_store, [tmp_path / "first.bib"], proposer_names=RULES, progress=False)
    summary = ingest_paths(seeded_store, [tmp_path / "second.bib"], proposer_names=RULES, progress=False)
    assert (summary.counts()["merged"], summary.counts()["suspected"]) == (0, 1)  # never merged silently
    [s] = [m for m in merges(seeded_store) if m.kind == "suspect"]
    return seeded_store, s


def _paper(store, iri: str) -> dict:
    return next(p for p in list_papers(store) if p["paper"] == iri)


def _record(store, iri: str) -> dict:
    return next(r for r in curate.records(store) if r["paper"] == iri)


def _state(store, *papers: str):
    """Everything a reviewer sees of the papers: their graphs, proposals with status, records with decisions."""
    graphs = {p: set(store.quads(paper_graph(local_name(p)))) for p in papers}
    props = sorted((p["proposal"], p["paper"], p["status"]) for p in list_proposals(store, status="all")
                   if p["paper"] in papers)
    recs = {p: {k: v for k, v in _record(store, p).items() if k != "duplicate_of"} for p in papers}
    return graphs, props, recs


def _boxes(store) -> tuple[int, int, int]:
    c = prisma_counts(store)
    assert check_invariants(c) == []
    return c["identified"], c["duplicates"], c["screened"] + c["awaiting_screening"]


def test_confirming_a_suspect_gives_the_kept_paper_the_richer_fields_and_unmerge_gives_both_back(suspected):
    store, s = suspected
    dup, kept = s.record, s.paper  # the second search's record may duplicate the first's
    assert _paper(store, kept)["doi"] is None and _record(store, kept)["abstract"] == ""
    assert _paper(store, dup)["doi"] == DOI
    props = [p for p in list_proposals(store, status="all") if p["paper"] == dup]
    assert props, "the duplicate's abstract brings proposals"
    curate.accept(store, "Ana", props[0]["proposal"])  # decisions on the duplicate ...
    curate.screen(store, "Ana", dup, "title-abstract", "maybe")
    curate.screen(store, "Bo", kept, "title-abstract", "include")  # ... and on the kept paper
    before = _state(store, dup, kept)
    identified, duplicates, unique = _boxes(store)

    decision = confirm_duplicate(store, "Ana", local_name(s.id))

    shown = _paper(store, kept)
    assert (shown["doi"], shown["title"], len(shown["authors"])) == (DOI, TITLE, 3)
    assert _record(store, kept)["abstract"] == ABSTRACT and _record(store, kept)["venue"] == "Proc. MobiSys"
    assert store.ask(f'ASK {{ GRAPH ?g {{ <{kept}> bibo:doi "{DOI}" ; dcterms:abstract ?a }} }}')  # SPARQL sees it
    assert _boxes(store) == (identified, duplicates + 1, unique - 1)
    assert _record(store, kept)["TitleAbstract"] == "include"  # the kept paper's decisions stand
    [e] = [e for e in curate.history(store, dup) if e.iri == decision]
    assert (e.action, e.reviewer_name, bool(e.time)) == ("duplicate", "Ana", True)  # who and when
    assert [m.status for m in merges(store) if m.kind == "suspect"] == ["confirmed"]
    from pipeline.store.shacl import validate_store

    assert validate_store(store).conforms
    with pytest.raises(InputError, match="already"):
        confirm_duplicate(store, "Bo", local_name(dup), local_name(kept))

    split = unmerge(store, "Bo", local_name(dup))

    assert _state(store, dup, kept) == before  # fields, proposals and decisions of both, exactly
    assert _boxes(store) == (identified, duplicates, unique)
    assert [m.status for m in merges(store) if m.kind == "suspect"] == ["dismissed"]

    curate.undo(store, "Ana", split)  # merged again ...
    assert _paper(store, kept)["doi"] == DOI and _boxes(store) == (identified, duplicates + 1, unique - 1)
    curate.undo(store, "Ana", decision)  # ... and the confirm itself undone
    assert _state(store, dup, kept) == before
    assert _boxes(store) == (identified, duplicates, unique)
    assert [m.status for m in merges(store) if m.kind == "suspect"] == ["open"]


def test_not_duplicate_after_a_confirm_takes_the_merge_back(suspected):
    store, s = suspected
    before = _state(store, s.record, s.paper)
    confirm_duplicate(store, "Ana", local_name(s.id))
    assert _paper(store, s.paper)["doi"] == DOI
    not_duplicate(store, "Bo", local_name(s.id))
    assert _state(store, s.record, s.paper) == before
    assert [m.status for m in merges(store) if m.kind == "suspect"] == ["dismissed"]


def test_a_re_ingest_of_the_kept_paper_keeps_the_confirmed_duplicates_fields(suspected, tmp_path):
    store, s = suspected
    confirm_duplicate(store, "Ana", local_name(s.id))
    (tmp_path / "first.bib").write_text(POOR.replace("year = {2023}", "year = {2023}, pages = {1--9}"),
                                        encoding="utf-8")
    counts = ingest_paths(store, [tmp_path / "first.bib"], proposer_names=RULES, progress=False).counts()
    assert counts["updated"] == 1  # the kept paper's own record changed and its fields were re-chosen
    assert _paper(store, s.paper)["doi"] == DOI and _record(store, s.paper)["abstract"] == ABSTRACT


def test_marking_a_duplicate_by_hand_is_the_same_merge(suspected):
    """The app's "Mark duplicate" form (``curate.mark_duplicate``) and ``curate duplicate --of`` merge alike."""
    store, s = suspected
    mark_duplicate(store, "Ana", s.record, s.paper)
    assert _paper(store, s.paper)["doi"] == DOI
    assert _record(store, s.paper)["abstract"] == ABSTRACT

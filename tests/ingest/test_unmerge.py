"""Undoing a duplicate merge, confirming and dismissing suspected duplicates: through the real ingest path.

Counts are by hand. The seeded store holds the 6 bundled corpus papers (6 records, all screened).
``EXPORT`` (tests/ingest/test_ingest_dedup_store.py) has 11 readable records: li2020scopus merges
into li2020 (same DOI), xu2020 into the corpus paper xu2020-fednas (same arXiv id), dp2 is only
suspected of duplicating dp1. So PRISMA reads 17 identified, 2 duplicates removed, 9 awaiting.
"""

from __future__ import annotations

import json

import pytest
from test_ingest_dedup_store import EXPORT, RULES

from pipeline import curate
from pipeline.curate.prisma import check_invariants, prisma_counts
from pipeline.curate.proposals import list_papers, list_proposals
from pipeline.errors import InputError
from pipeline.ingest import ingest_paths
from pipeline.ingest.unmerge import confirm_duplicate, merges, not_duplicate, unmerge
from pipeline.vocab import local_name, paper, paper_graph

MSP = "10.1109/msp.2020.2975749"
BOXES = ("identified", "duplicates", "awaiting_screening", "screened")


@pytest.fixture
def ingested(seeded_store, tmp_path):
    path = tmp_path / "export.bib"
    path.write_text(EXPORT, encoding="utf-8")
    summary = ingest_paths(seeded_store, [path], proposer_names=RULES, progress=False)
    assert summary.counts()["merged"] == 2
    return seeded_store, path


def _flow(store) -> tuple[int, ...]:
    """identified, duplicates, awaiting, screened; the saved query agrees and every stream reads top-down."""
    from pipeline.curate.query import saved_queries

    counts = prisma_counts(store)
    assert check_invariants(counts) == []
    saved = {r["box"]: int(r["count"]) for r in store.select(saved_queries()["papers_per_prisma_stage"])}
    assert {b: saved[b] for b in BOXES} == {b: counts[b] for b in BOXES}
    return tuple(counts[b] for b in BOXES)


def _msp(store) -> dict[str, dict]:
    return {local_name(p["paper"]): p for p in list_papers(store) if p["doi"] == MSP}


def _own(store, p: str) -> dict:
    rows = store.select("SELECT ?p ?o WHERE { GRAPH ?g { " + f"<{p}>" + " ?p ?o } }")
    return {r["p"].rsplit("/", 1)[-1].rsplit("#", 1)[-1]: r["o"] for r in rows}


def test_unmerge_gives_each_record_back_its_own_metadata_and_prisma_drops_one_duplicate(ingested, tmp_path):
    store, path = ingested
    [li] = _msp(store)
    assert _flow(store) == (17, 2, 9, 6)
    curate.screen(store, "Ana", paper(li), "title-abstract", "include")  # a human decision on the merged paper
    assert _flow(store) == (17, 2, 8, 7)
    before = set(store.quads(paper_graph(li)))

    decision = unmerge(store, "Bo", "li2020scopus")

    assert _flow(store) == (17, 1, 9, 7)  # one duplicate fewer; the split-off record awaits screening
    papers = _msp(store)
    assert sorted(papers) == [li, li + "-2"]
    kept, split = papers[li], papers[li + "-2"]
    assert (kept["title"], kept["year"], len(kept["authors"])) == (
        "Federated Learning: Challenges, Methods, and Future Directions", 2020, 2)
    assert (split["title"], split["year"], len(split["authors"])) == (
        "Federated learning: challenges, methods, and future directions", 2020, 4)
    assert _own(store, paper(li).value)["isPartOf"] == "IEEE Signal Processing Magazine"
    assert _own(store, paper(li + "-2").value)["isPartOf"] == "IEEE Signal Process. Mag."
    assert _own(store, paper(li + "-2").value)["abstract"].startswith("Federated learning involves training")
    assert "abstract" not in _own(store, paper(li).value)  # li2020 had none: the merged one is gone with its record
    # the screening decision stays with the paper it was made on
    recs = {local_name(r["paper"]): r for r in curate.records(store)}
    assert recs[li]["TitleAbstract"] == "include" and recs[li + "-2"]["TitleAbstract"] is None
    # attributed, listed, and the source node keeps the raw entry
    [m] = [m for m in merges(store) if m.record.endswith("#li2020scopus")]
    assert (m.status, m.split_as) == ("undone", paper(li + "-2").value)
    events = curate.history(store, m.id)
    assert [(e.action, e.reviewer_name) for e in events] == [("unmerge", "Bo")] and events[0].iri == decision
    assert store.ask("ASK { GRAPH ?g { ?p fa:hasSource ?s . ?s rdfs:label 'li2020scopus' ; "
                     "dcterms:bibliographicCitation ?raw FILTER(CONTAINS(?raw, 'Talwalkar')) } }")

    # a re-ingest of the same file changes nothing
    again = ingest_paths(store, [path], proposer_names=RULES, progress=False).counts()
    assert (again["unchanged"], again["merged"], again["new"]) == (11, 0, 0)

    # undoing the unmerge merges the record back exactly
    curate.undo(store, "Ana", decision)
    assert _flow(store) == (17, 2, 8, 7)
    assert set(store.quads(paper_graph(li))) == before and store.quads(paper_graph(li + "-2")) == []
    assert [m.status for m in merges(store) if m.record.endswith("#li2020scopus")] == ["merged"]
    with pytest.raises(InputError, match="cannot be undone"):
        curate.undo(store, "Ana", curate.latest_decision(store, m.id))


def test_an_undone_pair_is_never_merged_again_by_the_identifier_it_shares(ingested, tmp_path):
    store, _ = ingested
    [li] = _msp(store)
    unmerge(store, "Bo", "li2020scopus")
    wos = tmp_path / "wos.bib"
    wos.write_text(r"""@article{li2020wos, title = {Federated Learning - Challenges, Methods, and Future Directions},
      year = {2020}, doi = {10.1109/MSP.2020.2975749}, journal = {IEEE SIGNAL PROC MAG}}""", encoding="utf-8")
    summary = ingest_paths(store, [wos], proposer_names=RULES, progress=False)
    counts = summary.counts()
    assert (counts["merged"], counts["new"], counts["suspected"]) == (0, 1, 1)
    assert sorted(s.other for s in summary.suspected) == [li, li + "-2"]
    assert "kept apart" in summary.suspected[0].reason
    assert len(_msp(store)) == 3
    assert _flow(store) == (18, 1, 11, 6)  # 9 awaiting + the split-off record + the new one


def test_unmerge_moves_the_text_and_proposals_of_the_record_with_their_decisions(ingested):
    store, _ = ingested
    [prop] = [p for p in list_proposals(store, status="all") if p["paper"].endswith("/xu2020-fednas")]
    curate.accept(store, "Ana", prop["proposal"])
    corpus_title = [p["title"] for p in list_papers(store) if p["paper"].endswith("/xu2020-fednas")]

    unmerge(store, "Ana", "xu2020")

    [split] = [m.split_as for m in merges(store) if m.record.endswith("#xu2020")]
    [moved] = [p for p in list_proposals(store, status="all") if p["proposal"] == prop["proposal"]]
    assert (moved["paper"], moved["status"]) == (split, "accepted")  # the decision followed its proposal
    assert store.quads(paper_graph("xu2020-fednas")) == []  # the corpus paper is the corpus record alone again
    assert [p["title"] for p in list_papers(store) if p["paper"].endswith("/xu2020-fednas")] == corpus_title
    assert _flow(store) == (17, 1, 10, 6)
    from pipeline.store.shacl import validate_store

    report = validate_store(store)
    assert report.conforms, report


def test_confirming_and_dismissing_a_suspected_duplicate(ingested, tmp_path):
    store, path = ingested
    [s] = [m for m in merges(store) if m.kind == "suspect"]
    assert s.status == "open"
    confirm_duplicate(store, "Ana", local_name(s.id))
    assert _flow(store) == (17, 3, 8, 6)  # dp2 is a duplicate removed now, not a record to screen
    assert [m.status for m in merges(store) if m.kind == "suspect"] == ["confirmed"]
    [rm] = [m for m in merges(store) if m.kind == "reviewer"]
    assert (rm.record, rm.paper) == (s.record, s.paper)

    decision = unmerge(store, "Bo", local_name(s.record))  # the reviewer's merge is undone the same way
    assert _flow(store) == (17, 2, 9, 6)
    assert [m.status for m in merges(store) if m.kind == "suspect"] == ["dismissed"]
    assert [e.action for e in curate.history(store, s.record)] == ["duplicate", "unmerge"]
    curate.undo(store, "Ana", decision)
    assert _flow(store) == (17, 3, 8, 6)

    not_duplicate(store, "Ana", local_name(s.id))
    assert _flow(store) == (17, 2, 9, 6)
    assert [m.status for m in merges(store) if m.kind == "suspect"] == ["dismissed"]
    assert ingest_paths(store, [path], proposer_names=RULES, progress=False).counts()["unchanged"] == 11


def test_cli_lists_merges_unmerges_and_merges_back(tmp_path, run_cli_store):
    store, run = run_cli_store
    res = run("curate", "merges", "--json")
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert sorted((r["kind"], r["status"]) for r in rows) == [("ingest", "merged"), ("ingest", "merged"),
                                                             ("suspect", "open")]
    assert json.loads(run("prisma", "--format", "json").stdout)["duplicates"] == 2
    decision = run("curate", "unmerge", "li2020scopus", "-r", "Bo").stdout.strip()
    assert json.loads(run("prisma", "--format", "json").stdout)["duplicates"] == 1
    assert "undone" in run("curate", "merges").stdout
    again = run("curate", "unmerge", "li2020scopus", "-r", "Bo", check=False)
    assert again.returncode != 0 and "already undone" in again.stderr
    run("curate", "undo", decision, "-r", "Bo")
    assert json.loads(run("prisma", "--format", "json").stdout)["duplicates"] == 2


@pytest.fixture
def run_cli_store(tmp_path):
    from atlas_testing import run_cli

    store = tmp_path / "store"
    path = tmp_path / "export.bib"
    path.write_text(EXPORT, encoding="utf-8")

    def run(*args, check=True):
        res = run_cli(*args, store=store)
        if check:
            assert res.returncode == 0, res.stderr
        return res

    run("init")
    run("ingest", str(path), "--quiet", *[a for r in RULES for a in ("--proposer", r)], check=False)
    return store, run


def test_unmerging_a_pdf_takes_its_full_text_and_proposals_and_undo_restores_the_paper(seeded_store, tmp_path):
    typst = pytest.importorskip("typst")
    from test_own_identifiers import OWN

    bib = tmp_path / "acm.bib"
    bib.write_text(r"""@inproceedings{lima2021, title = {Budget-Constrained Federated Architecture Search}, year = {2021},
      author = {Lima, Ana and Chen, Bo}, doi = {10.1145/1234567.7654321}, booktitle = {Proc. Widgets}}""",
                   encoding="utf-8")
    (tmp_path / "own.typ").write_text(OWN, encoding="utf-8")
    typst.compile(str(tmp_path / "own.typ"), output=str(tmp_path / "own.pdf"))
    ingest_paths(seeded_store, [bib], proposer_names=RULES, progress=False)
    assert ingest_paths(seeded_store, [tmp_path / "own.pdf"], proposer_names=RULES,
                        progress=False).counts()["merged"] == 1
    [key] = [local_name(p["paper"]) for p in list_papers(seeded_store) if p["doi"] == "10.1145/1234567.7654321"]
    props = [p for p in list_proposals(seeded_store, status="all") if p["paper"] == paper(key).value]
    assert props, "the PDF's text brings proposals"
    curate.accept(seeded_store, "Ana", props[0]["proposal"])
    curate.screen(seeded_store, "Ana", paper(key), "title-abstract", "include")
    before = set(seeded_store.quads(paper_graph(key)))
    assert _flow(seeded_store) == (8, 1, 0, 7)  # 6 corpus + 2 records, one of them merged; the paper screened

    decision = unmerge(seeded_store, "Bo", "own.pdf")  # the file name names its record

    [m] = [m for m in merges(seeded_store) if m.record.endswith("own.pdf")]
    split = m.split_as
    moved = {p["proposal"]: p for p in list_proposals(seeded_store, status="all")}
    assert all(moved[p["proposal"]]["paper"] == split for p in props)  # the proposals went with their text
    assert moved[props[0]["proposal"]]["status"] == "accepted"
    text_of = lambda p: seeded_store.select(f"SELECT ?t WHERE {{ GRAPH ?g {{ <{p}> fa:text ?t }} }}")  # noqa: E731
    assert text_of(paper(key).value) == [] and "wearable clients" in text_of(split)[0]["t"]
    recs = {r["paper"]: r for r in curate.records(seeded_store)}
    assert recs[paper(key).value]["TitleAbstract"] == "include" and recs[split]["TitleAbstract"] is None
    kept = [p for p in list_papers(seeded_store) if p["paper"] == paper(key).value][0]
    assert (kept["title"], kept["year"]) == ("Budget-Constrained Federated Architecture Search", 2021)
    assert _flow(seeded_store) == (8, 0, 1, 7)

    curate.undo(seeded_store, "Ana", decision)
    after = set(seeded_store.quads(paper_graph(key)))
    assert sorted(map(str, before - after)) == [] and sorted(map(str, after - before)) == []
    assert seeded_store.quads(paper_graph(local_name(split))) == []
    assert _flow(seeded_store) == (8, 1, 0, 7)


def test_unmerging_a_record_merged_into_a_corpus_paper_without_a_seed_file(seeded_store, tmp_path):
    """He et al. and FedorAS are bundled corpus records with no seed text (no ``fa:sourceFile``): a merge
    into one of them must be undoable like any other (the corpus record is the paper's other record)."""
    he = "he2020-fednas"
    path = tmp_path / "search.bib"
    path.write_text("@article{he2020dup, title={Towards Non-IID and Invisible Data with FedNAS: Federated Deep "
                    "Learning via Neural Architecture Search}, author={He, Chaoyang}, year={2020}, "
                    "eprint={2004.08546}, archivePrefix={arXiv}, abstract={Federated Learning (FL) has been proved "
                    "to be an effective learning framework.}}\n", encoding="utf-8")
    assert ingest_paths(seeded_store, [path], proposer_names=RULES, progress=False).counts()["merged"] == 1
    corpus = [(p["title"], p["year"]) for p in list_papers(seeded_store) if local_name(p["paper"]) == he]
    assert _flow(seeded_store) == (7, 1, 0, 6)

    unmerge(seeded_store, "Bo", "he2020dup")

    assert _flow(seeded_store) == (7, 0, 1, 6)  # no duplicate removed; the split-off record awaits screening
    assert seeded_store.quads(paper_graph(he)) == []  # the corpus paper is its corpus record alone again
    papers = {local_name(p["paper"]): p for p in list_papers(seeded_store)}
    assert [(papers[he]["title"], papers[he]["year"])] == corpus and papers[he]["sources"] == []
    [m] = [m for m in merges(seeded_store) if m.record.endswith("#he2020dup")]
    split = papers[local_name(m.split_as)]
    assert split["title"].startswith("Towards Non-IID") and split["sources"] == [f"{path}#he2020dup"]

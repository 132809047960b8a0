"""PRISMA 2020 counts: hand-counted scripted screenings on records that went through the real ingest path.

One function counts (``pipeline.curate.prisma.prisma_counts``); the saved query, ``fedatlas prisma``
(JSON and the PRISMA2020 CSV) and ``fedatlas report`` must give the same numbers.
"""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest

from pipeline import curate
from pipeline.curate.prisma import BOXES, check_invariants, prisma_counts
from pipeline.ingest.unmerge import mark_duplicate


def copy_store(template, dst):
    from pipeline.store import open_store

    shutil.copytree(template, dst, ignore=shutil.ignore_patterns("atlas.lock"))
    return open_store(dst)

TITLES = {
    "r1": "Alpha Federated Search of Tiny Convolutional Networks",
    "r2": "Bravo Gradient Methods for Satellite Image Segmentation",
    "r3": "Charlie Randomised Trials of Sleep Hygiene in Adolescents",
    "r4": "Delta Supernet Training on Heterogeneous Mobile Clients",
    "r5": "Echo Privacy Budgets in Cross Silo Architecture Search",
    "r6": "Foxtrot Communication Efficient Cell Search for Wearables",
    "r7": "Golf Evolutionary Search of Recurrent Cells for Speech",
    "r8": "Hotel Zero Cost Proxies Without Any Training Data",
    "r9": "India Personalised Federated Architectures for Hospitals",
}
CORPUS_DUPLICATES = [  # the same papers (same arXiv ids) as two bundled corpus records: merged at ingest
    ("fedoras", "FedorAS: Federated Architecture Search under System Heterogeneity", "Dudziak, Lukasz", 2022,
     "2206.11239"),
    ("hefednas", "Towards Non-I.I.D. and Invisible Data with FedNAS: Federated Deep Learning via Neural "
                 "Architecture Search", "He, Chaoyang", 2020, "2004.08546"),
]
# the same title as a corpus record but no shared identifier: a *suspected* duplicate, its own record until a
# reviewer confirms it (then it is a duplicate removed)
SUSPECT = "Search Algorithms and Search Spaces for Neural Architecture Search"
WANG = "https://w3id.org/fedatlas/id/paper/wang2022-nas-search"  # the corpus record it resembles


def _bib() -> str:
    out = []
    for key, title in TITLES.items():
        doi = "10.5555/atlas.r1" if key == "r1" else f"10.5555/atlas.{key}"
        out.append(f"@article{{{key}, title={{{title}}}, author={{Tester, Tina}}, year={{2023}}, doi={{{doi}}},\n"
                   f"  abstract={{{title}: a record for a scripted screening.}}}}")
    # the same work as r1 again (same DOI), from the same export: merged into r1
    out.append("@article{r1again, title={Alpha: Federated Search of Tiny Convolutional Networks}, "
               "author={Tester, Tina}, year={2023}, doi={10.5555/atlas.r1}}")
    for key, title, author, year, arxiv in CORPUS_DUPLICATES:
        out.append(f"@article{{{key}, title={{{title}}}, author={{{author}}}, year={{{year}}}, "
                   f"eprint={{{arxiv}}}, archivePrefix={{arXiv}}}}")
    out.append(f"@article{{suspect, title={{{SUSPECT}}}, author={{Wang, Someone}}, year={{2022}}}}")
    return "\n\n".join(out) + "\n"


@pytest.fixture(scope="module")
def ingested_template(tmp_path_factory):
    from pipeline.ingest.loop import ingest_paths
    from pipeline.store import open_store
    from pipeline.store.corpus import init_store

    root = tmp_path_factory.mktemp("prisma")
    bib = root / "search.bib"
    bib.write_text(_bib(), encoding="utf-8")
    path = root / "store"
    store = open_store(path)
    init_store(store)
    summary = ingest_paths(store, [bib], proposer_names=["challenge-rules-v1"], progress=False)
    assert not summary.failed, summary.failed
    return path


@pytest.fixture
def store(ingested_template, tmp_path):
    return copy_store(ingested_template, tmp_path / "s")


def keys_of(store, titles=TITLES) -> dict[str, str]:
    """r1..r9 -> paper IRI (ingest chose the keys)."""
    from pipeline.identifiers import normalise_title

    by_title = {normalise_title(r["title"]): r["paper"] for r in curate.records(store) if r["paper"] != WANG}
    return {k: by_title[normalise_title(t)] for k, t in titles.items()}


def boxes(c: dict) -> dict:
    return {b: c[b] for b in BOXES}


def saved_query(store) -> dict:
    from pipeline.curate.query import saved_queries

    return {r["box"]: int(r["count"]) for r in store.select(saved_queries()["papers_per_prisma_stage"])}


def test_ingest_merges_are_duplicates_and_nothing_is_screened_yet(store):
    c = prisma_counts(store)
    assert check_invariants(c) == []
    d, o = c["streams"]["dbr"], c["streams"]["other"]
    # by hand: 13 BibTeX entries, all database records; 2 merged into corpus records by arXiv id: the corpus
    # record (manual, loaded at init) was identified first, so FedorAS and He et al. are screened in the other
    # stream and their BibTeX records are duplicates removed in the databases stream; r1again merged into r1
    # by DOI; the suspected duplicate is a record of its own (awaiting)
    assert d["identified_by_source"] == {"database": 13}
    assert (d["identified"], d["duplicates"], d["awaiting_screening"], d["screened"]) == (13, 3, 10, 0)
    assert (d["sought"], d["assessed"], d["included"]) == (0, 0, 0)
    # the 6 corpus records (protocol left out): 4 of their own + FedorAS and He et al.
    assert o["identified_by_source"] == {"manual": 6}
    assert (o["identified"], o["duplicates"], o["screened"], o["excluded_reports"], o["included"]) == (6, 0, 6, 3, 3)
    assert c["identified"] == 19 and c["duplicates"] == 3 and c["awaiting_screening"] == 10


def _script_dual_screening(store, r):
    ta, ft = "title-abstract", "full-text"
    for key, ada, bob in (("r1", "include", "include"), ("r2", "include", "exclude"), ("r3", "exclude", "exclude"),
                          ("r4", "include", "maybe"), ("r6", "maybe", "maybe"), ("r7", "exclude", "include"),
                          ("r9", "include", "include")):
        curate.screen(store, "ada", r[key], ta, ada)
        curate.screen(store, "bob", r[key], ta, bob)
    curate.screen(store, "ada", r["r5"], ta, "include")  # one reviewer so far: their decision stands
    curate.resolve(store, "carol", r["r7"], ta, "exclude")
    curate.screen(store, "ada", r["r1"], ft, "include")
    curate.screen(store, "bob", r["r1"], ft, "exclude", reason="Not in English")  # full-text conflict
    curate.screen(store, "ada", r["r5"], ft, "exclude", reason="Full text not available")
    curate.screen(store, "ada", r["r6"], ft, "include")
    curate.screen(store, "bob", r["r6"], ft, "include")
    curate.screen(store, "ada", r["r9"], ft, "exclude", reason="Not in English")
    curate.screen(store, "bob", r["r9"], ft, "exclude", reason="Survey or position paper without a new method")
    curate.screen(store, "ada", r["r2"], ft, "include")  # on a title/abstract conflict: must count nowhere at full text


def test_dual_screening_with_conflicts_hand_count(store):
    r = keys_of(store)
    _script_dual_screening(store, r)
    c = prisma_counts(store)
    assert check_invariants(c) == []
    d = c["streams"]["dbr"]
    # by hand (databases stream: 13 records of r1..r9, the suspect, r1again, FedorAS and He et al.; the last
    # three duplicates): screened r1-r7, r9 = 8 (r8 and the suspect await); excluded r3, r7 (resolved);
    # conflicts r2, r4; sought r1, r5, r6, r9 = 4; not retrieved r5; assessed 3; excluded r9 ("Not in English",
    # the first of the two agreeing reviewers' reasons); pending r1 (full-text conflict); included r6
    assert boxes(d) == {"identified": 13, "duplicates": 3, "awaiting_screening": 2, "screened": 8,
                        "excluded_screening": 2, "conflicts_screening": 2, "sought": 4, "not_retrieved": 1,
                        "assessed": 3, "excluded_reports": 1, "pending": 1, "conflicts_full_text": 1, "included": 1}
    assert d["exclusion_reasons"] == {"Not in English": 1}
    assert r["r2"] not in c["included_papers"] and r["r6"] in c["included_papers"]
    assert c["included"] == 4 and c["exclusion_reasons"] == {"Not a FedNAS method (centralised NAS)": 3,
                                                             "Not in English": 1}
    assert saved_query(store) == boxes(c)

    # a record marked as a duplicate leaves every screening box and counts among the duplicates
    mark_duplicate(store, "ada", r["r4"], r["r1"])
    after = prisma_counts(store)
    assert check_invariants(after) == []
    assert (after["duplicates"], after["conflicts_screening"], after["streams"]["dbr"]["screened"]) == (4, 1, 7)
    # resolving the full-text conflict moves r1 from pending to included
    curate.resolve(store, "carol", r["r1"], "full-text", "include")
    final = prisma_counts(store)
    assert (final["pending"], final["conflicts_full_text"], final["included"]) == (0, 0, 5)
    assert check_invariants(final) == [] and saved_query(store) == boxes(final)
    # a reviewer confirms the suspected duplicate: it leaves "awaiting" for "duplicates removed"
    suspect = keys_of(store, {"s": SUSPECT})["s"]
    mark_duplicate(store, "ada", suspect, WANG)
    confirmed = prisma_counts(store)
    assert (confirmed["duplicates"], confirmed["awaiting_screening"]) == (5, 1)  # r8 still awaits
    assert check_invariants(confirmed) == [] and saved_query(store) == boxes(confirmed)


def test_snowballing_and_manual_records_are_other_methods(store):
    before = prisma_counts(store)
    p = curate.add_record(store, "ada", "Kilo Backward Snowballed Federated Search", source="backward")
    curate.add_record(store, "ada", "Lima Manually Added Federated Search", source="manual")
    curate.screen(store, "ada", p, "title-abstract", "exclude")
    c = prisma_counts(store)
    o, o0 = c["streams"]["other"], before["streams"]["other"]
    assert o["identified_by_source"] == {"backward": 1, "manual": 7}
    assert (o["identified"] - o0["identified"], o["excluded_screening"] - o0["excluded_screening"],
            o["awaiting_screening"] - o0["awaiting_screening"]) == (2, 1, 1)
    assert c["streams"]["dbr"] == before["streams"]["dbr"]
    assert check_invariants(c) == [] and saved_query(store) == boxes(c)


def test_a_record_counts_in_the_stream_it_was_identified_in(store, tmp_path):
    """The objection: a corpus paper merged with a database record was counted in the databases stream,
    manual record and all. Each record counts where it was found; the paper, where it was found first."""
    from pipeline.ingest.loop import ingest_paths

    r = keys_of(store)
    before = prisma_counts(store)
    # the same work as r2 (same DOI) again, now added by hand after the database search: a manual record,
    # identified after the database one, so a duplicate removed in the other stream; r2 stays a database paper
    again = tmp_path / "by-hand.bib"
    again.write_text("@article{r2hand, title={Bravo Gradient Methods for Satellite Image Segmentation}, "
                     "author={Tester, Tina}, year={2023}, doi={10.5555/atlas.r2}}\n", encoding="utf-8")
    summary = ingest_paths(store, [again], proposer_names=["challenge-rules-v1"], origin="manual", progress=False)
    assert not summary.failed, summary.failed
    c = prisma_counts(store)
    d, o, d0, o0 = c["streams"]["dbr"], c["streams"]["other"], before["streams"]["dbr"], before["streams"]["other"]
    assert check_invariants(c) == []
    assert (d["identified"], d["duplicates"], d["awaiting_screening"]) == (13, 3, 10) == \
        (d0["identified"], d0["duplicates"], d0["awaiting_screening"])
    assert (o["identified"] - o0["identified"], o["duplicates"] - o0["duplicates"], o["screened"] - o0["screened"],
            o["awaiting_screening"] - o0["awaiting_screening"]) == (1, 1, 0, 0)
    assert o["identified_by_source"] == {"manual": 7} and d["identified_by_source"] == {"database": 13}
    curate.screen(store, "ada", r["r2"], "title-abstract", "include")
    c = prisma_counts(store)
    assert (c["streams"]["dbr"]["screened"], c["streams"]["other"]["screened"]) == (1, 6)  # r2 in dbr, once
    assert c["identified"] == 20 and c["duplicates"] == 4 and saved_query(store) == boxes(c)


def test_cli_report_and_saved_query_agree(store, tmp_path):
    from click.testing import CliRunner

    from pipeline.commands.report import report_cmd
    from pipeline.commands.screening import prisma_cmd
    from pipeline.report.prisma import box_rows

    _script_dual_screening(store, keys_of(store))
    counts = prisma_counts(store)

    class Obj:
        def store(self):
            return store

    run = lambda *args: CliRunner().invoke(args[0], list(args[1:]), obj=Obj(), catch_exceptions=False)  # noqa: E731
    out = run(prisma_cmd, "--format", "json")
    assert out.exit_code == 0 and json.loads(out.output) == counts
    rows = {r["data"]: r for r in csv.DictReader(io.StringIO(run(prisma_cmd, "--format", "csv").output))}
    assert list(next(csv.reader(io.StringIO(run(prisma_cmd, "--format", "csv").output)))) == [
        "data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]
    all_rows = list(csv.DictReader(io.StringIO(run(prisma_cmd, "--format", "csv").output)))
    assert {r["box"] for r in all_rows if not r["box"].startswith("box")} == {  # the template's title boxes
        "prevstud", "newstud", "othstud", "identification", "screening", "included"}
    d = counts["streams"]["dbr"]
    assert int(rows["database_results"]["n"]) == d["identified"]  # the 13 BibTeX records
    assert int(rows["duplicates"]["n"]) == d["duplicates"]
    assert int(rows["database_results"]["n"]) - int(rows["duplicates"]["n"]) == d["screened"] + d["awaiting_screening"]
    assert int(rows["records_screened"]["n"]) == d["screened"]
    assert int(rows["records_excluded"]["n"]) == d["excluded_screening"]
    assert int(rows["dbr_assessed"]["n"]) == d["assessed"]
    assert rows["dbr_excluded"]["n"] == "Not in English, 1"
    assert int(rows["total_studies"]["n"]) == counts["included"]
    assert run(report_cmd, "--out", str(tmp_path / "report")).exit_code == 0
    assert json.loads((tmp_path / "report" / "prisma.json").read_text()) == counts
    html = (tmp_path / "report" / "index.html").read_text()
    assert all(f"<td>{n}</td>" in html for _, n in box_rows(counts))
    assert saved_query(store) == boxes(counts)


def test_diagram_shows_in_progress_boxes_apart_from_removed(store):
    from pipeline.report.prisma import prisma_diagram

    _script_dual_screening(store, keys_of(store))
    fig = prisma_diagram(prisma_counts(store))
    texts = [t.get_text() for t in fig.axes[0].texts]
    removed = next(t for t in texts if t.startswith("Records removed before screening"))
    assert "awaiting" not in removed.lower()
    assert any(t.startswith("In progress: awaiting screening\n(n = 2)") for t in texts)  # r8 and the suspect
    assert any("title/abstract conflicts\n(n = 2)" in t for t in texts)
    excluded = next(t for t in texts if t.startswith("Reports excluded (n = 1)"))
    assert "conflict" not in excluded.lower() and "Not in English: n = 1" in excluded

"""Screening labels from ASReview, Rayyan and Covidence become attributed screening decisions
(through the curation API), and Atlas's decisions go out in ASReview's labelled-CSV layout.

The CSV layouts are those the tools write (column names and Rayyan's notes syntax as in
their exports); the RIS case labels a real ASReview demo export (``../shared/realworld/ris``)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from realworld import REALWORLD

from pipeline import curate
from pipeline.errors import InputError
from pipeline.report.exchange.labels import export_asreview, import_labels, read_labels
from pipeline.sources import read_path
from pipeline.store import open_store

LIGHT = ["challenge-rules-v1"]

ASREVIEW_CSV = """record_id,title,abstract,authors,keywords,year,doi,included
1,Federated Neural Architecture Search at the Edge,We search architectures on phones.,"Lee, Kim; Park, Jun",FL; NAS,2021,10.1000/fednas.1,1
2,Gut Microbiota in Irritable Bowel Syndrome,A clinical cohort.,"Smith, J.",IBS,2019,10.1000/ibs.2,0
3,An Unscreened Record about Pruning,Not yet seen.,"Roe, R.",,2020,,
"""

RAYYAN_CSV = '''key,title,authors,journal,issn,volume,issue,pages,year,publisher,url,abstract,notes,doi,keywords
1,Personalised Federated NAS,"Alpha, A. and Beta, B.",J. ML,,3,1,1-10,2022,,,"We personalise.","RAYYAN-INCLUSION: {""Ann""=>""Included"", ""Bob""=>""Maybe""}",10.1000/pfnas.3,
2,Stress and the Gut,"Gamma, G.",Gut,,4,2,11-20,2018,,,"A review.","RAYYAN-INCLUSION: {""Ann""=>""Excluded"", ""Bob""=>""Excluded""} | RAYYAN-EXCLUSION-REASONS: wrong population",,
3,Nobody Looked at This,"Delta, D.",J. X,,,,,2017,,,"Abstract.",,,
'''

COVIDENCE_CSV = '''"Title","Authors","Abstract","Published Year","Published Month","Journal","Volume","Issue","Pages","Accession Number","DOI","Ref","Covidence #","Study","Notes","Tags"
"Weather Forecasting with Transformers","Kay, K.; Lu, L.","Forecasts.","2020","","Met. J.","1","2","3-4","","10.1000/wx.5","","#12","Kay 2020","",""
"Crop Yields under Drought","Mo, M.","Yields.","2019","","Agri","","","","","","","#13","Mo 2019","",""
'''


def _title(store, paper):
    return store.select(f"SELECT ?t WHERE {{ GRAPH ?g {{ <{paper}> dcterms:title ?t }} }}")[0]["t"]


def test_asreview_csv_labels_become_decisions_of_the_named_reviewer(tmp_path):
    path = tmp_path / "asreview_labelled.csv"
    path.write_text(ASREVIEW_CSV, encoding="utf-8")
    store = open_store(tmp_path / "store")
    report = import_labels(store, path, "Ann Reviewer", proposer_names=LIGHT)
    assert report.tool == "asreview" and report.written == {"include": 1, "exclude": 1} and report.unlabelled == 1
    decided = {(_title(store, d["paper"]), d["decision"], d["stage"]) for d in curate.screening_decisions(store)}
    assert decided == {("Federated Neural Architecture Search at the Edge", "include", "TitleAbstract"),
                       ("Gut Microbiota in Irritable Bowel Syndrome", "exclude", "TitleAbstract")}
    assert all("ann-reviewer" in d["reviewer"] for d in curate.screening_decisions(store))
    assert len(store.select("SELECT ?p WHERE { GRAPH ?g { ?p a fa:Paper } }")) == 3  # every record ingested
    with pytest.raises(InputError, match="--reviewer"):
        import_labels(store, path, None, proposer_names=LIGHT)


def test_rayyan_notes_give_one_decision_per_named_reviewer(tmp_path):
    path = tmp_path / "articles.csv"
    path.write_text(RAYYAN_CSV, encoding="utf-8")
    store = open_store(tmp_path / "store")
    report = import_labels(store, path, None, proposer_names=LIGHT)
    assert report.tool == "rayyan" and report.reviewers == ["Ann", "Bob"] and report.unlabelled == 1
    got = sorted((d["reviewer"].rsplit("/", 1)[-1], d["decision"], _title(store, d["paper"]), d["reason"])
                 for d in curate.screening_decisions(store))
    assert got == [("ann", "exclude", "Stress and the Gut", "wrong population"),
                   ("ann", "include", "Personalised Federated NAS", None),
                   ("bob", "exclude", "Stress and the Gut", "wrong population"),
                   ("bob", "maybe", "Personalised Federated NAS", None)]
    docs = read_path(path).documents
    assert docs[0].authors == ["Alpha, A.", "Beta, B."] and docs[0].doi == "10.1000/pfnas.3"


def test_covidence_list_names_the_decision(tmp_path):
    path = tmp_path / "review_4711_irrelevant_csv_20240101101010.csv"
    path.write_text(COVIDENCE_CSV, encoding="utf-8")
    store = open_store(tmp_path / "store")
    report = import_labels(store, path, "Cory", proposer_names=LIGHT)
    assert report.tool == "covidence" and report.written == {"exclude": 2}
    assert read_labels(path, decision="maybe").labels[0].decision == "maybe"
    with pytest.raises(InputError, match="Covidence list"):
        other = tmp_path / "covidence_export.csv"
        other.write_text(COVIDENCE_CSV, encoding="utf-8")
        read_labels(other)


@pytest.mark.skipif(not (REALWORLD / "ris" / "asreview_scopus.ris").exists(), reason="the real RIS files are not here")
def test_asreview_ris_notes_on_a_real_export(tmp_path):
    """ASReview writes N1 ASReview_relevant / ASReview_irrelevant / ASReview_not_seen into its RIS."""
    source = (REALWORLD / "ris" / "asreview_scopus.ris").read_text(encoding="utf-8-sig")
    records = re.split(r"(?m)^ER  -.*$", source)[:-1]
    notes = ["ASReview_relevant", "ASReview_irrelevant", "ASReview_not_seen"] * 2
    labelled = "".join(f"{r.rstrip()}\nN1  - {n}\nER  - \n" for r, n in zip(records, notes))
    path = tmp_path / "asreview_result.ris"
    path.write_text(labelled, encoding="utf-8")
    store = open_store(tmp_path / "store")
    report = import_labels(store, path, "Ann", proposer_names=LIGHT)
    assert report.written == {"include": 2, "exclude": 2} and report.unlabelled == 2 and not report.not_found


def test_export_in_asreview_format_reimports_to_the_same_decisions(tmp_path):
    path = tmp_path / "asreview_labelled.csv"
    path.write_text(ASREVIEW_CSV, encoding="utf-8")
    store = open_store(tmp_path / "store")
    import_labels(store, path, "Ann", proposer_names=LIGHT)
    exported = export_asreview(store)
    rows = {r["title"]: r["included"] for r in csv.DictReader(io.StringIO(exported))}
    assert rows == {"Federated Neural Architecture Search at the Edge": "1",
                    "Gut Microbiota in Irritable Bowel Syndrome": "0",
                    "An Unscreened Record about Pruning": ""}
    again = tmp_path / "again.csv"
    again.write_text(exported, encoding="utf-8")
    fresh = open_store(tmp_path / "fresh")
    report = import_labels(fresh, again, "Ann", proposer_names=LIGHT)
    assert report.written == {"include": 1, "exclude": 1}


def test_labels_commands(tmp_path, invoke):
    from pipeline.commands.report import labels_export_cmd, labels_import_cmd

    path = tmp_path / "asreview_labelled.csv"
    path.write_text(ASREVIEW_CSV, encoding="utf-8")
    store = open_store(tmp_path / "store")
    result = invoke(labels_import_cmd, store, str(path), "--reviewer", "Ann", "--stage", "title-abstract")
    assert result.exit_code == 0, result.output
    assert "decisions recorded: 1 exclude, 1 include (by Ann)" in result.output
    out = tmp_path / "out.csv"
    result = invoke(labels_export_cmd, store, "-o", str(out))
    assert result.exit_code == 0 and out.read_text().startswith("record_id,title,abstract,authors,year,doi,included")

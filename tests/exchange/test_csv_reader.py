"""CSV/TSV records as the databases export them (header names as Scopus, PubMed, Web of Science
and IEEE Xplore write them), read by extension through the readers' registry."""

from __future__ import annotations

from pipeline.sources import read_path

SCOPUS = '''"Authors","Author full names","Author(s) ID","Title","Year","Source title","Volume","Issue","Art. No.","Page start","Page end","Cited by","DOI","Link","Abstract","Author Keywords","Document Type","EID"
"Zhu H.; Jin Y.","Zhu, Hangyu (1); Jin, Yaochu (2)","1;2","Real-time federated evolutionary neural architecture search","2022","IEEE Transactions on Evolutionary Computation","26","2","","364","378","80","10.1109/TEVC.2021.3099448","https://www.scopus.com/x","We propose a real-time FedNAS.","federated learning; NAS","Article","2-s2.0-85111"
"Broken R.","","","","2020","","","","","","","","","","","","Article","2-s2.0-1"
'''

PUBMED = '''PMID,Title,Authors,Citation,First Author,Journal/Book,Publication Year,Create Date,PMCID,NIHMS ID,DOI
35000001,Federated learning for medical imaging: a review.,"Smith AB, Jones C, Lee K.",Med Image Anal. 2022;1:1-10.,Smith AB,Med Image Anal,2022,2022/01/01,,,10.1016/j.media.2022.1
'''

WOS = "PT\tAU\tTI\tSO\tPY\tDI\tAB\tUT\nJ\tHe, C; Annavaram, M; Avestimehr, S\tTowards Non-IID and Invisible Data with FedNAS\tarXiv\t2020\t\tFederated NAS for non-IID data.\tWOS:000123\n"

IEEE = '''"Document Title","Authors","Author Affiliations","Publication Title","Date Added To Xplore","Publication Year","Volume","Issue","Start Page","End Page","Abstract","ISSN","ISBNs","DOI","Funding Information","PDF Link","Author Keywords"
"FedNAS on the Edge","A. Kim; B. Park","Uni","2021 IEEE Conf","2021","2021","","","1","6","Edge FedNAS.","","","10.1109/CONF.2021.1","","https://ieeexplore.ieee.org/x","FL;NAS"
'''


def test_database_csv_exports_are_read(tmp_path):
    cases = {"scopus.csv": SCOPUS, "pubmed.csv": PUBMED, "savedrecs.tsv": WOS, "ieee.csv": IEEE}
    got = {}
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        got[name] = read_path(path)
    scopus = got["scopus.csv"]
    assert len(scopus.documents) == 1 and len(scopus.problems) == 1 and "no title" in scopus.problems[0]
    doc = scopus.documents[0]
    assert (doc.title, doc.year, doc.doi) == ("Real-time federated evolutionary neural architecture search", 2022,
                                              "10.1109/TEVC.2021.3099448")
    assert doc.authors == ["Zhu H.", "Jin Y."] and doc.keywords == ["federated learning", "NAS"]
    assert doc.venue == "IEEE Transactions on Evolutionary Computation" and doc.abstract.startswith("We propose")
    pubmed = got["pubmed.csv"].documents[0]
    assert pubmed.authors == ["Smith AB", "Jones C", "Lee K"] and pubmed.doi == "10.1016/j.media.2022.1"
    wos = got["savedrecs.tsv"].documents[0]
    assert wos.authors == ["He, C", "Annavaram, M", "Avestimehr, S"] and wos.year == 2020
    assert wos.sources[0].record == "WOS:000123"
    ieee = got["ieee.csv"].documents[0]
    assert ieee.title == "FedNAS on the Edge" and ieee.authors == ["A. Kim", "B. Park"] and ieee.year == 2021


def test_a_csv_without_a_title_column_is_one_problem(tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    result = read_path(path)
    assert result.documents == [] and len(result.problems) == 1 and "no title column" in result.problems[0]

"""Bibliographies survive Atlas: every real BibTeX and RIS file in ``../shared/realworld`` is
ingested through the real ingest path, its records included by a reviewer, exported, and
read back with the other tools' own parsers (bibtexparser, rispy, citeproc-py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from realworld import REALWORLD

from pipeline import curate
from pipeline.errors import InputError
from pipeline.ingest.loop import ingest_paths
from pipeline.report.exchange.bib import export_bibliography
from pipeline.sources.bibtex import read_bibtex_text
from pipeline.sources.ris import read_ris
from pipeline.store import open_store

BIB_FILES = sorted((REALWORLD / "bib").glob("*.bib"))
RIS_FILES = sorted((REALWORLD / "ris").glob("*.ris"))
pytestmark = pytest.mark.skipif(not BIB_FILES or not RIS_FILES, reason="the real bibliography files are not here")


def _ingested_and_included(path: Path, tmp_path: Path):
    store = open_store(tmp_path / f"store-{path.stem}")
    summary = ingest_paths(store, [path], proposer_names=["challenge-rules-v1"], progress=False)
    papers = [r["p"] for r in store.select("SELECT DISTINCT ?p WHERE { GRAPH ?g { ?p a fa:Paper } }")]
    for p in papers:
        curate.screen(store, "Ada Reviewer", p, "title-abstract", "include")
        curate.screen(store, "Ada Reviewer", p, "full-text", "include")
    return store, summary, papers


def _bib_entries(text: str):
    import bibtexparser

    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [b.raw[:80] for b in library.failed_blocks]
    return {(e.key, e.entry_type.lower(), tuple(sorted((f.key.lower(), f.value) for f in e.fields)))
            for e in library.entries}


@pytest.mark.parametrize("path", BIB_FILES, ids=[p.name for p in BIB_FILES])
def test_bibtex_round_trip_keeps_keys_types_and_every_field(path, tmp_path):
    store, summary, papers = _ingested_and_included(path, tmp_path)
    original = _bib_entries(path.read_text(encoding="utf-8"))
    assert len(papers) == len(original)
    exported = _bib_entries(export_bibliography(store, "bibtex"))
    assert exported == original


@pytest.mark.parametrize("path", RIS_FILES, ids=[p.name for p in RIS_FILES])
def test_ris_round_trip_keeps_types_and_every_field(path, tmp_path):
    import rispy

    store, summary, papers = _ingested_and_included(path, tmp_path)
    original = rispy.loads(path.read_text(encoding="utf-8-sig"))
    exported = rispy.loads(export_bibliography(store, "ris"))
    assert len(exported) == len(papers) == len(original)

    def comparable(entry: dict) -> tuple:
        return tuple(sorted((k, json.dumps(v, sort_keys=True)) for k, v in entry.items() if k != "id"))

    assert sorted(map(comparable, exported)) == sorted(map(comparable, original))


def test_bibtex_to_ris_and_csl_keep_the_standard_fields(tmp_path):
    """Across formats: entry type mapped, volume/pages/publisher/booktitle/abstract/keywords/url kept."""
    import rispy

    bib = tmp_path / "mixed.bib"
    bib.write_text("""
@book{knuth1984, title={The {TeX}book}, author={Donald E. Knuth}, year={1984}, publisher={Addison-Wesley},
  address={Reading, MA}, isbn={0-201-13447-0}, keywords={typesetting, TeX}, url={https://example.org/texbook}}
@incollection{smith2020, title={A Chapter on Federated Search}, author={Smith, Jane and Doe, John and others},
  booktitle={Handbook of Learning}, editor={Roe, Richard}, pages={10--20}, publisher={Springer}, year={2020},
  abstract={We search architectures federatedly.}}
@article{lee2021, title={Federated NAS at Scale}, author={Lee, Kim}, journal={J. Mach. Learn.}, volume={12},
  number={3}, pages={101--120}, year={2021}, doi={10.1000/xyz123}}
""", encoding="utf-8")
    store, _, papers = _ingested_and_included(bib, tmp_path)
    ris = {e["id"]: e for e in rispy.loads(export_bibliography(store, "ris"))}
    assert {k: e["type_of_reference"] for k, e in ris.items()} == {
        "knuth1984": "BOOK", "smith2020": "CHAP", "lee2021": "JOUR"}
    assert ris["knuth1984"]["publisher"] == "Addison-Wesley" and ris["knuth1984"]["urls"] == ["https://example.org/texbook"]
    assert ris["knuth1984"]["keywords"] == ["typesetting", "TeX"]
    assert ris["smith2020"]["secondary_title"] == "Handbook of Learning"
    assert ris["smith2020"]["authors"] == ["Smith, Jane", "Doe, John"]  # "and others" is not an author
    assert (ris["smith2020"]["start_page"], ris["smith2020"]["end_page"]) == ("10", "20")
    assert ris["smith2020"]["abstract"] == "We search architectures federatedly."
    assert (ris["lee2021"]["volume"], ris["lee2021"]["number"], ris["lee2021"]["doi"]) == ("12", "3", "10.1000/xyz123")

    items = {i["id"]: i for i in json.loads(export_bibliography(store, "csl-json"))}
    assert items["smith2020"]["type"] == "chapter" and items["smith2020"]["page"] == "10-20"
    assert items["knuth1984"]["type"] == "book" and items["lee2021"]["container-title"] == "J. Mach. Learn."


def test_csl_json_is_read_by_citeproc_py(tmp_path):
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    store, _, papers = _ingested_and_included(BIB_FILES[0], tmp_path)
    items = json.loads(export_bibliography(store, "csl-json"))
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(papers) == 22
    assert any("Efficient Architecture Search by Network Transformation" in r and "2017" in r for r in rendered)


def test_reader_edge_cases_from_real_exports(tmp_path):
    """'and others' is et al.; a reused key keeps both works; a broken field costs that field;
    Scopus references and abs/ arXiv ids are read."""
    text = """@article{dup, title={First Work}, author={Ann Alpha and others}, year={2020}}
@article{dup, title={Second Work}, author={Bob Beta}, year={2021}}
@inproceedings{broken,
  title={Survives a Broken Field},
  pages={1--2,
  year={2019},
  booktitle={Conf}}
"""
    result = read_bibtex_text(text, tmp_path / "edge.bib")
    by_title = {d.title: d for d in result.documents}
    assert set(by_title) == {"First Work", "Second Work", "Survives a Broken Field"}
    assert by_title["First Work"].authors == ["Ann Alpha"] and by_title["First Work"].extra["et_al"]
    assert by_title["Survives a Broken Field"].venue == "Conf" and by_title["Survives a Broken Field"].year == 2019
    assert not result.problems and any("pages" in n for n in result.notes)

    qinka = read_bibtex_text(BIB_FILES[0].read_text(encoding="utf-8"), BIB_FILES[0])
    smash = next(d for d in qinka.documents if d.title.startswith("SMASH"))
    assert smash.arxiv == "1708.05344"

    scopus = read_ris(REALWORLD / "ris" / "asreview_scopus.ris")
    counts = [len(d.references) for d in scopus.documents]
    assert min(counts) >= 56 and max(counts) >= 180
    first = scopus.documents[0].references[0]
    assert first.year == 2017 and first.title.startswith("Stress and brain functional changes")


def test_export_with_nothing_included_is_an_error(tmp_path):
    store = open_store(tmp_path / "empty")
    with pytest.raises(InputError, match="no included papers"):
        export_bibliography(store, "bibtex")


def test_ris_books_and_chapters_keep_their_type_and_fields(tmp_path):
    """BOOK and CHAP stay BOOK and CHAP (not JOUR); in BibTeX they are @book and @incollection
    with volume, pages, publisher, booktitle, abstract and keywords."""
    import bibtexparser
    import rispy

    ris = tmp_path / "books.ris"
    ris.write_text("""TY  - BOOK
TI  - Automated Machine Learning: Methods, Systems, Challenges
AU  - Hutter, Frank
AU  - Kotthoff, Lars
PY  - 2019
PB  - Springer
CY  - Cham
VL  - 1
SN  - 978-3-030-05317-8
AB  - A book on AutoML.
KW  - AutoML
KW  - NAS
UR  - https://example.org/automl
ER  - 

TY  - CHAP
TI  - Neural Architecture Search
AU  - Elsken, Thomas
T2  - Automated Machine Learning
A2  - Hutter, Frank
SP  - 63
EP  - 77
PY  - 2019
PB  - Springer
DO  - 10.1007/978-3-030-05318-5_3
ER  - 
""", encoding="utf-8")
    store, _, papers = _ingested_and_included(ris, tmp_path)
    back = sorted(rispy.loads(export_bibliography(store, "ris")), key=lambda e: e["type_of_reference"])
    assert [e["type_of_reference"] for e in back] == ["BOOK", "CHAP"]
    assert back[0]["volume"] == "1" and back[0]["keywords"] == ["AutoML", "NAS"] and back[0]["abstract"]
    assert (back[1]["start_page"], back[1]["end_page"]) == ("63", "77")
    entries = {e.entry_type: e.fields_dict for e in bibtexparser.parse_string(export_bibliography(store, "bibtex")).entries}
    assert set(entries) == {"book", "incollection"}
    assert entries["book"]["publisher"].value == "Springer" and entries["book"]["volume"].value == "1"
    assert entries["book"]["keywords"].value == "AutoML, NAS" and entries["book"]["url"].value == "https://example.org/automl"
    assert entries["incollection"]["booktitle"].value == "Automated Machine Learning"
    assert entries["incollection"]["pages"].value == "63--77" and entries["incollection"]["editor"].value == "Hutter, Frank"

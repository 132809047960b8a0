"""Exchange formats: BibTeX/RIS, SKOS, REFI-QDA codebook (.qdc), ORKG CSV."""

from __future__ import annotations

import csv
import io
import re

import pytest

from pipeline.errors import InputError

INCLUDED = {"xu2020-fednas", "dudziak2022-fedoras", "he2020-fednas"}


# ---- BibTeX / RIS --------------------------------------------------------------

def test_bibtex_has_the_included_papers_and_parses(seed_store):
    import bibtexparser

    from pipeline.report.exchange.bib import export_bibliography

    text = export_bibliography(seed_store, "bibtex")
    lib = bibtexparser.parse_string(text)
    assert not lib.failed_blocks
    assert {e.key for e in lib.entries} == INCLUDED
    xu = next(e for e in lib.entries if e.key == "xu2020-fednas")
    assert xu.fields_dict["title"].value == "Federated Neural Architecture Search"
    assert xu.fields_dict["eprint"].value == "2002.06352"
    assert xu.fields_dict["author"].value.count(" and ") == 5


def test_ris_parses(seed_store):
    import rispy

    from pipeline.report.exchange.bib import export_bibliography

    entries = rispy.loads(export_bibliography(seed_store, "ris"))
    assert {e["id"] for e in entries} == INCLUDED
    he = next(e for e in entries if e["id"] == "he2020-fednas")
    assert he["authors"] == ["Chaoyang He", "Murali Annavaram", "Salman Avestimehr"]
    assert he["year"] == "2020"


def test_bibtex_round_trips_through_atlas_ingestion(seed_store, tmp_path):
    """What we export, Atlas's own BibTeX/RIS readers read back (titles and identifiers)."""
    from pipeline.report.exchange.bib import export_bibliography
    from pipeline.sources import read_path

    for fmt, suffix in (("bibtex", ".bib"), ("ris", ".ris")):
        path = tmp_path / f"included{suffix}"
        path.write_text(export_bibliography(seed_store, fmt), encoding="utf-8")
        docs, problems = read_path(path)
        assert not problems, problems
        assert {d.title for d in docs} == {
            "Federated Neural Architecture Search",
            "FedorAS: Federated Architecture Search under System Heterogeneity",
            "Towards Non-I.I.D. and Invisible Data with FedNAS: Federated Deep Learning via Neural Architecture Search"}


def test_bibtex_escapes_special_characters():
    from pipeline.report.exchange.bib import BibRecord, to_bibtex

    text = to_bibtex([BibRecord("x", "k 1", "article", {"title": "Cost & 50% of {x}_y", "author": ["A B"],
                                                         "year": "2024", "journal": "J. #1"})])
    assert r"Cost \& 50\% of \{x\}\_y" in text and "@article{k1," in text


def test_export_bib_command(seed_store, invoke, tmp_path):
    from pipeline.commands.report import export_bib_cmd

    out = tmp_path / "inc.ris"
    result = invoke(export_bib_cmd, seed_store, "--format", "ris", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text().count("ER  - ") == 3


# ---- SKOS ----------------------------------------------------------------------

def test_skos_export_is_turtle_with_the_whole_codebook(seed_store):
    import rdflib
    from rdflib.namespace import SKOS

    from pipeline.report.exchange.skos import export_skos

    g = rdflib.Graph().parse(data=export_skos(seed_store), format="turtle")
    concepts = set(g.subjects(rdflib.RDF.type, SKOS.Concept))
    assert len(concepts) == 4 + 5 + 11 + 12  # categories, techniques, challenges, NAS types
    assert len(set(g.subjects(rdflib.RDF.type, SKOS.ConceptScheme))) == 3
    tech = rdflib.URIRef("https://w3id.org/fedatlas/id/technique/early-candidate-dropping")
    cat = rdflib.URIRef("https://w3id.org/fedatlas/id/category/evaluation-budgeting")
    assert (tech, SKOS.broader, cat) in g and (cat, SKOS.narrower, tech) in g
    assert not list(g.triples((None, rdflib.URIRef("https://w3id.org/fedatlas/ontology#polarity"), None)))


# ---- REFI-QDA .qdc ---------------------------------------------------------------

@pytest.fixture
def qdc(seed_store):
    pytest.importorskip("lxml")
    from pipeline.report.exchange.qdc import export_qdc

    return export_qdc(seed_store)


def test_qdc_validates_against_the_refi_qda_schema(qdc):
    from pipeline.report.exchange.qdc import validate_qdc

    assert validate_qdc(qdc) == []
    assert qdc.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert b'xmlns="urn:QDA-XML:codebook:1.0"' in qdc


def test_schema_rejects_a_broken_codebook(qdc):
    from pipeline.report.exchange.qdc import parse_qdc, validate_qdc

    broken = re.sub(rb'guid="[0-9a-f-]+"', b'guid="not-a-guid"', qdc, count=1)
    assert validate_qdc(broken)
    assert validate_qdc(qdc.replace(b' isCodable="true"', b"", 1))
    with pytest.raises(InputError):
        parse_qdc(broken)
    with pytest.raises(InputError):
        parse_qdc(b"<CodeBook")


def test_qdc_guids_are_stable_uuid5_of_the_concept_iri(qdc, seed_store):
    import uuid

    from pipeline.report.exchange.qdc import export_qdc

    iri = "https://w3id.org/fedatlas/id/challenge/non_iid_data"
    assert f'guid="{uuid.uuid5(uuid.NAMESPACE_URL, iri)}" name="Non-I.I.D. Training Data"'.encode() in qdc
    assert export_qdc(seed_store) == qdc  # deterministic


def test_qdc_reimports_to_the_same_codebook(qdc, seed_store):
    from pipeline.report.exchange.codebook import read_codebook
    from pipeline.report.exchange.qdc import parse_qdc
    from pipeline.report.exchange.qdc_import import import_qdc

    current = read_codebook(seed_store)
    assert [c.signature() for c in parse_qdc(qdc).codes] == [c.signature() for c in current]
    diff = import_qdc(seed_store, qdc)
    assert (len(diff.changed), len(diff.new), len(diff.missing)) == (0, 0, 0)
    assert len(diff.unchanged) == 3 + 4 + 5 + 11 + 12
    assert [c.signature() for c in read_codebook(seed_store)] == [c.signature() for c in current]


def test_qdc_import_adds_new_codes_and_reports_renames(qdc, seed_store, invoke, tmp_path):
    """A code added in a QDA tool becomes a technique under its category, keeping its GUID."""
    from pipeline.commands.report import codebook_import_cmd
    from pipeline.report.exchange.codebook import read_codebook
    from pipeline.report.exchange.qdc import export_qdc

    new_guid = "0f8fad5b-d9cb-469f-a165-70867728950e"
    edited = qdc.replace(b'name="Dynamic round numbers"', b'name="Dynamic round numbers (DRN)"').replace(
        b'<Code guid="1876f403', f'<Code guid="{new_guid}" name="Warm-started candidates" isCodable="true">'
        f'<Description>Candidates inherit weights.</Description></Code>\n<Code guid="1876f403'.encode(), 1)
    path = tmp_path / "edited.qdc"
    path.write_bytes(edited)
    result = invoke(codebook_import_cmd, seed_store, str(path))
    assert result.exit_code == 0, result.output
    assert "1 changed, 1 new" in result.output
    assert "added: 'Warm-started candidates' as technique" in result.output
    rows = seed_store.select("""SELECT ?t ?cat WHERE { GRAPH ?g { ?t a fa:AdaptationTechnique ;
        skos:prefLabel "Warm-started candidates"@en ; skos:broader ?cat } }""")
    assert [r["cat"] for r in rows] == ["https://w3id.org/fedatlas/id/category/evaluation-budgeting"]
    codes = {c.name: c.guid for root in read_codebook(seed_store) for c in root.walk()}
    assert codes["Warm-started candidates"] == new_guid  # the GUID survives a second export
    assert new_guid.encode() in export_qdc(seed_store)
    assert "Dynamic round numbers" in codes  # renames are left to curation


def test_codebook_export_command(seed_store, invoke, tmp_path):
    from pipeline.commands.report import codebook_export_cmd

    for fmt in ("skos", "qdc"):
        out = tmp_path / f"codebook.{fmt}"
        result = invoke(codebook_export_cmd, seed_store, "--format", fmt, "-o", str(out))
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 1000


# ---- ORKG ----------------------------------------------------------------------

def test_orkg_csv_one_row_per_method(seed_store):
    from pipeline.report.exchange.orkg import export_orkg_csv

    rows = list(csv.DictReader(io.StringIO(export_orkg_csv(seed_store))))
    assert [r["method"] for r in rows] == ["FedNAS (He et al.)", "FedNAS (Xu et al.)", "FedorAS"]
    xu = rows[1]
    assert xu["paper:title"] == "Federated Neural Architecture Search"
    assert xu["NAS type"] == "Pruning-based model adaptation"
    assert xu["adaptation technique"].count("; ") == 2
    assert xu["effect on Non-I.I.D. Training Data"] == "mixed"
    assert xu["claims"] == "14"  # hand count: the fourteen xu-* claims of corpus/seed_corpus.json (4 from Figs. 4, 7, 8)

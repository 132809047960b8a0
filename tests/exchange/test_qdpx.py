"""A ``.qdpx`` project exported by Atlas validates against the official Project-mrt2019.xsd and
re-imports with the same codes and coded segments; the codebook of a project is read too."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
import zipfile
from io import BytesIO

import pytest

from pipeline import curate
from pipeline.curate.proposals import proposals
from pipeline.ingest.loop import ingest_paths
from pipeline.report.exchange.codebook import read_codebook
from pipeline.report.exchange.qdc import PROJECT_NS, validate_qde
from pipeline.report.exchange.qdpx import export_qdpx, import_qdpx
from pipeline.store import open_store
from pipeline.store.shacl import validate_store

P = {"p": PROJECT_NS}
PAPER = """# Federated Architecture Search Under Skewed Clients

Abstract. We study neural architecture search in federated learning where client data are
non-IID and the communication cost of sending super-net weights dominates training time.
Our method uses a gradient-based one-shot super-net search with weight sharing.

## Method
Clients train the shared super-net locally; the server aggregates architecture parameters.
To reduce communication, only a sub-network is sent each round. Heterogeneous devices with
limited memory receive smaller sub-networks.
"""


@pytest.fixture(scope="module")
def coded_template(seeded_template, tmp_path_factory):
    """A seeded store with one paper ingested for real, codes accepted, one added, one memo."""
    tmp_path = tmp_path_factory.mktemp("coded")
    shutil.copytree(seeded_template, tmp_path / "store", ignore=shutil.ignore_patterns("atlas.lock"))
    store = open_store(tmp_path / "store")
    paper_file = tmp_path / "skewed.md"
    paper_file.write_text(PAPER, encoding="utf-8")
    ingest_paths(store, [paper_file], progress=False)
    views = proposals(store)
    paper = next(v.paper for v in views) if views else store.select(
        "SELECT ?p WHERE { GRAPH ?g { ?p a fa:Paper ; dcterms:title ?t FILTER(CONTAINS(?t, 'Skewed')) } }")[0]["p"]
    for v in [v for v in views if v.paper == paper and v.start is not None][:3]:
        curate.accept(store, "Ann Coder", v.iri)
    technique = next(t.iri for t in curate.codebook.techniques(store))
    curate.add_code(store, "Bob Coder", paper, "technique", technique, text="only a sub-network is sent each round")
    curate.codebook.add_memo(store, "Ann Coder", technique, "Sending sub-networks is the cheap trick here.")
    store.close()
    return tmp_path / "store", paper


@pytest.fixture
def coded_store(coded_template, tmp_path):
    path, paper = coded_template
    shutil.copytree(path, tmp_path / "coded", ignore=shutil.ignore_patterns("atlas.lock"))
    return open_store(tmp_path / "coded"), paper


def _segments(store):
    return sorted((v.paper, v.code, v.start, v.end) for v in proposals(store) if v.status in ("accepted", "edited"))


def test_qdpx_validates_against_the_project_schema(coded_store):
    store, paper = coded_store
    data = export_qdpx(store)
    with zipfile.ZipFile(BytesIO(data)) as archive:
        qde = archive.read("project.qde")
        names = archive.namelist()
    assert validate_qde(qde) == []
    root = ET.fromstring(qde)
    users = {u.get("name") for u in root.iterfind("p:Users/p:User", P)}
    assert {"Ann Coder", "Bob Coder"} <= users
    selections = root.findall(".//p:TextSource/p:PlainTextSelection", P)
    assert len(selections) == len(_segments(store)) >= 2
    source = next(s for s in root.iterfind(".//p:TextSource", P)
                  if s.find("p:PlainTextSelection[@name='only a sub-network is sent each round']", P) is not None)
    assert source.find("p:Description", P).text == paper
    text = zipfile.ZipFile(BytesIO(data)).read(f"sources/{source.get('guid')}.txt").decode()
    added = source.find("p:PlainTextSelection[@name='only a sub-network is sent each round']", P)
    assert text[int(added.get("startPosition")):int(added.get("endPosition"))] == added.get("name")
    assert root.find("p:Notes/p:Note/p:PlainTextContent", P).text.startswith("Sending sub-networks")
    assert root.find(".//p:Code/p:NoteRef", P) is not None
    assert any(n.endswith(".txt") for n in names)


def test_qdpx_reimports_with_the_same_codes_and_segments(coded_store, seeded_template, tmp_path):
    store, paper = coded_store
    data = export_qdpx(store)
    expected = _segments(store)

    # the same store: everything is already there
    again = import_qdpx(store, data)
    assert (again.added, again.already) == (0, len(expected))

    # a store with the same paper but none of the coding
    shutil.copytree(seeded_template, tmp_path / "other", ignore=shutil.ignore_patterns("atlas.lock"))
    other = open_store(tmp_path / "other")
    (tmp_path / "again").mkdir()
    (tmp_path / "again" / "skewed.md").write_text(PAPER, encoding="utf-8")
    ingest_paths(other, [tmp_path / "again" / "skewed.md"], proposer_names=["challenge-rules-v1"], progress=False)
    result = import_qdpx(other, data, source="atlas.qdpx")
    assert result.added == len(expected) and not result.skipped, result.summary()
    assert _segments(other) == expected
    assert [c.signature() for c in read_codebook(other)] == [c.signature() for c in read_codebook(store)]
    coders = {e.reviewer_name for v in proposals(other) if v.status == "accepted" and v.manual
              for e in curate.history(other, v.iri)[-1:]}
    assert coders <= {"Ann Coder", "Bob Coder"} and coders
    report = validate_store(other)
    assert report.conforms, report.text()


def test_codebook_of_a_qdpx_is_imported_by_codebook_import(coded_store, seeded_template, tmp_path, invoke):
    from pipeline.commands.report import codebook_import_cmd

    store, _ = coded_store
    path = tmp_path / "atlas.qdpx"
    path.write_bytes(export_qdpx(store))
    result = invoke(codebook_import_cmd, store, str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "0 new" in result.output and "would add 0 codes" in result.output


def test_qdpx_commands(coded_store, tmp_path, invoke):
    from pipeline.commands.report import qdpx_export_cmd, qdpx_import_cmd

    store, _ = coded_store
    out = tmp_path / "review.qdpx"
    result = invoke(qdpx_export_cmd, store, "-o", str(out))
    assert result.exit_code == 0 and zipfile.is_zipfile(out), result.output
    result = invoke(qdpx_import_cmd, store, str(out))
    assert result.exit_code == 0, result.output
    assert "coded segments: 0 added" in result.output

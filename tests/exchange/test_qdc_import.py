"""Real REFI-QDA codebooks (spec Annex A.1, ATLAS.ti 23, Taguette) import into a real store:
new top-level codes become open codes or categories, nesting/GUIDs/colours/descriptions/sets
kept, --dry-run says exactly what the real run writes, the store stays SHACL-valid, and the
export validates against the official Codebook.xsd and carries the imported codes back out."""

from __future__ import annotations

import shutil
import uuid
import xml.etree.ElementTree as ET

import pytest
from realworld import REALWORLD

from pipeline.report.exchange.codebook import read_code_sets, read_codebook
from pipeline.report.exchange.qdc import export_qdc, parse_qdc, validate_qdc
from pipeline.report.exchange.qdc_import import import_qdc
from pipeline.store import open_store
from pipeline.store.shacl import validate_store
from pipeline.vocab import CHALLENGE_SCHEME

QDC_FILES = sorted((REALWORLD / "qdc").glob("*.qdc"))
pytestmark = pytest.mark.skipif(not QDC_FILES, reason="the real codebooks are not here")
NS = {"q": "urn:QDA-XML:codebook:1.0"}


@pytest.fixture
def store(seeded_template, tmp_path):
    shutil.copytree(seeded_template, tmp_path / "store", ignore=shutil.ignore_patterns("atlas.lock"))
    return open_store(tmp_path / "store")


def _file_codes(data: bytes) -> dict[str, tuple[str, str, str, str | None]]:
    """guid -> (name, description, colour, parent guid), read straight from the XML."""
    root = ET.fromstring(data)
    out = {}

    def walk(el, parent):
        for code in el.findall("q:Code", NS):
            guid = code.get("guid").strip("{}").lower()
            desc = code.find("q:Description", NS)
            out[guid] = (code.get("name"), (desc.text or "").strip() if desc is not None else "",
                         (code.get("color") or "").upper(), parent)
            walk(code, guid)
    walk(root.find("q:Codes", NS), None)
    return out


def _store_codes(store) -> dict[str, tuple[str, str, str, str | None]]:
    out = {}
    for root in read_codebook(store):
        def walk(code, parent):
            out[code.guid] = (code.name, code.description, code.color.upper(), parent)
            for child in code.children:
                walk(child, code.guid)
        walk(root, None)
    return out


@pytest.mark.parametrize("path", QDC_FILES, ids=[p.name for p in QDC_FILES])
@pytest.mark.parametrize("unknown", ["open-code", "category"])
def test_real_codebook_imports_whole(store, path, unknown):
    data = path.read_bytes()
    in_file = _file_codes(data)
    before = len(_store_codes(store))

    dry = import_qdc(store, data, apply=False, source=path.name, unknown=unknown)
    assert len(_store_codes(store)) == before  # a dry run writes nothing
    real = import_qdc(store, data, apply=True, source=path.name, unknown=unknown)
    assert dry.summary(applied=True) == real.summary(applied=True)
    assert [(p.code.guid, p.kind, p.iri) for p in dry.planned] == [(p.code.guid, p.kind, p.iri) for p in real.planned]
    assert len(real.planned) == len(in_file)

    after = _store_codes(store)
    assert len(after) == before + len(in_file)
    for guid, (name, description, colour, parent) in in_file.items():
        got = after[guid]
        assert got[:2] == (name, description)
        if colour:
            assert got[2] == colour
        if parent is not None:
            assert got[3] == parent  # nesting kept
    kinds = {p.kind for p in real.planned}
    assert kinds <= ({"opencode"} if unknown == "open-code" else {"category", "technique"})

    report = validate_store(store)
    assert report.conforms, report.text()

    exported = export_qdc(store)
    assert validate_qdc(exported) == []
    assert set(in_file) <= {c.guid for root in parse_qdc(exported).codes for c in root.walk()}
    # a second import of the same file finds every code known
    again = import_qdc(store, data, apply=False, unknown=unknown)
    assert (len(again.new), len(again.planned), len(again.unchanged)) == (0, 0, len(in_file))


def test_sets_are_imported_and_exported(store):
    path = REALWORLD / "qdc" / "atlas23_requal.qdc"
    import_qdc(store, path.read_bytes(), source=path.name)
    sets = read_code_sets(store)
    assert [(s.guid, s.name, s.description, s.members) for s in sets] == [
        ("eca18d76-2b8b-4f26-bc1d-19eca19fb3f0", "code group 1", "kategorie 1",
         ["1ff58b12-6f6f-4b0c-8be5-bbdc91f55294"])]
    exported = export_qdc(store)
    assert validate_qdc(exported) == []
    assert parse_qdc(exported).sets[0].members == ["1ff58b12-6f6f-4b0c-8be5-bbdc91f55294"]


def test_taguette_empty_sets_is_a_note_not_a_failure():
    parsed = parse_qdc((REALWORLD / "qdc" / "taguette.qdc").read_bytes())
    assert [c.name for c in parsed.codes] == ["interesting", "people", "interesting.places"]
    assert parsed.notes and "Sets" in parsed.notes[0]


def test_nested_codebook_under_an_atlas_challenge_is_shacl_valid(store, tmp_path, invoke):
    """Codes under Atlas's challenge scheme get fa:key (the 10 SHACL violations of the issue),
    a deep unknown tree keeps its nesting as a category with techniques, and the command's
    --dry-run output matches the real run's line for line."""
    from pipeline.commands.report import codebook_import_cmd

    challenges = str(uuid.uuid5(uuid.NAMESPACE_URL, CHALLENGE_SCHEME.value))
    guids = [str(uuid.uuid4()) for _ in range(6)]
    qdc = f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="MAXQDA 24"><Codes>
  <Code guid="{challenges}" name="FedNAS challenges" isCodable="false">
    <Code guid="{guids[0]}" name="Client dropout" isCodable="true" color="#AA0000"/>
    <Code guid="{guids[1]}" name="Label skew" isCodable="true"><Description>Labels differ by client.</Description></Code>
  </Code>
  <Code guid="{guids[2]}" name="Search tricks" isCodable="true" color="#00AA00">
    <Code guid="{guids[3]}" name="Weight sharing" isCodable="true">
      <Code guid="{guids[4]}" name="Partial sharing" isCodable="true"/>
    </Code>
    <Code guid="{guids[5]}" name="Early stopping" isCodable="true"/>
  </Code>
</Codes></CodeBook>""".encode()
    path = tmp_path / "maxqda.qdc"
    path.write_bytes(qdc)
    dry = invoke(codebook_import_cmd, store, str(path), "--dry-run", "--unknown-parents", "category")
    real = invoke(codebook_import_cmd, store, str(path), "--unknown-parents", "category")
    assert dry.exit_code == 0 and real.exit_code == 0, dry.output + real.output
    assert dry.output.replace("would add", "added") == real.output
    assert "added 6 codes (1 category, 2 challenges, 3 techniques)" in real.output
    keys = store.select("SELECT ?k WHERE { GRAPH ?g { ?c a fa:Challenge ; skos:prefLabel 'Client dropout'@en ; fa:key ?k } }")
    assert [r["k"] for r in keys] == ["client-dropout"]
    codes = _store_codes(store)
    assert codes[guids[4]][3] == guids[3] and codes[guids[3]][3] == guids[2]
    assert codes[guids[0]][3] == challenges
    report = validate_store(store)
    assert report.conforms, report.text()


def test_an_invalid_codebook_is_refused_and_nothing_written(store):
    bad = b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="x" isCodable="true"/></Codes></CodeBook>'
    before = store.count()
    from pipeline.errors import InputError

    with pytest.raises(InputError, match="Codebook.xsd"):
        import_qdc(store, bad)
    assert store.count() == before


def test_every_exporter_is_in_one_registry(store):
    from pipeline.report.exchange.exporters import EXPORTERS

    assert EXPORTERS.names() == ["asreview", "bibtex", "csl-json", "orkg", "qdc", "qdpx", "ris", "skos"]
    assert validate_qdc(EXPORTERS.get("qdc").bytes(store)) == []
    assert EXPORTERS.get("bibtex").bytes(store).lstrip().startswith(b"@")


def test_a_new_code_never_takes_the_iri_of_a_merged_technique(store):
    """A deprecated (merged) technique is not in the codebook, but its IRI stays taken."""
    from pipeline import curate

    techniques = curate.codebook.techniques(store)
    gone, into = techniques[0], techniques[1]
    curate.codebook.merge(store, "Ann", gone.iri, into.iri)
    qdc = (f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="{uuid.uuid4()}" name="New group" '
           f'isCodable="true"><Code guid="{uuid.uuid4()}" name="{gone.label}" isCodable="true"/></Code>'
           '</Codes></CodeBook>').encode()
    diff = import_qdc(store, qdc, unknown="category")
    technique = diff.planned[1]
    assert technique.kind == "technique" and technique.iri.startswith(gone.iri.rsplit("/", 1)[0])
    assert technique.iri != gone.iri
    assert validate_store(store).conforms

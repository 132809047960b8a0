"""The one table of serialisations (pipeline.store.rdf_formats): lookups, and the callers that read it."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from pipeline.errors import UnknownNameError
from pipeline.serve.formats import GRAPH_TYPES, UPLOAD_TYPES
from pipeline.store import rdf_formats as rf

EX = "http://example.org/fmt/"


@pytest.mark.parametrize(("name", "expected"), [
    ("turtle", ox.RdfFormat.TURTLE), ("ttl", ox.RdfFormat.TURTLE), ("N-Triples", ox.RdfFormat.N_TRIPLES),
    ("json-ld", ox.RdfFormat.JSON_LD), ("rdf+xml", ox.RdfFormat.RDF_XML), ("nquads", ox.RdfFormat.N_QUADS),
])
def test_names_and_aliases(name, expected):
    assert rf.rdf_format(name) == expected


@pytest.mark.parametrize(("path", "name"), [
    ("a/b.nq", "nquads"), ("x.NQUADS", "nquads"), ("x.trig", "trig"), ("x.json", "jsonld"), ("x.ttl", "turtle"),
    ("x.nt", "ntriples"), ("x.rdf", "rdfxml"),
])
def test_by_suffix(path, name):
    assert rf.rdf_by_suffix(path).name == name


def test_by_media_ignores_parameters_and_knows_aliases():
    assert rf.rdf_by_media("text/turtle; charset=utf-8").name == "turtle"
    assert rf.rdf_by_media("application/x-turtle").name == "turtle"
    assert rf.result_by_media("application/json").name == "json"
    with pytest.raises(UnknownNameError):
        rf.rdf_by_media("application/x-turtle", aliases=False)


@pytest.mark.parametrize("lookup", [
    lambda: rf.rdf_syntax("yaml"), lambda: rf.result_syntax("yaml"), lambda: rf.rdf_by_suffix("notes.docx"),
    lambda: rf.rdf_by_media("text/yaml"), lambda: rf.media_type("yaml"),
])
def test_an_unknown_one_is_answered_with_the_known_ones(lookup):
    with pytest.raises(UnknownNameError) as err:
        lookup()
    assert err.value.hint.startswith("known: ") and len(err.value.hint.split(", ")) >= 4


def test_the_table_is_consistent():
    names = [s.name for s in rf.RDF_SYNTAXES] + [s.name for s in rf.RESULT_SYNTAXES]
    assert len(names) == len(set(names))
    suffixes = rf.rdf_suffixes()
    assert len(suffixes) == len(set(suffixes)) and all(x.startswith(".") for x in suffixes)
    aliases = [a for s in rf.RDF_SYNTAXES for a in s.aliases]
    assert not set(aliases) & set(names) and len(aliases) == len(set(aliases))
    for r in rf.RESULT_SYNTAXES:  # a twin is a graph format the endpoint offers
        assert r.graph_twin is None or r.graph_twin in GRAPH_TYPES
    # every syntax that carries no named graphs writes one graph (else a store could not dump it)
    assert all(s.one_graph for s in rf.RDF_SYNTAXES if not s.named_graphs)


def test_every_upload_type_parses_as_its_format():
    data = {"turtle": f"<{EX}s> <{EX}p> 'o' .", "ntriples": f"<{EX}s> <{EX}p> \"o\" .",
            "nquads": f"<{EX}s> <{EX}p> \"o\" <{EX}g> .", "trig": f"<{EX}g> {{ <{EX}s> <{EX}p> 'o' }}",
            "jsonld": f'{{"@id": "{EX}s", "{EX}p": "o"}}',
            "rdfxml": f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="{EX}">'
                      f'<rdf:Description rdf:about="{EX}s"><e:p>o</e:p></rdf:Description></rdf:RDF>'}
    assert set(UPLOAD_TYPES.values()) == set(data)
    for media, name in UPLOAD_TYPES.items():
        assert len(list(ox.parse(data[name].encode(), format=rf.rdf_format(name)))) == 1, media


def test_cli_keeps_its_format_names():
    from pipeline.commands.core import export_cmd, import_cmd

    choices = {p.name: list(getattr(p.type, "choices", [])) for p in export_cmd.params}
    assert set(choices["fmt"]) == {"nquads", "trig", "jsonld"}
    choices = {p.name: list(getattr(p.type, "choices", [])) for p in import_cmd.params}
    assert {"nquads", "trig", "jsonld", "turtle", "ntriples"} <= set(choices["fmt"])


def test_cli_import_by_suffix_and_the_known_suffixes(tmp_path, store_path, cli):
    f = tmp_path / "one.rdf"  # RDF/XML: a suffix the CLI reads through the table
    f.write_text(f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="{EX}">'
                 f'<rdf:Description rdf:about="{EX}s"><e:p>o</e:p></rdf:Description></rdf:RDF>')
    r = cli("import", str(f), store=store_path)
    assert r.returncode == 0 and "imported 1 quads" in r.stdout, r.stderr
    bad = tmp_path / "data.docx"
    bad.write_text("nothing")
    r = cli("import", str(bad), store=store_path)
    assert r.returncode == 7, r.stderr
    assert ".ttl" in r.stderr and ".nq" in r.stderr

"""Small known-answer tests: the SERVICE/LOAD guard and content negotiation."""

from __future__ import annotations

import pytest

from pipeline.serve.config import EndpointError
from pipeline.serve.formats import negotiate
from pipeline.serve.guard import check_query, check_update
from pipeline.store.guard import inspect


def mentions(text: str, word: str, update: bool = False) -> bool:
    found = inspect(text, update=update)
    return found.service if word == "service" else found.load

SVC = "<http://127.0.0.1:9/>"


@pytest.mark.parametrize("query", [
    f"SELECT * {{ SERVICE {SVC} {{}} }}",
    f"select * {{ service silent {SVC} {{}} }}",
    f"SELECT * {{ ?s ?p trueSERVICE {SVC} {{}} }}",  # oxigraph runs this SERVICE
    f"SELECT * {{ ?s ?p 1SERVICE {SVC} {{}} }}",
    "PREFIX : <http://127.0.0.1:9/> SELECT * { SERVICE:x {} }",
    f"SELECT * {{ ?s ?p ?o FILTER(1<2)SERVICE#>\n{SVC} {{}} }}",  # '<' operator, not an IRI
    f"SELECT * {{ ?s ?p ?o FILTER(1<2)#>'''\nSERVICE {SVC} {{}} #'''\n}}",
    f"SELECT * {{ <http://e/#a> ?p ?o FILTER(1<2)SERVICE#>\n{SVC}{{}} }}",
    f"SELECT * {{ \\u0053ERVICE {SVC} {{}} }}",
    f"SELECT * {{ BIND({SVC} AS ?u) SERVICE ?u {{}} }}",
])
def test_service_detected(query):
    assert mentions(query, "service")
    with pytest.raises(EndpointError) as err:
        check_query(query, allow_service=False)
    assert err.value.status == 400
    check_query(query, allow_service=True)  # allowed when enabled


@pytest.mark.parametrize("query", [
    "SELECT * { ?service ?p ?o }",
    "SELECT * { ?s ?p 'customer service' }",
    "# a service comment\nSELECT * { ?s ?p ?o }",
    "SELECT * { <http://example.org/service> ?p ?o }",
    "SELECT * { <https://w3id.org/fedatlas/ontology#Paper> ?p 'service' }",
])
def test_service_word_elsewhere_allowed(query):
    assert not mentions(query, "service")


def test_load_and_update_keywords():
    assert mentions("LOAD <http://x/data.ttl>", "load", update=True)
    assert mentions("PREFIX a: <x>LOAD <http://x>", "load", update=True)
    assert not mentions("INSERT DATA { <urn:a> <urn:b> 'workload download loading' }", "load", update=True)
    with pytest.raises(EndpointError):
        check_update("LOAD <http://x/data.ttl>", allow_service=False)
    assert inspect("PREFIX a: <x> # c\n INSERT DATA {}").form == "UPDATE"
    assert inspect("BASE <x> select * {}").form == "SELECT"
    with pytest.raises(EndpointError):
        check_query("PREFIX a: <x> DELETE WHERE { ?s ?p ?o }", allow_service=True)


@pytest.mark.parametrize(("accept", "fmt", "expected"), [
    (None, None, ("json", "turtle", "trig")),
    ("text/csv", None, ("csv", "turtle", "trig")),
    ("application/n-triples;q=0.5, text/turtle", None, ("json", "turtle", "trig")),
    ("application/n-triples, text/turtle;q=0.5", None, ("json", "ntriples", "trig")),
    ("application/sparql-results+xml,application/rdf+xml,*/*", None, ("xml", "rdfxml", "trig")),
    ("application/n-quads", None, ("json", "turtle", "nquads")),
    ("text/csv", "json", ("json", "jsonld", "trig")),
    (None, "turtle", ("json", "turtle", "trig")),
    (None, "text/tab-separated-values", ("tsv", "turtle", "trig")),
])
def test_negotiate(accept, fmt, expected):
    assert negotiate(accept, fmt) == expected


def test_negotiate_unknown_format():
    with pytest.raises(EndpointError):
        negotiate(None, "yaml")

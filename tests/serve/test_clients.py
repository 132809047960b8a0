"""Real SPARQL clients against ``fedatlas serve``: SPARQLWrapper and rdflib's SPARQLStore in
every result format, the union default graph, DESCRIBE, CORS, and another Atlas
(``fedatlas --store URL/query``) answering like the embedded store."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, TSV, TURTLE, XML, SPARQLWrapper

from .conftest import EX, N_TRIPLES
from .test_endpoint import http

ROOT = Path(__file__).resolve().parents[2]
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CONSTRUCT_ALL = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


# ---- the default graph is the union of the named graphs ------------------------------------
def test_default_graph_is_the_union_for_every_query_form(endpoint):
    status, _, body = http(endpoint, "GET", "/query?" + urllib.parse.urlencode({"query": COUNT_ALL}),
                           headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == str(N_TRIPLES)
    status, _, body = http(endpoint, "GET", "/query?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}))
    assert json.loads(body)["boolean"] is True
    status, _, body = http(endpoint, "GET", "/query?" + urllib.parse.urlencode({"query": CONSTRUCT_ALL}),
                           headers={"Accept": "application/n-triples"})
    assert len(list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))) == N_TRIPLES
    status, media, body = http(endpoint, "GET", "/query?" + urllib.parse.urlencode(
        {"query": f"DESCRIBE <{EX}s3>"}), headers={"Accept": "application/n-triples"})
    triples = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
    assert status == 200 and [t.object.value for t in triples] == ["value 3"]


def test_union_default_graph_parameter_and_protocol_dataset(endpoint):
    union = "/query?union-default-graph&" + urllib.parse.urlencode({"query": COUNT_ALL})
    status, _, body = http(endpoint, "GET", union, headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == str(N_TRIPLES)
    # a protocol-named default graph that does not exist is empty, not the union
    named = "/query?" + urllib.parse.urlencode({"query": COUNT_ALL, "default-graph-uri": EX + "nothing"})
    status, _, body = http(endpoint, "GET", named, headers={"Accept": "application/sparql-results+json"})
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "0"
    # and a FROM in the query itself is honoured too, even when the union is asked for
    query = f"SELECT (COUNT(*) AS ?n) FROM <{EX}nothing> WHERE {{ ?s ?p ?o }}"
    for prefix in ("/query?", "/query?union-default-graph&"):
        status, _, body = http(endpoint, "GET", prefix + urllib.parse.urlencode({"query": query}),
                               headers={"Accept": "application/sparql-results+json"})
        assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "0"


def test_format_repeated_with_one_meaning_is_one_format(endpoint):
    qs = urllib.parse.urlencode([("query", COUNT_ALL), ("format", "tsv"), ("format", "tsv")])
    status, media, body = http(endpoint, "GET", "/query?" + qs)
    assert status == 200 and media["Content-Type"].startswith("text/tab-separated-values")
    qs = urllib.parse.urlencode([("query", COUNT_ALL), ("format", "tsv"), ("format", "text/tab-separated-values")])
    assert http(endpoint, "GET", "/query?" + qs)[0] == 200
    qs = urllib.parse.urlencode([("query", COUNT_ALL), ("format", "tsv"), ("format", "json")])
    assert http(endpoint, "GET", "/query?" + qs)[0] == 400


# ---- SPARQLWrapper, every format ---------------------------------------------------------------
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_in_every_result_format(endpoint, fmt):
    client = SPARQLWrapper(endpoint.url)
    client.setQuery(COUNT_ALL)
    client.setReturnFormat(fmt)
    answer = client.query().convert()
    if fmt == JSON:
        value = answer["results"]["bindings"][0]["n"]["value"]
    elif fmt == XML:
        value = answer.getElementsByTagName("literal")[0].firstChild.data
    else:
        rows = list(csv.reader(io.StringIO(answer.decode()), delimiter="," if fmt == CSV else "\t"))
        value = rows[1][0].split("^^")[0].strip('"')
    assert value == str(N_TRIPLES)


@pytest.mark.parametrize("fmt", [TURTLE, XML, JSONLD, N3])
@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
def test_sparqlwrapper_graphs_in_every_rdf_format(endpoint, fmt, form):
    client = SPARQLWrapper(endpoint.url)
    client.setQuery(CONSTRUCT_ALL if form == "CONSTRUCT" else f"DESCRIBE <{EX}s7>")
    client.setReturnFormat(fmt)
    result = client.query()
    converted = result.convert()
    graph = converted if isinstance(converted, rdflib.Graph) else rdflib.Graph().parse(
        data=converted, format={TURTLE: "turtle", N3: "turtle", JSONLD: "json-ld"}[fmt])
    assert len(graph) == (N_TRIPLES if form == "CONSTRUCT" else 1)


# ---- rdflib SPARQLStore, every format ------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["xml", "json", "csv", "tsv"])
def test_rdflib_sparqlstore_select_and_ask(endpoint, fmt):
    store = SPARQLStore(endpoint.url, returnFormat=fmt)
    graph = rdflib.ConjunctiveGraph(store) if hasattr(rdflib, "ConjunctiveGraph") else rdflib.Dataset(store)
    rows = list(graph.query(COUNT_ALL))
    assert int(rows[0][0]) == N_TRIPLES
    if fmt in ("xml", "json"):
        assert graph.query("ASK { ?s ?p ?o }").askAnswer is True


def test_rdflib_sparqlstore_construct_and_describe(endpoint):
    graph = rdflib.Graph(SPARQLStore(endpoint.url))
    assert len(graph.query(CONSTRUCT_ALL).graph) == N_TRIPLES
    assert len(graph.query(f"DESCRIBE <{EX}s1>").graph) == 1
    assert (rdflib.URIRef(f"{EX}s1"), rdflib.URIRef(f"{EX}p"), rdflib.Literal("value 1")) in graph


# ---- CORS ----------------------------------------------------------------------------------------
def test_cors_preflight_for_reads_only_and_only_for_allowed_origins(make_endpoint):
    server = make_endpoint(cors_origins=("http://yasgui.example",), token="t0ken")
    ask = {"Origin": "http://yasgui.example", "Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "content-type, accept"}
    status, headers, _ = http(server, "OPTIONS", "/query", headers=ask)
    assert status == 204 and headers["Access-Control-Allow-Origin"] == "http://yasgui.example"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    # not for another origin, not for updates, not for a header a read does not need
    assert "Access-Control-Allow-Origin" not in http(server, "OPTIONS", "/query",
                                                     headers={**ask, "Origin": "http://evil.example"})[1]
    assert "Access-Control-Allow-Origin" not in http(server, "OPTIONS", "/update", headers=ask)[1]
    assert "Access-Control-Allow-Origin" not in http(
        server, "OPTIONS", "/query", headers={**ask, "Access-Control-Request-Headers": "authorization"})[1]
    # the actual read carries the header; an update never does
    status, headers, _ = http(server, "GET", "/query?" + urllib.parse.urlencode({"query": "ASK {}"}),
                              headers={"Origin": "http://yasgui.example"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "http://yasgui.example"
    status, headers, _ = http(server, "POST", "/update", data=b"CLEAR ALL",
                              headers={"Origin": "http://yasgui.example", "Content-Type": "application/sparql-update",
                                       "Authorization": "Bearer t0ken"})
    assert status == 204 and "Access-Control-Allow-Origin" not in headers


def test_no_cors_unless_configured(endpoint):
    status, headers, _ = http(endpoint, "OPTIONS", "/query", headers={
        "Origin": "http://yasgui.example", "Access-Control-Request-Method": "GET"})
    assert status == 204 and "Access-Control-Allow-Origin" not in headers and "GET" in headers["Allow"]


# ---- another Atlas over HTTP answers like the embedded store ------------------------------------
def _cli(store: str, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "--store", store, *args],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def served(tmp_path):
    """A real `fedatlas serve` process over an initialised Atlas store; yields (store dir, query URL)."""
    import re
    import signal
    import threading

    location = str(tmp_path / "atlas")
    _cli(location, "init")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FEDATLAS_TOKEN": ""}
    process = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "--store", location, "serve", "--port", "0",
                                "--no-log"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    lines: list[str] = []
    found = threading.Event()

    def read() -> None:
        for raw in process.stdout:  # type: ignore[union-attr]
            lines.append(raw.decode())
            if "/query" in lines[-1]:
                found.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert found.wait(120), f"no URL printed: {lines} {process.poll()}"
        yield location, re.search(r"http://\S+/query", "".join(lines)).group(0)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@pytest.mark.slow
def test_fedatlas_over_http_gives_the_embedded_answers(served):
    location, url = served
    queries = [COUNT_ALL, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
               "SELECT ?c WHERE { ?c a skos:Concept } ORDER BY ?c LIMIT 25", "ASK { ?s a skos:Concept }",
               "DESCRIBE <https://w3id.org/fedatlas/id/challenge/non_iid_data>"]
    embedded = [_cli(location, "query", q) for q in queries] + [_cli(location, "stats").split("\n", 1)[1]]
    remote = [_cli(url, "query", q) for q in queries] + [_cli(url, "stats").split("\n", 1)[1]]
    assert remote == embedded
    assert int(next(word for word in embedded[0].split() if word.isdigit())) > 1000
    assert "Non-I.I.D." in embedded[4]

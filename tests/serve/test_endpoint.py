"""The endpoint in-process: SPARQLWrapper and plain HTTP against a real temporary store."""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
from SPARQLWrapper import CSV, JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from .conftest import EX, N_TRIPLES, TOKEN, count_triples

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c . ?d ?e ?f . ?h ?i ?j . ?k ?l ?m . ?q ?r ?t } }"
INSERT = f"INSERT DATA {{ GRAPH <{EX}graph> {{ <{EX}new> <{EX}p> 'added' }} }}"


def http(server, method: str, path: str, data: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(server.base_url + path, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def get_query(server, query: str, accept: str | None = None, **params: str):
    qs = urllib.parse.urlencode({"query": query, **params})
    return http(server, "GET", f"/query?{qs}", headers={"Accept": accept} if accept else {})


def count_via(server) -> int:
    status, _, body = get_query(server, COUNT, "application/sparql-results+json")
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


# ---- answers through SPARQLWrapper ------------------------------------------------------------
def test_sparqlwrapper_json_csv_turtle(endpoint):
    client = SPARQLWrapper(endpoint.url)
    client.setQuery(COUNT)
    client.setReturnFormat(JSON)
    answer = client.query().convert()
    assert answer["results"]["bindings"][0]["n"]["value"] == str(N_TRIPLES)

    client.setReturnFormat(CSV)
    csv_text = client.query().convert().decode()
    assert csv_text.splitlines() == ["n", str(N_TRIPLES)]

    client.setQuery(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{EX}graph> {{ ?s ?p ?o }} }}")
    client.setReturnFormat(TURTLE)
    turtle = client.query().convert()
    assert len(list(ox.parse(turtle, format=ox.RdfFormat.TURTLE))) == N_TRIPLES


def test_sparqlwrapper_post_and_bad_query(endpoint):
    client = SPARQLWrapper(endpoint.url)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setQuery(f"ASK {{ GRAPH ?g {{ <{EX}s1> ?p ?o }} }}")
    assert client.query().convert()["boolean"] is True
    client.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed):
        client.query()


# ---- plain HTTP: the protocol's three ways to send a query, and content negotiation ---------
@pytest.mark.parametrize(("accept", "media"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("*/*", "application/sparql-results+json"),
])
def test_select_formats_by_accept(endpoint, accept, media):
    status, headers, body = get_query(endpoint, COUNT, accept)
    assert status == 200
    assert headers["Content-Type"].startswith(media)
    assert str(N_TRIPLES).encode() in body


@pytest.mark.parametrize(("fmt", "rdf_format"), [
    ("turtle", ox.RdfFormat.TURTLE), ("ntriples", ox.RdfFormat.N_TRIPLES), ("jsonld", ox.RdfFormat.JSON_LD),
])
def test_construct_formats_by_format_param(endpoint, fmt, rdf_format):
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{EX}graph> {{ ?s ?p ?o }} }}"
    status, _, body = get_query(endpoint, query, format=fmt)
    assert status == 200, body
    assert len(list(ox.parse(body, format=rdf_format))) == N_TRIPLES


def test_post_direct_and_form(endpoint):
    status, _, body = http(endpoint, "POST", "/query", COUNT.encode(), {
        "Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert (status, body.split()[-1]) == (200, str(N_TRIPLES).encode())
    form = urllib.parse.urlencode({"query": COUNT}).encode()
    status, _, body = http(endpoint, "POST", "/query", form, {
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"})
    assert (status, body.split()[-1]) == (200, str(N_TRIPLES).encode())


def test_atlas_prefixes_are_predeclared(endpoint):
    status, _, body = get_query(endpoint, "SELECT ?c WHERE { BIND(fa:Paper AS ?c) }", "text/csv")
    assert status == 200 and b"https://w3id.org/fedatlas/ontology#Paper" in body


def test_unknown_format_and_missing_query(endpoint):
    assert get_query(endpoint, COUNT, format="yaml")[0] == 400
    assert http(endpoint, "GET", "/query")[0] == 400
    assert http(endpoint, "GET", "/nowhere")[0] == 404
    status, headers, body = http(endpoint, "GET", "/")
    assert status == 200 and json.loads(body)["read_only"] is True


# ---- updates: only with the token --------------------------------------------------------------
def test_update_refused_on_read_only_endpoint(endpoint, store_dir):
    status, _, body = http(endpoint, "POST", "/update", INSERT.encode(), {
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert status == 403 and b"read-only" in body
    assert count_via(endpoint) == N_TRIPLES
    assert count_triples(store_dir) == N_TRIPLES


def test_update_needs_the_right_token(make_endpoint, store_dir):
    server = make_endpoint(token=TOKEN)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        status, resp_headers, _ = http(server, "POST", "/update", INSERT.encode(),
                                       {"Content-Type": "application/sparql-update", **headers})
        assert status == 401 and "Bearer" in resp_headers.get("WWW-Authenticate", "")
    assert count_triples(store_dir) == N_TRIPLES
    status, _, body = http(server, "POST", "/update", INSERT.encode(), {
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert status == 204, body
    assert count_via(server) == N_TRIPLES + 1


def test_update_sent_to_query_is_refused(make_endpoint, store_dir):
    server = make_endpoint(token=TOKEN)
    status, _, body = get_query(server, INSERT)
    assert status == 400 and b"/update" in body
    form = urllib.parse.urlencode({"update": INSERT}).encode()
    status, _, _ = http(server, "POST", "/query", form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400
    assert count_triples(store_dir) == N_TRIPLES


def test_failing_update_leaves_store_unchanged(make_endpoint, store_dir):
    server = make_endpoint(token=TOKEN)
    bad = INSERT + " ; INSERT DATA { <broken"
    status, _, _ = http(server, "POST", "/update", bad.encode(), {
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert status == 400
    assert count_triples(store_dir) == N_TRIPLES


# ---- SERVICE ---------------------------------------------------------------------------------
@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    # Oxigraph reads a keyword glued to the previous token: this still runs a SERVICE
    "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } ?s ?p trueSERVICE <http://127.0.0.1:9/> { ?x ?y ?z } }",
    "SELECT * WHERE { ?s ?p ?o FILTER(1<2)SERVICE#>\n<http://127.0.0.1:9/> { } }",
])
def test_service_query_refused(endpoint, query):
    status, _, body = get_query(endpoint, query)
    assert status == 400
    assert body.startswith(b"SERVICE is disabled on this endpoint")


def test_service_and_load_in_update_refused(make_endpoint, store_dir):
    server = make_endpoint(token=TOKEN)
    auth = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
    update = "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    assert http(server, "POST", "/update", update.encode(), auth)[2].startswith(b"SERVICE is disabled")
    status, _, body = http(server, "POST", "/update", b"LOAD <http://127.0.0.1:9/data.ttl>", auth)
    assert status == 400 and body.startswith(b"LOAD is disabled")
    assert count_triples(store_dir) == N_TRIPLES


def test_word_service_in_strings_is_fine(endpoint):
    status, _, _ = get_query(endpoint, "SELECT ?service WHERE { BIND('self-service' AS ?service) } # service")
    assert status == 200


# ---- limits: timeout, result size, body size ----------------------------------------------------
def test_runaway_query_is_cut_off_and_server_keeps_answering(make_endpoint, store_dir):
    server = make_endpoint(timeout_s=1.5, token=TOKEN)
    status, _, body = get_query(server, RUNAWAY)
    assert status == 503  # the event: the worker was stopped at its deadline (no wall-clock claim here)
    assert body.startswith(b"Query timed out after 1.5 s")
    # the killed worker released the store: reads and a write work at once
    assert count_via(server) == N_TRIPLES
    status, _, _ = http(server, "POST", "/update", INSERT.encode(), {
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert status == 204
    assert count_via(server) == N_TRIPLES + 1
    # and a second runaway is cut off the same way
    assert get_query(server, RUNAWAY)[0] == 503
    assert count_via(server) == N_TRIPLES + 1


def test_result_too_large(make_endpoint):
    server = make_endpoint(max_rows=10)
    status, _, body = get_query(server, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert status == 400 and body.startswith(b"Query result too large: more than 10 rows")
    status, _, body = get_query(server, "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", "text/turtle")
    assert status == 400 and body.startswith(b"Query result too large")
    assert get_query(server, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 10")[0] == 200
    server2 = make_endpoint(max_bytes=2048)
    status, _, body = get_query(server2, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert status == 400 and b"bytes" in body


def test_request_body_too_large(make_endpoint):
    server = make_endpoint(max_body=1024)
    query = COUNT + " #" + "x" * 2000
    status, _, body = http(server, "POST", "/query", query.encode(), {"Content-Type": "application/sparql-query"})
    assert status == 413 and body.startswith(b"Request body too large")
    assert count_via(server) == N_TRIPLES


def test_slow_client_is_cut_off(make_endpoint):
    server = make_endpoint(client_timeout_s=1.0)
    # the client waits far longer than the server's 1 s deadline: only the server can end this
    with socket.create_connection(("127.0.0.1", server.port), timeout=120) as sock:
        sock.sendall(b"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")  # never ends the headers
        data = b"x"
        while data:
            try:
                data = sock.recv(4096)
            except ConnectionResetError:
                break
            except TimeoutError:
                pytest.fail("the server kept a silent connection open")
    assert count_via(server) == N_TRIPLES


def test_trickling_client_is_cut_off_by_the_deadline(make_endpoint):
    server = make_endpoint(client_timeout_s=1.0)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"GET /query?query=ASK%7B%7D HTTP/1.1\r\n")
        closed = False
        for _ in range(1200):  # one header byte every 0.1 s: each read is quick, the whole request is not
            try:
                sock.sendall(b"X")
                sock.settimeout(0.1)
                if sock.recv(4096) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except OSError:
                closed = True
                break
        assert closed, "the server kept a trickling connection open"  # for 2 minutes against a 1 s deadline
    assert count_via(server) == N_TRIPLES


def test_many_concurrent_connections_are_bounded(make_endpoint):
    server = make_endpoint(max_connections=4, timeout_s=5.0)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            statuses.append(get_query(server, COUNT)[0])
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=one) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads)
    assert not errors
    assert set(statuses) <= {200, 503} and 200 in statuses
    assert count_via(server) == N_TRIPLES


# ---- Graph Store Protocol ----------------------------------------------------------------------
def test_graph_store_read_and_guarded_writes(make_endpoint, store_dir):
    ro = make_endpoint()
    status, _, body = http(ro, "GET", f"/store?graph={EX}graph", headers={"Accept": "application/n-triples"})
    assert status == 200 and len(body.splitlines()) == N_TRIPLES
    assert http(ro, "GET", f"/store?graph={EX}missing")[0] == 404
    assert http(ro, "DELETE", f"/store?graph={EX}graph")[0] == 403

    rw = make_endpoint(token=TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    ttl = f"<{EX}a> <{EX}p> 'one' , 'two' .".encode()
    assert http(rw, "PUT", f"/store?graph={EX}g2", ttl, {"Content-Type": "text/turtle"})[0] == 401
    assert http(rw, "PUT", f"/store?graph={EX}g2", ttl, {"Content-Type": "text/turtle", **auth})[0] == 201
    assert http(rw, "PUT", f"/store?graph={EX}g2", ttl, {"Content-Type": "text/turtle", **auth})[0] == 204
    assert count_via(rw) == N_TRIPLES + 2
    assert http(rw, "POST", f"/store?graph={EX}g2", b"<urn:x> <urn:y> <urn:z> .",
                {"Content-Type": "application/n-triples", **auth})[0] == 204
    assert http(rw, "PUT", f"/store?graph={EX}g2", b"not turtle", {"Content-Type": "text/turtle", **auth})[0] == 400
    assert count_via(rw) == N_TRIPLES + 3
    assert http(rw, "DELETE", f"/store?graph={EX}g2", headers=auth)[0] == 204
    assert count_triples(store_dir) == N_TRIPLES
    assert http(rw, "GET", "/store?graph=not%20an%20iri")[0] == 400

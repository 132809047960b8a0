"""The W3C SPARQL 1.1 Protocol tests, driven from the official manifest (not copied by hand).

``../shared/realworld/w3c-protocol/manifest.ttl`` (w3c/rdf-tests ``sparql/sparql11/protocol``)
describes each test as HTTP requests with expected status, format and boolean; this module
reads it with rdflib and replays every query-side and update-side case against a real
``fedatlas serve`` endpoint (updates go to ``/update`` with the token, as the manifest allows
separate query and update endpoints).
"""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from realworld import REALWORLD

from pipeline.serve import EndpointConfig, EndpointServer
from pipeline.store import open_store

from .conftest import TOKEN

PROTOCOL = REALWORLD / "w3c-protocol"
MANIFEST = PROTOCOL / "manifest.ttl"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"

TABULAR = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values")
RDF_TYPES = ("application/rdf+xml", "text/turtle", "application/n-triples", "application/ld+json")
BOOLEAN = ("application/sparql-results+json", "application/sparql-results+xml")

pytestmark = pytest.mark.skipif(not MANIFEST.exists(), reason="the W3C protocol manifest is not here")


def _manifest() -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(MANIFEST, format="turtle", publicID=MANIFEST.as_uri())
    return graph


def _cases() -> list[tuple[str, dict]]:
    if not MANIFEST.exists():
        return []
    g = _manifest()
    entries = Collection(g, g.value(next(g.subjects(RDF.type, MF.Manifest)), MF.entries))
    cases = []
    for test in entries:
        name = str(test).rsplit("#", 1)[-1]
        data = [(str(g.value(d, RDFS.label)), Path(urlsplit(str(g.value(d, UT.graph))).path).name)
                for d in g.objects(test, UT.graphData)]
        action = g.value(test, MF.action)
        requests = []
        for req in Collection(g, g.value(action, HT.requests)):
            body = g.value(req, HT.body)
            headers = {}
            for h in Collection(g, g.value(req, HT.headers)) if g.value(req, HT.headers) else []:
                headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            resp = g.value(req, HT.resp)
            statuses = sorted(str(s).removeprefix(HTS) for s in g.objects(resp, MF.expectedStatus))
            requests.append({
                "method": str(g.value(req, HT.methodName)),
                "path": str(g.value(req, HT.absolutePath)),
                "body": None if body is None else str(g.value(body, CNT.chars)),
                "headers": headers,
                "statuses": statuses,
                "format": None if g.value(resp, MF.expectedFormat) is None else str(g.value(resp, MF.expectedFormat)),
                "boolean": None if g.value(resp, MF.expectedBoolean) is None
                else bool(g.value(resp, MF.expectedBoolean).toPython()),
            })
        cases.append((name, {"data": data, "requests": requests}))
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    store = open_store(tmp_path_factory.mktemp("w3c") / "store")
    location = store.location
    store.close()
    config = EndpointConfig(location=location, port=0, token=TOKEN, timeout_s=10.0, client_timeout_s=5.0)
    with EndpointServer(config).start() as endpoint:
        endpoint.pool.warm_up()
        yield endpoint


def _send(server: EndpointServer, method: str, path: str, body: bytes | None, headers: dict[str, str]):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        # http.client adds no Content-Type of its own, so "missing media type" cases stay missing
        conn.request(method, path, body=body, headers={**headers, "Content-Length": str(len(body or b""))})
        resp = conn.getresponse()
        return resp.status, (resp.getheader("Content-Type") or ""), resp.read()
    finally:
        conn.close()


def _load(server: EndpointServer, data: list[tuple[str, str]]) -> None:
    """Reset the store to the test's ut:graphData (each file into the graph its label names)."""
    parts = ["CLEAR ALL"]
    for graph, filename in data:
        triples = (PROTOCOL / filename).read_text(encoding="utf-8")
        parts.append(f"INSERT DATA {{ GRAPH <{graph}> {{ {triples} }} }}")
    status, _, body = _send(server, "POST", "/update", " ;\n".join(parts).encode(),
                            {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert status == 204, body


def _route(test: str, request: dict) -> tuple[str, dict[str, str]]:
    """The manifest's /sparql/ path on our endpoints: updates at /update (with the token)."""
    query_string = request["path"].removeprefix("/sparql/").removeprefix("/sparql")
    is_update_test = "update" in test
    content_type = request["headers"].get("content-type", "")
    if is_update_test and not content_type.startswith("application/sparql-query"):
        return "/update" + query_string, {"Authorization": f"Bearer {TOKEN}"}
    return "/query" + query_string, {}


def _boolean(media: str, body: bytes) -> bool:
    if "json" in media:
        return bool(json.loads(body)["boolean"])
    import pyoxigraph as ox

    return bool(ox.parse_query_results(body, format=ox.QueryResultsFormat.XML))


@pytest.mark.parametrize(("test", "case"), CASES, ids=[name for name, _ in CASES])
def test_w3c_protocol_case(server: EndpointServer, test: str, case: dict) -> None:
    _load(server, case["data"])
    for step, request in enumerate(case["requests"]):
        path, extra = _route(test, request)
        headers = {k.title(): v for k, v in request["headers"].items()} | extra
        body = request["body"]
        charset = headers.get("Content-Type", "").partition("charset=")[2] or "utf-8"
        data = None if body is None else body.encode(charset)
        status, media, answer = _send(server, request["method"], path, data, headers)
        where = f"{test} request {step + 1}: {request['method']} {path} -> {status} {answer[:200]!r}"
        assert f"{status // 100}xx" in request["statuses"], where
        media = media.split(";")[0].strip()
        if request["format"] == "boolean":
            assert media in BOOLEAN, where
        elif request["format"] == "tabular":
            assert media in TABULAR, where
        elif request["format"] == "RDF":
            assert media in RDF_TYPES, where
        if request["boolean"] is not None:
            assert _boolean(media, answer) is request["boolean"], where


def test_the_manifest_was_read_whole() -> None:
    """Every entry of the manifest is a case here, query side and update side both."""
    names = [name for name, _ in CASES]
    assert len(names) == 34
    assert sum("update" in n for n in names) == 14
    assert all(case["requests"] for _, case in CASES)

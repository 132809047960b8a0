"""A standard SPARQL 1.1 server (Oxigraph server, Fuseki, GraphDB) as the store.

``--store http://host:7878/query`` names the query endpoint; the update
endpoint is derived (``.../query`` or ``.../sparql`` -> ``.../update``) unless
``FEDATLAS_UPDATE_URL`` names it. A transaction is one SPARQL Update request,
which SPARQL 1.1 servers apply atomically. ``FEDATLAS_TOKEN`` is sent as a
bearer token (``fedatlas serve --token`` requires it for updates). Preconditions are checked just
before the request (a small race window that the embedded store does not have).
"""

from __future__ import annotations

import os
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox

from pipeline.errors import QueryError, StoreError, TransactionError, UnknownNameError
from pipeline.store.base import Store
from pipeline.store.guard import declares_dataset
from pipeline.store.rdf_formats import media_type, rdf_by_media, rdf_syntax, result_by_media, result_syntax
from pipeline.vocab import sparql_iri

# what ``_query`` asks for: results as JSON, graphs as N-Triples (both parse without prefixes)
_QUERY_ACCEPT = f"{result_syntax('json').media_type}, {rdf_syntax('ntriples').media_type};q=0.9"


def _accept(result_format: str) -> str:
    """The Accept header for a ``raw_query`` format name (any type for a name Atlas does not know)."""
    try:
        return media_type(result_format)
    except UnknownNameError:
        return "*/*"


def derive_update_url(query_url: str) -> str:
    env = os.environ.get("FEDATLAS_UPDATE_URL")
    if env:
        return env
    for tail in ("/query", "/sparql"):
        if query_url.rstrip("/").endswith(tail):
            return query_url.rstrip("/")[: -len(tail)] + "/update"
    return query_url.rstrip("/") + "/update"


class RemoteStore(Store):
    def __init__(self, url: str, timeout_s: float = 60.0) -> None:
        self.location = url
        self.query_url = url
        self.update_url = derive_update_url(url)
        self.timeout_s = timeout_s

    def _post(self, url: str, body: str, content_type: str, accept: str) -> tuple[bytes, str]:
        headers = {"Content-Type": content_type, "Accept": accept}
        token = os.environ.get("FEDATLAS_TOKEN")
        if token:  # an Atlas endpoint (`fedatlas serve --token`) accepts updates only with it
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(url, data=body.encode("utf-8"), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                return resp.read(), resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf-8", "replace").strip().splitlines()
            msg = detail[0] if detail else e.reason
            if e.code == 400:
                raise QueryError(f"server rejected the request: {msg}") from None
            raise StoreError(f"SPARQL server {url} answered {e.code}: {msg}") from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise StoreError(f"cannot reach SPARQL server {url}: {reason}") from None

    def _query(self, sparql: str):
        body, ctype = self._post(self._read_url(sparql), sparql, "application/sparql-query", _QUERY_ACCEPT)
        try:  # a result type first: application/json is SPARQL JSON here, not JSON-LD
            return ox.parse_query_results(body, format=result_by_media(ctype).results_format)
        except UnknownNameError:
            pass
        try:
            return list(ox.parse(body, format=rdf_by_media(ctype).rdf_format))
        except UnknownNameError:  # an unlabelled answer: what was asked for first
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)

    def _read_url(self, sparql: str) -> str:
        """Oxigraph server: treat the default graph as the union of all graphs, as the
        embedded store does (other servers ignore the parameter), unless the query names its
        own dataset with FROM, which the union would override."""
        if declares_dataset(sparql):
            return self.query_url
        sep = "&" if "?" in self.query_url else "?"
        return f"{self.query_url}{sep}union-default-graph"

    def raw_query(self, sparql: str, result_format: str) -> tuple[bytes, str]:
        return self._post(self._read_url(sparql), sparql, "application/sparql-query",
                          _accept(result_format))

    def quads(self, graph=None):
        if graph is None:
            q = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
        else:
            q = f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g = {sparql_iri(graph)}) }}"
        rows = self.select_terms(q)
        return [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]

    def graphs(self):
        rows = self.select_terms("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return [r["g"] for r in rows if isinstance(r["g"], ox.NamedNode)]

    def _update(self, sparql_update: str) -> None:
        try:
            self._post(self.update_url, sparql_update, "application/sparql-update", "*/*")
        except QueryError as e:
            raise TransactionError(f"update refused: {e.message}") from None

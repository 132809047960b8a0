"""The endpoint's routes: which path and method do what, and the job each hands to a worker.

``/query`` (alias ``/sparql``; GET ``?query=``, POST ``application/sparql-query``
or a form), ``/update`` (POST, bearer token), ``/store`` (Graph Store Protocol:
GET reads; PUT/POST/DELETE need the token) and ``/`` (service description).
"""

from __future__ import annotations

import hmac
import json
import re
from typing import Any
from urllib.parse import parse_qs

from pipeline import __version__
from pipeline.serve.answers import Job
from pipeline.serve.config import EndpointError
from pipeline.serve.connection import BoundedHandler
from pipeline.serve.formats import UPLOAD_TYPES, negotiate
from pipeline.serve.guard import UPDATE_AT_QUERY
from pipeline.serve.web import preflight_headers, static_file, yasgui_page
from pipeline.store.rdf_formats import rdf_names, result_names

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\x00-\x20]*$")
_QUERY_PATHS = {"/query", "/sparql"}


def _iri(value: str, what: str) -> str:
    if not _IRI.match(value):
        raise EndpointError(400, f"{what} must be an absolute IRI, got {value[:200]!r}")
    return value


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise EndpointError(400, f"give the '{name}' parameter once, not {len(values)} times")
    return values[0]


class EndpointHandler(BoundedHandler):
    """The SPARQL Protocol and Graph Store Protocol routes of one request."""

    def _authorize(self) -> None:
        config = self.server.config
        if config.read_only or config.token is None:  # read_only is "no token"
            raise EndpointError(403, "This endpoint is read-only: updates are refused "
                                     "(start `fedatlas serve` with --token or FEDATLAS_TOKEN to enable them)")
        header = self.headers.get("Authorization") or ""
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), config.token.encode()):
            raise EndpointError(401, "Updates need 'Authorization: Bearer TOKEN' with this endpoint's token",
                                {"WWW-Authenticate": 'Bearer realm="fedatlas"'})

    def _job(self, kind: str, params: dict[str, list[str]], **fields: Any) -> Job:
        config = self.server.config
        result, graph, dataset = negotiate(self.headers.get("Accept"),
                                           params.get("format", []) + params.get("output", []))
        return Job(kind=kind, result_format=result, graph_format=graph, dataset_format=dataset,
                   allow_service=config.allow_service, max_rows=config.max_rows, max_bytes=config.max_bytes,
                   wait_s=config.timeout_s, base_iri=config.base_iri or self.server.url, **fields)

    def _run(self, job: Job) -> None:
        config = self.server.config
        reply = self.server.pool.run(job, timeout_s=config.timeout_s, wait_s=config.timeout_s)
        self._send_reply(reply)

    # ---- routes ------------------------------------------------------------------------
    def _query(self, params: dict[str, list[str]], text: str | None) -> None:
        if text is None:
            if "update" in params:
                raise EndpointError(400, UPDATE_AT_QUERY)
            raise EndpointError(400, "missing SPARQL query: give ?query=... or POST application/sparql-query")
        graphs = {
            "default_graphs": tuple(_iri(g, "default-graph-uri") for g in params.get("default-graph-uri", [])),
            "named_graphs": tuple(_iri(g, "named-graph-uri") for g in params.get("named-graph-uri", [])),
            # Oxigraph server's parameter, sent by Atlas's RemoteStore; the union is the default here anyway
            "union_default": "union-default-graph" in params,
        }
        self._run(self._job("query", params, text=text, **graphs))

    def _graph_target(self, params: dict[str, list[str]]) -> dict[str, Any]:
        graph = _one(params, "graph")
        if graph is not None and "default" in params:
            raise EndpointError(400, "give either ?graph=IRI or ?default, not both")
        if graph is not None:
            return {"target": "graph", "graph": _iri(graph, "graph")}
        return {"target": "default" if "default" in params else "dataset"}

    def _get(self) -> None:
        self._request_read()
        path, params = self._url()
        if path in _QUERY_PATHS:
            self._query(params, _one(params, "query"))
        elif path == "/store":
            self._run(self._job("graph_get", params, **self._graph_target(params)))
        elif path == "/":
            self._describe()
        elif path.startswith("/static/"):
            found = static_file(path)
            if found is None:
                raise EndpointError(404, f"no such file {path!r}")
            self._send(200, found[0], found[1], {"Cache-Control": "max-age=3600"})
        elif path == "/update":
            raise EndpointError(405, "POST updates to /update", {"Allow": "POST"})
        else:
            raise EndpointError(404, f"no such endpoint {path!r}; try /query, /update, /store or /")

    def _post(self) -> None:
        path, params = self._url()
        if path in _QUERY_PATHS:
            kind = self._content_type()
            body = self._body()
            if kind == "application/sparql-query":
                self._query(params, self._text(body))
            elif kind == "application/x-www-form-urlencoded":
                form = parse_qs(self._text(body), keep_blank_values=True)
                merged = {**params, **form}
                self._query(merged, _one(form, "query"))
            else:
                raise EndpointError(415, "POST a query as application/sparql-query or as a form (query=...)")
        elif path == "/update":
            self._authorize()
            kind = self._content_type()
            body = self._body()
            if kind == "application/sparql-update":
                text = self._text(body)
            elif kind == "application/x-www-form-urlencoded":
                form_text = _one(parse_qs(self._text(body), keep_blank_values=True), "update")
                if form_text is None:
                    raise EndpointError(400, "missing 'update' form field")
                text = form_text
            else:
                raise EndpointError(415, "POST an update as application/sparql-update or as a form (update=...)")
            if kind == "application/x-www-form-urlencoded":
                params = {**params, **parse_qs(self._text(body), keep_blank_values=True)}
            using = {
                "using_graphs": tuple(_iri(g, "using-graph-uri") for g in params.get("using-graph-uri", [])),
                "using_named_graphs": tuple(_iri(g, "using-named-graph-uri")
                                            for g in params.get("using-named-graph-uri", [])),
            }
            self._run(self._job("update", params, text=text, **using))
        elif path == "/store":
            self._write(params, replace=False)
        else:
            raise EndpointError(404, f"no such endpoint {path!r}; try /query, /update, /store or /")

    def _write(self, params: dict[str, list[str]], replace: bool) -> None:
        self._authorize()
        fmt = UPLOAD_TYPES.get(self._content_type())
        if fmt is None:
            known = ", ".join(sorted(UPLOAD_TYPES))
            raise EndpointError(415, f"unsupported Content-Type {self._content_type()!r}; use one of {known}")
        data = self._body()
        self._run(self._job("graph_write", params, data=data, data_format=fmt, replace=replace,
                            **self._graph_target(params)))

    def _put(self) -> None:
        path, params = self._url()
        if path != "/store":
            raise EndpointError(405, "PUT is only accepted at /store", {"Allow": "GET, POST"})
        self._write(params, replace=True)

    def _delete(self) -> None:
        self._request_read()
        path, params = self._url()
        if path != "/store":
            raise EndpointError(405, "DELETE is only accepted at /store", {"Allow": "GET, POST"})
        self._authorize()
        self._run(self._job("graph_delete", params, **self._graph_target(params)))

    def _describe(self) -> None:
        from pipeline.vocab import PREFIXES

        config = self.server.config
        info = {
            "service": "FedNAS Atlas SPARQL endpoint",
            "version": __version__,
            "query": "/query",
            "update": None if config.read_only else "/update",
            "graph_store": "/store",
            "read_only": config.read_only,
            "service_queries": config.allow_service,
            "limits": {"timeout_s": config.timeout_s, "max_rows": config.max_rows,
                       "max_bytes": config.max_bytes, "max_body": config.max_body},
            "result_formats": result_names(),
            "graph_formats": rdf_names(one_graph=True),
            "predeclared_prefixes": PREFIXES,
        }
        if "text/html" in (self.headers.get("Accept") or ""):
            page = yasgui_page("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            self._send(200, page, "text/html; charset=utf-8")
        else:
            self._send(200, json.dumps(info, indent=2).encode() + b"\n", "application/json")

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch(self._get)

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch(self._get)

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch(self._post)

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch(self._put)

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch(self._delete)

    def do_OPTIONS(self) -> None:  # noqa: N802
        self._dispatch(self._options)

    def _options(self) -> None:
        """Allowed methods, and a CORS preflight answer for reads from an allowed origin."""
        self._request_read()
        path, _ = self._url()
        allow = {"/query": "GET, HEAD, POST, OPTIONS", "/sparql": "GET, HEAD, POST, OPTIONS",
                 "/update": "POST, OPTIONS", "/store": "GET, HEAD, PUT, POST, DELETE, OPTIONS",
                 "/": "GET, HEAD, OPTIONS"}.get(path)
        if allow is None:
            raise EndpointError(404, f"no such endpoint {path!r}; try /query, /update, /store or /")
        headers = {"Allow": allow, **preflight_headers(
            self.headers.get("Origin"), self.server.config.cors_origins, path,
            self.headers.get("Access-Control-Request-Method"), self.headers.get("Access-Control-Request-Headers"))}
        self._send(204, b"", "text/plain; charset=utf-8", headers)

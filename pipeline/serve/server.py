"""The HTTP side of ``fedatlas serve``: SPARQL 1.1 Protocol + Graph Store Protocol, stdlib only.

Routes: ``/query`` (alias ``/sparql``; GET ``?query=``, POST ``application/sparql-query``
or a form), ``/update`` (POST, bearer token), ``/store`` (Graph Store Protocol:
GET reads; PUT/POST/DELETE need the token) and ``/`` (service description).

Every request is bounded: at most ``max_connections`` at once (more get 503 at
once), ``client_timeout_s`` to send the request, ``max_body`` bytes of body, and the
work itself runs in a :class:`WorkerPool` process under ``timeout_s``.
"""

from __future__ import annotations

import hmac
import json
import re
import socket
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pipeline import __version__
from pipeline.serve.config import EndpointConfig, EndpointError
from pipeline.serve.formats import UPLOAD_TYPES, negotiate
from pipeline.serve.guard import UPDATE_AT_QUERY
from pipeline.serve.pool import WorkerPool
from pipeline.serve.web import cors_headers, is_read, preflight_headers, static_file, yasgui_page
from pipeline.serve.worker import Job, Reply

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


class EndpointHandler(BaseHTTPRequestHandler):
    """One connection, one request, one answer (``Connection: close``)."""

    server: EndpointServer
    protocol_version = "HTTP/1.1"
    server_version = f"fedatlas-serve/{__version__}"
    sys_version = ""

    # ---- connection limits ------------------------------------------------------
    def setup(self) -> None:
        # typeshed marks timeout a ClassVar; StreamRequestHandler.setup reads it per instance
        self.timeout = self.server.config.client_timeout_s  # type: ignore[misc]  # per socket read/write
        self._body_done = False
        super().setup()
        # a whole-request deadline, so a client sending one byte at a time is cut off too
        self._deadline = threading.Timer(self.server.config.client_timeout_s, self._cut_off)
        self._deadline.daemon = True
        self._deadline.start()

    def _cut_off(self) -> None:
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _request_read(self) -> None:
        self._deadline.cancel()

    def finish(self) -> None:
        self._deadline.cancel()
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.server.config.log:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    # ---- answers ------------------------------------------------------------------
    def _send(self, status: int, body: bytes, media: str, headers: dict[str, str] | None = None) -> None:
        self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.send_header("Vary", "Accept, Origin")
        request_headers = getattr(self, "headers", None)  # absent when the request line was bad
        path = urlsplit(getattr(self, "path", "") or "").path.rstrip("/") or "/"
        if request_headers is not None and self.command != "OPTIONS" and is_read(path, self.command):
            headers = {**cors_headers(request_headers.get("Origin"), self.server.config.cors_origins),
                       **(headers or {})}
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _send_reply(self, reply: Reply) -> None:
        body = reply.body
        if reply.status >= 400 and reply.media_type.startswith("text/plain") and not body.endswith(b"\n"):
            body += b"\n"
        self._send(reply.status, body, reply.media_type, reply.headers)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors found by http.server itself (bad request line, URI too long...) as plain text."""
        self._deadline.cancel()
        try:
            text = f"{message or self.responses.get(code, ('Error',))[0]}\n".encode()
            self._send(code, text, "text/plain; charset=utf-8")
        except OSError:
            pass

    def _dispatch(self, route: Any) -> None:
        try:
            route()
        except EndpointError as e:
            self._drain()
            self._request_read()
            self._send_reply(Reply(e.status, e.message.encode(), headers=e.headers))
        except (TimeoutError, ConnectionError, OSError):
            self.close_connection = True  # the client went away or was too slow: nothing to answer
        except Exception:  # noqa: BLE001 - a bug must not take the server down
            if self.server.config.log:
                traceback.print_exc()
            self._send_reply(Reply(500, b"internal error in the endpoint (see the server log)"))

    # ---- request parts -------------------------------------------------------------
    def _url(self) -> tuple[str, dict[str, list[str]]]:
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        return path, parse_qs(parts.query, keep_blank_values=True)

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise EndpointError(411, "chunked request bodies are not accepted; send Content-Length")
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            raise EndpointError(411, "a Content-Length header is required")
        try:
            length = int(length_text)
        except ValueError:
            raise EndpointError(400, "invalid Content-Length") from None
        limit = self.server.config.max_body
        if length < 0 or length > limit:
            raise EndpointError(413, f"Request body too large: {length} bytes (limit {limit}, set by --max-body)")
        self._body_done = True
        data = self.rfile.read(length) if length else b""
        if len(data) < length:
            raise ConnectionError("client sent less than Content-Length")
        self._request_read()
        return data

    def _drain(self) -> None:
        """Read an unread body (within the limits) before answering an error, so the
        client sees the answer instead of a connection reset."""
        if self._body_done or self.command not in ("POST", "PUT"):
            return
        self._body_done = True
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if 0 < length <= self.server.config.max_body:
                self.rfile.read(length)
        except (ValueError, OSError):
            pass

    def _content_type(self) -> str:
        media, *options = (self.headers.get("Content-Type") or "").split(";")
        for option in options:
            key, _, value = option.partition("=")
            if key.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
                raise EndpointError(415, f"request bodies must be UTF-8, not {value.strip()!r}")
        return media.strip().lower()

    def _text(self, data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise EndpointError(400, "the request body is not UTF-8") from None

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
            "result_formats": ["json", "xml", "csv", "tsv"],
            "graph_formats": ["turtle", "ntriples", "jsonld", "rdfxml"],
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


class EndpointServer(ThreadingHTTPServer):
    """The endpoint: an HTTP server with bounded connections and a worker pool.

    Use as a context manager, or :meth:`start` (background thread) + :meth:`close`.
    """

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, config: EndpointConfig) -> None:
        self.config = config
        if ":" in config.host:
            self.address_family = socket.AF_INET6
        self._slots = threading.BoundedSemaphore(config.max_connections)
        self._serving = False
        self._thread: threading.Thread | None = None
        super().__init__((config.host, config.port), EndpointHandler)
        try:
            isolate = config.isolate_network and not config.allow_service \
                and not config.location.startswith(("http://", "https://"))
            self.pool = WorkerPool(config.location, size=config.workers, memory_mb=config.memory_mb, isolate=isolate)
        except Exception:
            self.server_close()
            raise

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def base_url(self) -> str:
        host = self.config.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The query endpoint URL (what ``--store`` and SPARQL clients take)."""
        return self.base_url + "/query"

    # ---- bounded concurrency -------------------------------------------------------
    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self._refuse(request)
            return
        thread = threading.Thread(target=self._handle, args=(request, client_address), daemon=True)
        try:
            thread.start()
        except RuntimeError:
            self._slots.release()
            self._refuse(request)

    def _handle(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def _refuse(self, request: Any) -> None:
        body = (f"Server busy: more than {self.config.max_connections} connections at once "
                "(limit set by --max-connections); try again\n").encode()
        head = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\nRetry-After: 1\r\n\r\n").encode()
        try:
            request.settimeout(0.5)
            request.sendall(head + body)
        except OSError:
            pass
        self.shutdown_request(request)

    # ---- life cycle ------------------------------------------------------------------
    def serve_forever(self, poll_interval: float = 0.2) -> None:
        self._serving = True
        super().serve_forever(poll_interval)

    def start(self) -> EndpointServer:
        """Serve from a background thread (tests, embedding); returns self."""
        self._serving = True
        self._thread = threading.Thread(target=self.serve_forever, name="fedatlas-serve", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop accepting, stop the workers, free the port."""
        if self._serving:
            self.shutdown()
            self._serving = False
        if self._thread is not None:
            self._thread.join(5)
        self.server_close()
        self.pool.close()

    def __enter__(self) -> EndpointServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

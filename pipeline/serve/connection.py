"""One HTTP connection of the endpoint, held to its limits: the request's parts in, one answer out.

The route handlers (:mod:`pipeline.serve.routes`) build on this: a whole-request
deadline (``client_timeout_s``, so a client sending one byte at a time is cut off
too), a body read only within ``max_body``, bodies that must be UTF-8, and errors
answered as plain text with ``Connection: close``.
"""

from __future__ import annotations

import socket
import sys
import threading
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from pipeline import __version__
from pipeline.serve.answers import Reply
from pipeline.serve.config import EndpointError
from pipeline.serve.web import cors_headers, is_read

if TYPE_CHECKING:  # the server module builds on the handlers, not the other way round
    from pipeline.serve.server import EndpointServer


class BoundedHandler(BaseHTTPRequestHandler):
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

    def _dispatch(self, route: Callable[[], None]) -> None:
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


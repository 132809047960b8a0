"""The HTTP side of ``fedatlas serve``: SPARQL 1.1 Protocol + Graph Store Protocol, stdlib only.

Every request is bounded: at most ``max_connections`` at once (more get 503 at
once), ``client_timeout_s`` to send the request (:mod:`pipeline.serve.connection`),
``max_body`` bytes of body, and the work itself runs in a :class:`WorkerPool`
process under ``timeout_s``. The routes are in :mod:`pipeline.serve.routes`.
"""

from __future__ import annotations

import socket
import threading
from http.server import ThreadingHTTPServer
from typing import Any

from pipeline.serve.config import EndpointConfig
from pipeline.serve.pool import WorkerPool
from pipeline.serve.routes import EndpointHandler

__all__ = ["EndpointHandler", "EndpointServer"]


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
        try:
            super().serve_forever(poll_interval)
        finally:
            # ended, by shutdown() or by Ctrl-C in this thread: close() must not wait for a loop
            # that no longer runs (shutdown() blocks until serve_forever signals its end)
            self._serving = False

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
        if self._thread is not None:
            self._thread.join(5)
        self.server_close()
        self.pool.close()

    def __enter__(self) -> EndpointServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

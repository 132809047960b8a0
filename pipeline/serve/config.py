"""Settings of the SPARQL endpoint (``fedatlas serve``) and its one error type."""

from __future__ import annotations

from dataclasses import dataclass

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class EndpointConfig:
    """Everything ``fedatlas serve`` can be told; defaults are the safe choice.

    Attributes:
        location: store directory or SPARQL URL (what ``open_store`` takes).
        host, port: where to listen; loopback by default, port 0 picks a free one.
        token: bearer token that enables updates; ``None`` means read-only.
        allow_service: let queries use ``SERVICE`` (and updates ``LOAD``), i.e. reach other hosts.
        timeout_s: wall-clock limit of one query or update, worker start excluded.
        max_rows: most solutions/triples/quads one answer may hold.
        max_bytes: most bytes one serialised answer may hold.
        max_body: most bytes a request body (query, update, upload) may hold.
        workers: query worker processes (queries on an embedded store still run one at a time).
        max_connections: connections handled at once; more are answered 503 at once.
        client_timeout_s: how long a client may take to send its request (slow clients are cut off).
        memory_mb: address-space cap of each worker process (0: none).
        isolate_network: run workers in an empty network namespace where the OS allows it
            (embedded stores without ``allow_service`` only).
        log: write one line per request to stderr.
        base_iri: base IRI of relative IRIs in queries and updates (default: the /query URL).
        cors_origins: origins whose pages may read cross-origin (``*``: any); updates never.
    """

    location: str
    host: str = "127.0.0.1"
    port: int = 7878
    token: str | None = None
    allow_service: bool = False
    timeout_s: float = 30.0
    max_rows: int = 100_000
    max_bytes: int = 64 * 2**20
    max_body: int = 8 * 2**20
    workers: int = 2
    max_connections: int = 32
    client_timeout_s: float = 10.0
    memory_mb: int = 4096
    isolate_network: bool = True
    log: bool = False
    base_iri: str | None = None
    cors_origins: tuple[str, ...] = ()

    @property
    def read_only(self) -> bool:
        return not self.token

    @property
    def is_loopback(self) -> bool:
        return self.host in LOOPBACK_HOSTS or self.host.startswith("127.")


class EndpointError(Exception):
    """A request the endpoint refuses or could not answer: an HTTP status and one clear line."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}

"""Fixtures for the SPARQL endpoint tests: a small store, endpoints on free loopback
ports, and (session-scoped) a real Oxigraph server for the scale-out path."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from pipeline.serve import EndpointConfig, EndpointServer
from pipeline.store import EmbeddedStore, open_store

EX = "http://example.org/"
GRAPH = ox.NamedNode(EX + "graph")
N_TRIPLES = 60
TOKEN = "test-token-3f9a"


@pytest.fixture
def store_dir(tmp_path: Path) -> str:
    """An embedded store with N_TRIPLES triples in one named graph."""
    store = open_store(tmp_path / "store")
    tx = store.transaction()
    for i in range(N_TRIPLES):
        tx.add(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(f"value {i}"), GRAPH)
    store.commit(tx)
    return store.location


@pytest.fixture
def make_endpoint(store_dir: str) -> Iterator[Callable[..., EndpointServer]]:
    """Start endpoints on a free loopback port; all are closed after the test."""
    servers: list[EndpointServer] = []

    def make(**overrides: object) -> EndpointServer:
        settings = {"location": store_dir, "port": 0, "timeout_s": 5.0, "client_timeout_s": 3.0, **overrides}
        server = EndpointServer(EndpointConfig(**settings)).start()  # type: ignore[arg-type]
        servers.append(server)
        server.pool.warm_up()
        return server

    yield make
    for server in servers:
        server.close()


@pytest.fixture
def endpoint(make_endpoint: Callable[..., EndpointServer]) -> EndpointServer:
    """A read-only endpoint with default settings."""
    return make_endpoint()


def count_triples(location: str) -> int:
    return EmbeddedStore(location).count()


# ---- a real Oxigraph server ---------------------------------------------------------------
def _oxigraph_binary() -> str | None:
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.exists():
        return str(beside)
    return shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``oxigraph serve`` on a free loopback port; yields its base URL (``http://127.0.0.1:PORT``)."""
    binary = _oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    location = tmp_path_factory.mktemp("oxigraph")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 180  # guards a hang only: the event is the first answer
        while True:
            if process.poll() is not None:
                err = process.stderr.read().decode(errors="replace") if process.stderr else ""
                pytest.fail(f"oxigraph serve exited with {process.returncode}: {err[-500:]}")
            try:
                with urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail("oxigraph serve did not answer (hang guard, 180 s)")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

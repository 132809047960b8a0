"""`fedatlas serve`: a SPARQL 1.1 endpoint over the store (see ``pipeline.serve``)."""

from __future__ import annotations

import click

from pipeline.errors import StoreError


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; keep the loopback default unless you mean to share the store.")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--token", envvar="FEDATLAS_TOKEN", default=None, metavar="TOKEN",
              help="Enable SPARQL Update and Graph Store writes for clients sending "
                   "'Authorization: Bearer TOKEN' (default: $FEDATLAS_TOKEN; none: read-only).")
@click.option("--allow-service", is_flag=True,
              help="Allow SERVICE in queries and LOAD in updates (they fetch data from other hosts).")
@click.option("--timeout", "timeout_s", default=30.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds one query or update may run before it is stopped.")
@click.option("--max-rows", default=100_000, show_default=True, type=click.IntRange(min=1),
              help="Most rows (or triples) one answer may hold.")
@click.option("--max-bytes", default=64 * 2**20, show_default=True, type=click.IntRange(min=1024),
              help="Most bytes one serialised answer may hold.")
@click.option("--max-body", default=8 * 2**20, show_default=True, type=click.IntRange(min=1024),
              help="Most bytes a request body (query, update, upload) may hold.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Query worker processes.")
@click.option("--max-connections", default=32, show_default=True, type=click.IntRange(1, 1024),
              help="Connections handled at once; more are answered 503 straight away.")
@click.option("--memory-mb", default=4096, show_default=True, type=click.IntRange(min=0),
              help="Memory cap of each worker process in MiB (0: none).")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help="Let web pages from ORIGIN (e.g. https://yasgui.org; '*' for any) read the endpoint "
                   "cross-origin; repeatable. Updates are never allowed cross-origin.")
@click.option("--base-iri", default=None, metavar="IRI",
              help="Base IRI of relative IRIs in queries and updates (default: the /query URL).")
@click.option("--log/--no-log", default=True, show_default=True, help="Log one line per request to stderr.")
@click.pass_obj
def serve_cmd(obj, host: str, port: int, token: str | None, allow_service: bool, timeout_s: float,
              max_rows: int, max_bytes: int, max_body: int, workers: int, max_connections: int,
              memory_mb: int, cors_origins: tuple[str, ...], base_iri: str | None, log: bool) -> None:
    """Serve the store as a SPARQL 1.1 endpoint (queries at /query, updates at /update).

    \b
    Read-only unless started with --token; SERVICE refused unless --allow-service.
    Clients: SPARQLWrapper, curl, YASGUI (served at / in a browser), or another
    Atlas: fedatlas --store URL/query ...  The default graph is the union of all graphs.
    Results as SPARQL JSON/XML/CSV/TSV; CONSTRUCT/DESCRIBE as Turtle/N-Triples/JSON-LD
    (by Accept header or ?format=).
    """
    from pipeline.serve import EndpointConfig, serve

    location = obj.store().location
    if token is not None and not token.strip():
        raise click.BadParameter("the token must not be empty", param_hint="--token")
    config = EndpointConfig(
        location=location, host=host, port=port, token=token or None, allow_service=allow_service,
        timeout_s=timeout_s, max_rows=max_rows, max_bytes=max_bytes, max_body=max_body, workers=workers,
        max_connections=max_connections, memory_mb=memory_mb, log=log,
        cors_origins=tuple(cors_origins), base_iri=base_iri,
    )
    if not config.is_loopback:
        click.echo(f"warning: listening on {host}, not loopback: anyone who can reach this machine can query "
                   "the store" + (" and, with the token, change it over plain HTTP" if token else ""), err=True)
    try:
        serve(config, echo=lambda line: click.echo(line, err=False))
    except OSError as e:
        raise StoreError(f"cannot listen on {host}:{port}: {e.strerror or e}", hint="choose another --port") from None


commands = [serve_cmd]

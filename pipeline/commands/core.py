"""Core commands: init, query, export, import, validate, tables, stats, backup, restore."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import cast

import click

from pipeline.errors import InputError, QueryError, UnknownNameError, ValidationError
from pipeline.store.rdf_formats import rdf_by_suffix, rdf_format, rdf_names, rdf_syntax

pass_ctx = click.pass_obj


@click.command("init")
@pass_ctx
def init_cmd(obj) -> None:
    """Load the ontology and the bundled corpus into the store (safe to rerun).

    Re-running replaces only the ontology and corpus graphs; ingested papers,
    human decisions and replication evidence are kept.
    """
    from pipeline.store.corpus import init_store

    store = obj.store(create=True)
    info = init_store(store)
    click.echo(f"Initialised {store.location}: corpus {info['corpus_version']} "
               f"({info['corpus_quads']} corpus + {info['ontology_quads']} ontology triples)")


def _read_query(sparql: str | None, file: str | None) -> str:
    if file == "-":
        with click.open_file("-") as stdin:  # click's text stdin (get_text_stream is deprecated)
            return stdin.read()
    if file:
        try:
            return Path(file).read_text(encoding="utf-8")
        except OSError as e:
            raise InputError(f"{file}: cannot read query file: {e.strerror}") from None
    if not sparql:
        raise QueryError("give a query or -f FILE.rq")
    return sparql


def _cell(term) -> str:
    from pipeline.store import term_value

    v = term_value(term)
    return "" if v is None else str(v)


def format_rows(rows: list[dict], fmt: str) -> str:
    """SELECT rows (terms) as table, csv or json text."""
    names = list(rows[0].keys()) if rows else []
    if fmt == "json":
        return json.dumps([{k: _cell(v) for k, v in r.items()} for r in rows], indent=2, ensure_ascii=False)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(names)
        for r in rows:
            w.writerow([_cell(r[n]) for n in names])
        return buf.getvalue()
    if not rows:
        return "(no rows)"
    table = [[_cell(r[n]) for n in names] for r in rows]
    widths = [min(60, max(len(n), *(len(row[i]) for row in table))) for i, n in enumerate(names)]
    line = lambda vals: "  ".join(v[:60].ljust(w) for v, w in zip(vals, widths))  # noqa: E731
    out = [line(names), line(["-" * w for w in widths])] + [line(row) for row in table]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


@click.command("query")
@click.argument("sparql", required=False)
@click.option("-f", "--file", "file", type=click.Path(dir_okay=False, allow_dash=True),
              help="Read the query from a .rq file ('-' reads standard input).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@pass_ctx
def query_cmd(obj, sparql: str | None, file: str | None, fmt: str) -> None:
    """Run a read-only SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE).

    Prefixes fa:, fad:, skos:, prov:, dcterms:, bibo:, cito:, rdfs: ... are
    predeclared. Data lives in named graphs: use GRAPH ?g { ... }.
    """
    from pyoxigraph import Triple, serialize

    from pipeline.store.base import serialized
    from pipeline.store.guard import check_read

    text = _read_query(sparql, file)
    check_read(text)  # the one guard: no update, no SERVICE (no call to another host)
    result = obj.store().query(text)
    if isinstance(result, bool):
        click.echo("true" if result else "false")
    elif result and not isinstance(result[0], dict):
        triples = cast("list[Triple]", result)  # the first item is no row: a CONSTRUCT/DESCRIBE answer
        click.echo(serialized(serialize(triples, format=rdf_format("turtle"))).decode("utf-8"), nl=False)
    else:
        click.echo(format_rows(result, fmt))


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(rdf_names(named_graphs=True)), default="nquads",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
@pass_ctx
def export_cmd(obj, fmt: str, output: str | None) -> None:
    """Export the whole store with its named graphs."""
    data = obj.store().dump(fmt)
    if output:
        Path(output).write_bytes(data)
        click.echo(f"wrote {len(data)} bytes to {output}", err=True)
    else:
        sys.stdout.buffer.write(data)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(rdf_names()),
              help="Default: from the file extension.")
@click.option("--replace/--merge", default=False, help="Replace the graphs the file contains (default: merge).")
@pass_ctx
def import_cmd(obj, file: str, fmt: str | None, replace: bool) -> None:
    """Import an export (N-Quads, TriG, JSON-LD) or one graph (Turtle, N-Triples, RDF/XML) in one transaction."""
    from pipeline.vocab import iri

    try:
        syntax = rdf_syntax(fmt) if fmt else rdf_by_suffix(Path(file).name)
    except UnknownNameError as e:
        raise InputError(f"{file}: unknown format; use --format", hint=f"suffixes {e.hint}") from None
    fmt = syntax.name
    graph = None if syntax.named_graphs else iri("graph", "import")  # triples land in one graph
    store = obj.store(create=True)
    try:
        n = store.load(Path(file).read_bytes(), fmt, graph=graph, replace=replace)
    except QueryError as e:
        raise InputError(f"{file}: {e.message}", hint="the store was not changed") from None
    from pipeline.store.schema import record_version_if_missing

    record_version_if_missing(store)  # a store `import` created is of this schema (a dump's own record wins)
    click.echo(f"imported {n} quads from {file}")


@click.command("validate")
@pass_ctx
def validate_cmd(obj) -> None:
    """Check the store against the SHACL shapes; non-zero exit on violations."""
    from pipeline.store.shacl import validate_store

    report = validate_store(obj.store())
    click.echo(report.text())
    if not report.conforms:
        raise ValidationError(f"{len(report.violations)} SHACL violation(s)", hint="see the list above")


@click.command("tables")
@click.option("--format", "fmt", type=click.Choice(["markdown", "csv", "latex", "json"]), default="markdown",
              show_default=True)
@click.option("--which", type=click.Choice(["both", "method", "technique"]), default="both", show_default=True)
@pass_ctx
def tables_cmd(obj, fmt: str, which: str) -> None:
    """The two overview tables: method x challenge and technique x challenge.

    A method's cell aggregates its techniques' effects: all towards -> +,
    all against -> −, both -> ± (mixed), only none -> 0, disputed -> ?.
    """
    from pipeline.report.tables import overview_tables, render

    tables = overview_tables(obj.store())
    if which != "both":
        tables = [t for t in tables if t.row_kind == which]
    click.echo(render(tables, fmt))


@click.command("stats")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def stats_cmd(obj, fmt: str) -> None:
    """Counts of what the store holds."""
    from pipeline.store.stats import store_stats

    stats = store_stats(obj.store())
    if fmt == "json":
        click.echo(json.dumps(stats, indent=2))
        return
    click.echo(f"Store: {obj.store().location}")
    for k, v in stats.items():
        click.echo(f"  {k:<24}{v:>8}")


@click.command("backup")
@click.argument("target", type=click.Path(file_okay=False))
@pass_ctx
def backup_cmd(obj, target: str) -> None:
    """A consistent snapshot of an embedded store into an empty directory TARGET."""
    store = obj.store()
    if not hasattr(store, "backup"):
        raise InputError("backup works on the embedded store; for a server use `fedatlas export`")
    if Path(target).exists() and any(Path(target).iterdir()):
        raise InputError(f"{target}: backup target must be a new or empty directory")
    try:
        Path(target).mkdir(parents=True, exist_ok=True)  # RocksDB creates only the last path level
    except OSError as e:
        raise InputError(f"{target}: cannot create the backup directory: {e.strerror}") from None
    store.backup(Path(target) / "oxigraph")
    click.echo(f"backed up {store.location} to {target}")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False))
@click.option("--force", is_flag=True, help="Replace the current store content.")
@pass_ctx
def restore_cmd(obj, source: str, force: bool) -> None:
    """Restore a backup made with `fedatlas backup` into the store (all or nothing).

    The store then holds exactly the backed-up data, default graph included; the backup
    directory is only read. Creates the store if there is none yet."""
    from pipeline.store.embedded import backup_db_path

    if not (backup_db_path(source) / "CURRENT").is_file():  # fail before the store is created or touched
        raise InputError(f"{source}: not a backup made by `fedatlas backup`")
    store = obj.store(create=True)
    if not hasattr(store, "restore"):
        raise InputError("restore works on the embedded store; for a server use `fedatlas import`")
    if not store.is_empty() and not force:
        raise InputError(f"{store.location} is not empty; use --force to replace it")
    n = store.restore(source)
    click.echo(f"restored {n} quads from {source} into {store.location}")


commands = [init_cmd, query_cmd, export_cmd, import_cmd, validate_cmd, tables_cmd, stats_cmd, backup_cmd, restore_cmd]

"""Core commands: init, query, export, import, validate, tables, stats, backup, restore."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import click

from pipeline.errors import InputError, QueryError, ValidationError

pass_ctx = click.pass_obj


@click.command("init")
@pass_ctx
def init_cmd(obj) -> None:
    """Load the ontology and the bundled corpus into the store (safe to rerun).

    Re-running replaces only the ontology and corpus graphs; ingested papers,
    human decisions and replication evidence are kept.
    """
    from pipeline.store.corpus import init_store

    store = obj.store()
    info = init_store(store)
    click.echo(f"Initialised {store.location}: corpus {info['corpus_version']} "
               f"({info['corpus_quads']} corpus + {info['ontology_quads']} ontology triples)")


def _read_query(sparql: str | None, file: str | None) -> str:
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
@click.option("-f", "--file", "file", type=click.Path(dir_okay=False), help="Read the query from a .rq file.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@pass_ctx
def query_cmd(obj, sparql: str | None, file: str | None, fmt: str) -> None:
    """Run a read-only SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE).

    Prefixes fa:, fad:, skos:, prov:, dcterms:, bibo:, cito:, rdfs: ... are
    predeclared. Data lives in named graphs: use GRAPH ?g { ... }.
    """
    from pyoxigraph import serialize, RdfFormat

    text = _read_query(sparql, file)
    result = obj.store().query(text)
    if isinstance(result, bool):
        click.echo("true" if result else "false")
    elif result and not isinstance(result[0], dict):
        click.echo(serialize(result, format=RdfFormat.TURTLE).decode("utf-8"), nl=False)
    else:
        click.echo(format_rows(result, fmt))


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["nquads", "trig", "jsonld"]), default="nquads", show_default=True)
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


FORMAT_BY_SUFFIX = {".nq": "nquads", ".nquads": "nquads", ".trig": "trig", ".jsonld": "jsonld",
                    ".json": "jsonld", ".ttl": "turtle", ".nt": "ntriples"}


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(sorted(set(FORMAT_BY_SUFFIX.values()))),
              help="Default: from the file extension.")
@click.option("--replace/--merge", default=False, help="Replace the graphs the file contains (default: merge).")
@pass_ctx
def import_cmd(obj, file: str, fmt: str | None, replace: bool) -> None:
    """Import an export (N-Quads, TriG, JSON-LD) in one transaction."""
    from pipeline.vocab import iri

    fmt = fmt or FORMAT_BY_SUFFIX.get(Path(file).suffix.lower())
    if not fmt:
        raise InputError(f"{file}: unknown format; use --format")
    graph = iri("graph", "import") if fmt in ("turtle", "ntriples") else None
    try:
        n = obj.store().load(Path(file).read_bytes(), fmt, graph=graph, replace=replace)
    except QueryError as e:
        raise InputError(f"{file}: {e.message}", hint="the store was not changed") from None
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


STATS_QUERY = """
SELECT ?what (COUNT(DISTINCT ?x) AS ?n) WHERE {
  { GRAPH ?g { ?x a fa:Paper } BIND("papers" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:FedNASMethod } BIND("methods" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:Challenge } BIND("challenges" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:NASType } BIND("NAS types" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:AdaptationTechnique } BIND("adaptation techniques" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:OpenCode } BIND("open codes" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:EffectAssessment } BIND("effect assessments" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:Claim } BIND("claims" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:Replication } BIND("replications" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:Proposal } BIND("proposals" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:Decision } BIND("curation decisions" AS ?what) }
  UNION { GRAPH ?g { ?x a fa:ScreeningDecision } BIND("screening decisions" AS ?what) }
} GROUP BY ?what"""

STATS_ORDER = ["papers", "methods", "challenges", "NAS types", "adaptation techniques", "open codes",
               "effect assessments", "claims", "replications", "proposals", "curation decisions",
               "screening decisions"]


def store_stats(store) -> dict:
    with store.session():
        counts = {r["what"]: int(r["n"]) for r in store.select(STATS_QUERY)}
        graphs = len(store.graphs())
        triples = store.count()
    out = {k: counts.get(k, 0) for k in STATS_ORDER}
    out.update({"named graphs": graphs, "triples": triples})
    return out


@click.command("stats")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def stats_cmd(obj, fmt: str) -> None:
    """Counts of what the store holds."""
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
    """Restore a backup made with `fedatlas backup` into the store (all or nothing)."""
    from pipeline.store import EmbeddedStore

    backup = EmbeddedStore(source)
    data = backup.dump("nquads")
    store = obj.store()
    if store.count() and not force:
        raise InputError(f"{store.location} is not empty; use --force to replace it")
    tx = store.transaction()
    for g in store.graphs():
        tx.clear_graph(g)
    from pyoxigraph import RdfFormat, parse

    tx.add_quads(parse(data, format=RdfFormat.N_QUADS))
    store.commit(tx)
    click.echo(f"restored {source} into {store.location}")


commands = [init_cmd, query_cmd, export_cmd, import_cmd, validate_cmd, tables_cmd, stats_cmd, backup_cmd, restore_cmd]

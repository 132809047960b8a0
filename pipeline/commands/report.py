"""Report and exchange commands: report, export-bib, codebook, orkg, snowball."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipeline.errors import InputError

pass_ctx = click.pass_obj


def _emit(data: str | bytes, output: str | None) -> None:
    """Write to ``output`` (reporting the size on stderr) or to stdout."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if output:
        Path(output).write_bytes(raw)
        click.echo(f"wrote {len(raw)} bytes to {output}", err=True)
    else:
        sys.stdout.buffer.write(raw)
        sys.stdout.flush()


@click.command("report")
@click.option("--out", "out_dir", default="report", show_default=True, type=click.Path(file_okay=False),
              help="Directory to write the report into (created if needed).")
@click.option("--only", multiple=True, metavar="ARTEFACT",
              help="Build only this artefact (repeatable); `fedatlas plugins` lists them.")
@pass_ctx
def report_cmd(obj, out_dir: str, only: tuple[str, ...]) -> None:
    """Write the review's report: overview tables (Markdown, CSV, LaTeX, HTML) with heatmaps,
    PRISMA 2020 flow diagram, taxonomy, gap analysis, co-occurrence network and index.html."""
    from pipeline.report import build_report

    files = build_report(obj.store(), out_dir, only=list(only) or None)
    for path in files:
        click.echo(str(path))
    click.echo(f"{len(files)} files written; open {Path(out_dir) / 'index.html'}", err=True)


@click.command("export-bib")
@click.option("--format", "fmt", type=click.Choice(["bibtex", "ris", "csl-json"]), default="bibtex", show_default=True,
              help="BibTeX, RIS, or CSL-JSON (Zotero, pandoc --citeproc).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
@pass_ctx
def export_bib_cmd(obj, fmt: str, output: str | None) -> None:
    """The included papers as BibTeX or RIS."""
    from pipeline.report.exchange.bib import export_bibliography

    _emit(export_bibliography(obj.store(), fmt), output)


@click.group("codebook")
def codebook_group() -> None:
    """Exchange the codebook with other tools (SKOS, REFI-QDA .qdc)."""


@codebook_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["skos", "qdc"]), default="skos", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
@pass_ctx
def codebook_export_cmd(obj, fmt: str, output: str | None) -> None:
    """Export the codebook as SKOS Turtle or as a REFI-QDA codebook (.qdc) for QualCoder,
    ATLAS.ti, MAXQDA or NVivo."""
    from pipeline.report.exchange.qdc import export_qdc
    from pipeline.report.exchange.skos import export_skos

    _emit(export_skos(obj.store()) if fmt == "skos" else export_qdc(obj.store()), output)


@codebook_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Only report the differences; write nothing.")
@pass_ctx
def codebook_import_cmd(obj, file: str, dry_run: bool) -> None:
    """Import a REFI-QDA codebook (.qdc): report unchanged/changed/new/missing codes and add
    the new ones (renames and deletions are left to curation)."""
    from pipeline.report.exchange.qdc import import_qdc

    try:
        data = Path(file).read_bytes()
    except OSError as e:
        raise InputError(f"{file}: cannot read: {e.strerror}") from None
    diff = import_qdc(obj.store(), data, apply=not dry_run, source=Path(file).name)
    for mine, theirs in diff.changed:
        click.echo(f"changed: {mine.name!r} -> {theirs.name!r} (not applied; rename it in curation)")
    for code, _parent in diff.new:
        click.echo(f"{'would add' if dry_run else 'added'}: {code.name!r}")
    click.echo(f"{file}: {diff.summary()}")


@click.command("orkg")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
@pass_ctx
def orkg_cmd(obj, output: str | None) -> None:
    """An ORKG-style comparison CSV: one row per method, one column per property."""
    from pipeline.report.exchange.orkg import export_orkg_csv

    _emit(export_orkg_csv(obj.store()), output)


@click.command("snowball")
@click.option("--backward", "direction", flag_value="backward", help="From the included papers' parsed references (offline).")
@click.option("--forward", "direction", flag_value="forward", help="Works citing the included papers, from OpenAlex (network).")
@click.option("--dry-run", is_flag=True, help="List the new records without writing them.")
@click.option("--mailto", default=None, help="E-mail sent to OpenAlex (its polite pool); default $FEDATLAS_MAILTO.")
@click.option("--max-per-paper", type=click.IntRange(1), default=None,
              help="Forward: read at most N citing works per paper (the rest is reported as left out).")
@pass_ctx
def snowball_cmd(obj, direction: str | None, dry_run: bool, mailto: str | None, max_per_paper: int | None) -> None:
    """Propose new records by snowballing from the included papers (deduplicated against the corpus)."""
    from pipeline.ingest import snowball

    if direction is None:
        raise click.UsageError("choose --backward or --forward")
    if direction == "backward":
        result = snowball.backward(obj.store(), dry_run=dry_run)
    else:
        result = snowball.forward(obj.store(), dry_run=dry_run, mailto=mailto, max_per_paper=max_per_paper)
    for c in result.proposed:
        ident = c.doi or (f"arXiv:{c.arxiv}" if c.arxiv else "")
        click.echo(f"{'would add' if dry_run else 'new'}: {c.title}" + (f" [{ident}]" if ident else ""))
    click.echo(result.summary() + ("" if dry_run or not result.proposed else f"; written to {result.written_to}"))


commands = [report_cmd, export_bib_cmd, codebook_group, orkg_cmd, snowball_cmd]

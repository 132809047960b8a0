"""Report and exchange commands: report, export-bib, export-as, codebook, qdpx, labels, orkg, snowball.

Every ``--format`` of an exchange command lists the exporter registry's formats of its topic
(:mod:`pipeline.report.exchange.exporters`), so a plugin format is offered like a built-in one.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipeline.commands.choices import exporter_formats
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
@click.option("--format", "fmt", type=exporter_formats("bibliography"), default="bibtex", show_default=True,
              help="BibTeX, RIS, CSL-JSON (Zotero, pandoc --citeproc), or a plugin's format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
@pass_ctx
def export_bib_cmd(obj, fmt: str, output: str | None) -> None:
    """The included papers as BibTeX, RIS or CSL-JSON."""
    from pipeline.report.exchange.exporters import exporter

    _emit(exporter(fmt, "bibliography").bytes(obj.store()), output)


@click.command("export-as")
@click.argument("fmt", metavar="FORMAT", type=exporter_formats(""))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
@pass_ctx
def export_as_cmd(obj, fmt: str, output: str | None) -> None:
    """Write the store in any exchange format of the exporter registry, built-in or plugin
    (`fedatlas plugins` lists them)."""
    from pipeline.report.exchange.exporters import exporter

    _emit(exporter(fmt).bytes(obj.store()), output)


@click.group("codebook")
def codebook_group() -> None:
    """Exchange the codebook with other tools (SKOS, REFI-QDA .qdc)."""


@codebook_group.command("export")
@click.option("--format", "fmt", type=exporter_formats("codebook"), default="skos", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
@pass_ctx
def codebook_export_cmd(obj, fmt: str, output: str | None) -> None:
    """Export the codebook as SKOS Turtle or as a REFI-QDA codebook (.qdc) for QualCoder,
    ATLAS.ti, MAXQDA or NVivo."""
    from pipeline.report.exchange.exporters import exporter

    _emit(exporter(fmt, "codebook").bytes(obj.store()), output)


@codebook_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Report what the import would write; write nothing.")
@click.option("--unknown-parents", "unknown", type=click.Choice(["open-code", "category"]), default="open-code",
              show_default=True, help="What a code with no parent Atlas knows becomes (with the codes nested in it): "
                                      "an open code, or a new taxonomy category whose children are techniques.")
@pass_ctx
def codebook_import_cmd(obj, file: str, dry_run: bool, unknown: str) -> None:
    """Import a REFI-QDA codebook (.qdc, or the codebook of a .qdpx project) from QualCoder,
    ATLAS.ti, MAXQDA, NVivo or Taguette: report unchanged/changed/new/missing codes and add the
    new ones with their nesting, GUIDs, colours, descriptions and sets (renames and deletions
    are left to curation). --dry-run reports exactly what the real run writes."""
    from pipeline.report.exchange.qdc_import import import_qdc

    try:
        data = Path(file).read_bytes()
    except OSError as e:
        raise InputError(f"{file}: cannot read: {e.strerror}") from None
    diff = import_qdc(obj.store(), data, apply=not dry_run, source=Path(file).name, unknown=unknown)
    for note in diff.notes:
        click.echo(f"note: {note}", err=True)
    for mine, theirs in diff.changed:
        click.echo(f"changed: {mine.name!r} -> {theirs.name!r} (not applied; rename it in curation)")
    for planned in diff.planned:
        click.echo(f"{'would add' if dry_run else 'added'}: {planned.code.name!r} as {planned.kind}")
    click.echo(f"{file}: {diff.summary(applied=not dry_run)}")


@click.group("qdpx")
def qdpx_group() -> None:
    """The review's coding as a REFI-QDA project (.qdpx) for QualCoder, ATLAS.ti, MAXQDA, NVivo."""


@qdpx_group.command("export")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The .qdpx file to write.")
@pass_ctx
def qdpx_export_cmd(obj, output: str) -> None:
    """Export papers' text, the codebook, accepted codes as coded segments, reviewers and memos."""
    from pipeline.report.exchange.qdpx import export_qdpx

    data = export_qdpx(obj.store())
    try:
        Path(output).write_bytes(data)
    except OSError as e:
        raise InputError(f"{output}: cannot write: {e.strerror}") from None
    click.echo(f"{output}: {len(data)} bytes")


@qdpx_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--reviewer", default=None, metavar="NAME", help="Who coded, where the project names no user.")
@click.option("--unknown-parents", "unknown", type=click.Choice(["open-code", "category"]), default="open-code",
              show_default=True, help="What a code with no parent Atlas knows becomes.")
@pass_ctx
def qdpx_import_cmd(obj, file: str, reviewer: str | None, unknown: str) -> None:
    """Import a .qdpx project's codebook and its coded segments (as accepted codes with evidence)."""
    from pipeline.report.exchange.qdpx import import_qdpx

    result = import_qdpx(obj.store(), Path(file).read_bytes(), reviewer, Path(file).name, unknown)
    for line in result.skipped:
        click.echo(f"skipped: {line}", err=True)
    click.echo(f"{file}: {result.summary()}")


@click.group("labels")
def labels_group() -> None:
    """Screening labels from and for ASReview, Rayyan and Covidence."""


@labels_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--reviewer", default=None, metavar="NAME",
              help="Who made these decisions (required unless the file names its reviewers, as Rayyan's does; "
                   "with Rayyan, only NAME's decisions are imported).")
@click.option("--stage", type=click.Choice(["title-abstract", "full-text"]), default="title-abstract",
              show_default=True)
@click.option("--decision", type=click.Choice(["include", "exclude", "maybe"]), default=None,
              help="Covidence: the decision of this list (default: from the file name).")
@pass_ctx
def labels_import_cmd(obj, file: str, reviewer: str | None, stage: str, decision: str | None) -> None:
    """Ingest an ASReview (CSV/RIS), Rayyan or Covidence export and record its labels as screening
    decisions, attributed to the reviewer, at the stage."""
    from pipeline.report.exchange.labels import import_labels

    report = import_labels(obj.store(), Path(file), reviewer, stage, decision)
    for problem in report.problems:
        click.echo(f"problem: {problem}", err=True)
    for title in report.not_found:
        click.echo(f"not found in the store: {title}", err=True)
    click.echo(f"{file}: {report.summary()}")


@labels_group.command("export")
@click.option("--format", "fmt", type=exporter_formats("labels"), default="asreview", show_default=True)
@click.option("--stage", type=click.Choice(["title-abstract", "full-text"]), default="title-abstract",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
@pass_ctx
def labels_export_cmd(obj, fmt: str, stage: str, output: str | None) -> None:
    """The records with their final decision at the stage, as an ASReview labelled CSV."""
    from pipeline.report.exchange.exporters import exporter

    _emit(exporter(fmt, "labels").bytes(obj.store(), stage=stage), output)


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


commands = [report_cmd, export_bib_cmd, export_as_cmd, codebook_group, qdpx_group, labels_group, orkg_cmd, snowball_cmd]

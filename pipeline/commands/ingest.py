"""Mining commands: ingest, papers, proposals."""

from __future__ import annotations

import json
import sys

import click


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Parse files in N processes (the embedding model loads once per worker).")
@click.option("--proposer", "proposers", multiple=True,
              help="Proposer names to run (default: all default ones). Repeatable.")
@click.option("--origin", type=click.Choice(["database", "backward", "forward", "manual"]), default="database",
              show_default=True, help="PRISMA source of these records.")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=256, show_default=True,
              help="Records per parser pass, embedding call and store transaction (a file is never split).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_obj
def ingest_cmd(obj, paths, workers, proposers, origin, batch_size, quiet) -> None:
    """Ingest PDFs, BibTeX, RIS, Markdown or text files (files, folders or globs).

    Each paper gets its own graph of machine output (metadata, text, references,
    proposals). Unchanged records are skipped; changed ones replace their paper's
    machine output and keep every human decision. Records sharing a DOI or arXiv
    id are merged (each keeps its own metadata); similar titles without one are
    kept apart and listed as suspected duplicates to confirm. The summary counts
    new, merged, updated, unchanged, suspected and failed records. Exit status 7
    (input error) if anything failed.
    """
    from pipeline.ingest import ingest_paths
    from pipeline.propose import check_proposer_names

    check_proposer_names(list(proposers))  # before the store is opened: the name is the first mistake to report
    summary = ingest_paths(obj.store(), list(paths), workers=workers, proposer_names=list(proposers) or None,
                           origin=origin, progress=not quiet, batch_size=batch_size)
    for line in summary.lines():
        click.echo(line, err=line.startswith("  FAILED"))
    if not summary.ok:
        from pipeline.errors import InputError

        sys.exit(InputError.exit_code)


@click.command("papers")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def papers_cmd(obj, fmt) -> None:
    """List the papers in the store (title, authors, year, DOI, arXiv, references, sources)."""
    from pipeline.curate.proposals import list_papers

    papers = list_papers(obj.store())
    if fmt == "json":
        click.echo(json.dumps(papers, indent=2, ensure_ascii=False))
        return
    for p in papers:
        who = p["authors"][0] + (" et al." if len(p["authors"]) > 1 else "") if p["authors"] else "?"
        click.echo(f"{p['year'] or '----'}  {who[:28]:<28}  {p['title'][:70]}  refs={p['references']}")
    click.echo(f"({len(papers)} papers)")


@click.command("proposals")
@click.option("--status", type=click.Choice(["proposed", "accepted", "rejected", "edited", "all"]),
              default="proposed", show_default=True)
@click.option("--kind", type=click.Choice(["challenge", "nas_type", "technique"]))
@click.option("--paper", "paper_iri", help="Only this paper (IRI).")
@click.option("--format", "fmt", type=click.Choice(["table", "summary", "json"]), default="table",
              show_default=True, help="summary: per paper, the codes proposed per kind.")
@click.pass_obj
def proposals_cmd(obj, status, kind, paper_iri, fmt) -> None:
    """The machine's proposals a reviewer sees (default thresholds), with evidence."""
    from pipeline.curate.proposals import list_proposals

    rows = list_proposals(obj.store(), status=status, paper=paper_iri, kind=kind)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if fmt == "summary":
        click.echo(summarise(rows))
        return
    current = None
    for r in rows:
        if r["paper"] != current:
            current = r["paper"]
            click.echo(f"\n{r['title']}")
        click.echo(f"  {r['kind']:<9} {r['label'][:45]:<45} {r['score']:.2f}  [{r['status']}]  "
                   f"\"{r['evidence'][:90]}\"")
    click.echo(f"\n({len(rows)} proposals)")


def summarise(rows: list[dict]) -> str:
    """Per paper: how many proposals of each kind and their best-scored codes."""
    by_paper: dict[str, list[dict]] = {}
    for r in rows:
        by_paper.setdefault(r["title"] or r["paper"], []).append(r)
    lines = []
    for title, props in by_paper.items():
        lines.append(f"{title[:90]}  ({len(props)} proposals)")
        for kind in ("challenge", "nas_type", "technique"):
            best: dict[str, float] = {}
            for r in props:
                if r["kind"] == kind:
                    best[r["label"]] = max(best.get(r["label"], 0.0), r["score"])
            if best:
                top = sorted(best.items(), key=lambda kv: -kv[1])[:6]
                lines.append(f"  {kind:<10} " + "; ".join(f"{lab[:40]} {sc:.2f}" for lab, sc in top))
    return "\n".join(lines) if lines else "(no proposals)"


commands = [ingest_cmd, papers_cmd, proposals_cmd]

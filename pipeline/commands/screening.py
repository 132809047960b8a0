"""Screening commands: `fedatlas prisma` (the PRISMA 2020 numbers) and `fedatlas simulate-screening`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

pass_ctx = click.pass_obj


@click.command("prisma")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True,
              help="json: every box per stream and in total; csv: the PRISMA2020 R package / Shiny app template layout.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to a file instead of stdout.")
@pass_ctx
def prisma_cmd(obj, fmt: str, output: str | None) -> None:
    """The PRISMA 2020 flow numbers of the review (the same numbers as the app and `fedatlas report`)."""
    from pipeline.report.prisma import prisma_counts, to_json, to_prisma2020_csv

    counts = prisma_counts(obj.store())
    text = to_json(counts) if fmt == "json" else to_prisma2020_csv(counts)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        sys.stdout.write(text)


def recall_plot(results: list[dict], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.5))
    for r in results:
        xs, ys = zip(*r["curve"])
        ax.plot([100 * x for x in xs], [100 * y for y in ys], marker=".", label=f"{r['model']} v{r['version']}")
    ax.plot([0, 100], [0, 100], linestyle=":", color="#888888", label="random order (expected)")
    ax.set_xlabel("records screened (%)")
    ax.set_ylabel("relevant records found (%)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)


@click.command("simulate-screening")
@click.argument("labelled", type=click.Path(dir_okay=False))
@click.option("--model", "models", multiple=True,
              help="Ranker(s) to replay (repeat for side by side; default: the default ranker and the tfidf-nb baseline).")
@click.option("--seeds", type=int, default=5, show_default=True, help="Priors drawn (1 relevant + 1 irrelevant each).")
@click.option("--plot", type=click.Path(dir_okay=False), default="recall.png", show_default=True,
              help="PNG of the recall curves.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def simulate_screening_cmd(labelled: str, models: tuple[str, ...], seeds: int, plot: str, fmt: str) -> None:
    """Replay a fully labelled set (CSV with label_included/included, or RIS with ASReview_relevant notes)
    in each ranker's order: WSS@95, WSS@100, RRF@10 and the recall curve, averaged over seeds."""
    from pipeline.curate.ranking import DEFAULT_RANKER, REG
    from pipeline.curate.simulate import read_labelled, simulate

    names = list(models) or [DEFAULT_RANKER, "tfidf-nb"]
    for name in names:
        REG.get(name)  # an unknown name fails before any work
    data = read_labelled(labelled)
    results = simulate(data, names, seeds=seeds)
    recall_plot(results, Path(plot), f"{Path(labelled).name}: {len(data.labels)} records, {sum(data.labels)} relevant")
    if fmt == "json":
        click.echo(json.dumps({"file": labelled, "plot": plot, "results": results}, indent=2))
        return
    click.echo(f"{labelled}: {len(data.labels)} records, {sum(data.labels)} relevant; {seeds} seeds; "
               f"{results[0]['prior']}")
    click.echo(f"{'model':<12} {'version':<8} {'WSS@95':>8} {'WSS@100':>8} {'RRF@10':>8}")
    for r in results:
        click.echo(f"{r['model']:<12} {r['version']:<8} {r['wss@95']:>7.1f}% {r['wss@100']:>7.1f}% {r['rrf@10']:>7.1f}%")
    click.echo("\nrecall (%) after screening (% of records):")
    click.echo(f"{'screened':>8} " + " ".join(f"{r['model']:>10}" for r in results))
    for j, (x, _) in enumerate(results[0]["curve"]):
        click.echo(f"{100 * x:>7.0f}% " + " ".join(f"{100 * r['curve'][j][1]:>9.1f}%" for r in results))
    click.echo(f"\nplot: {plot}")


commands = [prisma_cmd, simulate_screening_cmd]

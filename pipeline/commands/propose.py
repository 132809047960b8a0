"""``fedatlas evaluate GOLD.jsonl``: proposal quality against hand-coded papers.

Mounted by the lead through ``pipeline.cli.COMMAND_MODULES`` (``"pipeline.commands.propose"``).
"""

from __future__ import annotations

import json

import click


@click.command("evaluate")
@click.argument("gold", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--kind", type=click.Choice(["challenge", "nas_type", "all"]), default="all",
              show_default=True, help="Which kind of code to measure.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--proposer", "proposers", multiple=True, metavar="NAME",
              help="Proposer(s) to measure (default: challenge-hybrid-v5, nastype-hybrid-v2).")
@click.option("--threshold", "thresholds", multiple=True, metavar="KIND|CODE=X",
              help="Override a threshold, e.g. challenge=0.4 or privacy=0.6.")
@click.option("--no-cv", is_flag=True, help="Skip the leave-one-out figures.")
@click.option("--techniques", "techniques", type=click.Path(dir_okay=False), default=None,
              help="Hand-coded techniques (techniques.jsonl, joined by idx): adds technique open-code figures.")
@click.option("--simulate", is_flag=True,
              help="Replay a review: learning curve after 0, 2, 5, 10 coded papers, averaged over orders.")
@click.option("--orders", type=int, default=5, show_default=True, help="Random orders for --simulate.")
@click.option("--plot", type=click.Path(dir_okay=False), default=None,
              help="Where --simulate writes its learning-curve PNG (default: learning_curve.png).")
def evaluate_cmd(gold, kind, fmt, proposers, thresholds, no_cv, techniques, simulate, orders, plot):
    """Precision, recall and F1 of the proposers against GOLD file(s) (simulation mode).

    GOLD is JSONL of hand-coded papers: title, abstract, challenges, nas_types per line,
    or a gold.jsonl with abstracts.jsonl beside it (the dev-gold format).
    """
    from pipeline.errors import InputError
    from pipeline.propose.evaluate import EVAL_KINDS, evaluate, format_report

    thr = {}
    for item in thresholds:
        key, _, value = item.partition("=")
        try:
            thr[key.strip()] = float(value)
        except ValueError:
            raise InputError(f"bad --threshold {item!r}", hint="use KIND=0.4 or CODE=0.6") from None
    kinds = EVAL_KINDS if kind == "all" else (kind,)
    if simulate:
        from pipeline.propose.simulate import format_curve, plot_curve, simulate_review

        curve = simulate_review(list(gold), techniques=techniques, orders=orders, thresholds=thr)
        if fmt == "json":
            click.echo(json.dumps(curve.to_dict(), indent=2))
        else:
            click.echo(format_curve(curve), nl=False)
        out = plot_curve(curve, plot or "learning_curve.png")
        click.echo(f"plot: {out}", err=True)
        return
    report = evaluate(list(gold), proposers=list(proposers) or None, thresholds=thr, kinds=kinds,
                      cross_validate=not no_cv, techniques=techniques)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(format_report(report), nl=False)


commands = [evaluate_cmd]

"""``fedatlas eval``: run experiments, list them with their latest verdicts, build the benchmark."""

from __future__ import annotations

import click

from pipeline.commands.choices import RegistryChoice

# torch and the experiments load when a subcommand runs, so that `fedatlas`
# itself starts fast (tests/test_startup.py checks this): engine names come
# from the engine registry only when click validates or shows them.


def _engine_names() -> list[str]:
    from .engines import names

    return names()


THREADS_HELP = ("torch intra-op CPU threads (0 = torch's default). The models are small, so extra threads gain "
                "little and oversubscribe shared machines badly; 1 is the sensible default.")


def _threads(n: int) -> None:
    if n > 0:
        import torch

        torch.set_num_threads(n)


@click.group("eval")
def eval_group() -> None:
    """Rerun FedNAS techniques at small scale and record verdicts in the graph."""


@eval_group.command("run")
@click.argument("name")
@click.option("--quick", is_flag=True, help="Smoke run (~1 min on 2 cores); never a verdict.")
@click.option("--seeds", type=int, default=None, help="Number of paired seeds (default 5; 2 with --quick).")
@click.option("--engine", type=RegistryChoice(_engine_names), default="builtin", show_default=True)
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True)
@click.option("--scale", type=click.Choice(["small", "paper"]), default="small", show_default=True,
              help="paper: the paper's group number, local epochs and rounds on CIFAR-10-sized data (for a GPU).")
@click.option("--out", "out_dir", default="runs", show_default=True, help="Directory for runs/NAME/TIMESTAMP/.")
@click.option("--no-store", is_flag=True, help="Do not write Replication nodes into the store.")
@click.option("--threads", type=int, default=1, show_default=True, help=THREADS_HELP)
@click.pass_obj
def run_cmd(obj, name, quick, seeds, engine, device, scale, out_dir, no_store, threads) -> None:
    """Run experiment NAME and write results, plots and Replication nodes."""
    from . import runner

    _threads(threads)
    runner.make_spec(name, quick, seeds, engine, device, scale=scale)  # name, engine, scale, device: checked first
    store = None if (no_store or obj is None) else obj.store()
    result = runner.run_experiment(name, quick, seeds, engine, device, out_dir, store, scale=scale)
    if quick:
        click.echo("SMOKE RUN (--quick): results are not verdicts.")
    for v in result["verdicts"]:
        click.echo(f"{v['claim']:28s} {v['verdict']}" + (f"  ({len(v['deviations'])} deviation(s) recorded)"
                                                          if v.get("deviations") else ""))
    for c in result.get("accounting_checks", []):
        click.echo(f"{c['claim']:28s} accounting check {'passed' if c['passed'] else 'FAILED'} (not a verdict)")
    click.echo(f"results: {result['out_dir']}")


@eval_group.command("rejudge")
@click.argument("results", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--out", "out_dir", default=None, help="Root for NAME/TIMESTAMP-rejudged.../ (default: the run's own root).")
@click.option("--no-store", is_flag=True, help="Do not write the re-judged Replications into the store.")
@click.pass_obj
def rejudge_cmd(obj, results, out_dir, no_store) -> None:
    """Judge saved runs (result.json files or their directories) again with the current rule; nothing reruns.

    The new Replications are revisions (prov:wasRevisionOf) of the old ones, which stay in the graph."""
    from .runner import rejudge

    store = None if (no_store or obj is None) else obj.store()
    for path in results:
        result = rejudge(path, out_dir, store)
        before = result["provenance"]["rejudged"]["previous_verdicts"]
        for v in result["verdicts"]:
            was = before.get(v["claim"], "-")
            click.echo(f"{v['claim']:28s} {v['verdict']}" + (f"  (was {was})" if was != v["verdict"] else ""))
        click.echo(f"results: {result['out_dir']}")


@eval_group.command("list")
@click.pass_obj
def list_cmd(obj) -> None:
    """Experiments, the claims each tests and the latest verdicts in the store."""
    latest: dict = {}
    checks: dict = {}
    if obj is not None:
        from .graph import latest_checks, latest_verdicts

        latest = latest_verdicts(obj.store())
        checks = latest_checks(obj.store())
    from . import experiments

    for name in experiments.names():
        exp = experiments.get(name)
        click.echo(f"{name}: {exp.title}")
        for claim in exp.claims:
            v = latest.get(claim)
            shown = "not run" if v is None else v["verdict"] + (" (smoke run)" if v["quick"] else "")
            click.echo(f"  {claim:28s} {shown}")
        for claim in exp.checks:
            c = checks.get(claim)
            shown = "not run" if c is None else ("passed" if c["passed"] else "FAILED") + (
                " (smoke run)" if c["quick"] else "")
            click.echo(f"  {claim:28s} accounting check {shown} (not a verdict)")


@eval_group.group("benchmark")
def benchmark_group() -> None:
    """The cached tabular benchmark of stand-alone subnet accuracies."""


@benchmark_group.command("build")
@click.option("--quick", is_flag=True, help="A tiny table for smoke runs and tests.")
@click.option("--scale", type=click.Choice(["small", "paper"]), default="small", show_default=True,
              help="paper: the table the --scale paper experiments use (CIFAR-10-sized data, >= 150 subnets; a GPU).")
@click.option("--force", is_flag=True, help="Rebuild even if cached.")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True)
@click.option("--threads", type=int, default=1, show_default=True, help=THREADS_HELP)
def benchmark_build(quick, scale, force, device, threads) -> None:
    """Train every subnet stand-alone once and cache the table on disk."""
    from pipeline.errors import AtlasError

    from .benchmark import benchmark_path, build_benchmark
    from .runner import resolve_device

    if quick and scale == "paper":
        raise AtlasError("--quick and --scale paper exclude each other", hint="drop one of them")
    _threads(threads)
    table = build_benchmark(quick, force, progress=True, device=resolve_device(device), scale=scale)
    nc = table["noise_ceiling"]
    click.echo(f"{len(table['architectures'])} architectures -> {benchmark_path(quick, scale)}")
    click.echo(f"seed-to-seed noise ceiling: tau={nc['kendall_tau']:.3f} sparse tau={nc['sparse_kendall_tau']:.3f}")


commands = [eval_group]

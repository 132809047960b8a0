"""Run an experiment: seeds, provenance, ``runs/NAME/TIMESTAMP/`` and the graph."""

from __future__ import annotations

import datetime as dt
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path

import torch
from tqdm import tqdm

from pipeline.errors import AtlasError

from . import experiments
from .experiments import RunSpec
from .report import write_summary
from .stats import ALPHA

PACKAGES = ("torch", "numpy", "scipy", "scikit-learn", "mnist1d", "flwr")


def git_commit() -> str:
    """HEAD, with ``+dirty`` when eval_fednas/ has uncommitted changes (the run's code is not HEAD's)."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, cwd=here)
        if out.returncode != 0 or not out.stdout.strip():
            return "unknown"
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "."], capture_output=True, text=True,
                               timeout=10, cwd=here)
        return out.stdout.strip() + ("+dirty" if dirty.returncode == 0 and dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            pass
    return out


def resolve_device(device: str) -> str:
    if device not in ("cpu", "cuda"):
        raise AtlasError(f"unknown device {device!r}", hint="use --device cpu or --device cuda")
    if device == "cuda" and not torch.cuda.is_available():
        raise AtlasError("CUDA was requested but no GPU is visible", hint="use --device cpu")
    return device


def device_name(device: str) -> str:
    return torch.cuda.get_device_name(0) if device == "cuda" else f"cpu ({platform.processor() or platform.machine()})"


def make_spec(name: str, quick: bool = False, seeds: int | None = None, engine: str = "builtin",
              device: str = "cpu", overrides: dict | None = None, scale: str = "small") -> RunSpec:
    exp = experiments.get(name)
    from .engines import REG as ENGINES

    ENGINES.get(engine)  # an unknown engine fails here, with the known names, before any work
    n = seeds if seeds is not None else (2 if quick else 5)
    params = exp.params(quick)
    if scale == "paper":
        if quick:
            raise AtlasError("--quick and --scale paper exclude each other", hint="drop one of them")
        paper = exp.paper_params()
        if not paper:
            raise AtlasError(f"experiment {name!r} has no paper-scale preset", hint="run it without --scale paper")
        params.update(paper)
    elif scale != "small":
        raise AtlasError(f"unknown scale {scale!r}", hint="use --scale small or --scale paper")
    params.update(overrides or {})
    return RunSpec(name, list(range(n)), quick, scale, engine, resolve_device(device), params)


def judge_result(exp, spec: RunSpec, per_seed: list[dict]) -> tuple[list, list, list]:
    """Estimates, verdicts (with deviations and CI level) and accounting checks of ``per_seed``: the current rule."""
    estimates, verdicts = exp.judge(spec, per_seed)
    exp.attach_deviations(spec.params, verdicts)
    check_estimates, checks = exp.accounting(spec, per_seed)
    estimates = estimates + check_estimates
    levels = {e.metric: e.level for e in estimates}
    for v in verdicts:
        if v.ci_level is None:  # the level of the (Bonferroni-adjusted) intervals the rule used
            used = [levels[m] for m in v.metrics if "@bonferroni" in m and m in levels]
            v.ci_level = min(used) if used else 1 - ALPHA
    if spec.quick:  # a smoke run is never a verdict
        for v in verdicts:
            v.verdict = "inconclusive"
            v.rule = "SMOKE RUN (--quick): never a verdict. Rule for full runs: " + v.rule
    return estimates, verdicts, checks


def write_result(exp, spec: RunSpec, per_seed, estimates, verdicts, checks, provenance: dict, stamp: str,
                 out_dir: str | Path, store=None) -> dict:
    """``result.json``, ``summary.md`` and plots under ``out_dir/NAME/stamp``; Replications into ``store``."""
    outdir = Path(out_dir) / spec.experiment / stamp
    outdir.mkdir(parents=True, exist_ok=True)
    result = {
        "schema": "eval_fednas.result.v1", "timestamp": stamp, "spec": spec.to_dict(),
        "smoke_run": spec.quick, "title": exp.title, "claims": exp.claims, "provenance": provenance,
        "per_seed": per_seed,
        "estimates": [e.to_dict() for e in estimates],
        "verdicts": [vars(v) for v in verdicts],
        "accounting_checks": [vars(c) for c in checks],
    }
    result["plots"] = exp.plot(spec, per_seed, estimates, outdir)
    (outdir / "result.json").write_text(json.dumps(result, indent=2, default=float))
    write_summary(result, outdir / "summary.md")
    result["out_dir"] = str(outdir)
    if store is not None:
        from .graph import write_replications

        result["replications"] = write_replications(store, result)
    return result


def run_spec(spec: RunSpec, out_dir: str | Path = "runs", store=None, progress: bool = True) -> dict:
    """Run ``spec``; write JSON, Markdown and plots; add Replications to ``store``."""
    exp = experiments.get(spec.experiment)
    started = dt.datetime.now(dt.UTC)
    commit = git_commit()  # the code that runs, taken before it runs
    stamp = started.strftime("%Y%m%dT%H%M%S%fZ")
    torch.manual_seed(0)
    per_seed = []
    for seed in tqdm(spec.seeds, desc=spec.experiment, disable=not progress, unit="seed"):
        per_seed.append(exp.run_seed(spec, seed))
    estimates, verdicts, checks = judge_result(exp, spec, per_seed)
    ended = dt.datetime.now(dt.UTC)
    prov = {"git_commit": commit, "packages": package_versions(), "device": device_name(spec.device),
            "started": started.isoformat(), "ended": ended.isoformat(), "seconds": (ended - started).total_seconds()}
    return write_result(exp, spec, per_seed, estimates, verdicts, checks, prov, stamp, out_dir, store)


def rejudge(path: str | Path, out_dir: str | Path | None = None, store=None) -> dict:
    """Judge a saved ``result.json`` again with the current rule, without rerunning any seed.

    The per-seed metrics, spec and run provenance are kept; ``provenance.rejudged`` records the code that
    judged, when, and the verdicts it replaced. The new result goes to ``out_dir/NAME/<stamp>-rejudged``
    (default: next to the old run's directory), so the old one stays as it was.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "result.json"
    old = json.loads(path.read_text())
    spec = RunSpec(**old["spec"])
    exp = experiments.get(spec.experiment)
    estimates, verdicts, checks = judge_result(exp, spec, old["per_seed"])
    now = dt.datetime.now(dt.UTC)
    prov = dict(old["provenance"])
    prov["rejudged"] = {"git_commit": git_commit(), "at": now.isoformat(), "from": str(path),
                        "from_timestamp": old["timestamp"],
                        "previous_verdicts": {v["claim"]: v["verdict"] for v in old["verdicts"]}}
    stamp = f"{old['timestamp']}-rejudged{now.strftime('%Y%m%dT%H%M%S')}"
    root = Path(out_dir) if out_dir is not None else path.parent.parent.parent
    return write_result(exp, spec, old["per_seed"], estimates, verdicts, checks, prov, stamp, root, store)


def run_experiment(name: str, quick: bool = False, seeds: int | None = None, engine: str = "builtin",
                   device: str = "cpu", out_dir: str | Path = "runs", store=None, progress: bool = True,
                   overrides: dict | None = None, scale: str = "small") -> dict:
    """The library entry point behind ``fedatlas eval run``."""
    return run_spec(make_spec(name, quick, seeds, engine, device, overrides, scale), out_dir, store, progress)

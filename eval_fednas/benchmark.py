"""A small tabular benchmark: stand-alone accuracy of every subnet of the super-net.

Built once (``fedatlas eval benchmark build``) on pooled mnist1d and cached as
JSON; two training seeds per architecture give the seed-to-seed noise ceiling
(Kendall tau between the two seeds' accuracies).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Required, TypedDict

import numpy as np
import torch
from tqdm import tqdm

from .data import load_dataset, make_clients, pooled
from .engines.base import FitJob
from .engines.builtin import LoopEngine
from .engines.local import evaluate
from .models import SuperNet, init_model, macs_per_sample
from .ranking import kendall_tau, sparse_kendall_tau
from .supernet import all_choices, subnet

VERSION = "v1"


class BenchmarkConfig(TypedDict, total=False):
    """How the stand-alone table is trained (written into the cached table as ``config``)."""

    dataset: Required[str]
    width: Required[int]
    depth: Required[int]
    epochs: Required[int]
    seeds: Required[int]
    lr: Required[float]
    batch_size: Required[int]
    max_samples: int  # cap on the dataset's samples (quick mode only)


FULL: BenchmarkConfig = {"dataset": "mnist1d", "width": 24, "depth": 3, "epochs": 8, "seeds": 2, "lr": 0.05, "batch_size": 32}
QUICK: BenchmarkConfig = {"dataset": "mnist1d", "width": 8, "depth": 3, "epochs": 1, "seeds": 2, "lr": 0.05, "batch_size": 64,
         "max_samples": 600}
#: ``--scale paper`` (for a GPU): CIFAR-10-sized data and depth 4, i.e. 4**4 = 256 subnets, at least the 150
#: architectures Yu et al. ask for; stand-alone training long enough to separate them.
PAPER: BenchmarkConfig = {"dataset": "synthetic-cifar10", "width": 32, "depth": 4, "epochs": 30, "seeds": 2, "lr": 0.05,
                          "batch_size": 128}
SCALES = ("small", "paper")


def cache_dir() -> Path:
    import os

    import platformdirs

    return Path(os.environ.get("FEDATLAS_CACHE", platformdirs.user_cache_dir("fedatlas"))) / "benchmarks"


def benchmark_config(quick: bool = False, scale: str = "small") -> BenchmarkConfig:
    if scale not in SCALES:
        raise ValueError(f"unknown benchmark scale {scale!r}; known: {SCALES}")
    if quick and scale == "paper":
        raise ValueError("a quick benchmark has no paper scale")
    return PAPER if scale == "paper" else QUICK if quick else FULL


def benchmark_path(quick: bool = False, scale: str = "small") -> Path:
    if scale == "paper":
        return cache_dir() / f"supernet-{PAPER['dataset']}-{VERSION}-paper.json"
    return cache_dir() / f"supernet-mnist1d-{VERSION}{'-quick' if quick else ''}.json"


def build_benchmark(quick: bool = False, force: bool = False, progress: bool = True, device: str = "cpu",
                    scale: str = "small") -> dict:
    """Train every subnet stand-alone on pooled data (all clients' train split) and cache the table."""
    cfg = benchmark_config(quick, scale)
    path = benchmark_path(quick, scale)
    if path.exists() and not force:
        return json.loads(path.read_text())
    ds = load_dataset(cfg["dataset"], cfg.get("max_samples"))
    data = pooled(make_clients(ds, 1, "iid", seed=12345))
    base = SuperNet.default_arch(ds.input_shape, ds.num_classes, cfg["width"], cfg["depth"])
    engine = LoopEngine([data], device)
    rows = []
    for choice in tqdm(all_choices(cfg["depth"]), desc="benchmark", disable=not progress):
        arch = subnet(base, choice)
        accs = []
        for s in range(cfg["seeds"]):
            p, b = init_model(arch, 1000 + s)
            keys = SuperNet.used_keys(p, arch)
            job = FitJob(0, arch, {k: p[k] for k in keys}, {k: v for k, v in b.items() if k.rsplit(".", 1)[0] + ".w" in keys},
                         cfg["epochs"], cfg["lr"], cfg["batch_size"], seed=s, eval_split=None, bn_mode="track")
            r = engine.fit([job])[0]
            accs.append(evaluate(arch, r.params, r.buffers, data.x_test, data.y_test, "track", cfg["batch_size"]) / len(data.y_test))  # noqa: E501
        rows.append({"choice": list(choice), "macs": macs_per_sample(arch), "acc_seeds": accs, "acc": float(np.mean(accs))})
    a = np.array([r["acc_seeds"] for r in rows])
    table = {"version": VERSION, "quick": quick, "scale": scale, "config": cfg, "architectures": rows,
             "noise_ceiling": {"kendall_tau": kendall_tau(a[:, 0], a[:, 1]),
                               "sparse_kendall_tau": sparse_kendall_tau(a[:, 0], a[:, 1], 0.01)}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(table, indent=1))
    return table


def load_benchmark(quick: bool = False, build: bool = True, scale: str = "small") -> dict:
    path = benchmark_path(quick, scale)
    if path.exists():
        return json.loads(path.read_text())
    if not build:
        from pipeline.errors import InputError

        raise InputError(f"no benchmark at {path}", hint=f"run `fedatlas eval benchmark build --scale {scale}`")
    torch.manual_seed(0)
    return build_benchmark(quick, progress=False, scale=scale)

"""Helpers shared by experiments: data per seed, pretraining, ratio estimates."""

from __future__ import annotations

import numpy as np

from ..accounting import Ledger
from ..data import load_dataset, make_clients
from ..engines import make_engine
from ..stats import direction, estimate
from ..strategy import FedAvg, FederatedRun, TrainConfig


def clients_for(p: dict, seed: int, alpha: float | None = None, n_tiers: int = 1):
    ds = load_dataset(p["dataset"], p.get("max_samples"))
    scheme = p.get("partition", "dirichlet")
    return ds, make_clients(ds, p["clients"], scheme, seed, alpha if alpha is not None else p.get("alpha", 0.5), n_tiers)


def fedavg(engine, arch, params, buffers, rounds, cfg: TrainConfig, seed: int, fraction: float = 1.0):
    run = FederatedRun(engine, FedAvg(fraction, cfg), Ledger(len(engine.clients)), seed=seed)
    params, buffers = run.run(arch, params, buffers, rounds)
    return params, buffers, run


def col(per_seed: list[dict], key: str) -> np.ndarray:
    return np.array([s[key] for s in per_seed], dtype=float)


__all__ = ["clients_for", "fedavg", "col", "estimate", "direction", "make_engine"]

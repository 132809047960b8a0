"""Federated one-shot super-net training (SPOS-style) and subnet evaluation.

Each participating client trains one sampled subnet; only the tensors that
subnet uses travel (downlink and uplink), and the server averages each tensor
over the clients that trained it. Sampling is a hook: uniform over the space
or, as in FedorAS, uniform over the subnets within the client's MAC budget.
"""

from __future__ import annotations

import itertools

import numpy as np

from .accounting import Ledger
from .data import ClientData
from .engines import Engine
from .engines.local import evaluate
from .models import OPS, SuperNet, macs_per_sample
from .strategy import FedAvg, FederatedRun, TrainConfig


def all_choices(depth: int) -> list[tuple[str, ...]]:
    return list(itertools.product(OPS, repeat=depth))


def subnet(arch: dict, choice) -> dict:
    return dict(arch, choice=list(choice))


class SubnetSampling(FedAvg):
    """FedAvg over a super-net where each client trains one sampled subnet."""

    def __init__(self, fraction: float, cfg: TrainConfig, budgets: dict[int, float] | None = None,
                 tiers: dict[int, int] | None = None) -> None:
        super().__init__(fraction, cfg)
        self.budgets = budgets  # tier -> MAC budget; None = uniform sampling
        self.tiers = tiers or {}

    def client_arch(self, rnd, cid, arch, rng):
        space = all_choices(arch["depth"])
        if self.budgets is not None:
            cap = self.budgets[self.tiers.get(cid, 0)]
            space = [c for c in space if macs_per_sample(subnet(arch, c)) <= cap] or space[:1]
        return subnet(arch, space[rng.integers(len(space))])


def train_supernet(engine: Engine, arch: dict, params, buffers, rounds: int, strategy: SubnetSampling,
                   seed: int) -> tuple[dict, dict, FederatedRun]:
    run = FederatedRun(engine, strategy, Ledger(len(engine.clients)), seed=seed)
    params, buffers = run.run(dict(arch, choice=None), params, buffers, rounds)
    return params, buffers, run


def subnet_accuracy(arch: dict, params, buffers, choice, x, y, bn_mode: str, batch_size: int) -> float:
    """Accuracy of one subnet with inherited super-net weights."""
    return evaluate(subnet(arch, choice), params, buffers, x, y, bn_mode, batch_size) / max(len(y), 1)


def pooled_split(clients: list[ClientData], split: str):
    import torch

    xs = [c.x_val if split == "val" else c.x_test for c in clients]
    ys = [c.y_val if split == "val" else c.y_test for c in clients]
    return torch.cat(xs), torch.cat(ys)


def sample_architectures(depth: int, n: int, seed: int) -> list[tuple[str, ...]]:
    space = all_choices(depth)
    if n >= len(space):
        return space
    idx = np.random.default_rng(seed).choice(len(space), n, replace=False)
    return [space[i] for i in sorted(idx)]


__all__ = ["SuperNet", "SubnetSampling", "train_supernet", "subnet_accuracy", "all_choices", "subnet",
           "pooled_split", "sample_architectures"]

"""The federated round loop, written once, with small Flower-like hooks.

:class:`FederatedRun` is the template: each round it asks the strategy for
jobs (``configure_fit``), charges the downlink, lets the engine run them,
charges uplink and compute, advances the wall clock and asks the strategy to
fuse (``aggregate_fit``). :class:`FedAvg` fuses by training-set size; variants
override one hook.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import torch

from .accounting import Ledger, payload_bytes
from .clock import WallClock
from .data import ClientData
from .engines import Engine, FitJob, FitResult
from .models import family

Params = dict[str, torch.Tensor]


def weighted_average(items: list[tuple[Params, int]]) -> Params:
    """Per-key mean weighted by counts, over the items that carry the key.

    Accumulated in float64 (one stacked weighted sum per key) on the tensors' device, returned as float32.
    """
    by_key: dict[str, list[tuple[torch.Tensor, float]]] = defaultdict(list)
    for params, w in items:
        for k, v in params.items():
            by_key[k].append((v, w))
    out: Params = {}
    for k, vw in by_key.items():
        dev = vw[0][0].device
        weights = torch.tensor([float(x) for _, x in vw], dtype=torch.float64, device=dev)
        stacked = torch.stack([v.to(dev) for v, _ in vw]).double()
        out[k] = (torch.tensordot(weights, stacked, dims=1) / weights.sum()).float()
    return out


def fuse_accuracy(results: list[FitResult]) -> float:
    """Accuracy weighted by test counts (Xu et al. Eq. PM_i_acc)."""
    n = sum(r.n_eval for r in results)
    return sum(r.correct for r in results) / n if n else 0.0


@dataclass
class TrainConfig:
    epochs: int = 1
    lr: float = 0.05
    batch_size: int = 16
    bn_mode: str = "batch"
    arch_lr: float = 0.01


class FedAvg:
    """Sample a fraction of clients, send the model, fuse updates by sample count."""

    def __init__(self, fraction: float = 1.0, cfg: TrainConfig | None = None) -> None:
        self.fraction = fraction
        self.cfg = cfg or TrainConfig()

    def sample(self, rnd: int, clients: list[ClientData], rng: np.random.Generator) -> list[int]:
        k = max(1, int(round(self.fraction * len(clients))))
        return sorted(rng.choice(len(clients), size=k, replace=False).tolist()) if k < len(clients) else list(range(len(clients)))

    def client_arch(self, rnd: int, cid: int, arch: dict, rng: np.random.Generator) -> dict:
        """Which (sub)architecture client ``cid`` trains; FedAvg: the global one."""
        return arch

    def configure_fit(self, rnd, arch, params, buffers, clients, rng, seed) -> list[FitJob]:
        jobs = []
        for cid in self.sample(rnd, clients, rng):
            a = self.client_arch(rnd, cid, arch, rng)
            keys = family(a["family"]).used_keys(params, a)
            c = self.cfg
            jobs.append(FitJob(cid, a, {k: params[k] for k in keys},
                               {k: v for k, v in buffers.items() if k.rsplit(".", 1)[0] + ".w" in keys},
                               c.epochs, c.lr, c.batch_size, seed * 100003 + rnd * 1009 + cid, "val", c.bn_mode, c.arch_lr))
        return jobs

    def aggregate_fit(self, rnd, params, buffers, results: list[FitResult]) -> tuple[Params, Params]:
        new_p = dict(params)
        new_p.update(weighted_average([(r.params, r.n_train) for r in results]))
        new_b = dict(buffers)
        new_b.update(weighted_average([(r.buffers, r.n_train) for r in results if r.buffers]))
        return new_p, new_b


@dataclass
class RoundLog:
    rnd: int
    val_acc: float
    duration: float


@dataclass
class FederatedRun:
    """Template round loop shared by every experiment and every engine."""

    engine: Engine
    strategy: FedAvg
    ledger: Ledger
    clock: WallClock = field(default_factory=WallClock)
    seed: int = 0
    history: list[RoundLog] = field(default_factory=list)

    def run(self, arch: dict, params: Params, buffers: Params, rounds: int) -> tuple[Params, Params]:
        rng = np.random.default_rng(self.seed)
        clients = self.engine.clients
        for rnd in range(rounds):
            jobs = self.strategy.configure_fit(rnd, arch, params, buffers, clients, rng, self.seed)
            results = self.exchange(jobs)
            params, buffers = self.strategy.aggregate_fit(rnd, params, buffers, results)
            self.history.append(RoundLog(rnd, fuse_accuracy(results), self.clock.rounds[-1]))
        return params, buffers

    def exchange(self, jobs: list[FitJob], upload_weights: bool = True) -> list[FitResult]:
        """Send jobs, run them, charge bytes/MACs and advance the clock."""
        down = {id(j): payload_bytes(j.params) + payload_bytes(j.buffers) for j in jobs}
        for j in jobs:
            self.ledger.send(j.cid, down[id(j)])
        results = self.engine.fit(jobs)
        timing = []
        for j, r in zip(jobs, results):
            up = payload_bytes(scalars=2)  # accuracy + test count
            if upload_weights:
                up += payload_bytes(r.params) + payload_bytes(r.buffers) + payload_bytes(scalars=1)
            self.ledger.receive(r.cid, up)
            self.ledger.compute(r.cid, r.train_macs, r.eval_macs)
            tier = self.engine.clients[r.cid].tier
            timing.append((tier, r.train_macs + r.eval_macs, down[id(j)] + up))
        self.clock.round(timing)
        return results


def evaluate_clients(arch, params, buffers, clients: list[ClientData] | Engine, split: str = "test",
                     bn_mode: str = "batch", batch_size: int = 16) -> float:
    """Sample-weighted accuracy over clients' ``split`` data (no accounting: a measurement).

    Pass the engine (or its ``engine.clients``): its clients' data were moved to
    the engine's device once, when it was made, so a CUDA run evaluates there
    with no host-to-device copy per call. Host data are copied to the
    parameters' device batch by batch (every call).
    """
    from .engines.local import evaluate

    if isinstance(clients, Engine):
        clients = clients.clients
    correct = total = 0
    for c in clients:
        x, y = (c.x_test, c.y_test) if split == "test" else (c.x_val, c.y_val)
        correct += evaluate(arch, params, buffers, x, y, bn_mode, batch_size)
        total += len(y)
    return correct / max(total, 1)

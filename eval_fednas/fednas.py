"""FedNAS (Xu et al., Algorithm 4.1): federated NetAdapt with three optimisations.

Per iteration: tighten the MAC budget, prune each prunable layer by L2 norm to
meet it (one candidate per layer), short-term fine-tune candidates on client
groups, fuse accuracy first and drop the alpha% with the largest
accuracy-degradation ratio before uploading weights, keep the best as the next
global model. Switches: ``group`` (representative groups vs. every candidate
on all clients), ``erc`` (early dropping), ``drn`` (dynamic round numbers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .accounting import Ledger, payload_bytes
from .data import ClientData
from .engines import Engine, FitJob
from .models import PrunableCNN, macs_per_sample, prune_layer
from .strategy import FedAvg, FederatedRun, TrainConfig, fuse_accuracy, weighted_average


# ------------------------------------------------------------ partitioning
def manhattan(u: np.ndarray, v: np.ndarray) -> float:
    return float(np.abs(u - v).sum())


def _group_cost(gcount: np.ndarray, glob: np.ndarray) -> float:
    """Mean Manhattan distance of the groups' label distributions to the global one."""
    tot = gcount.sum(1, keepdims=True)
    return float(np.abs(gcount / np.maximum(tot, 1e-12) - glob).sum(1).mean())


def _violation(gsize: np.ndarray, r: float) -> float:
    """How far the partition is from the balance bound ``max d <= r min d`` (0 = met)."""
    return max(0.0, float(gsize.max() - r * gsize.min()))


def greedy_partition(sizes: np.ndarray, dists: np.ndarray, k: int, r: float = 1.1,
                     max_passes: int = 30) -> list[list[int]]:
    """Balanced, representative groups (Xu et al. Section 4.2), by local search.

    The paper minimises the groups' label distance to the global distribution
    subject to the balance bound on the *final* partition. Start from the most
    balanced greedy assignment (largest client to the smallest group), then move
    single clients and swap pairs while that lowers (bound violation, distance)
    lexicographically: the bound is met first (when it can be), then distance
    falls without breaking it. Deterministic for given sizes and distributions.
    """
    n = len(sizes)
    counts = dists * sizes[:, None]
    glob = counts.sum(0) / counts.sum()
    assign = np.empty(n, dtype=int)
    gsize, gcount = np.zeros(k), np.zeros((k, dists.shape[1]))
    for c in np.argsort(-sizes, kind="stable"):
        g = int(np.argmin(gsize))
        assign[c], gsize[g], gcount[g] = g, gsize[g] + sizes[c], gcount[g] + counts[c]
    score = (_violation(gsize, r), _group_cost(gcount, glob))

    def better(new: tuple[float, float]) -> bool:
        return new[0] < score[0] - 1e-9 or (abs(new[0] - score[0]) <= 1e-9 and new[1] < score[1] - 1e-9)

    for _ in range(max_passes):
        improved = False
        for c in range(n):
            g = assign[c]
            for h in range(k):  # move c to h
                if h == g or gsize[g] - sizes[c] <= 0:
                    continue
                gs, gc = gsize.copy(), gcount.copy()
                gs[g] -= sizes[c]
                gs[h] += sizes[c]
                gc[g] -= counts[c]
                gc[h] += counts[c]
                new = (_violation(gs, r), _group_cost(gc, glob))
                if better(new):
                    assign[c], gsize, gcount, score, g, improved = h, gs, gc, new, h, True
            for d in range(c + 1, n):  # swap c and d
                h = assign[d]
                if h == g:
                    continue
                gs, gc = gsize.copy(), gcount.copy()
                delta, cdelta = sizes[d] - sizes[c], counts[d] - counts[c]
                gs[g] += delta
                gs[h] -= delta
                gc[g] += cdelta
                gc[h] -= cdelta
                new = (_violation(gs, r), _group_cost(gc, glob))
                if better(new):
                    assign[c], assign[d] = h, g
                    gsize, gcount, score, g, improved = gs, gc, new, h, True
        if not improved:
            break
    return [sorted(np.flatnonzero(assign == g).tolist()) for g in range(k)]


def balance_ratio(groups: list[list[int]], sizes: np.ndarray) -> float:
    """max / min group data size of a partition (the paper's bound asks for <= r)."""
    d = [sizes[g].sum() for g in groups]
    return float(max(d) / min(d)) if min(d) > 0 else float("inf")


def random_partition(n: int, k: int, rng: np.random.Generator) -> list[list[int]]:
    perm = rng.permutation(n)
    return [sorted(p.tolist()) for p in np.array_split(perm, k)]


def mean_group_distance(groups: list[list[int]], sizes: np.ndarray, dists: np.ndarray) -> float:
    counts = dists * sizes[:, None]
    glob = counts.sum(0) / counts.sum()
    return float(np.mean([manhattan(counts[g].sum(0) / counts[g].sum(), glob) for g in groups if g]))


# ---------------------------------------------------------------- schedules
def dynamic_rounds(t: int, schedule: tuple[tuple[int, int], ...]) -> int:
    """Rounds for iteration ``t`` (1-based) from ``((last_iter, rounds), ...)``; the last entry covers the rest."""
    for last, rounds in schedule:
        if t <= last:
            return rounds
    return schedule[-1][1]


def drop_count(n_alive: int, n_start: int, alpha: float) -> int:
    """Candidates to drop after one round: ceil(alpha * initial), never the last one.

    Algorithm 4.1 writes ``max(alpha% * len, len - 1)``, which would always keep
    one; §5.3 ("33% ... all dropped after 3 rounds") implies ``min`` over the
    initial count, which is what is implemented.
    """
    if alpha <= 0:
        return 0
    return min(math.ceil(alpha * n_start - 1e-9), n_alive - 1)


# ------------------------------------------------------------------- search
@dataclass
class FedNASConfig:
    groups: int = 4
    group: bool = True          # representative client groups (else all clients per candidate)
    partition: str = "greedy"   # greedy | random
    balance_r: float = 1.1
    erc: bool = True            # early dropping of candidates
    drop_ratio: float = 0.33
    drn: bool = True            # dynamic round numbers
    schedule: tuple[tuple[int, int], ...] = ((2, 2), (4, 3), (99, 4))
    fixed_rounds: int = 4       # rounds per iteration when drn is off
    iterations: int = 4
    budget_step: float = 0.12   # fraction of the initial MACs removed per iteration
    long_term_rounds: int = 10
    train: TrainConfig = field(default_factory=lambda: TrainConfig(epochs=1, lr=0.05, batch_size=16))


@dataclass
class Candidate:
    layer: int
    arch: dict
    params: dict
    macs: int
    acc: float = 0.0
    degradation: float = 0.0


def make_candidates(arch: dict, params: dict, budget: float) -> list[Candidate]:
    """One L2-pruned candidate per prunable layer that can meet ``budget``."""
    out = []
    for layer in PrunableCNN.prunable(arch):
        width = arch["widths"][layer]
        for keep in range(width - 1, 0, -1):
            a = dict(arch, widths=[w if i != layer else keep for i, w in enumerate(arch["widths"])])
            if macs_per_sample(a) <= budget:
                p, a = prune_layer(params, arch, layer, keep)
                out.append(Candidate(layer, a, p, macs_per_sample(a)))
                break
    return out


class FedNASSearch(FederatedRun):
    """Algorithm 4.1 on top of the shared round loop (``exchange`` does the accounting)."""

    def __init__(self, engine: Engine, cfg: FedNASConfig, seed: int, num_classes: int) -> None:
        super().__init__(engine, FedAvg(1.0, cfg.train), Ledger(len(engine.clients)), seed=seed)
        self.cfg = cfg
        self.num_classes = num_classes
        self.trace: list[dict] = []
        self._greedy: list[list[int]] | None = None

    def make_groups(self, rng: np.random.Generator) -> list[list[int]]:
        clients: list[ClientData] = self.engine.clients
        if not self.cfg.group:
            return [list(range(len(clients)))]
        if self.cfg.partition == "random":
            return random_partition(len(clients), self.cfg.groups, rng)
        if self._greedy is None:  # deterministic: computed once per search
            sizes = np.array([c.n_total for c in clients], dtype=float)
            dists = np.stack([c.label_distribution(self.num_classes) for c in clients])
            self._greedy = greedy_partition(sizes, dists, self.cfg.groups, self.cfg.balance_r)
        return self._greedy

    def group_distance(self, groups: list[list[int]]) -> float:
        """Mean label distance of ``groups`` to the global distribution (recorded per iteration)."""
        clients = self.engine.clients
        sizes = np.array([c.n_total for c in clients], dtype=float)
        dists = np.stack([c.label_distribution(self.num_classes) for c in clients])
        return mean_group_distance(groups, sizes, dists)

    def rounds_for(self, t: int) -> int:
        return dynamic_rounds(t, self.cfg.schedule) if self.cfg.drn else self.cfg.fixed_rounds

    def _jobs(self, cand: Candidate, group: list[int], t: int, k: int) -> list[FitJob]:
        c = self.cfg.train
        return [FitJob(cid, cand.arch, cand.params, {}, c.epochs, c.lr, c.batch_size,
                       self.seed * 100003 + t * 7919 + k * 101 + cid * 7 + cand.layer, "val") for cid in group]

    def iterate(self, t: int, arch: dict, params: dict, gm_acc: float, rng) -> tuple[Candidate, int]:
        budget = macs_per_sample(arch) - self.cfg.budget_step * self.initial_macs
        cands = make_candidates(arch, params, budget)
        groups = self.make_groups(rng)
        order = rng.permutation(len(groups))
        assign = {id(c): groups[order[i % len(groups)]] for i, c in enumerate(cands)}
        alive, n_start = list(cands), len(cands)
        rounds = self.rounds_for(t)
        gm_macs = macs_per_sample(arch)
        for k in range(rounds):
            jobs = [(c, self._jobs(c, assign[id(c)], t, k)) for c in alive]
            flat = [j for _, js in jobs for j in js]
            results = self.exchange(flat, upload_weights=False)  # accuracy is fused first
            pos = 0
            by_cand = {}
            for c, js in jobs:
                by_cand[id(c)] = results[pos:pos + len(js)]
                pos += len(js)
                c.acc = fuse_accuracy(by_cand[id(c)])
                c.degradation = (gm_acc - c.acc) / max(gm_macs - c.macs, 1)
            alive.sort(key=lambda c: c.degradation)
            if self.cfg.erc:
                n_drop = drop_count(len(alive), n_start, self.cfg.drop_ratio)
                alive = alive[:len(alive) - n_drop] if n_drop else alive
            for c in alive:  # only survivors upload weights
                res = by_cand[id(c)]
                for r in res:
                    self.ledger.receive(r.cid, payload_bytes(r.params) + payload_bytes(scalars=1))
                c.params = weighted_average([(r.params, r.n_train) for r in res])
        best = min(alive, key=lambda c: c.degradation)
        self.trace.append({"iteration": t, "budget": budget, "rounds": rounds, "candidates": len(cands),
                           "picked_layer": best.layer, "picked_macs": best.macs, "picked_acc": best.acc,
                           "widths": best.arch["widths"], "groups": [len(g) for g in groups],
                           "group_distance": self.group_distance(groups)})
        return best, rounds

    def search(self, arch: dict, params: dict, gm_acc: float) -> tuple[dict, dict]:
        """Run ``cfg.iterations`` iterations from the pretrained ``(arch, params)``."""
        rng = np.random.default_rng(self.seed + 17)
        self.initial_macs = macs_per_sample(arch)
        for t in range(1, self.cfg.iterations + 1):
            best, _ = self.iterate(t, arch, params, gm_acc, rng)
            arch, params, gm_acc = best.arch, best.params, best.acc
        return arch, params

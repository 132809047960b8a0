"""Width-sliced federated training for hardware tiers (HeteroFL / FjORD style).

A client of tier ``t`` trains the first ``ratio[t]`` of the channels of every
layer of the global CNN (a nested sub-model, as in HeteroFL's static slicing
and FjORD's ordered dropout at a fixed width); the server averages every
parameter element over the clients whose slice contains it, weighted by their
training-set size, and keeps elements no client trained this round. The
sliced sub-models are ordinary (narrower) CNNs, so every engine trains them,
and clients of one tier share an architecture and are stacked together.
"""

from __future__ import annotations

import math

import torch

from .models import PrunableCNN
from .strategy import FedAvg, FitJob


def slice_arch(arch: dict, ratio: float) -> dict:
    return dict(arch, widths=[max(1, math.ceil(ratio * w)) for w in arch["widths"]])


def slices(arch: dict, sub: dict) -> dict[str, tuple[slice, ...]]:
    """Index of each sub-model tensor inside the global tensor (leading channels of every layer)."""
    w, s = arch["widths"], sub["widths"]
    per = PrunableCNN.init(arch, torch.Generator().manual_seed(0))[0]["fc0.w"].shape[1] // w[2]
    return {"conv0.w": (slice(0, s[0]),), "conv0.b": (slice(0, s[0]),),
            "conv1.w": (slice(0, s[1]), slice(0, s[0])), "conv1.b": (slice(0, s[1]),),
            "conv2.w": (slice(0, s[2]), slice(0, s[1])), "conv2.b": (slice(0, s[2]),),
            "fc0.w": (slice(0, s[3]), slice(0, s[2] * per)), "fc0.b": (slice(0, s[3]),),
            "fc1.w": (slice(None), slice(0, s[3])), "fc1.b": (slice(None),)}


def slice_params(params: dict, arch: dict, sub: dict) -> dict:
    return {k: params[k][idx].clone() for k, idx in slices(arch, sub).items()}


class WidthSliced(FedAvg):
    """FedAvg where tier ``t`` trains the ``ratios[t]`` slice; ``ratios=None`` = everyone trains the full model.

    ``tiers_allowed`` restricts participation (e.g. only high-end devices).
    """

    def __init__(self, fraction, cfg, tiers: dict[int, int], ratios: dict[int, float] | None,
                 tiers_allowed: set[int] | None = None) -> None:
        super().__init__(fraction, cfg)
        self.tiers, self.ratios, self.allowed = tiers, ratios, tiers_allowed

    def configure_fit(self, rnd, arch, params, buffers, clients, rng, seed) -> list[FitJob]:
        jobs, c = [], self.cfg
        pool = [cl for cl in clients if self.allowed is None or self.tiers[cl.cid] in self.allowed]
        k = max(1, int(round(self.fraction * len(pool))))
        chosen = sorted(rng.choice([cl.cid for cl in pool], size=k, replace=False).tolist())
        for cid in chosen:
            ratio = 1.0 if self.ratios is None else self.ratios[self.tiers[cid]]
            sub = slice_arch(arch, ratio)
            jobs.append(FitJob(cid, sub, slice_params(params, arch, sub), {}, c.epochs, c.lr, c.batch_size,
                               seed * 100003 + rnd * 1009 + cid, "val", c.bn_mode, c.arch_lr))
        self._jobs = {j.cid: j for j in jobs}
        self._arch = arch
        return jobs

    def aggregate_fit(self, rnd, params, buffers, results):
        """Per element: weighted mean over the clients whose slice holds it; untouched elements kept."""
        total = {k: torch.zeros_like(v, dtype=torch.float64) for k, v in params.items()}
        weight = {k: torch.zeros_like(v, dtype=torch.float64) for k, v in params.items()}
        for r in results:
            idx = slices(self._arch, self._jobs[r.cid].arch)
            for k, v in r.params.items():
                total[k][idx[k]] += r.n_train * v.to(total[k].device).double()
                weight[k][idx[k]] += r.n_train
        new = {k: torch.where(weight[k] > 0, total[k] / weight[k].clamp(min=1e-12), params[k].double()).float()
               for k in params}
        return new, buffers

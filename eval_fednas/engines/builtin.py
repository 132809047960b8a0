"""The built-in engines: vectorised across clients, and a plain per-client loop."""

from __future__ import annotations

from collections import defaultdict

from ..models import family
from .base import Engine, FitJob, FitResult
from .local import local_fit, stacked_fit, vmap_fit


class LoopEngine(Engine):
    """One client after another in Python: the reference and the benchmark baseline."""

    name = "loop"

    def fit(self, jobs: list[FitJob]) -> list[FitResult]:
        return [local_fit(j, self.clients[j.cid], self.device) for j in jobs]


class BuiltinEngine(Engine):
    """Groups jobs by architecture and trains each group as one stacked computation.

    A family with ``forward_stacked`` runs :func:`stacked_fit` (grouped
    convolutions / batched matmuls, one autograd call per step for the whole
    group); other vectorisable families use ``torch.func.vmap``.

    Families that cannot be vectorised (BN running statistics, bilevel DARTS)
    fall back to the loop; so does a group of one.
    """

    name = "builtin"

    def __init__(self, clients, device: str = "cpu", chunk: int = 256) -> None:
        super().__init__(clients, device)
        self.chunk = chunk

    def fit(self, jobs: list[FitJob]) -> list[FitResult]:
        out: list[FitResult | None] = [None] * len(jobs)
        groups: dict[tuple, list[int]] = defaultdict(list)
        for i, j in enumerate(jobs):
            if family(j.arch["family"]).vmappable and j.epochs > 0:
                groups[j.group_key()].append(i)
            else:
                out[i] = local_fit(j, self.clients[j.cid], self.device)
        for members in groups.values():
            for s in range(0, len(members), self.chunk):
                part = members[s:s + self.chunk]
                if len(part) == 1:
                    out[part[0]] = local_fit(jobs[part[0]], self.clients[jobs[part[0]].cid], self.device)
                    continue
                fit = stacked_fit if hasattr(family(jobs[part[0]].arch["family"]), "forward_stacked") else vmap_fit
                res = fit([jobs[i] for i in part], [self.clients[jobs[i].cid] for i in part], self.device)
                for i, r in zip(part, res):
                    out[i] = r
        return out  # type: ignore[return-value]

"""An FBNetV3-style accuracy predictor (Dai et al. 2021, Section 3.1-3.2), architecture only.

Architectures are encoded one-hot (one op per layer). The predictor is a small
MLP: an encoder shared by two heads, a "proxy" head that predicts free
architecture statistics (MACs, parameter count) and an accuracy head. With
*pretraining*, the encoder is first trained on the statistics of every
architecture (free labels), then the accuracy head is fitted on the few
labelled architectures with the encoder initialised from that step; without,
the same network starts from scratch. Everything is seeded: the same seed gives
both variants the same initial weights and batches.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .models import OPS


def encode(choices: list[tuple[str, ...]]) -> torch.Tensor:
    """One-hot op per layer, concatenated: (n, depth * len(OPS))."""
    idx = torch.tensor([[OPS.index(op) for op in c] for c in choices])
    return F.one_hot(idx, len(OPS)).flatten(1).float()


def _standardise(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    return (y - y.mean(0)) / (y.std(0) + 1e-12)


class Predictor:
    """encoder (Linear-ReLU-Linear-ReLU) + proxy head (2 statistics) + accuracy head."""

    def __init__(self, n_in: int, hidden: int, seed: int) -> None:
        g = torch.Generator().manual_seed(seed)

        def lin(i, o):
            return [(torch.rand(o, i, generator=g) * 2 - 1) / i ** 0.5, torch.zeros(o)]

        self.enc = lin(n_in, hidden) + lin(hidden, hidden)
        self.proxy = lin(hidden, 2)
        self.acc = lin(hidden, 1)

    def _features(self, x, enc):
        h = F.relu(F.linear(x, enc[0], enc[1]))
        return F.relu(F.linear(h, enc[2], enc[3]))

    def _fit(self, x, y, heads: list[list[torch.Tensor]], out_head, epochs: int, lr: float, seed: int) -> None:
        params = [t.requires_grad_(True) for h in heads for t in h]
        opt = torch.optim.Adam(params, lr=lr)
        g = torch.Generator().manual_seed(seed)
        for _ in range(epochs):
            perm = torch.randperm(len(y), generator=g)
            for b in range(0, len(y), 16):
                i = perm[b:b + 16]
                out = F.linear(self._features(x[i], self.enc), out_head[0], out_head[1])
                loss = F.mse_loss(out, y[i])
                opt.zero_grad()
                loss.backward()
                opt.step()
        for t in params:
            t.requires_grad_(False)

    def pretrain(self, x: torch.Tensor, stats: np.ndarray, epochs: int, lr: float, seed: int) -> None:
        """Stage 1: fit encoder + proxy head to standardised (MACs, #params) of ``x``."""
        self._fit(x, torch.tensor(_standardise(stats), dtype=torch.float32), [self.enc, self.proxy], self.proxy,
                  epochs, lr, seed)

    def fit(self, x: torch.Tensor, acc: np.ndarray, epochs: int, lr: float, seed: int) -> None:
        """Stage 2: fit encoder + accuracy head to standardised accuracies of the labelled architectures."""
        y = torch.tensor(_standardise(np.asarray(acc)[:, None]), dtype=torch.float32)
        self._fit(x, y, [self.enc, self.acc], self.acc, epochs, lr, seed)

    def predict(self, x: torch.Tensor) -> np.ndarray:
        with torch.no_grad():
            return F.linear(self._features(x, self.enc), self.acc[0], self.acc[1]).squeeze(1).numpy()


def param_count(arch_params: dict) -> int:
    return int(sum(v.numel() for v in arch_params.values()))

"""Exact per-client accounting: bytes actually sent and MACs actually computed.

A payload's size is the sum of its tensors' ``numel * element_size`` plus 8
bytes per scalar (float64 accuracy, int64 count): what a plain binary protocol
puts on the wire. Compute is forward MACs x samples x epochs, as counted by the
client code (:class:`eval_fednas.engines.FitResult`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import torch

SCALAR_BYTES = 8


def payload_bytes(tensors: Mapping[str, torch.Tensor] | Iterable[torch.Tensor] = (), scalars: int = 0) -> int:
    """Bytes of a message carrying ``tensors`` and ``scalars`` numbers."""
    values = tensors.values() if isinstance(tensors, Mapping) else tensors
    return sum(t.numel() * t.element_size() for t in values) + SCALAR_BYTES * scalars


@dataclass
class Ledger:
    """Running totals per client id."""

    n_clients: int
    uplink: np.ndarray = field(init=False)
    downlink: np.ndarray = field(init=False)
    train_macs: np.ndarray = field(init=False)
    eval_macs: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        z = lambda dt=np.int64: np.zeros(self.n_clients, dtype=dt)  # noqa: E731
        self.uplink, self.downlink, self.train_macs, self.eval_macs = z(), z(), z(), z()

    def send(self, cid: int, nbytes: int) -> None:
        """Server -> client."""
        self.downlink[cid] += nbytes

    def receive(self, cid: int, nbytes: int) -> None:
        """Client -> server."""
        self.uplink[cid] += nbytes

    def compute(self, cid: int, train_macs: int, eval_macs: int = 0) -> None:
        self.train_macs[cid] += train_macs
        self.eval_macs[cid] += eval_macs

    def totals(self) -> dict[str, float]:
        """Means per client (over all clients) and sums, as plain floats."""
        comp = self.train_macs + self.eval_macs
        return {"uplink_per_client": float(self.uplink.mean()), "downlink_per_client": float(self.downlink.mean()),
                "compute_per_client": float(comp.mean()), "uplink_total": float(self.uplink.sum()),
                "downlink_total": float(self.downlink.sum()), "compute_total": float(comp.sum())}

"""What every engine shares: the job a client runs and the result it returns.

An engine only executes client work (``fit``); the round loop, fusion and
accounting live in :mod:`eval_fednas.strategy`, so every engine runs the same
strategy code.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field

import torch

from ..data import ClientData
from .heap import keep_heap

Params = dict[str, torch.Tensor]


@dataclass
class FitJob:
    """One client's work for one round: train ``epochs`` then evaluate."""

    cid: int
    arch: dict
    params: Params
    buffers: Params = field(default_factory=dict)
    epochs: int = 1
    lr: float = 0.05
    batch_size: int = 16
    seed: int = 0
    eval_split: str | None = "val"  # "val", "test" or None
    bn_mode: str = "batch"
    arch_lr: float = 0.01

    def stack_arch_key(self):
        """The architecture as stacking sees it (super-net subnets of one super-net share it)."""
        from ..models import arch_key
        from .forwards import STACKED

        arch = self.arch
        if STACKED.get(arch["family"], (None, False))[1]:
            arch = dict(arch, choice=None)
        return arch_key(arch)

    def group_key(self, stack_arch_key=None) -> tuple:
        """Jobs with equal keys can be stacked together; ``stack_arch_key``: :meth:`stack_arch_key`
        when the caller has it already (jobs of a round usually share one arch dict)."""
        akey = self.stack_arch_key() if stack_arch_key is None else stack_arch_key
        return (akey, self.epochs, self.lr, self.batch_size, self.eval_split, self.bn_mode, self.arch_lr)


@dataclass
class FitResult:
    """What a client computed; the strategy decides what of it is uploaded."""

    cid: int
    params: Params
    buffers: Params
    n_train: int
    n_eval: int
    correct: int
    train_macs: int
    eval_macs: int

    @property
    def acc(self) -> float:
        return self.correct / self.n_eval if self.n_eval else 0.0


class Engine(abc.ABC):
    """Runs client jobs; ``device`` is where tensors are computed."""

    name = "base"

    #: whether client data are moved to ``device`` once, when the engine is made
    resident = True

    def __init__(self, clients: list[ClientData], device: str = "cpu") -> None:
        keep_heap()  # the same allocator settings for every engine of the process (see .heap)
        self.clients = [c.to(device) for c in clients] if (device != "cpu" and self.resident) else clients
        self.device = device

    @abc.abstractmethod
    def fit(self, jobs: list[FitJob]) -> list[FitResult]:
        """Run every job (any order); results in the order of ``jobs``."""

    def close(self) -> None:  # noqa: B027 (an optional hook: most engines hold nothing to release)
        """Release workers (Flower's Ray cluster); a no-op by default."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

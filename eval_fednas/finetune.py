"""Long-term fine-tuning until convergence, with the check recorded.

A model compared to a reference trained to convergence must itself be
trained to convergence, not for a fixed small budget (a federated client takes
~2 SGD steps a round, the pooled reference ~70). FedAvg runs in chunks of
``check_every`` rounds; after each chunk the pooled validation accuracy is
measured; training stops once the best accuracy of the last ``window`` checks
improves on the best before them by less than ``min_delta`` points, or at
``max_rounds`` (then ``converged`` is False and the comparison says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .accounting import Ledger
from .strategy import FedAvg, FederatedRun, TrainConfig, evaluate_clients


@dataclass
class Convergence:
    check_every: int = 10
    window: int = 3
    min_delta: float = 0.5  # points of validation accuracy
    max_rounds: int = 60


@dataclass
class FinetuneLog:
    rounds: int = 0
    converged: bool = False
    val_curve: list[float] = field(default_factory=list)


def plateaued(curve: list[float], window: int, min_delta: float) -> bool:
    """The last ``window`` checks raise the best accuracy by less than ``min_delta``."""
    if len(curve) <= window:
        return False
    return max(curve[-window:]) - max(curve[:-window]) < min_delta


def finetune(engine, arch, params, buffers, cfg: TrainConfig, seed: int, conv: Convergence,
             log: FinetuneLog | None = None, stop: bool = True) -> tuple[dict, dict, FinetuneLog]:
    """FedAvg (all clients) until :func:`plateaued` or ``conv.max_rounds``; continues ``log`` if given.

    ``stop=False`` always runs ``max_rounds`` (an equal budget for paired variants) and only records
    whether the curve had plateaued.
    """
    log = log or FinetuneLog()
    while log.rounds < conv.max_rounds and not (stop and log.converged):
        n = min(conv.check_every, conv.max_rounds - log.rounds)
        run = FederatedRun(engine, FedAvg(1.0, cfg), Ledger(len(engine.clients)), seed=seed * 7919 + log.rounds)
        params, buffers = run.run(arch, params, buffers, n)
        log.rounds += n
        log.val_curve.append(100 * evaluate_clients(arch, params, buffers, engine.clients, "val", cfg.bn_mode,
                                                    cfg.batch_size))
        log.converged = plateaued(log.val_curve, conv.window, conv.min_delta)
    return params, buffers, log

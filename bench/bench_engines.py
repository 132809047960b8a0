"""Client updates per second: built-in vectorised engine vs. per-client loop vs. Flower.

Same workload for all three (one FedAvg round = every client trains one local
epoch of the prunable CNN on its digits shard), same process, ratios printed.
Aim: >= 5x over the loop and >= 3x over Flower.

    python bench/bench_engines.py [--clients 64] [--rounds 3] [--no-flower] [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import time

import torch

from eval_fednas.accounting import Ledger
from eval_fednas.data import load_dataset, make_clients
from eval_fednas.engines import make_engine
from eval_fednas.models import PrunableCNN, init_model
from eval_fednas.strategy import FedAvg, FederatedRun, TrainConfig


def updates_per_second(engine_name: str, clients, arch, rounds: int, device: str) -> float:
    p, b = init_model(arch, 0)
    with make_engine(engine_name, clients, device) as engine:
        run = FederatedRun(engine, FedAvg(1.0, TrainConfig(epochs=1, lr=0.05, batch_size=16)), Ledger(len(clients)))
        run.run(arch, p, b, 1)  # warm-up (Ray start-up, vmap tracing) is not timed
        t = time.perf_counter()
        run.run(arch, p, b, rounds)
        return rounds * len(clients) / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--no-flower", action="store_true")
    a = ap.parse_args()
    ds = load_dataset("digits")
    clients = make_clients(ds, a.clients, "iid", seed=0)
    arch = PrunableCNN.default_arch(ds.input_shape, ds.num_classes, (8, 16, 16, 32))
    print(f"workload: {a.clients} clients x ~{clients[0].n_train} samples, 1 epoch, batch 16; "
          f"torch threads={torch.get_num_threads()}, device={a.device}")
    res = {"builtin": updates_per_second("builtin", clients, arch, a.rounds, a.device),
           "loop": updates_per_second("loop", clients, arch, a.rounds, a.device)}
    if not a.no_flower:
        res["flower"] = updates_per_second("flower", clients, arch, a.rounds, a.device)
    for k, v in res.items():
        print(f"{k:8s} {v:9.1f} client updates/s")
    for k in ("loop", "flower"):
        if k in res:
            print(f"builtin / {k}: {res['builtin'] / res[k]:.2f}x")


if __name__ == "__main__":
    main()

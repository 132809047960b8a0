"""Client updates per second: built-in vectorised engine vs. per-client loop vs. Flower.

Same workload for all three (one FedAvg round = every client trains one local
epoch of the prunable CNN on its digits shard, then evaluates on its
validation split), same process, ratios printed. Aim: >= 5x over the loop and
>= 3x over Flower.

The machine may be shared, so the engines are measured *interleaved*: each
repetition times one round of every engine back to back, and the reported
rate per engine is the median over repetitions; the ratios are medians of the
per-repetition ratios, so a burst of foreign load hits all engines alike.
In-process engines (builtin, loop) use ``--threads`` torch threads (default 1:
on 2 oversubscribed cores, 2 intra-op threads were ~10x slower for every
engine); Flower runs one single-threaded Ray actor per CPU.

    python bench/bench_engines.py [--clients 64] [--rounds 5] [--threads 1] [--no-flower] [--device cpu|cuda]
                                  [--partition iid|dirichlet] [--alpha 0.5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from eval_fednas.accounting import Ledger
from eval_fednas.data import load_dataset, make_clients
from eval_fednas.engines import make_engine
from eval_fednas.models import PrunableCNN, init_model
from eval_fednas.strategy import FedAvg, FederatedRun, TrainConfig


class Timed:
    """One engine kept alive across repetitions; ``round()`` returns updates/s of one round."""

    def __init__(self, name: str, clients, arch, device: str) -> None:
        self.engine = make_engine(name, clients, device)
        self.arch, self.n = arch, len(clients)
        self.params, self.buffers = init_model(arch, 0)
        self.run = FederatedRun(self.engine, FedAvg(1.0, TrainConfig(epochs=1, lr=0.05, batch_size=16)),
                                Ledger(len(clients)))
        self.round()  # warm-up (Ray start-up, first oneDNN kernels) is not timed

    def round(self) -> float:
        t = time.perf_counter()
        self.params, self.buffers = self.run.run(self.arch, self.params, self.buffers, 1)
        return self.n / (time.perf_counter() - t)

    def close(self) -> None:
        self.engine.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=5, help="timed repetitions (one round per engine each)")
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads for builtin and loop")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--no-flower", action="store_true")
    ap.add_argument("--partition", choices=["iid", "dirichlet"], default="iid",
                    help="dirichlet: non-IID clients of unequal size (the harder case for stacking)")
    ap.add_argument("--alpha", type=float, default=0.5)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    ds = load_dataset("digits")
    clients = make_clients(ds, a.clients, a.partition, seed=0, alpha=a.alpha)
    arch = PrunableCNN.default_arch(ds.input_shape, ds.num_classes, (8, 16, 16, 32))
    sizes = [c.n_train for c in clients]
    print(f"workload: {a.clients} clients ({a.partition}{f' alpha={a.alpha:g}' if a.partition != 'iid' else ''}), "
          f"{min(sizes)}-{max(sizes)} training samples each, 1 epoch, batch 16, FedAvg round "
          f"(train + val eval + fusion); torch threads={torch.get_num_threads()}, device={a.device}, "
          f"{a.rounds} interleaved repetitions")
    names = ["builtin", "loop"] + ([] if a.no_flower else ["flower"])
    engines = {n: Timed(n, clients, arch, a.device) for n in names}
    rates: dict[str, list[float]] = {n: [] for n in names}
    try:
        for _ in range(a.rounds):
            for n in names:
                rates[n].append(engines[n].round())
    finally:
        for e in engines.values():
            e.close()
    for n in names:
        r = rates[n]
        print(f"{n:8s} {statistics.median(r):9.1f} client updates/s (median; min {min(r):.1f}, max {max(r):.1f})")
    for n in names[1:]:
        ratios = [b / o for b, o in zip(rates["builtin"], rates[n])]
        print(f"builtin / {n}: {statistics.median(ratios):.2f}x (median of per-repetition ratios; "
              f"range {min(ratios):.2f}-{max(ratios):.2f}x)")


if __name__ == "__main__":
    main()

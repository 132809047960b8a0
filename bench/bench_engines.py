"""Client updates per second: built-in vectorised engine vs. per-client loop vs. Flower.

Same workload for every engine (one federated round = every client trains one
local epoch, then evaluates on its validation split; the server fuses), same
process, ratios printed. Aims (issue 16): builtin >= 5x the loop and >= 50x
Flower. Workloads (``--family``):

- ``cnn``: FedAvg of the prunable CNN on digits shards (the FedNAS workload);
- ``supernet``: one-shot super-net training on mnist1d, every client trains its
  own uniformly sampled subnet (SPOS / FedorAS), tracked BN statistics;
- ``darts``: federated first-order DARTS on mnist1d (weights on training
  batches, architecture on validation batches), batch-statistics BN.

The machine may be shared, so the engines are measured *interleaved*: each
repetition times one round of every engine back to back, and the reported
rate per engine is the median over repetitions; the ratios are medians of the
per-repetition ratios, so a burst of foreign load hits all engines alike.
The in-process engines' process CPU time per round is printed too (builtin /
loop): on a shared machine it is far less noisy than wall time. ``--profile N``
prints the N most expensive operators of one more builtin round
(torch.profiler), the profile behind the RESULTS.md discussion.
In-process engines (builtin, loop) use ``--threads`` torch threads (default 1:
on 2 oversubscribed cores, 2 intra-op threads were ~10x slower for every
engine); Flower runs one single-threaded Ray actor per CPU. ``--amp`` sets
``FEDATLAS_AMP=1`` (bfloat16 autocast, where supported) for every engine.

    python bench/bench_engines.py [--family cnn|supernet|darts] [--clients 64] [--rounds 5] [--threads 1]
                                  [--no-flower] [--device cpu|cuda] [--partition iid|dirichlet] [--alpha 0.5]
                                  [--amp] [--profile N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

import torch

from eval_fednas.accounting import Ledger
from eval_fednas.data import load_dataset, make_clients
from eval_fednas.engines import make_engine
from eval_fednas.engines.heap import keep_heap
from eval_fednas.models import PrunableCNN, SuperNet, init_model
from eval_fednas.strategy import FedAvg, FederatedRun, TrainConfig
from eval_fednas.supernet import SubnetSampling

#: family -> (dataset, max samples, batch size, BN mode, one-line description)
WORKLOADS = {
    "cnn": ("digits", None, 16, "batch", "prunable CNN widths 8-16-16-32, FedAvg"),
    "supernet": ("mnist1d", None, 32, "track", "chain super-net width 24 depth 3, one sampled subnet per client"),
    "darts": ("mnist1d", None, 32, "batch", "DARTS super-net width 24 depth 3, first-order bilevel"),
}


def workload(family: str, ds):
    _, _, batch, bn_mode, _ = WORKLOADS[family]
    cfg = TrainConfig(epochs=1, lr=0.05, batch_size=batch, bn_mode=bn_mode, arch_lr=0.05)
    if family == "cnn":
        return PrunableCNN.default_arch(ds.input_shape, ds.num_classes, (8, 16, 16, 32)), FedAvg(1.0, cfg)
    arch = SuperNet.default_arch(ds.input_shape, ds.num_classes, 24, 3)
    if family == "supernet":
        return arch, SubnetSampling(1.0, cfg)
    return dict(arch, family="darts"), FedAvg(1.0, cfg)


class Timed:
    """One engine kept alive across repetitions; ``round()`` returns updates/s of one round."""

    def __init__(self, name: str, clients, family: str, ds, device: str) -> None:
        self.engine = make_engine(name, clients, device)
        self.arch, strategy = workload(family, ds)
        self.n = len(clients)
        self.params, self.buffers = init_model(self.arch, 0)
        self.run = FederatedRun(self.engine, strategy, Ledger(len(clients)))
        self.round()  # warm-up (Ray start-up, first oneDNN kernels) is not timed

    def round(self) -> float:
        t, c = time.perf_counter(), time.process_time()
        f = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        self.params, self.buffers = self.run.run(self.arch, self.params, self.buffers, 1)
        if self.params and next(iter(self.params.values())).is_cuda:
            torch.cuda.synchronize()
        self.cpu_s = time.process_time() - c  # this process only (not Flower's Ray workers)
        self.faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f  # minor page faults, this process
        return self.n / (time.perf_counter() - t)

    def close(self) -> None:
        self.engine.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--family", choices=sorted(WORKLOADS), default="cnn")
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=5, help="timed repetitions (one round per engine each)")
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads for builtin and loop")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--no-flower", action="store_true")
    ap.add_argument("--partition", choices=["iid", "dirichlet"], default="iid",
                    help="dirichlet: non-IID clients of unequal size (the harder case for stacking)")
    ap.add_argument("--alpha", type=float, default=0.5)
    ap.add_argument("--amp", action="store_true", help="FEDATLAS_AMP=1: bfloat16 autocast where supported")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="after timing, print the N most expensive operators of one builtin round")
    a = ap.parse_args()
    if a.amp:
        os.environ["FEDATLAS_AMP"] = "1"
    torch.set_num_threads(a.threads)
    name, max_samples, batch, bn_mode, desc = WORKLOADS[a.family]
    ds = load_dataset(name, max_samples)
    clients = make_clients(ds, a.clients, a.partition, seed=0, alpha=a.alpha)
    sizes = [c.n_train for c in clients]
    part = a.partition + (f" alpha={a.alpha:g}" if a.partition != "iid" else "")
    print(f"workload: {a.family} ({desc}) on {name}; {a.clients} clients ({part}), {min(sizes)}-{max(sizes)} "
          f"training samples each, 1 epoch, batch {batch}, BN {bn_mode}, one round (train + val eval + fusion); "
          f"torch threads={torch.get_num_threads()}, device={a.device}, amp={'on' if a.amp else 'off'}, "
          f"{a.rounds} interleaved repetitions; load average before {os.getloadavg()[0]:.1f}")
    names = ["builtin", "loop"] + ([] if a.no_flower else ["flower"])
    engines = {n: Timed(n, clients, a.family, ds, a.device) for n in names}
    rates: dict[str, list[float]] = {n: [] for n in names}
    cpu: dict[str, list[float]] = {n: [] for n in names}
    faults: dict[str, list[int]] = {n: [] for n in names}
    try:
        for _ in range(a.rounds):
            for n in names:
                rates[n].append(engines[n].round())
                cpu[n].append(engines[n].cpu_s)
                faults[n].append(engines[n].faults)
        if a.profile:
            from torch.profiler import ProfilerActivity, profile

            with profile(activities=[ProfilerActivity.CPU]) as prof:
                engines["builtin"].round()
            print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=a.profile))
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
    ratios = [lo / b for b, lo in zip(cpu["builtin"], cpu["loop"])]
    print(f"builtin / loop, process CPU time per round: {statistics.median(ratios):.2f}x (median; range "
          f"{min(ratios):.2f}-{max(ratios):.2f}x; builtin {1e3 * statistics.median(cpu['builtin']):.0f} ms, "
          f"loop {1e3 * statistics.median(cpu['loop']):.0f} ms)")
    print("minor page faults per round (this process, median): "
          + ", ".join(f"{n} {statistics.median(faults[n]):.0f}" for n in names if n != "flower")
          + f"; heap kept (eval_fednas/engines/heap.py): {keep_heap()}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

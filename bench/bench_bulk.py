"""Bulk ingest of a database export against the raw embedding of its sentences, same run.

Generates an export of N records with abstracts (``make_synthetic.synthetic_records``),
then, each in its own process so that peak memory is its own:

* ``embed``: the floor -- split the records into sentences as ingest does and
  embed them all with the bundled model, no cache;
* ``ingest``: ``ingest_paths`` into a fresh seeded store with a cold embedding
  cache (parse, sentences, embeddings, proposals with the default proposers,
  dedup, one transaction per batch).

The model is loaded before the clock starts in both. The floor is measured before and
after ingest and averaged (a shared machine's load moves between phases). Printed as ratios:
wall(ingest) / wall(embed) (aim <= 2) and peak RSS(ingest) / 1.5 GB (aim <= 1).

    python bench/bench_bulk.py --records 5000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

AIM_RATIO = 2.0
AIM_PEAK_GB = 1.5


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2  # kB on Linux


def phase_embed(bib: Path) -> dict:
    from pipeline.ingest.batch import annotate_batch, batch_sentences
    from pipeline.propose.embed import Embedder
    from pipeline.sources import read_path

    docs = read_path(bib).documents
    annotate_batch(docs)
    texts = list(dict.fromkeys(batch_sentences(docs)))
    emb = Embedder()  # no cache: every sentence goes through the model
    emb.model.encode(["warm up"], show_progress_bar=False)
    t0 = time.perf_counter()
    emb.encode(texts)
    return {"wall_s": time.perf_counter() - t0, "sentences": len(texts), "peak_gb": _peak_gb()}


class RssSampler:
    """Resident memory every ``every`` seconds in a thread: where a peak comes from (growth or a spike)."""

    def __init__(self, every: float = 1.0) -> None:
        import threading

        import psutil

        self.proc, self.every = psutil.Process(), every
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._t0 = time.perf_counter()
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.samples.append((round(time.perf_counter() - self._t0, 1), round(self.proc.memory_info().rss / 1024 ** 3, 3)))

    def stop(self) -> list[tuple[float, float]]:
        self._stop.set()
        self._thread.join()
        n = len(self.samples)
        return [self.samples[min(n - 1, i * n // 10)] for i in range(11)] if n else []


def phase_ingest(bib: Path, store_dir: Path, batch_size: int) -> dict:
    from pipeline.ingest import ingest_paths
    from pipeline.propose.embed import get_embedder
    from pipeline.store import open_store
    from pipeline.store.corpus import init_store

    store = open_store(store_dir)
    init_store(store)
    get_embedder(store_dir / "embeddings").model.encode(["warm up"], show_progress_bar=False)
    before = _peak_gb()
    sampler = RssSampler()
    t0 = time.perf_counter()
    summary = ingest_paths(store, [bib], progress=False, batch_size=batch_size)
    wall = time.perf_counter() - t0
    timeline = sampler.stop()
    emb = get_embedder(store_dir / "embeddings")
    return {"wall_s": wall, "counts": summary.counts(), "failed": summary.failed[:3],
            "encoded": emb.encoded_count, "peak_gb": _peak_gb(), "peak_before_gb": before, "rss_timeline": timeline}


def _child(args: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise SystemExit(f"phase {args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--phase", choices=["embed", "ingest"], help=argparse.SUPPRESS)
    ap.add_argument("--bib", help=argparse.SUPPRESS)
    ap.add_argument("--store", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.phase == "embed":
        print(json.dumps(phase_embed(Path(args.bib))))
        return
    if args.phase == "ingest":
        print(json.dumps(phase_ingest(Path(args.bib), Path(args.store), args.batch_size)))
        return
    from make_synthetic import synthetic_records, write_bibtex

    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as tmp:
        recs = synthetic_records(args.records, args.seed, with_abstract=1.0)
        bib = write_bibtex(recs, Path(tmp) / "export.bib")
        load = [os.getloadavg()[0]]
        first = _child(["--phase", "embed", "--bib", str(bib)])
        load.append(os.getloadavg()[0])
        ingest = _child(["--phase", "ingest", "--bib", str(bib), "--store", str(Path(tmp) / "store"),
                         "--batch-size", str(args.batch_size)])
        load.append(os.getloadavg()[0])
        # the floor again after ingest: on a shared machine the load moves between phases, so the
        # ratio is taken against the mean of the floor measured before and after
        second = _child(["--phase", "embed", "--bib", str(bib)])
        load.append(os.getloadavg()[0])
    embed = {**first, "wall_s": (first["wall_s"] + second["wall_s"]) / 2,
             "peak_gb": max(first["peak_gb"], second["peak_gb"])}
    ratio = ingest["wall_s"] / embed["wall_s"]
    mem = ingest["peak_gb"] / AIM_PEAK_GB
    print(f"records: {args.records} (all with abstracts), sentences: {embed['sentences']}, "
          f"embedded during ingest: {ingest['encoded']}; ingest counts: {ingest['counts']}")
    print(f"raw embedding of the same sentences: {embed['wall_s']:.1f} s, mean of {first['wall_s']:.1f} s before "
          f"and {second['wall_s']:.1f} s after ingest (peak {embed['peak_gb']:.2f} GB)")
    print("load average (1 min) before/after each phase: " + " / ".join(f"{x:.1f}" for x in load)
          + f" on {os.cpu_count()} CPUs")
    print(f"ingest wall: {ingest['wall_s']:.1f} s = {ratio:.2f}x the raw embedding time "
          f"(aim <= {AIM_RATIO:.0f}x: {'met' if ratio <= AIM_RATIO else 'NOT met'})")
    print(f"ingest peak memory: {ingest['peak_gb']:.2f} GB = {mem:.2f}x the {AIM_PEAK_GB} GB aim "
          f"({'met' if mem <= 1 else 'NOT met'}); {ingest['peak_gb'] / embed['peak_gb']:.2f}x the embedding-only process")
    print(f"peak before the clock started (model loaded, store seeded): {ingest['peak_before_gb']:.2f} GB; "
          "RSS over the run (s, GB): " + ", ".join(f"{t:.0f}:{g:.2f}" for t, g in ingest["rss_timeline"]))
    print(f"throughput: {args.records / ingest['wall_s']:.1f} records/s")
    if ingest["failed"]:
        print("failures:", ingest["failed"])


if __name__ == "__main__":
    main()

"""Long version of tests/reliability/test_concurrency.py: W sessions x N decisions at once on shared
targets (each session overlaps the next by half), decisions written vs. found.

    .venv/bin/python bench/reliability/concurrency.py --sessions 4 --decisions 100
"""

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from _common import relkit

ap = argparse.ArgumentParser()
ap.add_argument("--sessions", type=int, default=4)
ap.add_argument("--decisions", type=int, default=100)
args = ap.parse_args()
n_props = args.decisions * (args.sessions + 1) // 2
with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "store"
    relkit.many_proposals_store(path, n_props)
    props = relkit.proposal_iris(n_props)
    step = args.decisions // 2
    t0 = time.monotonic()
    procs = [subprocess.Popen(relkit.role_argv("curate-worker", str(path), f"s{i}",
                                               *props[i * step:i * step + args.decisions]),
                              stdout=subprocess.PIPE, text=True)
             for i in range(args.sessions)]
    written = []
    for p in procs:
        out, _ = p.communicate(timeout=3600)
        written += out.split()
    elapsed = time.monotonic() - t0
    store = relkit.open_store(path)
    found = [r["d"] for r in relkit.decision_rows(store)]
    chain = relkit.curation_consistency(store)
print(f"concurrency: sessions={args.sessions} decisions_written={len(written)} decisions_found={len(set(found))} "
      f"lost={len(set(written) - set(found))} duplicated={len(found) - len(set(found))} forked_chains={len(chain)} "
      f"elapsed={elapsed:.1f}s")

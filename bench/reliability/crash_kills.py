"""Long version of tests/reliability/test_crash_safety.py: many SIGKILLs.

    .venv/bin/python bench/reliability/crash_kills.py --ingest 40 --import 20 --curate 40
"""

import argparse
import tempfile
from pathlib import Path

from _common import relkit

ap = argparse.ArgumentParser()
ap.add_argument("--ingest", type=int, default=40)
ap.add_argument("--import", dest="imp", type=int, default=20)
ap.add_argument("--curate", type=int, default=40)
ap.add_argument("--seed", type=int, default=7)
args = ap.parse_args()
with tempfile.TemporaryDirectory() as tmp, relkit.Driver() as drv:
    tpl = Path(tmp) / "tpl"
    relkit.many_proposals_store(tpl)
    fig = relkit.run_kills(drv, Path(tmp), tpl, {"ingest": args.ingest, "import": args.imp, "curate": args.curate},
                           seed=args.seed)
print(f"crash: kills={fig['kills']} corrupt_stores={fig['corrupt_stores']} partial_papers={fig['partial_papers']} "
      f"partial_imports={fig['partial_imports']} partial_batches={fig['partial_batches']} "
      f"broken_chains={fig['broken_chains']} validated={fig['validated']}")
for line in fig["details"]:
    print("  " + line)

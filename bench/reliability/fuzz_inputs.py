"""Long version of tests/reliability/test_hostile_inputs.py: the full-size corpus (10 MB fields,
2000-page PDF) plus ``--scale`` rounds of bit-flipped files, each through the real CLI under a limit.

    .venv/bin/python bench/reliability/fuzz_inputs.py --scale 25 --limit 60
"""

import argparse
import tempfile
from pathlib import Path

from _common import relkit

ap = argparse.ArgumentParser()
ap.add_argument("--scale", type=int, default=25, help="rounds of bit-flipped PDF/BibTeX/RIS/Markdown files")
ap.add_argument("--limit", type=float, default=60.0, help="seconds per file")
ap.add_argument("--seed", type=int, default=20240611)
args = ap.parse_args()
with tempfile.TemporaryDirectory() as tmp, relkit.Driver() as drv:
    tpl = Path(tmp) / "tpl"
    relkit.many_proposals_store(tpl)
    fig = relkit.run_fuzz(drv, Path(tmp) / "run", relkit.hostile_inputs(args.seed, args.scale), args.limit, tpl)
print(f"fuzz: inputs={fig['inputs']} crashes={fig['crashes']} hangs={fig['hangs']} "
      f"store_changes={fig['store_changes']} rejected={fig['rejected']} ingested={fig['ingested']} "
      f"noise_lines={fig['noise_lines']}")
for line in fig["details"]:
    print("  " + line)

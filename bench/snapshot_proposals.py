"""Every proposal ingest makes for ``corpus/seeds/`` as JSON, to compare two versions of the code.

Run on demand (not part of the tests)::

    .venv/bin/python bench/snapshot_proposals.py OUT.json
    .venv/bin/python bench/snapshot_proposals.py OUT2.json --compare OUT.json

Each paper of the seeds goes through the ingest loop's own per-file path
(``pipeline.ingest.loop.process_file``) with the proposal context of a freshly seeded store
(bundled codebook, no curation); provenance (proposer, model, version), score, label, code,
evidence offsets, rationale and neighbours are kept. ``--compare`` prints the differences
(scores compared to ``--tol``) and exits 1 when there are any.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SEEDS = ROOT / "corpus" / "seeds"


def snapshot() -> list[dict]:
    from pipeline.ingest.loop import process_file, proposal_context
    from pipeline.store import open_store
    from pipeline.store.corpus import init_store

    base = Path(tempfile.mkdtemp(prefix="snapshot-"))
    try:
        store = open_store(base / "store")
        init_store(store)
        context = proposal_context(store)
        out = []
        for path in sorted(SEEDS.glob("*.md")):
            res = process_file(str(path), context)
            for doc, proposals in res["docs"]:
                for p in proposals:
                    out.append({"paper": path.name, "title": doc.title, "proposer": p.proposer, "model": p.model,
                                "model_version": p.model_version, "kind": p.kind, "code": p.code,
                                "label": p.label, "score": p.score, "start": p.start, "end": p.end,
                                "evidence": p.evidence, "page": p.page, "rationale": p.rationale,
                                "neighbours": [list(n) for n in (p.neighbours or [])]})
        return out
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _key(p: dict) -> tuple:
    return (p["paper"], p["proposer"], p["kind"], p["code"], p["start"], p["end"], p["label"])


def compare(new: list[dict], old: list[dict], tol: float) -> list[str]:
    """Human-readable differences between two snapshots (empty: the same proposals)."""
    diffs = []
    a, b = {_key(p): p for p in old}, {_key(p): p for p in new}
    for k in sorted(set(a) - set(b)):
        diffs.append(f"only before: {k}")
    for k in sorted(set(b) - set(a)):
        diffs.append(f"only after:  {k}")
    for k in sorted(set(a) & set(b)):
        pa, pb = a[k], b[k]
        for field in pa:
            va, vb = pa[field], pb[field]
            if field == "score":
                if abs(va - vb) > tol:
                    diffs.append(f"{k}: score {va} -> {vb}")
            elif field == "neighbours":
                if [n[0] for n in va] != [n[0] for n in vb] or any(
                        abs(x[1] - y[1]) > tol for x, y in zip(va, vb)):
                    diffs.append(f"{k}: neighbours {va} -> {vb}")
            elif va != vb:
                diffs.append(f"{k}: {field} {va!r} -> {vb!r}")
    return diffs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--compare", type=Path, help="an earlier snapshot to compare with")
    ap.add_argument("--tol", type=float, default=1e-4, help="score tolerance (scores are rounded to 4 places)")
    args = ap.parse_args(argv)
    props = snapshot()
    args.out.write_text(json.dumps(props, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"{len(props)} proposals -> {args.out}")
    if args.compare:
        diffs = compare(props, json.loads(args.compare.read_text(encoding="utf-8")), args.tol)
        print("\n".join(diffs) if diffs else "identical (scores within tolerance)")
        return 1 if diffs else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

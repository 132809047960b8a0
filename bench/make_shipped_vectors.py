"""Regenerate (or ``--check``) the shipped vectors of the proposers' constant texts.

Run after editing ``corpus/proposer_lexicon.json`` or the bundled codebook::

    .venv/bin/python bench/make_shipped_vectors.py          # writes pipeline/propose/vectors/
    .venv/bin/python bench/make_shipped_vectors.py --check  # exit 1 when stale or wrong

The texts are :func:`pipeline.propose.vectors.constant_texts` of the lexicon and of the
codebook a freshly seeded store holds (what ``ingest`` reads); they are embedded with the
bundled model on the CPU, exactly as :class:`~pipeline.propose.embed.Embedder` does
(longest first, batches of 64, normalised), with the shipped vectors switched off.
``--check`` verifies that the manifest lists exactly these texts for the current model
identity, that the files agree with each other, and that each vector equals a freshly
computed one within ``--atol``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def bundled_codebook() -> list:
    """The codebook entries of a freshly seeded store, as the proposers see them."""
    from pipeline.ingest.loop import proposal_context
    from pipeline.store import open_store
    from pipeline.store.corpus import init_store

    base = Path(tempfile.mkdtemp(prefix="shipped-vectors-"))
    try:
        store = open_store(base / "store")
        init_store(store)
        return list(proposal_context(store).codebook)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def fresh_vectors(texts: list[str]):
    from pipeline.propose.embed import Embedder

    return Embedder(device="cpu", shipped=False).encode(texts)


def check(atol: float) -> list[str]:
    """Problems with the shipped vectors (empty: current and correct)."""
    import numpy as np

    from pipeline.propose import vectors
    from pipeline.propose.embed import model_identity

    texts = vectors.constant_texts(bundled_codebook())
    identity = model_identity()
    manifest = vectors.read_manifest()
    if manifest is None:
        return ["no shipped vectors: run bench/make_shipped_vectors.py"]
    problems = []
    if manifest.get("identity") != identity:
        problems.append(f"shipped for model {manifest.get('identity')}, the installed one is {identity}")
    if set(manifest.get("texts", [])) != set(texts):
        new = set(texts) - set(manifest.get("texts", []))
        gone = set(manifest.get("texts", [])) - set(texts)
        problems.append(f"texts changed ({len(new)} new, {len(gone)} gone), e.g. "
                        f"{sorted(new)[:2] or sorted(gone)[:2]}: run bench/make_shipped_vectors.py")
    shipped = vectors.load(identity)
    if not problems and len(shipped) != len(texts):
        problems.append(f"{len(shipped)} of {len(texts)} shipped vectors load (see the warnings above)")
    if problems:
        return problems
    fresh = fresh_vectors(texts)
    got = np.stack([shipped[k] for k in manifest["keys"]])
    order = {t: i for i, t in enumerate(manifest["texts"])}
    diff = float(np.abs(got[[order[t] for t in texts]] - fresh).max())
    print(f"{len(texts)} shipped vectors; max |shipped - fresh| = {diff:.2e}")
    if diff > atol:
        problems.append(f"shipped vectors differ from fresh ones by {diff:.2e} > {atol}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="verify instead of writing")
    ap.add_argument("--atol", type=float, default=1e-5)
    args = ap.parse_args(argv)
    if args.check:
        problems = check(args.atol)
        print("\n".join(problems) if problems else "shipped vectors are current")
        return 1 if problems else 0
    from pipeline.propose import vectors
    from pipeline.propose.embed import Embedder

    texts = vectors.constant_texts(bundled_codebook())
    emb = Embedder(device="cpu", shipped=False)
    vectors.write(texts, emb.encode(texts), emb.identity, emb.model_name, emb.model_version)
    print(f"{len(texts)} vectors -> {vectors.VECTORS.relative_to(ROOT)}, {vectors.MANIFEST.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

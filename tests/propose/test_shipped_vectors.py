"""Shipped vectors of the constant texts: current, equal to fresh ones, and never another text's."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from pipeline.propose import vectors
from pipeline.propose.embed import Embedder

REGENERATE = "run: python bench/make_shipped_vectors.py"


@pytest.fixture(scope="module")
def manifest() -> dict:
    m = vectors.read_manifest()
    assert m is not None, f"no shipped vectors; {REGENERATE}"
    return m


def test_shipped_vectors_cover_the_current_lexicon_and_bundled_codebook(seeded_store, embedder, manifest):
    from pipeline.ingest.loop import proposal_context

    texts = vectors.constant_texts(proposal_context(seeded_store).codebook)
    assert len(texts) > 50  # prototypes of 11 challenges and 12 NAS types, generic phrasing, codebook
    assert manifest["identity"] == embedder.identity, f"shipped for another model; {REGENERATE}"
    missing = [t for t in texts if t not in set(manifest["texts"])]
    assert not missing, f"the lexicon or codebook changed ({len(missing)} texts, e.g. {missing[:2]}); {REGENERATE}"
    assert len(vectors.load(embedder.identity)) == len(manifest["texts"])


def test_shipped_vectors_equal_freshly_computed_embeddings(embedder, manifest):
    shipped = vectors.load(embedder.identity)
    got = np.stack([shipped[k] for k in manifest["keys"]])
    fresh = Embedder(embedder.model_path, shipped=False).encode(manifest["texts"])
    assert got.shape == fresh.shape and got.dtype == np.float32
    assert np.allclose(got, fresh, atol=1e-5), float(np.abs(got - fresh).max())


def test_a_shipped_text_is_not_run_through_the_model(embedder, manifest):
    emb = Embedder(embedder.model_path)  # no disk cache, empty memory
    v = emb.encode(manifest["texts"][:3])
    assert emb.encoded_count == 0 and v.shape == (3, 384)
    emb.encode(["a sentence that no package ships"])
    assert emb.encoded_count == 1
    off = Embedder(embedder.model_path, shipped=False)
    assert np.allclose(off.encode(manifest["texts"][:3]), v, atol=1e-5) and off.encoded_count == 3


def _copy(tmp_path, name: str):
    d = tmp_path / name
    shutil.copytree(vectors.HERE, d, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return d


def test_vectors_of_another_model_or_damaged_files_are_never_used(tmp_path, embedder, manifest):
    ident = embedder.identity
    assert len(vectors.load(ident, _copy(tmp_path, "intact"))) == manifest["count"]
    # another model: its identity is in every key, so nothing matches
    assert vectors.load("other-model@sha256:" + "0" * 32, _copy(tmp_path, "other")) == {}
    # a changed .npy (its sha256 no longer matches the manifest)
    d = _copy(tmp_path, "npy")
    arr = np.load(d / "shipped.npy")
    arr[0, 0] += 0.5
    np.save(d / "shipped.npy", arr)
    assert vectors.load(ident, d) == {}
    # texts swapped in the manifest: keys no longer match their texts, so no text gets another's vector
    d = _copy(tmp_path, "texts")
    m = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    m["texts"][0], m["texts"][1] = m["texts"][1], m["texts"][0]
    (d / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    assert vectors.load(ident, d) == {}
    # no manifest at all
    d = _copy(tmp_path, "none")
    (d / "manifest.json").unlink()
    assert vectors.load(ident, d) == {}

import numpy as np
import pytest

from pipeline.propose.embed import Embedder, EmbeddingCache, get_embedder, text_key


def test_encode_is_normalised_and_semantic(embedder):
    v = embedder.encode(["Clients hold non-IID data.", "Client data is not identically distributed.",
                         "The weather in Munich is sunny."])
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2
    assert embedder.encode([]).shape == (0, 384)


def test_duplicates_and_order_are_kept(embedder):
    a, b = "alpha sentence one", "beta sentence two"
    v = embedder.encode([a, b, a])
    assert np.allclose(v[0], v[2]) and not np.allclose(v[0], v[1])


def test_disk_cache_by_content_hash(embedder, tmp_path):
    texts = ["cache me once", "and me too"]
    e1 = Embedder(embedder.model_path, cache_dir=tmp_path)
    first = e1.encode(texts)
    assert e1.encoded_count == 2 and len(e1.cache) == 2
    e1.encode(texts)
    assert e1.encoded_count == 2  # memory hit
    e2 = Embedder(embedder.model_path, cache_dir=tmp_path)  # fresh process-like instance
    assert np.allclose(e2.encode(texts), first) and e2.encoded_count == 0  # disk hit
    got = EmbeddingCache(tmp_path).get_many([text_key("cache me once")])
    assert len(got) == 1


def test_singleton_and_provenance(tmp_path):
    assert get_embedder(tmp_path) is get_embedder(tmp_path)
    emb = get_embedder()
    assert emb.model_id.endswith("all-MiniLM-L6-v2") and emb.model_version


def _model_copy(src, dst, change: str | None = None):
    """A copy of the model directory (symlinks; ``change`` names a small file rewritten)."""
    import shutil
    from pathlib import Path

    src, dst = Path(src), Path(dst)
    for f in src.rglob("*"):
        if f.is_file():
            target = dst / f.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            if f.name == change:
                shutil.copyfile(f, target)
                target.write_text(target.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
            else:
                target.symlink_to(f)
    return dst


def test_cache_is_keyed_by_the_models_identity_not_its_name(embedder, tmp_path):
    from pipeline.propose.embed import model_identity

    other = _model_copy(embedder.model_path, tmp_path / "other-model", change="README.md")
    same = _model_copy(embedder.model_path, tmp_path / "same-model")
    assert model_identity(other) != model_identity(embedder.model_path)
    assert model_identity(same).split("@")[1] == model_identity(embedder.model_path).split("@")[1]
    cache = tmp_path / "cache"
    Embedder(embedder.model_path, cache_dir=cache).encode(["a sentence both models see"])
    e_other = Embedder(other, cache_dir=cache)
    e_other.encode(["a sentence both models see"])
    assert e_other.encoded_count == 1  # not MiniLM's cached vector


def test_model_files_are_checked_against_their_recorded_sums(embedder, tmp_path):
    from pipeline.errors import InputError
    from pipeline.propose.embed import recorded_hashes, verify_model_files

    recorded = recorded_hashes(embedder.model_path)
    assert recorded and "model.safetensors" in recorded and len(recorded["model.safetensors"]) == 64
    verify_model_files(embedder.model_path)  # the installed model is intact
    damaged = _model_copy(embedder.model_path, tmp_path / "damaged", change="config.json")
    with pytest.raises(InputError, match="config.json"):
        verify_model_files(damaged, expected=recorded)


def test_loading_a_damaged_model_is_refused_before_it_is_used(tmp_path, monkeypatch):
    """The check runs where the model is loaded, not only when called by hand: a damaged copy that its
    package RECORD covers never reaches SentenceTransformer (and no vector comes out of it)."""
    from pathlib import Path

    from pipeline.errors import InputError
    from pipeline.propose import embed

    bundled = embed.bundled_model_path()
    recorded = embed.recorded_hashes(bundled)
    damaged = _model_copy(bundled, tmp_path / "damaged", change="config.json")
    monkeypatch.setattr(embed, "recorded_hashes",
                        lambda path: recorded if Path(path).resolve() == damaged.resolve() else None)
    loaded = []
    monkeypatch.setattr("sentence_transformers.SentenceTransformer", lambda *a, **k: loaded.append(a) or object())
    e = Embedder(damaged, shipped=False)
    with pytest.raises(InputError, match="config.json"):
        e.encode(["a sentence"])
    assert loaded == [] and str(damaged) not in embed._MODELS
    intact = _model_copy(bundled, tmp_path / "intact")
    monkeypatch.setattr(embed, "recorded_hashes",
                        lambda path: recorded if Path(path).resolve() == intact.resolve() else None)
    assert Embedder(intact, shipped=False).model is not None and len(loaded) == 1  # the intact copy loads
    embed._MODELS.pop(str(intact), None)

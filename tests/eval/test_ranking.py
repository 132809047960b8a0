"""Kendall tau equals scipy's; sparse Kendall tau follows its definition."""

import numpy as np
from scipy.stats import kendalltau

from eval_fednas.ranking import kendall_tau, sparse_kendall_tau


def test_kendall_tau_equals_scipy():
    rng = np.random.default_rng(0)
    for _ in range(5):
        a, b = rng.random(60), rng.random(60)
        b = np.round(b, 1)  # with ties: tau-b
        assert np.isclose(kendall_tau(a, b), kendalltau(a, b).statistic)


def test_sparse_kendall_tau_shares_ranks_within_threshold():
    gt = np.array([0.900, 0.9004, 0.95, 0.97])
    pred = np.array([0.91, 0.90, 0.93, 0.99])  # swaps only the near-equal pair
    assert kendall_tau(gt, pred) < 1.0
    binned_gt, binned_pred = np.round(gt / 0.001), np.round(pred / 0.001)
    assert np.isclose(sparse_kendall_tau(gt, pred, 0.001), kendalltau(binned_gt, binned_pred).statistic)
    assert sparse_kendall_tau(gt, pred, 0.01) > kendall_tau(gt, pred)

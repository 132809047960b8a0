"""Partitions: balance bound, representativeness, schedules, pruning."""

import numpy as np
import pytest
import torch

from eval_fednas.data import dirichlet_partition, iid_partition, split_622, unbalanced_partition
from eval_fednas.fednas import (
    balance_ratio,
    drop_count,
    dynamic_rounds,
    greedy_partition,
    make_candidates,
    mean_group_distance,
    random_partition,
)
from eval_fednas.models import PrunableCNN, init_model, macs_per_sample, prune_layer


def _label_skew_sizes(n_clients, alpha, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, 1800)
    parts = [p for p in dirichlet_partition(y, n_clients, alpha, rng)]
    sizes = np.array([len(p) for p in parts], float)
    dists = np.stack([np.bincount(y[p], minlength=10) / max(len(p), 1) for p in parts])
    return sizes, dists


@pytest.mark.parametrize("alpha", [0.2, 0.5])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_greedy_partition_meets_final_balance_bound_and_beats_random(seed, alpha):
    """The bound holds on the final partition, and the groups are closer to the global labels than random ones."""
    sizes, dists = _label_skew_sizes(40, alpha, seed)
    groups = greedy_partition(sizes, dists, k=4, r=1.1)
    assert sorted(c for g in groups for c in g) == list(range(len(sizes)))
    assert balance_ratio(groups, sizes) <= 1.1
    rng = np.random.default_rng(seed)
    rand = [mean_group_distance(random_partition(len(sizes), 4, rng), sizes, dists) for _ in range(50)]
    assert mean_group_distance(groups, sizes, dists) < np.percentile(rand, 5)


def test_greedy_partition_on_hand_made_case():
    """Two label-pure pairs: the only balanced, representative split mixes them."""
    sizes = np.array([10.0, 10.0, 10.0, 10.0])
    dists = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    groups = greedy_partition(sizes, dists, k=2, r=1.1)
    assert sorted(map(sorted, groups)) in ([[0, 2], [1, 3]], [[0, 3], [1, 2]])
    assert mean_group_distance(groups, sizes, dists) == 0.0


def test_partitions_cover_and_split_622():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 1000)
    for parts in (iid_partition(y, 10, rng), dirichlet_partition(y, 10, 0.5, rng), unbalanced_partition(y, 10, rng)):
        allidx = np.concatenate(parts)
        assert len(allidx) == len(set(allidx.tolist())) <= 1000
    tr, va, te = split_622(np.arange(100), rng)
    assert (len(tr), len(va), len(te)) == (60, 20, 20)


def test_drop_and_round_schedules():
    assert [drop_count(n, 4, 0.33) for n in (4, 2, 1)] == [2, 1, 0]
    assert drop_count(4, 4, 1.0) == 3 and drop_count(4, 4, 0.0) == 0 and drop_count(4, 4, 0.5) == 2
    sched = ((5, 2), (10, 5), (15, 8), (99, 10))  # Xu et al. CelebA schedule
    assert [dynamic_rounds(t, sched) for t in (1, 5, 6, 10, 11, 16, 40)] == [2, 2, 5, 5, 8, 10, 10]


def test_pruning_lowers_macs_as_computed():
    arch = PrunableCNN.default_arch((1, 8, 8), 10)
    p, _ = init_model(arch, 0)
    p["conv1.w"][3] *= 0.0  # the smallest-norm filter must go first
    p2, a2 = prune_layer(p, arch, 1, 31)
    # conv1 loses 16*9*64 MACs, conv2 loses 32*9*16 MACs
    assert macs_per_sample(a2) == macs_per_sample(arch) - 16 * 9 * 64 - 32 * 9 * 16
    assert 3 not in [i for i in range(32) if torch.equal(p2["conv1.w"][min(i, 30)], p["conv1.w"][i])]
    out = PrunableCNN.forward(p2, {}, torch.zeros(2, 1, 8, 8), a2)
    assert out.shape == (2, 10)
    budget = 0.9 * macs_per_sample(arch)
    cands = make_candidates(arch, p, budget)
    assert cands and all(c.macs <= budget for c in cands)

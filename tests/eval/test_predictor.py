"""The FBNetV3-style predictor: encoding, pretraining on free statistics, seeded initialisation."""

import numpy as np
import torch

from eval_fednas.predictor import Predictor, encode
from eval_fednas.supernet import all_choices


def test_one_hot_encoding_hand_count():
    assert encode([("c3", "skip")]).tolist() == [[1, 0, 0, 0, 0, 0, 0, 1]]  # OPS = c3, c5, c1, skip


def test_same_seed_same_predictor_and_pretraining_learns_the_statistics():
    choices = all_choices(3)
    X = encode(choices)
    # a statistic that is a known function of the encoding: count of c5 layers and of skips
    stats = np.stack([X[:, 1::4].sum(1).numpy(), X[:, 3::4].sum(1).numpy()], 1)
    a, b = Predictor(X.shape[1], 16, seed=3), Predictor(X.shape[1], 16, seed=3)
    assert all(torch.equal(x, y) for x, y in zip(a.enc, b.enc))
    z = (stats - stats.mean(0)) / stats.std(0)

    def mse(p):
        with torch.no_grad():
            out = torch.nn.functional.linear(p._features(X, p.enc), p.proxy[0], p.proxy[1]).numpy()
        return float(((out - z) ** 2).mean())

    before = mse(a)
    a.pretrain(X, stats, epochs=60, lr=0.01, seed=0)
    assert mse(a) < 0.1 * before

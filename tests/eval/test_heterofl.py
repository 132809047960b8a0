"""Width slicing: nested sub-models and element-wise fusion over the clients that hold an element."""

import torch

from eval_fednas.engines.base import FitResult
from eval_fednas.heterofl import WidthSliced, slice_arch, slice_params
from eval_fednas.models import PrunableCNN, init_model
from eval_fednas.strategy import TrainConfig

ARCH = PrunableCNN.default_arch((1, 8, 8), 10, (8, 16, 16, 32))


def test_slice_is_the_leading_channels_and_runs():
    p, _ = init_model(ARCH, 0)
    sub = slice_arch(ARCH, 0.5)
    assert sub["widths"] == [4, 8, 8, 16]
    s = slice_params(p, ARCH, sub)
    assert torch.equal(s["conv1.w"], p["conv1.w"][:8, :4])
    # conv2 -> fc0: 2x2 spatial per channel, channel-major flatten: the first 8 channels = first 32 columns
    assert torch.equal(s["fc0.w"], p["fc0.w"][:16, :32])
    assert PrunableCNN.forward(s, {}, torch.zeros(3, 1, 8, 8), sub).shape == (3, 10)
    ref, _ = init_model(sub, 0)
    assert {k: v.shape for k, v in s.items()} == {k: v.shape for k, v in ref.items()}


def test_fusion_averages_each_element_over_its_holders_hand_count():
    p, _ = init_model(ARCH, 0)
    strat = WidthSliced(1.0, TrainConfig(), tiers={0: 0, 1: 1}, ratios={0: 1.0, 1: 0.5})
    import numpy as np

    jobs = strat.configure_fit(0, ARCH, p, {}, [type("C", (), {"cid": i})() for i in (0, 1)],
                               np.random.default_rng(0), 0)
    res = [FitResult(j.cid, {k: torch.full_like(v, 1.0 if j.cid == 0 else 3.0) for k, v in j.params.items()}, {},
                     1 if j.cid == 0 else 3, 0, 0, 0, 0) for j in jobs]
    new, _ = strat.aggregate_fit(0, p, {}, res)
    assert torch.allclose(new["conv1.w"][:8, :4], torch.tensor(2.5))   # (1*1 + 3*3) / (1 + 3)
    assert torch.allclose(new["conv1.w"][8:], torch.tensor(1.0))       # only the full-width client holds these
    assert torch.allclose(new["fc1.b"], torch.tensor(2.5))             # the head is shared by both

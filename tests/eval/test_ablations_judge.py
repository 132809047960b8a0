"""xu-ablations verdicts can come out either way; Multipliers are matched in MACs."""

import numpy as np
import pytest

from eval_fednas.experiments import RunSpec, get
from eval_fednas.experiments.xu_ablations import multiplier_widths
from eval_fednas.models import PrunableCNN, macs_per_sample


def _seed(s, zero=-30.0, fewer=-2.0, ft_gain=5.0, vs_mult=1.0, converged=True):
    rng = np.random.default_rng(s)
    noise = lambda: rng.normal(0, 0.2)  # noqa: E731
    out = {"seed": s}
    for r, d in ((0, zero), (1, fewer), (2, fewer), (4, 0.0)):
        out[f"r{r}.acc_no_ft"] = 80.0 + d + noise()
        out[f"r{r}.acc_ft"] = 85.0 + (d if r == 0 else 0.0) + noise()
    out["all_on.acc_no_ft"], out["all_on.acc_ft"] = 80.0 + noise(), 80.0 + ft_gain + noise()
    out["fednas.conv.acc"], out["multiplier.acc"] = 90.0 + vs_mult + noise(), 90.0
    out["fednas_arch_central.acc"] = 90.0
    out["fednas.conv.rounds"] = out["multiplier.rounds"] = 50
    out["multiplier.macs_ratio"], out["multiplier.factor"] = 1.0, 0.5
    out["fednas.conv.converged"], out["multiplier.converged"] = converged, True
    return out


def _verdicts(**kw):
    exp = get("xu-ablations")
    spec = RunSpec("xu-ablations", list(range(5)), params=exp.params(False))
    _, V = exp.judge(spec, [_seed(s, **kw) for s in range(5)])
    return {v.claim: v.verdict for v in V}


def test_verdicts_follow_the_data():
    assert set(_verdicts().values()) == {"supports"}
    v = _verdicts(zero=5.0, fewer=3.0, ft_gain=-5.0, vs_mult=-3.0)
    assert v == {"xu-fig7-zero-rounds": "contradicts", "xu-fig7-fewer-rounds": "contradicts",
                 "xu-fig8-long-term": "contradicts", "xu-vs-multipliers": "contradicts"}
    assert _verdicts(vs_mult=0.0)["xu-vs-multipliers"] == "inconclusive"
    assert _verdicts(converged=False)["xu-vs-multipliers"] == "inconclusive"  # no convergence, no verdict


@pytest.mark.parametrize("target", [0.25, 0.5, 0.8])
def test_multiplier_widths_match_the_macs(target):
    widths = [16, 32, 32, 64]
    full = macs_per_sample(PrunableCNN.default_arch((1, 8, 8), 10, widths))
    w, factor = multiplier_widths(widths, target * full, (1, 8, 8), 10)
    ratio = macs_per_sample(PrunableCNN.default_arch((1, 8, 8), 10, w)) / full
    assert abs(ratio - target) < 0.05 and 0 < factor <= 1

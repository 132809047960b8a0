"""fednas-darts is judged against its IID control: an advantage as large under IID data does not support it."""

import numpy as np
import pytest

from eval_fednas.experiments import RunSpec, get


def _seed(s, non_iid_gap, iid_gap):
    rng = np.random.default_rng(s)
    out = {"seed": s}
    for a, gap in ((0.1, non_iid_gap), (0.5, non_iid_gap), (100.0, iid_gap)):
        out[f"a{a:g}.fixed.acc"] = 50.0 + rng.normal(0, 1.0)
        out[f"a{a:g}.darts.acc"] = out[f"a{a:g}.fixed.acc"] + gap + rng.normal(0, 0.3)
    return out


def _verdict(non_iid_gap, iid_gap):
    exp = get("fednas-darts")
    spec = RunSpec("fednas-darts", list(range(5)), params=exp.params(False))
    E, V = exp.judge(spec, [_seed(s, non_iid_gap, iid_gap) for s in range(5)])
    return V[0], {e.metric: e for e in E}


@pytest.mark.parametrize("non_iid, iid, expected", [
    (7.0, 7.0, "inconclusive"),   # the case: as large under IID data -> nothing specific to non-IID
    (7.0, 1.0, "supports"),       # larger under non-IID data, and above 0
    (3.0, 9.0, "contradicts"),    # smaller under non-IID data than under IID data
    (-4.0, -4.0, "contradicts"),  # DARTS loses under non-IID data
])
def test_verdict_is_judged_on_the_non_iid_minus_iid_difference(non_iid, iid, expected):
    v, ests = _verdict(non_iid, iid)
    assert v.verdict == expected
    assert "alpha0.1_minus_iid.darts_advantage" in v.metrics and "alpha0.5_minus_iid.darts_advantage" in v.metrics
    adjusted = [ests[m] for m in v.metrics if "@bonferroni" in m]
    assert len(adjusted) == 4 and all(abs(e.level - (1 - 0.05 / 4)) < 1e-12 for e in adjusted)  # m = 4
    assert "Bonferroni" in v.rule and "IID control" in v.rule


def test_no_iid_control_is_refused():
    exp = get("fednas-darts")
    spec = RunSpec("fednas-darts", [0, 1], params=dict(exp.params(False), alphas=[0.1, 0.5]))
    with pytest.raises(ValueError, match="IID control"):
        exp.judge(spec, [_seed(s, 1.0, 1.0) for s in range(2)])

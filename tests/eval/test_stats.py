"""The one verdict rule: intervals, log-scale ratios, Bonferroni, every outcome reachable."""

import math

import numpy as np
import pytest

from eval_fednas.stats import Condition, estimate, judge_tests, pct_change, verdict

T_975_4 = 2.7764451051977934    # t quantile, 4 degrees of freedom, 95% two-sided (tables)
T_9875_4 = 3.4954059325164417   # the same at 97.5% two-sided: Bonferroni with m = 2


def test_t_interval_hand_count():
    e = estimate("x", [1, 2, 3, 4, 5])
    half = T_975_4 * math.sqrt(2.5) / math.sqrt(5)
    assert e.mean == 3 and e.lo == pytest.approx(3 - half) and e.hi == pytest.approx(3 + half)


def test_ratios_average_on_the_log_scale():
    e = estimate("r", [0.5, 2.0, 0.5, 2.0], log=True)
    assert e.mean == pytest.approx(1.0)  # the arithmetic mean would say 1.25x
    assert e.lo * e.hi == pytest.approx(1.0)  # symmetric on the log scale
    p = pct_change("c", [0.5, 0.5, 0.5])
    assert p.mean == pytest.approx(-50.0) and p.lo == pytest.approx(-50.0)
    with pytest.raises(ValueError):
        estimate("r", [1.0, -1.0], log=True)


def test_bonferroni_widens_each_interval_by_the_stated_level():
    vals = np.array([1, 2, 3, 4, 5], float)
    _, adj = judge_tests([Condition("a", vals, "", "above", 0.0), Condition("b", vals, "", "above", 0.0)])
    half = T_9875_4 * math.sqrt(2.5) / math.sqrt(5)
    assert adj[0].level == 0.975 and adj[0].lo == pytest.approx(3 - half)


@pytest.mark.parametrize("values, kind, a, b, expected", [
    ([1.0, 1.2, 0.9, 1.1, 1.0], "above", 0.0, math.inf, "supports"),
    ([-1.0, -1.2, -0.9, -1.1, -1.0], "above", 0.0, math.inf, "contradicts"),
    ([-1.0, 1.2, -0.9, 1.1, 0.1], "above", 0.0, math.inf, "inconclusive"),
    ([0.1, -0.1, 0.0, 0.05, -0.05], "inside", -2.0, 2.0, "supports"),
    ([-6.0, -6.5, -5.8, -6.2, -6.1], "inside", -2.0, 2.0, "contradicts"),
    ([-1.0, -1.2, -0.9, -1.1, -1.0], "below", 0.0, math.inf, "supports"),
])
def test_each_outcome_is_reachable(values, kind, a, b, expected):
    assert judge_tests([Condition("m", values, "", kind, a, b)])[0] == expected


def test_one_condition_the_other_way_contradicts_and_smoke_is_never_a_verdict():
    good, bad = [1.0, 1.1, 0.9, 1.0, 1.2], [-1.0, -1.1, -0.9, -1.0, -1.2]
    assert judge_tests([Condition("g", good, "", "above", 0), Condition("b", bad, "", "above", 0)])[0] == "contradicts"
    assert verdict(["holds"], quick=True) == "inconclusive"

"""xu-fednas verdicts can come out either way; cost ratios are only accounting checks; tolerances are the stored ones."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from eval_fednas.experiments import RunSpec, get
from eval_fednas.experiments import xu_fednas as xu
from eval_fednas.finetune import plateaued

ROOT = Path(__file__).resolve().parents[2]


def _seed(s, gap=0.0, converged=True, drop_cost=0.0):
    rng = np.random.default_rng(s)
    out = {"seed": s}
    for i, v in enumerate(xu.variants(4)):
        out[f"{v}.acc"] = 90.0 + rng.normal(0, 0.05)
        out[f"{v}.uplink"] = 1e6 * (1 + i)
        out[f"{v}.compute"] = 1e9 * (1 + i)
        out[f"{v}.plateaued"] = True
        out[f"{v}.trace"] = [{"widths": [8, 16, 16, 32]}]
    out["drop100.acc"] -= drop_cost
    for n, d in (("greedy", 0.1), ("random", 0.3), ("all", 0.0)):
        out[f"low.{n}.acc"] = 90.0 + rng.normal(0, 0.05)
        out[f"low.{n}.distance"] = d + rng.normal(0, 0.01)
        out[f"low.{n}.trace"] = [{"widths": [8, 16, 16, 32]}]
    out["fednas.conv.acc"] = 90.0 + gap + rng.normal(0, 0.05)
    out["netadapt.acc"] = 90.0
    out["fednas_arch_central.acc"] = 90.0
    out["fednas.conv.rounds"], out["netadapt.rounds"] = 100, 40
    out["fednas.conv.converged"], out["netadapt.converged"] = converged, True
    return out


def _verdicts(**kw):
    exp = get("xu-fednas")
    spec = RunSpec("xu-fednas", list(range(5)), params=exp.params(False))
    _, V = exp.judge(spec, [_seed(s, **kw) for s in range(5)])
    return {v.claim: v for v in V}


@pytest.mark.parametrize("gap, expected", [(0.0, "supports"), (-6.0, "contradicts"), (6.0, "contradicts")])
def test_netadapt_verdict_can_go_either_way(gap, expected):
    assert _verdicts(gap=gap)["xu-accuracy-vs-netadapt"].verdict == expected


def test_netadapt_verdict_needs_converged_arms():
    v = _verdicts(gap=-6.0, converged=False)["xu-accuracy-vs-netadapt"]
    assert v.verdict == "inconclusive" and "convergence check FAILED" in v.rule


def test_drop100_accuracy_verdict_can_go_either_way():
    assert _verdicts(drop_cost=5.0)["xu-table3-drop100"].verdict == "supports"
    assert _verdicts(drop_cost=-5.0)["xu-table3-drop100"].verdict == "contradicts"


def test_cost_claims_are_accounting_checks_not_verdicts():
    exp = get("xu-fednas")
    spec = RunSpec("xu-fednas", list(range(5)), params=exp.params(False))
    per_seed = [_seed(s) for s in range(5)]
    _, V = exp.judge(spec, per_seed)
    _, C = exp.accounting(spec, per_seed)
    assert not {v.claim for v in V} & {"xu-fig6-all-off", "xu-fig6-drn-off", "xu-fig6-erc-off", "xu-fig6-group-off"}
    assert {c.claim for c in C} == set(exp.checks)
    assert all(not hasattr(c, "verdict") for c in C)


def test_tolerances_are_the_stored_ones():
    claims = {c["key"]: c for c in json.loads((ROOT / "corpus" / "seed_corpus.json").read_text())["claims"]}
    num = lambda t: [float(x) for x in re.findall(r"[-+]?\d+(?:\.\d+)?", t)]  # noqa: E731
    assert num(claims["xu-table3-drop33"]["tolerance"]) == [xu.TOL_DROP33]
    assert num(claims["xu-optimisations-accuracy"]["tolerance"]) == [xu.TOL_OPTIMISATIONS]
    assert num(claims["xu-table4-groups"]["tolerance"].replace("..", " ")) == list(xu.TOL_GROUPS)
    assert num(claims["xu-accuracy-vs-netadapt"]["tolerance"]) == [xu.TOL_NETADAPT]
    for key in get("xu-fednas").claims:
        assert key in claims, key


def test_plateau_rule_hand_count():
    assert not plateaued([50, 60, 70, 80], window=3, min_delta=0.5)   # still rising
    assert plateaued([50, 80, 80.2, 79.9, 80.4], window=3, min_delta=0.5)  # +0.4 over 3 checks
    assert not plateaued([80, 80], window=3, min_delta=0.5)  # too short to tell


def test_every_tested_or_checked_claim_is_in_the_corpus():
    from eval_fednas import experiments

    claims = {c["key"] for c in json.loads((ROOT / "corpus" / "seed_corpus.json").read_text())["claims"]}
    for name in experiments.names():
        exp = experiments.get(name)
        assert set(exp.claims) | set(exp.checks) <= claims, name

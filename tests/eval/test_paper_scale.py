"""``--scale paper``: every experiment has a preset with the paper's values (checked here, never run on a CPU)."""

import pytest
from click.testing import CliRunner

from eval_fednas import experiments
from eval_fednas.runner import make_spec

# The values each preset's docstring states as the paper's (the rest are this project's, and say so).
PAPER_VALUES = {
    "xu-fednas": {"groups": 20, "epochs": 4, "fixed_rounds": 10},           # Fig. 4a: 10 rounds, 4 epochs, 20 groups
    "xu-ablations": {"groups": 20, "epochs": 4, "fixed_rounds": 10, "short_rounds": [0, 5]},  # Fig. 7: 0 / 5 / 10
    "fednas-darts": {"clients": 16, "fraction": 1.0, "search_rounds": 50, "epochs": 5, "batch_size": 64},
    "supernet-ranking": {"threshold": 0.001, "benchmark_scale": "paper"},   # Yu et al.: 0.1 %, >= 150 archs
    "fedoras-sampling": {"clients": 100, "fraction": 0.1, "alpha": 1.0, "rounds": 500, "benchmark_scale": "paper"},
    "fbnetv3-predictor": {"benchmark_scale": "paper"},
    "heterofl-width": {"clients": 100, "fraction": 0.1},
}


def test_every_experiment_has_a_stated_preset():
    assert set(PAPER_VALUES) == set(experiments.names())


@pytest.mark.parametrize("name", sorted(PAPER_VALUES))
def test_paper_preset_matches_the_stated_values(name):
    exp = experiments.get(name)
    spec = make_spec(name, scale="paper")
    p = spec.params
    assert spec.scale == "paper" and p["dataset"] == "synthetic-cifar10"  # CIFAR-10-sized
    assert {k: p[k] for k in PAPER_VALUES[name]} == PAPER_VALUES[name]
    assert set(exp.paper_params()) <= set(exp.params(False)) | {"benchmark_scale"}  # no misspelt override
    doc = " ".join((exp.paper_params.__doc__ or "").split())
    assert "this project's" in doc.lower()  # a preset says which of its values are not the paper's
    exp.deviations(p)  # the deviations can be written for the preset


def test_paper_benchmark_ranks_at_least_150_architectures():
    from eval_fednas.benchmark import benchmark_config, benchmark_path

    cfg = benchmark_config(scale="paper")
    assert 4 ** cfg["depth"] >= 150 and cfg["dataset"] == "synthetic-cifar10"  # Yu et al.: at least 150
    assert benchmark_path(scale="paper") != benchmark_path() != benchmark_path(quick=True)
    devs = experiments.get("supernet-ranking").deviations(make_spec("supernet-ranking", scale="paper").params)["*"]
    assert not any("at least 150" in d or "threshold" in d for d in devs)  # matched, so not deviations
    assert any("at least 150" in d for d in experiments.get("supernet-ranking").deviations(
        make_spec("supernet-ranking").params)["*"])


@pytest.mark.parametrize("name", sorted(PAPER_VALUES))
def test_cli_run_accepts_scale_paper(name, monkeypatch, tmp_path):
    """`fedatlas eval run NAME --scale paper` builds the paper spec (the run itself is replaced: no CPU run)."""
    import eval_fednas.runner as runner
    from eval_fednas.cli import eval_group

    seen = {}

    def fake(name, quick, seeds, engine, device, out_dir, store, scale):
        seen["spec"] = make_spec(name, quick, seeds, engine, device, scale=scale)
        return {"verdicts": [], "out_dir": str(tmp_path)}

    monkeypatch.setattr(runner, "run_experiment", fake)
    res = CliRunner().invoke(eval_group, ["run", name, "--scale", "paper", "--no-store"], obj=None)
    assert res.exit_code == 0, res.output
    assert seen["spec"].scale == "paper" and seen["spec"].params["dataset"] == "synthetic-cifar10"


def test_cli_benchmark_build_accepts_scale(monkeypatch):
    import eval_fednas.benchmark as bm
    from eval_fednas.cli import eval_group

    seen = []
    table = {"architectures": [], "noise_ceiling": {"kendall_tau": 0.0, "sparse_kendall_tau": 0.0}}
    monkeypatch.setattr(bm, "build_benchmark", lambda quick, force, progress, device, scale: seen.append(scale) or table)
    res = CliRunner().invoke(eval_group, ["benchmark", "build", "--scale", "paper"])
    assert res.exit_code == 0, res.output
    assert seen == ["paper"] and "paper" in res.output
    res = CliRunner().invoke(eval_group, ["benchmark", "build", "--scale", "paper", "--quick"])
    assert res.exit_code != 0

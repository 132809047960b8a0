"""``--quick`` runs of every experiment finish and write well-formed results and Replications."""

import json

import pytest
from click.testing import CliRunner

from eval_fednas import experiments
from eval_fednas.runner import run_experiment

# Shrink the quick configs further so the whole suite stays fast.
SMALLER = {
    "xu-fednas": {"clients": 8, "pretrain_rounds": 2, "iterations": 1, "long_term_rounds": 1, "check_every": 1,
                  "convergence_max_rounds": 2},
    "supernet-ranking": {"rounds": 2, "clients": 6},
    "fedoras-sampling": {"rounds": 2, "clients": 6},
    "fednas-darts": {"search_rounds": 1, "train_rounds": 1, "clients": 6, "alphas": [0.1, 100.0]},
    "fbnetv3-predictor": {"proxy_rounds": 1, "n_labelled": 4},
    "heterofl-width": {"rounds": 2},
    "xu-ablations": {"clients": 8, "pretrain_rounds": 2, "iterations": 1, "long_term_rounds": 1, "check_every": 1,
                     "convergence_max_rounds": 2, "short_rounds": [0, 1]},
}


@pytest.mark.parametrize("name", sorted(SMALLER))
def test_quick_run_writes_results_and_replications(name, tmp_path, store):
    result = run_experiment(name, quick=True, seeds=2, out_dir=tmp_path, store=store, progress=False,
                            overrides=SMALLER[name])
    out = tmp_path / name / result["timestamp"]
    data = json.loads((out / "result.json").read_text())
    assert data["smoke_run"] is True and data["spec"]["quick"] is True
    assert len(data["per_seed"]) == 2 and data["estimates"]
    assert {v["claim"] for v in data["verdicts"]} == set(experiments.get(name).claims)
    assert all(v["verdict"] == "inconclusive" and "SMOKE RUN" in v["rule"] for v in data["verdicts"])
    assert "SMOKE RUN" in (out / "summary.md").read_text()
    assert all((out / p).exists() for p in data["plots"])
    rows = store.select("""
        SELECT ?r ?claim ?verdict ?smoke ?cfg (COUNT(?m) AS ?nm) WHERE { GRAPH <https://w3id.org/fedatlas/id/graph/evidence> {
          ?r a fa:Replication ; fa:testsClaim ?claim ; fa:verdict ?verdict ; fa:isSmokeRun ?smoke ;
             fa:config ?cfg ; fa:seeds ?s ; fa:codeVersion ?c ; fa:packageVersions ?pv ; fa:device ?d ;
             fa:quick true ; fa:verdictRule ?rule ; fa:ciLevel ?level ; prov:startedAtTime ?t0 ; prov:endedAtTime ?t1 ;
             prov:wasAssociatedWith <https://w3id.org/fedatlas/id/agent/eval_fednas> ; fa:experiment ?e .
          OPTIONAL { ?r fa:hasMeasurement ?m . ?m fa:metric ?mn ; fa:measuredValue ?mv ; fa:unit ?u ; fa:n ?n }
        } } GROUP BY ?r ?claim ?verdict ?smoke ?cfg""")
    assert {r["claim"].rsplit("/", 1)[-1] for r in rows} == set(experiments.get(name).claims)
    assert all(r["verdict"].endswith("#Inconclusive") and r["smoke"] is True and r["nm"] >= 1 for r in rows)
    assert json.loads(rows[0]["cfg"])["experiment"] == name
    # deviations from the paper sit on each Replication, one fa:deviation per item
    devs = store.select("""SELECT ?claim (COUNT(?d) AS ?nd) WHERE { GRAPH <https://w3id.org/fedatlas/id/graph/evidence> {
          ?r a fa:Replication ; fa:testsClaim ?claim ; fa:deviation ?d } } GROUP BY ?claim""")
    assert {r["claim"].rsplit("/", 1)[-1] for r in devs} == set(experiments.get(name).claims)
    assert all(r["nd"] == len(v["deviations"]) for r in devs for v in data["verdicts"]
               if r["claim"].endswith("/" + v["claim"]))
    # accounting checks are separate nodes with no verdict
    checks = store.select("""SELECT ?claim ?v WHERE { GRAPH <https://w3id.org/fedatlas/id/graph/evidence> {
          ?c a fa:AccountingCheck ; fa:checksClaim ?claim ; fa:checkPassed ?p . OPTIONAL { ?c fa:verdict ?v } } }""")
    assert {r["claim"].rsplit("/", 1)[-1] for r in checks} == set(experiments.get(name).checks)
    assert all(r.get("v") is None for r in checks)


def test_unknown_experiment_lists_known_names():
    from pipeline.errors import UnknownNameError

    with pytest.raises(UnknownNameError, match="xu-fednas"):
        experiments.get("nope")


def test_cli_run_and_list(tmp_path):
    from eval_fednas.cli import eval_group
    from pipeline.cli import CliContext
    from pipeline.store.corpus import init_store

    obj = CliContext(store_location=str(tmp_path / "store"))
    init_store(obj.store(create=True))  # only init/import create a store; eval writes into an existing one
    runner = CliRunner()
    res = runner.invoke(eval_group, ["run", "fedoras-sampling", "--quick", "--seeds", "2", "--out",
                                     str(tmp_path / "runs")], obj=obj)
    assert res.exit_code == 0, res.output
    assert "SMOKE RUN" in res.output and "fedoras-budget-sampling" in res.output
    res = runner.invoke(eval_group, ["list"], obj=obj)
    assert res.exit_code == 0
    assert "fedoras-budget-sampling" in res.output and "inconclusive (smoke run)" in res.output
    assert "xu-table4-groups" in res.output and "not run" in res.output
    assert "xu-fig6-all-off" in res.output and "accounting check not run (not a verdict)" in res.output


def test_paper_scale_preset_is_the_papers_and_excludes_quick():
    from eval_fednas.runner import make_spec
    from pipeline.errors import AtlasError

    spec = make_spec("xu-fednas", scale="paper")
    p = spec.params
    assert spec.scale == "paper" and p["dataset"] == "synthetic-cifar10" and p["groups"] == 20 and p["epochs"] == 4
    assert p["schedule"] == [[5, 2], [10, 5], [15, 8], [99, 10]]  # Xu et al.'s CelebA schedule
    devs = experiments.get("xu-fednas").deviations(p)["*"]
    assert not any("local epoch" in d or "groups instead" in d for d in devs)  # matched, so not a deviation
    with pytest.raises(AtlasError, match="exclude"):
        make_spec("xu-fednas", quick=True, scale="paper")


def test_synthetic_cifar10_is_cifar_sized_and_deterministic():
    from eval_fednas.data import synthetic_cifar10

    x, y = synthetic_cifar10(200)
    x2, y2 = synthetic_cifar10(200)
    assert x.shape == (200, 3, 32, 32) and set(y.tolist()) <= set(range(10))
    assert (x == x2).all() and (y == y2).all()


def test_replications_deviations_and_checks_conform_to_the_shapes(tmp_path):
    """A smoke run written into a store holding the corpus passes SHACL validation."""
    from pipeline.store import open_store
    from pipeline.store.corpus import init_store
    from pipeline.store.shacl import validate_store

    store = open_store(tmp_path / "store")
    init_store(store)
    run_experiment("heterofl-width", quick=True, seeds=2, out_dir=tmp_path, store=store, progress=False,
                   overrides=SMALLER["heterofl-width"])
    report = validate_store(store)
    assert report.conforms, report.text()
    n = store.select("SELECT (COUNT(?d) AS ?n) WHERE { GRAPH ?g { ?r a fa:Replication ; fa:deviation ?d } }")
    assert n[0]["n"] == len(experiments.get("heterofl-width").deviations(
        experiments.get("heterofl-width").params(True))["*"])

"""Every kind of plugin, installed as a real distribution, is used through the CLI.

The ``my_pkg`` modules are the examples of docs/extending.md, taken from it as written (a
block starting ``# my_pkg/NAME.py``), so the documented code is the tested code. They are
installed with a ``.dist-info`` whose ``entry_points.txt`` names them, as pip would; no
registry is patched. Each test runs the real `fedatlas` in a new process.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from atlas_testing import ROOT, fake_distribution, plugin_env, run_cli

ENTRY_POINTS = """\
[fedatlas.commands]
count-papers = my_pkg.cli:count_papers
[fedatlas.readers]
lines = my_pkg.readers:LINES
[fedatlas.proposers]
privacy-words-v1 = my_pkg.proposer:PrivacyWords
[fedatlas.report_artefacts]
methods-per-year = my_pkg.report:methods_per_year
[fedatlas.rankers]
hashed-sgd = my_pkg.ranker:HashedSGD
[fedatlas.exporters]
methods-csv = my_pkg.exporter:METHODS_CSV
titles = my_pkg.exporter:TITLES
[fedatlas.engines]
counting = my_pkg.engine:CountingEngine
[fedatlas.experiments]
engine-probe = engine_probe:EngineProbe
"""

#: not in the docs: an experiment that reports which engine `--engine` gave it (a real
#: experiment trains for minutes; this one shows the plumbing only)
ENGINE_PROBE = '''
from eval_fednas.engines import make_engine
from eval_fednas.experiments.base import ClaimVerdict, Experiment

class EngineProbe(Experiment):
    name = "engine-probe"
    title = "Which engine runs the client work"
    claims = {"probe": "the engine chosen with --engine runs the jobs"}

    def params(self, quick):
        return {}

    def run_seed(self, spec, seed):
        engine = make_engine(spec.engine, [], spec.device)
        results = engine.fit([])
        return {"engine": type(engine).__name__, "jobs_run": getattr(engine, "jobs_run", None),
                "results": len(results)}

    def judge(self, spec, per_seed):
        ok = all(s["engine"] == "CountingEngine" for s in per_seed)
        return [], [ClaimVerdict("probe", "supported" if ok else "refuted", "engine class of every seed", [])]
'''


def doc_examples() -> dict[str, str]:
    """``{module: source}`` of every ``# my_pkg/NAME.py`` block of docs/extending.md."""
    text = (ROOT / "docs" / "extending.md").read_text(encoding="utf-8")
    return {m.group(1): m.group(0) for m in re.finditer(r"^# my_pkg/(\w+)\.py\n.*?(?=^```)", text, re.M | re.S)}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kinds") / "site"
    modules = {"engine_probe": ENGINE_PROBE}
    fake_distribution(root, "atlas-kinds-demo", modules, ENTRY_POINTS)
    (root / "my_pkg").mkdir()
    (root / "my_pkg" / "__init__.py").write_text("")
    for name, source in doc_examples().items():
        (root / "my_pkg" / f"{name}.py").write_text(source)
    return root


def ok(result) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_docs_have_an_example_for_every_kind_used_here():
    assert {"cli", "readers", "proposer", "ranker", "report", "exporter", "engine"} <= set(doc_examples())


def test_plugin_command_is_in_help_and_runs(site, seeded_store):
    env = plugin_env(site)
    assert re.search(r"^\s+count-papers\s+How many papers", ok(run_cli("--help", env=env)), re.M)
    count = ok(run_cli("count-papers", store=seeded_store.location, env=env)).strip()
    papers = json.loads(ok(run_cli("papers", "--format", "json", store=seeded_store.location)))
    assert count == str(len(papers)) and len(papers) > 0


def test_plugin_reader_is_picked_by_its_suffix_and_plugin_proposer_runs(site, seeded_store, tmp_path):
    data = tmp_path / "two.lines"
    data.write_text("Federated NAS on phones\tWe search architectures on devices.\n"
                    "\tno title here\n"
                    "Private one-shot NAS\tDifferential privacy in the super-net.\n")
    env = plugin_env(site)
    result = run_cli("ingest", str(data), "--quiet", "--proposer", "privacy-words-v1",
                     store=seeded_store.location, env=env)
    assert result.returncode == 7, result.stderr + result.stdout  # the bad line fails, the good ones go in
    assert "2 new" in result.stdout and "line 2: no title" in result.stderr
    titles = {p["title"] for p in json.loads(ok(run_cli("papers", "--format", "json", store=seeded_store.location)))}
    assert {"Federated NAS on phones", "Private one-shot NAS"} <= titles
    props = json.loads(ok(run_cli("proposals", "--format", "json", store=seeded_store.location)))
    assert {(p["title"], p["label"]) for p in props if p.get("proposer") == "privacy-words-v1"} == {
        ("Private one-shot NAS", "Privacy")}
    plain = run_cli("ingest", str(data), "--quiet", store=seeded_store.location)  # without the plugin
    assert plain.returncode != 0 and ".lines" in plain.stdout + plain.stderr


def test_plugin_ranker_replays_beside_the_builtin(site, tmp_path):
    rows = [("Federated NAS", "federated architecture search on clients", 1)] * 4 + \
           [("Protein folding", "molecular dynamics of proteins", 0)] * 8
    labelled = tmp_path / "labelled.csv"
    with labelled.open("w", newline="") as f:
        csv.writer(f).writerows([("title", "abstract", "label_included")] +
                                [(f"{t} {i}", a, lab) for i, (t, a, lab) in enumerate(rows)])
    out = ok(run_cli("simulate-screening", str(labelled), "--model", "hashed-sgd", "--model", "tfidf-nb",
                     "--seeds", "1", "--plot", str(tmp_path / "r.png"), "--format", "json", env=plugin_env(site)))
    models = [r["model"] for r in json.loads(out)["results"]]
    assert models == ["hashed-sgd", "tfidf-nb"]


def test_plugin_exporters_are_formats_of_the_export_commands(site, seeded_store, tmp_path):
    env = plugin_env(site)
    assert "titles" in ok(run_cli("export-bib", "--help", env=env))
    titles = tmp_path / "titles.txt"
    ok(run_cli("export-bib", "--format", "titles", "-o", str(titles), store=seeded_store.location, env=env))
    bib = ok(run_cli("export-bib", "--format", "bibtex", store=seeded_store.location, env=env))
    lines = titles.read_text().splitlines()
    assert len(lines) == bib.count("\n@") + bib.startswith("@") and lines and all(lines)
    methods = tmp_path / "methods.csv"
    ok(run_cli("export-as", "methods-csv", "-o", str(methods), store=seeded_store.location, env=env))
    table = list(csv.DictReader(methods.open()))
    assert {"FedNAS (Xu et al.)", "FedorAS"} <= {r["method"] for r in table}
    refused = run_cli("export-bib", "--format", "methods-csv", store=seeded_store.location, env=env)
    assert refused.returncode == 2 and "titles" in refused.stderr  # a format of another topic is not offered


def test_plugin_engine_runs_a_plugin_experiment(site, tmp_path):
    env = plugin_env(site)
    assert "counting" in ok(run_cli("eval", "run", "--help", env=env))
    out = ok(run_cli("eval", "run", "engine-probe", "--engine", "counting", "--seeds", "2", "--no-store",
                     "--out", str(tmp_path / "runs"), env=env))
    assert re.search(r"^probe\s+supported", out, re.M)
    result = json.loads(next((tmp_path / "runs" / "engine-probe").glob("*/result.json")).read_text())
    assert [s["engine"] for s in result["per_seed"]] == ["CountingEngine"] * 2
    assert [s["jobs_run"] for s in result["per_seed"]] == [0, 0]
    builtin = ok(run_cli("eval", "run", "engine-probe", "--seeds", "2", "--no-store",
                         "--out", str(tmp_path / "runs2"), env=env))
    assert re.search(r"^probe\s+refuted", builtin, re.M)  # the verdict can come out either way


def test_plugin_report_artefact_is_built(site, seeded_store, tmp_path):
    out = tmp_path / "report"
    ok(run_cli("report", "--out", str(out), "--only", "methods-per-year", store=seeded_store.location,
               env=plugin_env(site)))
    rows = list(csv.DictReader((out / "methods_per_year.csv").open()))
    assert rows and sum(int(r["methods"]) for r in rows) >= 3

"""Accounting identities get no verdict; a Replication stores its rule and CI level; stored runs can be re-judged."""

import json

import pytest

from eval_fednas.graph import accounting_claims, latest_verdicts, write_replications
from eval_fednas.runner import rejudge, run_experiment
from pipeline.errors import AtlasError

SMALL = {"search_rounds": 1, "train_rounds": 1, "clients": 6, "alphas": [0.1, 100.0]}


@pytest.fixture
def corpus_store(tmp_path):
    from pipeline.store import open_store
    from pipeline.store.corpus import init_store

    store = open_store(tmp_path / "store")
    init_store(store)
    return store


def _result(claim, verdict="supports"):
    return {"timestamp": "20260101T000000Z", "spec": {"experiment": "xu-fednas", "seeds": [0], "quick": False},
            "provenance": {"git_commit": "x", "packages": {}, "device": "cpu", "started": "2026-01-01T00:00:00+00:00",
                           "ended": "2026-01-01T00:01:00+00:00"},
            "estimates": [], "verdicts": [{"claim": claim, "verdict": verdict, "rule": "r", "metrics": [],
                                           "deviations": [], "ci_level": 0.95}], "accounting_checks": []}


def test_accounting_claims_are_the_fig6_cost_ratios(corpus_store):
    fig6 = {"xu-fig6-all-off", "xu-fig6-drn-off", "xu-fig6-erc-off", "xu-fig6-group-off"}
    assert accounting_claims() == fig6  # checked by xu-fednas, judged by no experiment
    assert accounting_claims(corpus_store) == fig6  # and typed fa:AccountingClaim by the corpus


@pytest.mark.parametrize("verdict", ["supports", "contradicts", "inconclusive"])
def test_the_graph_refuses_a_verdict_on_an_accounting_claim(corpus_store, verdict):
    with pytest.raises(AtlasError, match="never a verdict"):
        write_replications(corpus_store, _result("xu-fig6-all-off", verdict))
    assert not corpus_store.select("SELECT ?r WHERE { GRAPH ?g { ?r a fa:Replication } }")  # nothing written
    write_replications(corpus_store, _result("xu-table3-drop33"))  # a judged claim is accepted


def test_shapes_reject_a_verdict_on_an_accounting_claim_and_a_missing_ci_level(corpus_store):
    from pyoxigraph import NamedNode

    from pipeline.store.shacl import validate_store
    from pipeline.vocab import EVIDENCE_GRAPH, FA, RDF, lit

    r = NamedNode("https://w3id.org/fedatlas/id/replication/bad")
    with corpus_store.transaction() as tx:
        for p, o in ((RDF.type, FA.Replication), (FA.testsClaim, NamedNode("https://w3id.org/fedatlas/id/claim/xu-fig6-all-off")),
                     (FA.verdict, FA.Supports), (FA.config, lit("{}")), (FA.seeds, lit("[0]")), (FA.device, lit("cpu")),
                     (FA.codeVersion, lit("x")), (FA.verdictRule, lit("r"))):
            tx.add(r, p, o, EVIDENCE_GRAPH)
    report = validate_store(corpus_store)
    assert not report.conforms
    messages = {v.message for v in report.violations if v.focus.endswith("/replication/bad")}
    assert any("never a verdict" in m for m in messages)
    assert any("confidence level" in m for m in messages)


def test_replications_store_rule_and_ci_level(store, tmp_path):
    res = run_experiment("fednas-darts", quick=True, seeds=2, out_dir=tmp_path, store=store, progress=False,
                         overrides=SMALL)
    v = res["verdicts"][0]
    assert v["ci_level"] == pytest.approx(1 - 0.05 / 2)  # one non-IID alpha: gap and gap minus IID gap, m = 2
    rows = store.select("SELECT ?rule ?level WHERE { GRAPH ?g { ?r a fa:Replication ; fa:verdictRule ?rule ; "
                        "fa:ciLevel ?level } }")
    assert len(rows) == 1 and float(rows[0]["level"]) == pytest.approx(0.975) and "Bonferroni" in rows[0]["rule"]


def test_rejudge_applies_the_current_rule_without_rerunning(store, tmp_path):
    res = run_experiment("fednas-darts", quick=True, seeds=2, out_dir=tmp_path / "runs", store=store,
                         progress=False, overrides=SMALL)
    path = tmp_path / "runs" / "fednas-darts" / res["timestamp"] / "result.json"
    old = json.loads(path.read_text())
    old["verdicts"][0]["verdict"] = "supports"  # as an older rule might have said
    path.write_text(json.dumps(old))
    new = rejudge(path.parent, store=store)
    assert new["per_seed"] == old["per_seed"]  # nothing reran
    assert new["provenance"]["rejudged"]["previous_verdicts"] == {"he-fednas-darts-noniid": "supports"}
    assert new["verdicts"][0]["verdict"] == "inconclusive"  # a smoke run stays no verdict under the current rule
    assert new["timestamp"].startswith(res["timestamp"] + "-rejudged") and path.exists()  # the old run is kept
    revised = store.select("SELECT ?new ?old WHERE { GRAPH ?g { ?new prov:wasRevisionOf ?old } }")
    assert len(revised) == 1 and revised[0]["old"].endswith(f"{res['timestamp']}-he-fednas-darts-noniid")
    latest = latest_verdicts(store)["he-fednas-darts-noniid"]
    assert latest["verdict"] == "inconclusive"


def test_cli_rejudge(tmp_path):
    from click.testing import CliRunner

    from eval_fednas.cli import eval_group

    res = run_experiment("fednas-darts", quick=True, seeds=2, out_dir=tmp_path, progress=False, overrides=SMALL)
    out = CliRunner().invoke(eval_group, ["rejudge", res["out_dir"], "--no-store", "--out", str(tmp_path / "re")],
                             obj=None)
    assert out.exit_code == 0, out.output
    assert "he-fednas-darts-noniid" in out.output and str(tmp_path / "re") in out.output


def test_ci_level_of_a_result_saved_before_it_was_stored():
    from eval_fednas.graph import ci_level

    ests = {"a@bonferroni2": {"level": 0.975}, "a": {"level": 0.95}}
    assert ci_level({"metrics": ["a", "a@bonferroni2"]}, ests) == 0.975
    assert ci_level({"metrics": ["a"], "ci_level": 0.9875}, ests) == 0.9875

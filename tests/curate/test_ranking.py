"""Prioritised screening: the registered rankers, a reviewer's blind queue, and `fedatlas simulate-screening`
on small labelled CSV and RIS files whose metrics are computed by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from pipeline import curate
from pipeline.curate.ranking import DEFAULT_RANKER, REG, reviewer_queue
from pipeline.curate.simulate import metrics, read_labelled, simulate
from pipeline.errors import InputError
from pipeline.ingest.testing import PAPER_A, PAPER_B

# 4 relevant records share one vocabulary, 8 irrelevant ones another: after the prior (1 + 1), any
# sensible ranker screens the 3 remaining relevant records first.
RELEVANT = ["Federated architecture search on mobile clients", "Federated supernet search for client devices",
            "Client aware federated neural architecture search", "Federated search of architectures across clients"]
IRRELEVANT = ["Knee surgery outcomes in elderly patients", "Sleep hygiene trial in adolescents",
              "Dietary fibre and gut health in adults", "Hip fracture rehabilitation in elderly patients",
              "Asthma inhaler adherence in children", "Blood pressure lowering trial in adults",
              "Depression screening in primary care patients", "Vitamin supplements trial in elderly adults"]


def _csv(tmp_path, column="label_included"):
    lines = [f"title,abstract,{column}"]
    lines += [f'"{t}","{t}: more about it.",1' for t in RELEVANT]
    lines += [f'"{t}","{t}: more about it.",0' for t in IRRELEVANT]
    path = tmp_path / "labelled.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _ris(tmp_path):
    out = []
    for t, label in [(t, "ASReview_relevant") for t in RELEVANT] + [(t, "ASReview_irrelevant") for t in IRRELEVANT]:
        out.append(f"TY  - JOUR\nTI  - {t}\nAB  - {t}: more about it.\nN1  - {label}\nER  - \n")
    path = tmp_path / "labelled.ris"
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def test_metrics_by_hand():
    # 20 records, 3 relevant found at positions 1, 2 and 4
    order = [1, 1, 0, 1] + [0] * 16
    m = metrics(order)
    # WSS@95: ceil(0.95 * 3) = 3 relevant after k = 4 records: (20 - 4) / 20 - 0.05 = 0.75
    assert m["wss@95"] == pytest.approx(75.0)
    assert m["wss@100"] == pytest.approx(80.0)
    # RRF@10: after round(20 / 10) = 2 records, 2 of 3 relevant found
    assert m["rrf@10"] == pytest.approx(200 / 3)
    assert m["curve"][0] == (0.0, 0.0) and m["curve"][1] == (0.05, pytest.approx(1 / 3))
    assert m["curve"][-1] == (1.0, 1.0)
    # random-like order: the last relevant record at the end -> WSS@100 = 0
    assert metrics([0] * 9 + [1])["wss@100"] == pytest.approx(0.0)


@pytest.mark.parametrize("fmt", ["csv", "ris"])
def test_simulate_screening_small_file_by_hand(tmp_path, fmt):
    from pipeline.commands.screening import simulate_screening_cmd

    path = _csv(tmp_path) if fmt == "csv" else _ris(tmp_path)
    plot = tmp_path / "recall.png"
    out = CliRunner().invoke(simulate_screening_cmd, [str(path), "--seeds", "3", "--plot", str(plot),
                                                      "--format", "json"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert [r["model"] for r in data["results"]] == [DEFAULT_RANKER, "tfidf-nb"]
    for r in data["results"]:
        # after the prior: N = 10 records, R = 3 relevant, all found in the first 3
        # WSS@95 = (10 - 3) / 10 - 0.05 = 65 %; WSS@100 = 70 %; RRF@10 = 1 of 3 after round(10/10) = 1 record
        assert (r["records"], r["relevant"], r["seeds"]) == (12, 4, 3)
        assert r["wss@95"] == pytest.approx(65.0)
        assert r["wss@100"] == pytest.approx(70.0)
        assert r["rrf@10"] == pytest.approx(100 / 3)
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = CliRunner().invoke(simulate_screening_cmd, [str(path), "--seeds", "2", "--plot", str(plot),
                                                       "--model", "tfidf-nb"]).output
    assert "WSS@95" in text and "tfidf-nb" in text and " 65.0%" in text and "recall (%)" in text


def test_labelled_files_are_checked(tmp_path):
    assert read_labelled(_csv(tmp_path, column="included")).labels.count(1) == 4  # ASReview's other column name
    bad = tmp_path / "nolabels.csv"
    bad.write_text("title,abstract\nA,b\n", encoding="utf-8")
    with pytest.raises(InputError, match="no label column"):
        read_labelled(bad)
    few = tmp_path / "few.csv"
    few.write_text("title,label_included\nA,1\nB,0\nC,0\n", encoding="utf-8")
    with pytest.raises(InputError, match="at least 2 relevant"):
        read_labelled(few)
    from pipeline.commands.screening import simulate_screening_cmd

    out = CliRunner().invoke(simulate_screening_cmd, [str(_csv(tmp_path)), "--model", "nope"])
    assert out.exit_code != 0 and "unknown ranker 'nope'" in str(out.exception or out.output)


def test_rankers_are_registered_and_versioned():
    assert {"tfidf-lr", "tfidf-nb"} <= set(REG.names())
    for name in ("tfidf-lr", "tfidf-nb"):
        r = REG.get(name)()
        assert r.name == name and r.version and r.description


def test_same_priors_for_every_model(tmp_path):
    data = read_labelled(_csv(tmp_path))
    a, b = simulate(data, ["tfidf-lr", "tfidf-nb"], seeds=2)
    assert a["prior"] == b["prior"] and len(a["per_seed"]) == len(b["per_seed"]) == 2


def test_reviewer_queue_learns_only_from_that_reviewer(demo_store):
    store = demo_store
    fed = curate.add_record(store, "setup", "Federated supernet search on client devices", source="database",
                            abstract="Clients train a supernet for federated architecture search.")
    med = curate.add_record(store, "setup", "Knee surgery outcomes in elderly patients", source="database",
                            abstract="Patients after knee surgery.")
    assert not reviewer_queue(store, "ada").prioritised
    curate.screen(store, "ada", PAPER_A, "title-abstract", "include")
    assert not reviewer_queue(store, "ada").prioritised  # needs an exclude too
    curate.screen(store, "ada", PAPER_B, "title-abstract", "exclude")
    curate.screen(store, "ada", PAPER_B, "title-abstract", "exclude")  # same decision again: one label
    q = reviewer_queue(store, "ada")
    assert q.prioritised and (q.decisions_used, q.includes, q.excludes) == (2, 1, 1)
    assert PAPER_A.value not in q.order and PAPER_B.value not in q.order
    assert q.order.index(fed) < q.order.index(med) and q.trained_at and q.estimated_remaining is not None
    assert q.since_last_include == 1
    # bob's opposite decisions do not change ada's order; his own order is his
    curate.screen(store, "bob", PAPER_A, "title-abstract", "exclude")
    curate.screen(store, "bob", PAPER_B, "title-abstract", "include")
    assert reviewer_queue(store, "ada").order == q.order
    assert reviewer_queue(store, "bob").order.index(fed) > reviewer_queue(store, "bob").order.index(med)
    # the ranker named in a decision's provenance
    curate.screen(store, "ada", fed, "title-abstract", "include", ranking=(q.model, q.version))
    d = curate.history(store, curate.screening.decision_node(fed, "title-abstract", "ada"))[-1]
    assert d.params["ranking"] == {"model": "tfidf-lr", "version": "1"}


def test_logistic_fit_on_active_columns_is_the_full_fit():
    """Words absent from every labelled record get a zero weight at the optimum, so fitting on the
    labelled rows' active columns (what makes a decision fast) must give the full fit's scores."""
    from sklearn.linear_model import LogisticRegression

    from pipeline.curate.ranking import TfidfLogistic, estimate_remaining

    texts = [f"federated {w} search client {w}{i % 7} device" if i % 5 else f"unrelated {i} cooking recipe {w}"
             for i, w in enumerate(["alpha", "beta", "gamma", "delta", "omega", "sigma"] * 10)]
    ranker = TfidfLogistic()
    X = ranker.features(texts)
    labelled = list(range(0, 60, 3))  # a third labelled: many words of the rest never seen in training
    y = np.array([int(i % 5 != 0) for i in labelled])
    assert len(set(X[labelled].indices)) < X.shape[1]  # some words occur only in unlabelled records
    full = LogisticRegression(C=10.0, class_weight="balanced", max_iter=1000, tol=1e-10).fit(X[labelled], y)
    ranker.fit(X[labelled], y)
    np.testing.assert_allclose(ranker.scores(X), full.predict_proba(X)[:, 1], atol=1e-3)
    unlabelled = [i for i in range(60) if i not in labelled]
    plain = LogisticRegression(max_iter=1000, tol=1e-10).fit(X[labelled], y)
    assert estimate_remaining(X, dict(zip(labelled, y.tolist())), unlabelled) == pytest.approx(
        float(plain.predict_proba(X[unlabelled])[:, 1].sum()), abs=1e-2)

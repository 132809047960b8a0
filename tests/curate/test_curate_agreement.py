"""Cohen's kappa: hand-computed values, sklearn, coding units, merge suggestions."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline import curate
from pipeline.ingest.testing import PAPER_A
from pipeline.vocab import iri, technique


def test_kappa_hand_computed():
    # 10 items: both yes 4, both no 3, a-yes/b-no 2, a-no/b-yes 1
    a = ["y"] * 4 + ["n"] * 3 + ["y"] * 2 + ["n"]
    b = ["y"] * 4 + ["n"] * 3 + ["n"] * 2 + ["y"]
    # po = 0.7; pa(y)=0.6 pb(y)=0.5 -> pe = 0.3 + 0.2 = 0.5; kappa = 0.4
    assert curate.cohen_kappa(a, b) == pytest.approx(0.4)
    assert curate.cohen_kappa(["x", "x"], ["x", "x"]) == 1.0
    assert curate.cohen_kappa([], []) is None
    assert curate.cohen_kappa(["x"], ["y"]) is None and curate.cohen_kappa(["x"], ["x"]) is None  # one item: n/a


def test_kappa_matches_sklearn():
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    for _ in range(20):
        a = rng.choice(["include", "exclude", "maybe"], size=30).tolist()
        b = [x if rng.random() < 0.7 else rng.choice(["include", "exclude", "maybe"]) for x in a]
        assert curate.cohen_kappa(a, b) == pytest.approx(sk.cohen_kappa_score(a, b))


def test_coding_agreement_per_unit(store):
    views = {v.iri.rsplit("/", 2)[-2] + "/" + v.iri.rsplit("/", 1)[-1]: v for v in curate.proposals(store, PAPER_A)}
    assert len(views) == 4
    ids = sorted(views)
    # ada accepts all four; bob accepts two, rejects one, edits one to another code
    for k in ids:
        curate.accept(store, "ada", views[k].iri)
    curate.accept(store, "bob", views[ids[0]].iri)
    curate.accept(store, "bob", views[ids[1]].iri)
    curate.reject(store, "bob", views[ids[2]].iri)
    curate.edit(store, "bob", views[ids[3]].iri, code=technique("early-candidate-dropping"))
    k = curate.coding_agreement(store, "ada", "bob")
    # units: 4 proposed codes + bob's edited code = 5; ada 1,1,1,1,0 ; bob 1,1,0,0,1
    assert k["n"] == 5
    a, b = k["a"], k["b"]
    assert sum(a) == 4 and sum(b) == 3
    assert k["kappa"] == pytest.approx(curate.cohen_kappa(a, b))
    assert set(curate.coding_reviewers(store)) == {iri("reviewer", "ada").value, iri("reviewer", "bob").value}


def test_screening_kappas_all_pairs(store):
    for p, (x, y) in zip([PAPER_A.value], [("include", "include")]):
        curate.screen(store, "ada", p, "title-abstract", x)
        curate.screen(store, "bob", p, "title-abstract", y)
    pairs = curate.screening_kappas(store, "title-abstract")
    assert [(r["a"], r["b"], r["n"], r["kappa"]) for r in pairs] == [("ada", "bob", 1, None)]  # one record: n/a


def test_merge_suggestions_with_injected_encoder(store):
    def encode(texts):
        # codes about sampling/budget land together, the rest far apart
        return np.array([[1.0, 0.0] if ("budget" in t.lower() or "drop" in t.lower()) else [0.0, 1.0]
                         for t in texts])

    out = curate.suggest_merges(store, threshold=0.9, encode=encode)
    assert out["available"]
    labels = [{t["label"] for t in s["techniques"]} for s in out["suggestions"]]
    assert any({"Budget-aware subnet sampling", "Early dropping of inferior candidates"} <= ls for ls in labels)


def test_merge_suggestions_skip_without_model(store, monkeypatch):
    monkeypatch.setattr("pipeline.curate.suggest.default_encoder", lambda store: None)
    out = curate.suggest_merges(store)
    assert not out["available"] and "not available" in out["message"]

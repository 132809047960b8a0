"""The Methods page shows each replication's verdict with its confidence level and verdict rule."""

from __future__ import annotations

from eval_fednas.graph import write_replications
from pipeline.vocab import iri


def _result(claim: str, level: float, rule: str) -> dict:
    return {"timestamp": "20260101T000000Z", "spec": {"experiment": "xu-fednas", "seeds": [0], "quick": False},
            "provenance": {"git_commit": "x", "packages": {}, "device": "cpu", "started": "2026-01-01T00:00:00+00:00",
                           "ended": "2026-01-01T00:01:00+00:00"},
            "estimates": [], "verdicts": [{"claim": claim, "verdict": "supports", "rule": rule, "metrics": [],
                                           "deviations": [], "ci_level": level}], "accounting_checks": []}


def test_verdicts_show_their_ci_level_and_rule(app, app_store):
    write_replications(app_store, _result("xu-table3-drop33", 1 - 0.05 / 6, "Bonferroni-adjusted interval above 0"))
    at = app.open("methods")
    at.selectbox(key="method").set_value(iri("method", "xu-fednas").value).run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "verdict rule" in d.value.columns)
    row = table[table["claim"] == "xu-table3-drop33"].iloc[0]
    assert row["verdict"] == "Supports"
    assert row["CI level"] == "99.17 %" and row["verdict rule"] == "Bonferroni-adjusted interval above 0"
    others = table[table["claim"] != "xu-table3-drop33"]
    assert (others["verdict"] == "not replicated").all() and (others["CI level"] == "").all()

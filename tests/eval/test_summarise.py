"""The results summary reads verdicts, deviations and checks from saved runs and skips smoke runs."""

import json

from eval_fednas.summarise import latest_results, tables


def _result(tmp_path, stamp, smoke, verdict):
    d = tmp_path / "exp" / stamp
    d.mkdir(parents=True)
    r = {"spec": {"experiment": "exp"}, "smoke_run": smoke, "timestamp": stamp,
         "estimates": [{"metric": "m", "mean": 1.5, "ci_low": 1.0, "ci_high": 2.0, "unit": "x"}],
         "verdicts": [{"claim": "c", "verdict": verdict, "metrics": ["m"], "deviations": ["d1", "d2"]}],
         "accounting_checks": [{"claim": "k", "passed": False, "metrics": ["m"]}]}
    (d / "result.json").write_text(json.dumps(r))


def test_latest_full_run_only(tmp_path):
    _result(tmp_path, "20260101T000000Z", False, "supports")
    _result(tmp_path, "20260102T000000Z", True, "inconclusive")
    out = tables(latest_results(tmp_path))
    assert "| exp | c | **supports** | m 1.5 [1, 2] x | 2 |" in out
    assert "| exp | k | failed | m 1.5 [1, 2] x |" in out

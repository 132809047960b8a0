"""Markdown tables of the verdicts and accounting checks of saved runs (``result.json`` files).

    python -m eval_fednas.summarise eval_fednas/results

Numbers are read from the results, never typed in: RESULTS.md and README quote this output.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _fmt(e: dict) -> str:
    lo, hi = e["ci_low"], e["ci_high"]
    ci = "" if lo != lo else f" [{lo:.3g}, {hi:.3g}]"
    return f"{e['mean']:.3g}{ci} {e['unit']}".strip()


def latest_results(root: Path) -> list[dict]:
    """The newest non-smoke result.json per experiment under ``root``."""
    out = {}
    for f in sorted(root.glob("*/*/result.json")):
        r = json.loads(f.read_text())
        if not r["smoke_run"]:
            out[r["spec"]["experiment"]] = r
    return [out[k] for k in sorted(out)]


def tables(results: list[dict]) -> str:
    lines = ["| experiment | claim | verdict | measured (mean [95% CI]) | deviations |",
             "|---|---|---|---|---|"]
    checks = ["| experiment | claim | accounting check | measured |", "|---|---|---|---|"]
    for r in results:
        ests = {e["metric"]: e for e in r["estimates"]}
        name = r["spec"]["experiment"]
        for v in r["verdicts"]:
            plain = [m for m in v["metrics"] if m in ests and "@" not in m][:2]  # 95% CIs; the rule's are in the JSON
            shown = "; ".join(f"{m} {_fmt(ests[m])}" for m in plain)
            lines.append(f"| {name} | {v['claim']} | **{v['verdict']}** | {shown} | {len(v.get('deviations', []))} |")
        for c in r.get("accounting_checks", []):
            shown = "; ".join(f"{m} {_fmt(ests[m])}" for m in c["metrics"] if m in ests)
            checks.append(f"| {name} | {c['claim']} | {'passed' if c['passed'] else 'failed'} | {shown} |")
    return "\n".join(lines) + "\n\nAccounting checks (bookkeeping identities; never verdicts):\n\n" + "\n".join(checks)


def main(argv: list[str] | None = None) -> None:
    root = Path((argv or sys.argv[1:] or ["eval_fednas/results"])[0])
    print(tables(latest_results(root)))


if __name__ == "__main__":
    main()

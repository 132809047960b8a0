"""The Markdown summary of one run."""

from __future__ import annotations

from pathlib import Path


def _fmt(x: float) -> str:
    if x != x:
        return "n/a"
    return f"{x:.4g}"


def write_summary(result: dict, path: Path) -> None:
    spec = result["spec"]
    lines = [f"# {spec['experiment']}: {result['title']}", ""]
    if result["smoke_run"]:
        lines += ["> **SMOKE RUN (`--quick`)** - checks that the pipeline runs; these numbers are not a verdict.", ""]
    prov = result["provenance"]
    if prov.get("rejudged"):
        rj = prov["rejudged"]
        lines += [f"> Re-judged with the rule of code {rj['git_commit']} at {rj['at']} (no seed rerun); "
                  f"previous verdicts: {rj['previous_verdicts']}", ""]
    lines += [f"- seeds: {spec['seeds']}  engine: {spec['engine']}  device: {prov['device']}",
              f"- code: {prov['git_commit']}  started: {prov['started']}  took: {prov['seconds']:.1f} s", "",
              "## Verdicts", "", "| claim | verdict | CI level | rule |", "|---|---|---|---|"]
    for v in result["verdicts"]:
        level = v.get("ci_level")
        lines.append(f"| {v['claim']} | **{v['verdict']}** | {'' if level is None else f'{100 * level:.4g} %'} | "
                     f"{v['rule']} |")
    devs = [(v["claim"], d) for v in result["verdicts"] for d in v.get("deviations", [])]
    if devs:
        lines += ["", "## Deviations from the paper (recorded as `fa:deviation`)", ""]
        lines += [f"- {c}: {d}" for c, d in devs]
    checks = result.get("accounting_checks", [])
    if checks:
        lines += ["", "## Accounting checks (bookkeeping identities: not verdicts)", "", "| claim | check | rule |",
                  "|---|---|---|"]
        lines += [f"| {c['claim']} | {'passed' if c['passed'] else 'FAILED'} | {c['rule']} |" for c in checks]
    lines += ["", "## Estimates (mean, 95% CI over paired seeds)", "", "| metric | mean | CI | n | unit |",
              "|---|---|---|---|---|"]
    for e in result["estimates"]:
        lines.append(f"| {e['metric']} | {_fmt(e['mean'])} | [{_fmt(e['ci_low'])}, {_fmt(e['ci_high'])}] | {e['n']} | {e['unit']} |")  # noqa: E501
    lines += ["", "## Spec", "", "```json", __import__("json").dumps(spec, indent=2), "```", ""]
    lines += [f"![plot]({p})" for p in result.get("plots", [])]
    path.write_text("\n".join(lines) + "\n")

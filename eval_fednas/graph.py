"""Replication nodes in the evidence graph, and reading the latest verdicts back.

Each tested claim gets its own ``fa:Replication`` (the shapes allow exactly one
verdict per replication) with one ``fa:deviation`` text per departure from the
paper; a claim checked only by bookkeeping gets an ``fa:AccountingCheck``
(passed or not, never a verdict): IRI ``replication/{name}-{timestamp}-{claim}``, one
``fa:testsClaim``, shared run metadata, and the measurements behind its
verdict as child nodes ``<repl>/m/<metric>``. One run is one transaction.

A Replication stores its rule (``fa:verdictRule``) and the level of the
intervals the rule used (``fa:ciLevel``: 1 - 0.05/m under Bonferroni). A claim
that is an accounting identity (typed ``fa:AccountingClaim`` by the corpus, or
checked by an experiment and judged by none) is refused a verdict: it gets an
``fa:AccountingCheck`` only. A re-judged result's Replication is a
``prov:wasRevisionOf`` the one it replaces, which then no longer counts as latest.
"""

from __future__ import annotations

import json

from pyoxigraph import Literal, NamedNode

from pipeline.errors import AtlasError
from pipeline.vocab import EVIDENCE_GRAPH, FA, PROV, RDF, XSD, iri, lit, slug
from pipeline.vocab import verdict as verdict_iri

AGENT = NamedNode("https://w3id.org/fedatlas/id/agent/eval_fednas")
CLAIM_NS = "https://w3id.org/fedatlas/id/claim/"


def replication_iri(name: str, timestamp: str, claim: str) -> NamedNode:
    return iri("replication", f"{name}-{timestamp}-{claim}")


def check_iri(name: str, timestamp: str, claim: str) -> NamedNode:
    return iri("check", f"{name}-{timestamp}-{claim}")


def accounting_claims(store=None) -> set[str]:
    """Keys of claims that are accounting identities: typed so in ``store``, or checked by an experiment
    and judged by none (the registry)."""
    from . import experiments

    judged: set[str] = set()
    checked: set[str] = set()
    for name in experiments.names():
        exp = experiments.get(name)
        judged |= set(exp.claims)
        checked |= set(exp.checks)
    out = checked - judged
    if store is not None:
        rows = store.select("SELECT ?c WHERE { GRAPH ?g { ?c a fa:AccountingClaim } }")
        out |= {r["c"].rsplit("/", 1)[-1] for r in rows}
    return out


def refuse_accounting_verdicts(result: dict, store=None) -> None:
    """Raise if ``result`` gives a verdict to a claim that is an accounting identity."""
    bad = sorted({v["claim"] for v in result["verdicts"]} & accounting_claims(store))
    if bad:
        raise AtlasError(f"{', '.join(bad)}: an accounting identity gets an accounting check, never a verdict",
                         hint="move the claim to the experiment's `checks` and judge what could fail instead")


def ci_level(v: dict, ests: dict) -> float:
    """A verdict's interval level; for results saved before it was stored, the level of its adjusted intervals."""
    if v.get("ci_level") is not None:
        return float(v["ci_level"])
    used = [ests[m]["level"] for m in v["metrics"] if "@bonferroni" in m and m in ests]
    return float(min(used)) if used else 0.95


def _run_metadata(add, spec: dict, prov: dict, result: dict) -> None:
    add(FA.experiment, lit(spec["experiment"]))
    add(FA.config, lit(json.dumps(spec, sort_keys=True)))
    add(FA.seeds, lit(json.dumps(spec["seeds"])))
    add(FA.codeVersion, lit(prov["git_commit"]))
    add(FA.packageVersions, lit(json.dumps(prov["packages"], sort_keys=True)))
    add(FA.device, lit(prov["device"]))
    add(FA.quick, lit(bool(spec["quick"])))
    add(FA.isSmokeRun, lit(bool(spec["quick"])))
    add(PROV.startedAtTime, Literal(prov["started"], datatype=XSD.dateTime))
    add(PROV.endedAtTime, Literal(prov["ended"], datatype=XSD.dateTime))
    add(PROV.wasAssociatedWith, AGENT)


def _measurements(tx, r: NamedNode, metrics: list[str], ests: dict, g) -> None:
    for metric in metrics:
        e = ests.get(metric)
        if e is None:
            continue
        m = NamedNode(f"{r.value}/m/{slug(metric)}")
        tx.add(r, FA.hasMeasurement, m, g)
        tx.add(m, RDF.type, FA.Measurement, g)
        tx.add(m, FA.metric, lit(metric), g)
        for p, val in ((FA.measuredValue, e["mean"]), (FA.ciLow, e["ci_low"]), (FA.ciHigh, e["ci_high"])):
            if val == val:  # NaN (one seed) has no interval
                tx.add(m, p, lit(float(val)), g)
        tx.add(m, FA.unit, lit(e["unit"] or "1"), g)
        tx.add(m, FA.n, lit(int(e["n"])), g)


def write_replications(store, result: dict) -> list[str]:
    """Write one Replication per claim verdict (with its deviations) and one AccountingCheck per check."""
    g = EVIDENCE_GRAPH
    spec, prov = result["spec"], result["provenance"]
    ests = {e["metric"]: e for e in result["estimates"]}
    written: list[str] = []
    refuse_accounting_verdicts(result, store)
    previous = result["provenance"].get("rejudged", {}).get("from_timestamp")
    with store.transaction() as tx:
        for c in result.get("accounting_checks", []):
            r = check_iri(spec["experiment"], result["timestamp"], c["claim"])
            add = lambda p, o, r=r: tx.add(r, p, o, g)  # noqa: E731
            add(RDF.type, FA.AccountingCheck)
            add(FA.checksClaim, NamedNode(CLAIM_NS + c["claim"]))
            add(FA.checkPassed, lit(bool(c["passed"])))
            add(FA.verdictRule, lit(c["rule"]))
            _run_metadata(add, spec, prov, result)
            _measurements(tx, r, c["metrics"], ests, g)
            written.append(r.value)
        for v in result["verdicts"]:
            r = replication_iri(spec["experiment"], result["timestamp"], v["claim"])
            add = lambda p, o, r=r: tx.add(r, p, o, g)  # noqa: E731
            add(RDF.type, FA.Replication)
            add(FA.testsClaim, NamedNode(CLAIM_NS + v["claim"]))
            add(FA.verdict, verdict_iri(v["verdict"]))
            add(FA.verdictRule, lit(v["rule"]))
            add(FA.ciLevel, lit(ci_level(v, ests)))
            for d in v.get("deviations", []):
                add(FA.deviation, lit(d))
            if previous:
                add(PROV.wasRevisionOf, replication_iri(spec["experiment"], previous, v["claim"]))
            _run_metadata(add, spec, prov, result)
            _measurements(tx, r, v["metrics"], ests, g)
            written.append(r.value)
    return written


def latest_verdicts(store) -> dict[str, dict]:
    """claim key -> latest replication's verdict, smoke flag and experiment."""
    rows = store.select(f"""
        SELECT ?claim ?verdict ?quick ?ended ?exp WHERE {{
          GRAPH <{EVIDENCE_GRAPH.value}> {{
            ?r a fa:Replication ; fa:testsClaim ?claim ; fa:verdict ?verdict ;
               fa:experiment ?exp ; prov:endedAtTime ?ended .
            OPTIONAL {{ ?r fa:quick ?quick }}
            FILTER NOT EXISTS {{ ?newer prov:wasRevisionOf ?r }}
          }}
        }} ORDER BY ?ended""")
    out: dict[str, dict] = {}
    for row in rows:
        key = row["claim"].rsplit("/", 1)[-1]
        out[key] = {"verdict": row["verdict"].rsplit("#", 1)[-1].lower(), "quick": bool(row.get("quick")),
                    "ended": row["ended"], "experiment": row["exp"]}
    return out


def latest_checks(store) -> dict[str, dict]:
    """claim key -> latest accounting check (passed, smoke flag): shown apart from verdicts."""
    rows = store.select(f"""
        SELECT ?claim ?passed ?quick ?ended WHERE {{
          GRAPH <{EVIDENCE_GRAPH.value}> {{
            ?r a fa:AccountingCheck ; fa:checksClaim ?claim ; fa:checkPassed ?passed ; prov:endedAtTime ?ended .
            OPTIONAL {{ ?r fa:quick ?quick }}
          }}
        }} ORDER BY ?ended""")
    return {row["claim"].rsplit("/", 1)[-1]: {"passed": bool(row["passed"]), "quick": bool(row.get("quick")),
                                               "ended": row["ended"]} for row in rows}

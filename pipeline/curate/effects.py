"""Effect assessments: technique x challenge -> towards / against / none.

Each coder's assessment of a cell is a node in the curation graph; setting a
new one invalidates (``prov:invalidatedAtTime``) the same coder's current one,
so ``pipeline.report.tables`` always sees exactly one current assessment per coder.
``resolve=True`` records a consensus: every coder's current assessment of the
cell is invalidated, which ends a dispute. All decisions on a cell chain on
the cell IRI ``fad:cell/<technique>/<challenge>`` (stale writes detected).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyoxigraph import NamedNode

from pipeline.curate.events import LATEST, Op, Reviewer, dt, history, latest_decisions, new_iri, node, now_iso, reviewer, write
from pipeline.errors import InputError
from pipeline.store import Store
from pipeline.vocab import FA, POLARITIES, PROV, RDF, iri, lit, local_name, polarity, sparql_iri

POLARITY_BY_IRI = {"Towards": "towards", "Against": "against", "NoEffect": "none"}


def current_assessments(store: Store) -> list[dict]:
    """Current effect assessments: technique, challenge, polarity, coder, time, rationale."""
    return store.select("""
        SELECT ?ea ?t ?c ?pol ?coder ?time ?rationale WHERE {
          GRAPH ?g { ?ea a fa:EffectAssessment ; fa:technique ?t ; fa:challenge ?c ; fa:polarity ?pol .
                     OPTIONAL { ?ea prov:wasAttributedTo ?coder }
                     OPTIONAL { ?ea prov:generatedAtTime ?time }
                     OPTIONAL { ?ea fa:rationale ?rationale } }
          FILTER NOT EXISTS { GRAPH ?g2 { ?ea prov:invalidatedAtTime ?x } }
        }""")


def cell(technique: str | NamedNode, challenge: str | NamedNode) -> NamedNode:
    """The IRI decisions on one matrix cell chain on."""
    return iri("cell", f"{local_name(node(technique))}/{local_name(node(challenge))}")


def _pol(value: str) -> str:
    return POLARITY_BY_IRI.get(value.rsplit("#", 1)[-1], value)


def assessments(store: Store, technique: str | None = None, challenge: str | None = None) -> list[dict]:
    """Current assessments, the latest per (technique, challenge, coder), with evidence."""
    rows = current_assessments(store)
    latest: dict[tuple, dict] = {}
    for r in rows:
        if technique and r["t"] != str(technique) or challenge and r["c"] != str(challenge):
            continue
        key = (r["t"], r["c"], r["coder"] or "")
        if key not in latest or str(r["time"] or "") >= str(latest[key]["time"] or ""):
            latest[key] = {**r, "polarity": _pol(r["pol"])}
    out = list(latest.values())
    if technique and challenge and out:
        values = " ".join(sparql_iri(a["ea"]) for a in out)
        ev: dict[str, list[str]] = {}
        for r in store.select(f"SELECT ?ea ?e WHERE {{ VALUES ?ea {{ {values} }} GRAPH ?g {{ ?ea fa:evidence ?e }} }}"):
            ev.setdefault(r["ea"], []).append(r["e"])
        for a in out:
            a["evidence"] = sorted(ev.get(a["ea"], []))
    return out


def matrix(store: Store) -> dict[tuple[str, str], dict]:
    """(technique, challenge) -> {"value": polarity|'disputed', "coders": {coder: polarity}, "latest": decision}."""
    with store.session():
        cells: dict[tuple[str, str], dict] = {}
        for a in assessments(store):
            c = cells.setdefault((a["t"], a["c"]), {"coders": {}})
            c["coders"][a["coder"] or ""] = a["polarity"]
        for c in cells.values():
            pols = set(c["coders"].values())
            c["value"] = pols.pop() if len(pols) == 1 else "disputed"
        heads = latest_decisions(store, [cell(t, ch).value for t, ch in cells])
    for (t, ch), c in cells.items():
        c["latest"] = heads.get(cell(t, ch).value)
    return cells


def disagreements(store: Store) -> list[tuple[str, str, dict]]:
    """Cells where current coders disagree."""
    return [(t, c, v) for (t, c), v in matrix(store).items() if v["value"] == "disputed"]


def set_effect(store: Store, who: str | Reviewer, technique: str | NamedNode, challenge: str | NamedNode,
               value: str, rationale: str, evidence: Sequence[str] = (), resolve: bool = False,
               based_on: Any = LATEST) -> str:
    """Record ``who``'s assessment of a cell; returns the decision IRI.

    Invalidates ``who``'s own current assessment of the cell (or, with
    ``resolve``, every coder's: a consensus that ends a dispute).
    """
    who = reviewer(who)
    if value not in POLARITIES:
        raise InputError(f"effect must be one of {', '.join(POLARITIES)}, got {value!r}")
    rationale = (rationale or "").strip()
    if not rationale:
        raise InputError("give a rationale for the effect")
    t, c = node(technique), node(challenge)
    when = dt(now_iso())
    with store.session():
        current = assessments(store, t.value, c.value)
        old = [a["ea"] for a in current if resolve or a["coder"] == who.iri.value]
        ea = new_iri("effect")
        adds = [(ea, RDF.type, FA.EffectAssessment), (ea, FA.technique, t), (ea, FA.challenge, c),
                (ea, FA.polarity, polarity(value)), (ea, FA.rationale, lit(rationale)),
                (ea, PROV.wasAttributedTo, who.iri), (ea, PROV.generatedAtTime, when)]
        adds += [(ea, FA.evidence, node(e)) for e in evidence]
        adds += [(node(o), PROV.invalidatedAtTime, when) for o in old]
        payload = {"technique": t.value, "challenge": c.value, "polarity": value, "rationale": rationale,
                   "evidence": list(evidence), "assessment": ea.value, "invalidates": old, "resolve": resolve}
        op = Op("resolve_effect" if resolve else "effect", cell(t, c), payload, based_on, adds,
                requires=[(f"ASK {{ GRAPH ?g {{ {sparql_iri(t)} a fa:AdaptationTechnique }} }}", f"no technique {t.value}", True),
                          (f"ASK {{ GRAPH ?g {{ {sparql_iri(c)} a fa:Challenge }} }}", f"no challenge {c.value}", True)])
        op.adds.append((ea, PROV.wasGeneratedBy, op.decision))
        return write(store, who, op)


def cell_history(store: Store, technique: str, challenge: str):
    return history(store, cell(technique, challenge))
